"""The owner's calendars: their sync status, ICS feeds added or removed, "sync now", the feed URL.

ICS feeds live in the boundaries document (``[[calendars]]``), so adding or removing one
goes through the same validation and save as the file; ``save_boundaries`` keeps the
``CalendarSource`` rows in step. Syncing is a job (``app.jobs.enqueue``), never work done
inside the page request.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.jobs import enqueue
from app.models import CalendarSource, Owner, SourceKind
from app.services.feeds import rotate_feed_token
from app.services.owners import owner_boundaries
from app.services.sync import LEASE, sync_source_job
from schedules import BoundariesError, FieldError, calendars_stale

from . import boundaries as boundaries_ops


@dataclass(frozen=True)
class SourceStatus:
    id: int
    kind: str
    name: str
    url: str | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    warnings: tuple[str, ...]
    stale: bool

    @property
    def removable(self) -> bool:
        """ICS feeds are removed here; Google calendars on the Google pages."""
        return self.kind == SourceKind.ICS.value


def owner_sources(owner: Owner) -> list[CalendarSource]:
    return list(
        db.session.scalars(
            select(CalendarSource)
            .where(CalendarSource.owner_id == owner.id)
            .order_by(CalendarSource.kind, CalendarSource.name, CalendarSource.id)
        ).all()
    )


def statuses(owner: Owner, now: datetime) -> list[SourceStatus]:
    """Every source of ``owner`` with its sync state; ``stale`` as the guard reads it
    (never synced, or not within ``stale_after``), whatever ``on_stale_calendar`` says."""
    stale_after = owner_boundaries(owner).policy.limits.stale_after
    return [
        SourceStatus(
            id=source.id,
            kind=source.kind.value,
            name=source.name,
            url=source.url,
            last_success_at=source.last_success_at,
            last_attempt_at=source.last_attempt_at,
            last_error=source.last_error,
            warnings=tuple(source.warnings or ()),
            stale=source.last_success_at is None or now - source.last_success_at > stale_after,
        )
        for source in owner_sources(owner)
    ]


def booking_page_closed(owner: Owner, sources: list[SourceStatus], now: datetime) -> bool:
    """Whether stale calendars close the booking page now (``on_stale_calendar = "block"``)."""
    limits = owner_boundaries(owner).policy.limits
    return calendars_stale([s.last_success_at for s in sources], limits, now)


def add_feed(owner: Owner, name: str, url: str) -> int:
    """Add an ICS feed to the boundaries and queue its first sync; the new source's id.

    Raises ``BoundariesError`` with the file's messages, on paths ``calendars[<n>].name``
    and ``calendars[<n>].ics``.
    """
    doc = copy.deepcopy(owner.boundaries)
    feeds = list(doc.get("calendars", []))
    feeds.append({"name": name, "ics": url})
    doc["calendars"] = feeds
    if any(feed.get("ics") == url for feed in feeds[:-1]):
        raise BoundariesError(
            [FieldError(f"calendars[{len(feeds) - 1}].ics", _("this feed is already connected"))]
        )
    boundaries_ops.save(owner, doc)
    source_id = db.session.scalar(
        select(CalendarSource.id).where(
            CalendarSource.owner_id == owner.id,
            CalendarSource.kind == SourceKind.ICS,
            CalendarSource.url == url,
        )
    )
    assert source_id is not None  # save_boundaries creates a source for each feed
    queue_sync(owner, source_id)
    return int(source_id)


def remove_feed(owner: Owner, source_id: int) -> bool:
    """Remove one of ``owner``'s ICS feeds (and its busy time). False if there is none."""
    source = _own_source(owner, source_id)
    if source is None or source.kind is not SourceKind.ICS:
        return False
    doc = copy.deepcopy(owner.boundaries)
    doc["calendars"] = [feed for feed in doc.get("calendars", []) if feed.get("ics") != source.url]
    boundaries_ops.save(owner, doc)
    return True


def queue_sync(owner: Owner, source_id: int | None = None) -> int:
    """Queue a sync of one source of ``owner`` (or all of them) now; how many were queued.

    A manual sync waits for no interval: only a sync already running is not doubled.
    """
    if source_id is not None:
        source = _own_source(owner, source_id)
        ids = [source.id] if source is not None else []
    else:
        ids = [source.id for source in owner_sources(owner)]
    owner_id = owner.id
    db.session.rollback()  # end the read before the job (inline in tests) takes its claim
    for one in ids:
        enqueue(sync_source_job, one, LEASE.total_seconds(), owner_id=owner_id)
    return len(ids)


def _own_source(owner: Owner, source_id: int) -> CalendarSource | None:
    return db.session.scalar(
        select(CalendarSource).where(
            CalendarSource.id == source_id, CalendarSource.owner_id == owner.id
        )
    )


def rotate_feed(owner: Owner) -> str:
    """A new private feed address; the old one stops working at once (commits)."""
    return rotate_feed_token(owner)
