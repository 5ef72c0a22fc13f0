"""SQLAlchemy models. Models hold data; services own transactions (models never commit)."""

from .account import LoginAttempt, OwnerAccount
from .booking import Booking, BookingStatus, IdempotencyRecord
from .calendar import BusyBlock, CalendarSource, SourceKind
from .message import Message, OutboxMail
from .owner import Owner
from .package import ClientPackage
from .types import UTCDateTime, utcnow

__all__ = [
    "Booking",
    "BookingStatus",
    "BusyBlock",
    "CalendarSource",
    "ClientPackage",
    "IdempotencyRecord",
    "LoginAttempt",
    "Message",
    "OutboxMail",
    "Owner",
    "OwnerAccount",
    "SourceKind",
    "UTCDateTime",
    "utcnow",
]

from . import triggers as _triggers

for _table in (Owner.__table__, Booking.__table__, BusyBlock.__table__):
    _triggers.install_on_create(_table)
