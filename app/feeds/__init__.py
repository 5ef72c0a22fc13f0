"""The owner's private ICS feed of bookings: ``/feeds/<token>.ics``."""

from .blueprint import feeds_bp

__all__ = ["feeds_bp"]
