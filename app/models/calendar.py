from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

from .types import UTCDateTime

if TYPE_CHECKING:
    from .owner import Owner


class SourceKind(enum.StrEnum):
    ICS = "ics"
    GOOGLE = "google"


class CalendarSource(db.Model):  # type: ignore[name-defined,misc]
    """A calendar whose events count as busy time, with its sync state.

    ``last_success_at`` drives the staleness rule: a source that never synced, or not
    within ``stale_after``, closes the owner's availability (unless the owner allows it).
    """

    __tablename__ = "calendar_sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SourceKind] = mapped_column(
        Enum(
            SourceKind, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]
        )
    )
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(Text)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when an attempt ends, well or badly: "finished >= attempt" means none is running.
    last_finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[str] | None] = mapped_column(JSON)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    content_hash: Mapped[str | None] = mapped_column(String(64))
    sync_state: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    owner: Mapped[Owner] = relationship(back_populates="sources")


class BusyBlock(db.Model):  # type: ignore[name-defined,misc]
    """A stretch of busy time from a source. Only what the guard needs: no titles."""

    __tablename__ = "busy_blocks"
    __table_args__ = (
        Index("ix_busy_blocks_owner_start", "owner_id", "start"),
        CheckConstraint('start < "end"', name="busy_nonempty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("owners.id", ondelete="CASCADE"))
    source_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_sources.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    # Upstream identity (Google event id) so incremental syncs touch one row.
    external_id: Mapped[str | None] = mapped_column(String(1024))
