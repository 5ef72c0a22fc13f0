"""Calendar sync: claim a source, ask its adapter for busy time, store it atomically.

The order matters:

1. **Claim** the source with one conditional ``UPDATE`` (``last_attempt_at``), committed at
   once. Every web process runs the scheduler and an owner may press "sync now" at the
   same moment: the row count tells who won, so a source is never synced twice at once.
2. **Fetch and parse** outside any transaction: network time must not hold a write lock.
3. **Store** in one write transaction taken like a booking's (``guarded_write``): delete
   the source's blocks, insert the new ones, record the success. A booking therefore
   sees either the old busy time or the new, never a half-replaced set.

A failure of any kind (network, parse, database) leaves the previous blocks untouched and
records a readable ``last_error``; ``last_success_at`` does not move, so a source that
keeps failing eventually makes the owner's calendar stale and the guard fails closed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from sqlalchemy import delete, func, insert, or_, select, update

from app.clock import now as clock_now
from app.database import guarded_write
from app.extensions import db
from app.models import BusyBlock, CalendarSource, Owner, SourceKind
from integrations.base import BusyResult, CalendarAdapter, KeyedBusy, SyncError
from integrations.ics import IcsCalendar
from integrations.safe_http import FetchLimits
from schedules import Interval

from .owners import get_owner, owner_boundaries

log = logging.getLogger(__name__)

# Longer than one sync can take (fetch deadline + parse): a claim older than this belongs
# to a process that died, and the source may be taken again.
LEASE = timedelta(minutes=2)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
WINDOW_BEFORE = timedelta(days=1)
MAX_ERROR_LENGTH = 500

SYNCED, UNCHANGED, FAILED, SKIPPED = "synced", "unchanged", "failed", "skipped"

AdapterFactory = Callable[[CalendarSource, ZoneInfo, Flask], CalendarAdapter]


@dataclass(frozen=True)
class SyncOutcome:
    """One source's sync, as the CLI summary and the dashboard show it."""

    source_id: int
    name: str
    owner_slug: str
    status: str
    events: int | None = None
    busy_blocks: int | None = None
    duration_s: float = 0.0
    error: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def failed(self) -> bool:
        return self.status == FAILED


def _ics_adapter(source: CalendarSource, zone: ZoneInfo, app: Flask) -> CalendarAdapter:
    config, default = app.config, FetchLimits()
    limits = FetchLimits(
        max_bytes=int(config.get("ICS_MAX_BYTES", default.max_bytes)),
        deadline_s=float(config.get("ICS_DEADLINE_S", default.deadline_s)),
        connect_timeout_s=float(config.get("ICS_CONNECT_TIMEOUT_S", default.connect_timeout_s)),
        read_timeout_s=float(config.get("ICS_READ_TIMEOUT_S", default.read_timeout_s)),
    )
    return IcsCalendar(
        source.url or "",
        zone,
        allow_loopback=bool(config.get("CADRE_ALLOW_LOOPBACK_FEEDS")),
        limits=limits,
    )


_adapters: dict[SourceKind, AdapterFactory] = {SourceKind.ICS: _ics_adapter}


def register_adapter(kind: SourceKind, factory: AdapterFactory) -> None:
    """Teach sync a calendar kind (Google registers itself here)."""
    _adapters[kind] = factory


def sync_window(now: datetime, max_days_ahead: int) -> Interval:
    """[now − 1 day, now + booking window + 1 day]: every instant a slot could touch."""
    return Interval(now - WINDOW_BEFORE, now + timedelta(days=max_days_ahead + 1))


