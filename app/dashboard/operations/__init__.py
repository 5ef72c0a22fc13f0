"""The owner's use cases behind the dashboard pages. Each owns its transaction."""
