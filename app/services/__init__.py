"""Use cases. Services own transactions; views call them and render the result."""
