"""The public side: booking pages and the JSON API (no login)."""

from .api import api_bp
from .health import health_bp
from .pages import public_bp

__all__ = ["api_bp", "health_bp", "public_bp"]
