"""The app's clock. ``CLOCK`` in the config is a callable returning aware UTC; tests set it."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from app.models.types import utcnow


def now() -> datetime:
    clock = current_app.config.get("CLOCK") or utcnow
    moment: datetime = clock()
    return moment
