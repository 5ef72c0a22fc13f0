"""Owner-facing Google pages: connect accounts, choose calendars, disconnect (``/oauth``)."""

from .views import oauth_bp

__all__ = ["oauth_bp"]
