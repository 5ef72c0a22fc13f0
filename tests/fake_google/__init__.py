"""A fake Google (OIDC + OAuth 2 + Calendar v3) served over HTTP on 127.0.0.1 for tests."""

from .server import CLIENT_ID, CLIENT_SECRET, FakeGoogle
from .state import SCOPE_CALENDAR_LIST, SCOPE_EVENTS, Calendar, User

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "SCOPE_CALENDAR_LIST",
    "SCOPE_EVENTS",
    "Calendar",
    "FakeGoogle",
    "User",
]
