"""Adapters to the outside world: calendar feeds, safe HTTP. Above ``schedules``, below ``app``."""
