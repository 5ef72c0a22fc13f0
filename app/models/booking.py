from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    DDL,
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    func,
    literal_column,
)
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .types import UTCDateTime, utcnow

if TYPE_CHECKING:
    from .owner import Owner


class BookingStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


def new_booking_id() -> str:
    return uuid.uuid4().hex


class Booking(db.Model):  # type: ignore[name-defined,misc]
    """A client's booking of an offer.

    ``occupied_start``/``occupied_end`` are the booking widened by the owner's buffers at
    the time it was made. On PostgreSQL an exclusion constraint keeps the occupied ranges
    of confirmed bookings of one owner disjoint, whatever the application does.
    The manage token is stored only as a SHA-256 hash: the link lives in the client's mail.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        CheckConstraint('start < "end"', name="booking_nonempty"),
        Index("ix_bookings_owner_start", "owner_id", "start"),
        ExcludeConstraint(
            ("owner_id", "="),
            (
                func.tstzrange(
                    literal_column("occupied_start"),
                    literal_column("occupied_end"),
                    literal_column("'[)'"),
                ),
                "&&",
            ),
            where=literal_column("status = 'confirmed'"),
            using="gist",
            name="bookings_no_overlap",
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_booking_id)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"))
    offer_slug: Mapped[str] = mapped_column(String(64))
    offer_title: Mapped[str] = mapped_column(String(200))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    occupied_start: Mapped[datetime] = mapped_column(UTCDateTime)
    occupied_end: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[BookingStatus] = mapped_column(
        Enum(
            BookingStatus,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=BookingStatus.CONFIRMED,
    )
    client_name: Mapped[str] = mapped_column(String(200))
    client_email: Mapped[str] = mapped_column(String(320), index=True)
    client_timezone: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(Text)
    manage_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(16))
    late_cancellation: Mapped[bool] = mapped_column(default=False)
    late_fee: Mapped[str | None] = mapped_column(String(200))
    reschedule_count: Mapped[int] = mapped_column(Integer, default=0)
    # The owner's Google Calendar event for this booking, once written back.
    google_event_id: Mapped[str | None] = mapped_column(String(1024))
    # Beyond the client's package and accepted as a billable extra, at this price (as shown
    # to the client, who agreed to it). An extra does not use the package's allowance.
    billable_extra: Mapped[bool] = mapped_column(default=False, server_default=false())
    extra_price: Mapped[str | None] = mapped_column(String(200))

    owner: Mapped[Owner] = relationship(back_populates="bookings")

    @property
    def active(self) -> bool:
        return self.status is BookingStatus.CONFIRMED


# The exclusion constraint mixes the owner id (btree) with a range (gist).
event.listen(
    Booking.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS btree_gist").execute_if(dialect="postgresql"),
)


class IdempotencyRecord(db.Model):  # type: ignore[name-defined,misc]
    """The first answer to a POST carrying an ``Idempotency-Key``, replayed on retries."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("owner_id", "key", name="uq_idempotency_owner_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
