"""The owner's dashboard: boundaries editor, calendars, bookings, week energy, inbox."""

from .blueprint import dashboard_bp

__all__ = ["dashboard_bp"]