def claim(source_id: int, now: datetime, min_gap: timedelta = LEASE) -> bool:
    """Take ``source_id`` for a sync at ``now``; False if someone else has it.

    Free when never attempted, when the last attempt started over ``min_gap`` ago, or,
    for a manual sync (``min_gap == LEASE``), when the last attempt has finished, well or
    badly (``last_finished_at >= last_attempt_at``), so "sync now" right after a sync —
    a failed one included — runs instead of being skipped.
    """
    # A fresh write transaction: on SQLite, upgrading a read transaction to a write
    # fails at once when another connection wrote meanwhile, instead of waiting.
    db.session.rollback()
    db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    source = CalendarSource.__table__.c
    free = [source.last_attempt_at.is_(None), source.last_attempt_at < now - min_gap]
    if min_gap <= LEASE:
        free.append(source.last_finished_at >= source.last_attempt_at)
    result = db.session.execute(
        update(CalendarSource.__table__)
        .where(source.id == source_id, or_(*free))
        .values(last_attempt_at=now)
    )
    db.session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def sync_source(source_id: int, *, min_gap: timedelta = LEASE) -> SyncOutcome:
    """Sync one source now (if no one else is) and record the outcome. Never raises."""
    started = time.perf_counter()
    now = clock_now()
    source = db.session.get(CalendarSource, source_id)
    if source is None:
        return SyncOutcome(source_id, "?", "?", SKIPPED, error="source no longer exists")
    owner = db.session.get(Owner, source.owner_id)
    assert owner is not None  # the foreign key cascades: a source always has its owner
    name, slug = source.name, owner.slug
    if source.kind not in _adapters:
        db.session.rollback()
        return SyncOutcome(source_id, name, slug, SKIPPED, error=f"no adapter for {source.kind}")
    try:
        claimed = claim(source_id, now, min_gap)
    except Exception as exc:
        db.session.rollback()
        return SyncOutcome(source_id, name, slug, FAILED, error=_readable(exc))
    if not claimed:
        return SyncOutcome(
            source_id, name, slug, SKIPPED, error="another sync of this source is running"
        )

    def elapsed() -> float:
        return time.perf_counter() - started

    try:
        # Re-read after the claim's commit expired the objects.
        source = db.session.get(CalendarSource, source_id)
        owner = db.session.get(Owner, source.owner_id) if source else None
        if source is None or owner is None:
            return SyncOutcome(source_id, name, slug, SKIPPED, error="source no longer exists")
        limits = owner_boundaries(owner).policy.limits
        window = sync_window(now, limits.max_days_ahead)
        adapter = _adapters[source.kind](source, ZoneInfo(owner.timezone), current_app)
        state = dict(source.sync_state or {})
        owner_id = owner.id
        db.session.rollback()  # end the read transaction before the network wait
        result = adapter.fetch_busy(window, state)
        blocks = _store(source_id, owner_id, result, now)
    except Exception as exc:
        message = _readable(exc)
        _record_failure(source_id, message)
        return SyncOutcome(source_id, name, slug, FAILED, duration_s=elapsed(), error=message)
    if blocks is None:
        return SyncOutcome(source_id, name, slug, SKIPPED, error="source no longer exists")
    status = UNCHANGED if result.unchanged else SYNCED
    return SyncOutcome(
        source_id,
        name,
        slug,
        status,
        events=result.events,
        busy_blocks=blocks,
        duration_s=elapsed(),
        warnings=result.warnings,
    )


def _store(source_id: int, owner_id: int, result: BusyResult, now: datetime) -> int | None:
    """Record a successful fetch; replace the blocks unless unchanged. The block count."""
    with guarded_write(owner_id):
        source = db.session.get(CalendarSource, source_id)
        if source is None:
            return None  # removed from the boundaries file while we were fetching
        if result.busy is not None:
            db.session.execute(delete(BusyBlock).where(BusyBlock.source_id == source_id))
            if result.busy:
                db.session.execute(
                    insert(BusyBlock),
                    [
                        {"owner_id": owner_id, "source_id": source_id, "start": s, "end": e}
                        for s, e in result.busy
                    ],
                )
            source.warnings = list(result.warnings) or None
        elif result.keyed is not None:
            store_keyed(source_id, owner_id, result.keyed, replace=result.replace)
            source.warnings = list(result.warnings) or None
        state = result.state
        source.sync_state = state
        # Plain columns too, so the validators are visible without decoding JSON.
        source.etag = _text(state.get("etag"), 512)
        source.last_modified = _text(state.get("last_modified"), 128)
        source.content_hash = _text(state.get("content_hash"), 64)
        # The attempt's start, not its end: the data is at least this fresh, and
        # ``claim`` reads "success >= attempt" as "that attempt has finished".
        source.last_success_at = now
        source.last_finished_at = max(clock_now(), now)
        source.last_error = None
        if result.busy is not None:
            return len(result.busy)
        count = db.session.scalar(
            select(func.count()).select_from(BusyBlock).where(BusyBlock.source_id == source_id)
        )
        return int(count or 0)


def store_keyed(
    source_id: int, owner_id: int, blocks: Sequence[KeyedBusy], *, replace: bool
) -> int:
    """Write keyed busy time (one block per upstream event id). How many rows it touched.

    ``replace``: the blocks are the source's whole busy time (delete all, insert these).
    Otherwise each key's row is updated in place, inserted, or deleted (interval None),
    and every other block of the source stays exactly as it was. Runs inside the
    caller's write transaction. A key seen twice counts once: its last version wins.
    """
    latest = {block.key: block.interval for block in blocks}
    if replace:
        db.session.execute(delete(BusyBlock).where(BusyBlock.source_id == source_id))
        rows = [
            {
                "owner_id": owner_id,
                "source_id": source_id,
                "external_id": key,
                "start": interval.start,
                "end": interval.end,
            }
            for key, interval in latest.items()
            if interval is not None
        ]
        if rows:
            db.session.execute(insert(BusyBlock), rows)
        return len(rows)
    touched = 0
    table = BusyBlock.__table__
    for key, interval in latest.items():
        mine = (table.c.source_id == source_id) & (table.c.external_id == key)
        if interval is None:
            result = db.session.execute(delete(table).where(mine))
            touched += int(result.rowcount)  # type: ignore[attr-defined]
            continue
        start, end = interval
        result = db.session.execute(update(table).where(mine).values(start=start, end=end))
        if not result.rowcount:  # type: ignore[attr-defined]
            db.session.execute(
                insert(table).values(
                    owner_id=owner_id, source_id=source_id, external_id=key, start=start, end=end
                )
            )
        touched += max(1, int(result.rowcount))  # type: ignore[attr-defined]
    return touched


