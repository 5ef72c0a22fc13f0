from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .booking import Booking
    from .calendar import CalendarSource


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class Owner(db.Model):  # type: ignore[name-defined,misc]
    """A professional with a public page at ``/<slug>``.

    ``boundaries`` is the whole boundaries document as plain data (the TOML structure):
    the single source of truth for hours, limits, terms and offers. It is validated by
    ``schedules.parse_boundaries`` before it is stored, and read back the same way.
    """

    __tablename__ = "owners"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    timezone: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8), default="en")
    boundaries: Mapped[dict[str, Any]] = mapped_column(JSON)
    feed_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_feed_token)
    # Bumped by database triggers on every change to this owner's bookings or busy time
    # (app/models/triggers.py): the slots cache keys on it.
    availability_version: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    bookings: Mapped[list[Booking]] = relationship(back_populates="owner", lazy="raise_on_sql")
    sources: Mapped[list[CalendarSource]] = relationship(
        back_populates="owner", lazy="raise_on_sql", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Owner {self.slug}>"
