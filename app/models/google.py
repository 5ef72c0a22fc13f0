"""Google Calendar: connected accounts, their calendars, and bookings written back.

Tokens are never stored in clear: ``GoogleAccount.token_ciphertext`` is the token JSON
encrypted with the configured Fernet keys (``app.services.google_tokens``). The SHA-256
of the refresh token is kept beside it so Authlib's update hook, which only knows the
refresh token it used, can find the account to store the new access token in.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .calendar import BusyBlock
from .types import UTCDateTime, utcnow


class AccountStatus(enum.StrEnum):
    ACTIVE = "active"
    RECONNECT_NEEDED = "reconnect_needed"  # the refresh token was refused (invalid_grant)


class GoogleAccount(db.Model):  # type: ignore[name-defined,misc]
    """One Google account an owner connected (an owner may connect several)."""

    __tablename__ = "google_accounts"
    __table_args__ = (UniqueConstraint("owner_id", "subject", name="uq_google_accounts_owner_sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))  # the id_token's ``sub``: stable per account
    email: Mapped[str] = mapped_column(String(320))
    scopes: Mapped[str] = mapped_column(Text, default="")
    token_ciphertext: Mapped[str] = mapped_column(Text)
    refresh_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    status: Mapped[AccountStatus] = mapped_column(
        Enum(
            AccountStatus,
            native_enum=False,
            length=24,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=AccountStatus.ACTIVE,
    )
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reconnect_mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    # Write-back: invite the client as an attendee of the event (Google mails them).
    invite_client: Mapped[bool] = mapped_column(Boolean, default=False)
    calendars_listed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    connected_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    calendars: Mapped[list[GoogleCalendar]] = relationship(
        back_populates="account",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="GoogleCalendar.id",
    )

    @property
    def needs_reconnect(self) -> bool:
        return self.status is AccountStatus.RECONNECT_NEEDED


class GoogleCalendar(db.Model):  # type: ignore[name-defined,misc]
    """A calendar of a connected account, as listed by ``calendarList.list``.

    It counts as busy time when it has a ``source`` (a ``CalendarSource`` of kind google:
    the same sync machinery, staleness rule and busy blocks as an ICS feed). At most one
    calendar per owner receives bookings (partial unique index).
    """

    __tablename__ = "google_calendars"
    __table_args__ = (
        UniqueConstraint("account_id", "calendar_id", name="uq_google_calendars_account_cal"),
        Index(
            "uq_google_calendars_booking_target",
            "owner_id",
            unique=True,
            sqlite_where=text("receives_bookings"),
            postgresql_where=text("receives_bookings"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(
        ForeignKey("google_accounts.id", ondelete="CASCADE"), index=True
    )
    calendar_id: Mapped[str] = mapped_column(String(1024))  # Google's id (often an address)
    summary: Mapped[str] = mapped_column(String(300), default="")
    time_zone: Mapped[str | None] = mapped_column(String(64))
    access_role: Mapped[str] = mapped_column(String(32), default="reader")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar_sources.id", ondelete="SET NULL"), unique=True
    )
    receives_bookings: Mapped[bool] = mapped_column(Boolean, default=False)

    account: Mapped[GoogleAccount] = relationship(back_populates="calendars")

    @property
    def writable(self) -> bool:
        return self.access_role in ("owner", "writer")


class WritebackState(enum.StrEnum):
    PENDING = "pending"  # Google does not match the booking yet
    DONE = "done"
    FAILED = "failed"  # refused for good (e.g. the calendar is no longer writable)


class GoogleBookingEvent(db.Model):  # type: ignore[name-defined,misc]
    """The write-back of one booking: where its event lives and whether Google matches it.

    The job compares the booking with what was last written (``written_*``) and does the
    one call that closes the gap: insert, patch or delete. The event id is derived from
    the booking id, so a retry after a lost answer gets "duplicate" instead of a second
    event; once created it is also kept on the booking (``Booking.google_event_id``).
    """

    __tablename__ = "google_booking_events"
    __table_args__ = (Index("ix_google_booking_events_due", "state", "next_attempt_at"),)

    booking_id: Mapped[str] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    calendar_row_id: Mapped[int | None] = mapped_column(
        ForeignKey("google_calendars.id", ondelete="SET NULL"), index=True
    )
    calendar_id: Mapped[str] = mapped_column(String(1024))
    manage_url_ciphertext: Mapped[str | None] = mapped_column(Text)
    state: Mapped[WritebackState] = mapped_column(
        Enum(
            WritebackState,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=WritebackState.PENDING,
    )
    written_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    written_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    written_cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# Incremental Google syncs update or delete one busy block by its event id; without this
# index each such statement scans all of the source's blocks (10,000 for a busy calendar).
# Declared here, next to the only code that needs it, so ``calendar.py`` stays untouched.
Index("ix_busy_blocks_source_external", BusyBlock.source_id, BusyBlock.external_id)