def _record_failure(source_id: int, message: str) -> None:
    try:
        db.session.rollback()
        db.session.execute(
            update(CalendarSource.__table__)
            .where(CalendarSource.__table__.c.id == source_id)
            .values(last_error=message, last_finished_at=clock_now())
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("could not record the sync failure of source %s", source_id)


def _readable(exc: BaseException) -> str:
    if isinstance(exc, SyncError):
        text = str(exc)
    else:
        # Not an expected failure: keep the details in the log, show a short sentence.
        log.exception("calendar sync failed unexpectedly")
        text = f"unexpected error ({type(exc).__name__}: {exc})"
    text = text[:1].upper() + text[1:]
    return text[:MAX_ERROR_LENGTH]


def _text(value: Any, limit: int) -> str | None:
    return None if value is None else str(value)[:limit]


def source_ids(owner_slug: str | None = None) -> list[int]:
    """Ids of the sources to sync: one owner's, or everyone's, in a stable order."""
    query = select(CalendarSource.id).order_by(CalendarSource.owner_id, CalendarSource.id)
    if owner_slug is not None:
        query = query.where(CalendarSource.owner_id == get_owner(owner_slug).id)
    ids = list(db.session.scalars(query).all())
    db.session.rollback()
    return ids


def sync_owner(owner_slug: str) -> list[SyncOutcome]:
    """Sync every source of one owner now. Raises ``NotFound`` for an unknown slug."""
    return [sync_source(source_id) for source_id in source_ids(owner_slug)]


def sync_all() -> list[SyncOutcome]:
    """Sync every source of every owner now."""
    return [sync_source(source_id) for source_id in source_ids()]


def periodic_gap(app: Flask) -> timedelta:
    """How long after an attempt a periodic job may claim a source again: half the
    interval, so a job that waited in a backlog does not cost its source the next round,
    while the same round is never synced twice (one job id per round, below)."""
    return max(LEASE, timedelta(seconds=float(app.config["SYNC_INTERVAL_S"]) / 2))


def sync_phase(source_id: int, interval: timedelta) -> timedelta:
    """Where in each interval ``source_id`` is synced: a stable, well-spread offset
    (Knuth's multiplicative hash), so thousands of sources created or restored at once
    are not all fetched at the same moment, round after round."""
    spread = source_id * 2654435761 % 2**32
    return timedelta(microseconds=spread * (interval // MICROSECOND) // 2**32)


def sync_round(source_id: int, interval: timedelta, now: datetime) -> tuple[int, datetime]:
    """The number of the round ``now`` is in for ``source_id``, and when it began."""
    shifted = now - EPOCH - sync_phase(source_id, interval)
    number = shifted // interval
    return number, now - (shifted - number * interval)


def sync_due() -> int:
    """The periodic task: queue a job for each source whose moment in the current round
    has come and that was last attempted at least half an interval before that moment.

    Every source has its own moment in each ``SYNC_INTERVAL_S`` round (``sync_phase``),
    so a fleet's fetches are spread evenly over the interval. A job is queued under one
    id per source and round; RQ refuses a second while the first exists, so every
    worker's scheduler may run this on every tick without piling up jobs. How many were
    queued."""
    from app.jobs import enqueue, unique_job_id

    interval = timedelta(seconds=float(current_app.config["SYNC_INTERVAL_S"]))
    gap = periodic_gap(current_app)
    now = clock_now()
    rows = db.session.execute(
        select(CalendarSource.id, CalendarSource.owner_id, CalendarSource.last_attempt_at).where(
            CalendarSource.kind.in_(list(_adapters)),
            or_(
                CalendarSource.last_attempt_at.is_(None),
                CalendarSource.last_attempt_at <= now - interval / 2,
            ),
        )
    ).all()
    db.session.rollback()
    queued = 0
    for source_id, owner_id, last_attempt in rows:
        number, began = sync_round(source_id, interval, now)
        if last_attempt is not None and last_attempt > began - interval / 2:
            # Attempted in this round, or so shortly before it (a "sync now", a catch-up
            # of many sources at once) that it waits for its moment in the next one.
            continue
        job_id = unique_job_id("sync", source_id, number)
        queued += enqueue(
            sync_source_job,
            source_id,
            gap.total_seconds(),
            job_id=job_id,
            unique=True,
            owner_id=owner_id,
        )
    return queued


def sync_source_job(source_id: int, min_gap_s: float) -> None:
    """Job entry point (module-level, so RQ can import it by name)."""
    outcome = sync_source(source_id, min_gap=timedelta(seconds=min_gap_s))
    if outcome.failed:
        log.warning("sync of calendar %s failed: %s", source_id, outcome.error)


def init_sync(app: Flask) -> None:
    """Register the periodic sync (run by each web process's scheduler; claims dedupe)."""
    from app.jobs import every

    # Looked at often, so each source is queued close to its own moment in the round.
    every("sync-calendars", float(app.config.get("SYNC_SCHEDULE_S", 30)), sync_due)
