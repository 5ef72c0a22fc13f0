"""What the guard needs, read from the database: busy time, bookings, staleness."""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import defer

from app.extensions import db
from app.models import Booking, BookingStatus, BusyBlock, CalendarSource, Owner
from app.services.owners import NotFound
from schedules import (
    BookedTime,
    Boundaries,
    Interval,
    Offer,
    Quota,
    Slot,
    available_slots,
    calendars_stale,
)

# Caps look at the whole ISO week and buffers reach past midnight: read a little more
# than the window on both sides so every rule sees everything it needs.
MARGIN = timedelta(days=8)


def busy_intervals(owner_id: int, window: Interval) -> list[Interval]:
    rows = db.session.execute(
        select(BusyBlock.start, BusyBlock.end).where(
            BusyBlock.owner_id == owner_id,
            BusyBlock.start < window.end,
            BusyBlock.end > window.start,
        )
    ).all()
    return [Interval(start, end) for start, end in rows]


def booked_times(
    owner_id: int, window: Interval, exclude_id: str | None = None
) -> list[BookedTime]:
    query = select(Booking.start, Booking.end).where(
        Booking.owner_id == owner_id,
        Booking.status == BookingStatus.CONFIRMED,
        Booking.start < window.end,
        Booking.end > window.start,
    )
    if exclude_id is not None:
        query = query.where(Booking.id != exclude_id)
    return [BookedTime(start, end) for start, end in db.session.execute(query).all()]


def source_successes(owner_id: int) -> list[datetime | None]:
    return list(
        db.session.scalars(
            select(CalendarSource.last_success_at).where(CalendarSource.owner_id == owner_id)
        ).all()
    )


@cache
def _public_owner_query() -> Any:
    """Built once: composing the statement costs more than running it."""
    source = CalendarSource.__table__.c
    of_owner = source.owner_id == Owner.id
    oldest = select(func.min(source.last_success_at)).where(of_owner).scalar_subquery()
    never = select(func.count()).where(of_owner, source.last_success_at.is_(None)).scalar_subquery()
    return (
        select(Owner, oldest, never)
        .where(Owner.slug == bindparam("slug"))
        .options(defer(Owner.boundaries))
    )


def public_owner(slug: str) -> tuple[Owner, list[datetime | None]]:
    """The owner behind a public URL and what staleness needs, in one query.

    The boundaries document is deferred (``owner_boundaries`` reads it only for a version
    it has not parsed yet). Staleness looks only at the oldest success and at sources
    never synced, so those two stand for the whole list of last successes.
    """
    row = db.session.execute(_public_owner_query(), {"slug": slug}).first()
    if row is None:
        raise NotFound(slug)
    owner, oldest_success, never_synced = row
    successes: list[datetime | None] = [None] if never_synced else []
    if oldest_success is not None:
        successes.append(oldest_success)
    return owner, successes


def is_stale(
    owner: Owner,
    boundaries: Boundaries,
    now: datetime,
    successes: list[datetime | None] | None = None,
) -> bool:
    if successes is None:
        successes = source_successes(owner.id)
    return calendars_stale(successes, boundaries.policy.limits, now)


def around(moment: datetime) -> Interval:
    return Interval(moment - MARGIN, moment + MARGIN)


def dates_window(first: date, last: date, tz: str) -> Interval:
    zone = ZoneInfo(tz)
    start = datetime.combine(first, time(0), zone)
    end = datetime.combine(last + timedelta(days=1), time(0), zone)
    return Interval(start - MARGIN, end + MARGIN)


def slots_for(
    owner: Owner,
    boundaries: Boundaries,
    offer: Offer,
    first: date,
    last: date,
    tz: str,
    now: datetime,
    quota: Quota | None = None,
    successes: list[datetime | None] | None = None,
) -> list[Slot]:
    """Free slots of ``offer`` whose start falls on local dates ``first..last`` in ``tz``
    (for a known client, ``quota`` leaves out the periods their package refuses;
    ``successes``, as ``public_owner`` read them, saves reading them again).

    Anonymous listings come from the app's slots cache when nothing has changed: see
    ``_cached``.
    """
    if is_stale(owner, boundaries, now, successes):
        return []
    if quota is not None:
        return _compute(owner, boundaries, offer, first, last, tz, now, quota)
    return _cached(owner, boundaries, offer, first, last, tz, now)


def _compute(
    owner: Owner,
    boundaries: Boundaries,
    offer: Offer,
    first: date,
    last: date,
    tz: str,
    now: datetime,
    quota: Quota | None = None,
) -> list[Slot]:
    window = dates_window(first, last, tz)
    return available_slots(
        boundaries.policy,
        offer,
        busy_intervals(owner.id, window),
        booked_times(owner.id, window),
        (first, last),
        now,
        tz,
        quota=quota,
    )


class SlotCache:
    """A small LRU of computed slot lists, per process, safe across threads.

    Bounded by the number of slots it holds, not of lists: a 60-day list can hold a
    hundred times a one-day list. A cached slot costs about 150 bytes, so the default
    budget (``SLOTS_CACHE_MAX``, 200,000 slots) keeps it near 30 MB per process.
    """

    def __init__(self, max_slots: int = 200_000) -> None:
        self.max_slots = max_slots
        self.slots = 0
        self._items: OrderedDict[tuple[Any, ...], list[Slot]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple[Any, ...]) -> list[Slot] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], slots: list[Slot]) -> None:
        if len(slots) > self.max_slots:
            return
        with self._lock:
            previous = self._items.pop(key, None)
            if previous is not None:
                self.slots -= len(previous)
            self._items[key] = slots
            self.slots += len(slots)
            while self.slots > self.max_slots:
                _, dropped = self._items.popitem(last=False)
                self.slots -= len(dropped)


def _cache() -> SlotCache:
    """One cache per application (and so per database), made on first use."""
    extensions = current_app.extensions
    cache: SlotCache | None = extensions.get("cadre_slot_cache")
    if cache is None:
        budget = int(current_app.config.get("SLOTS_CACHE_MAX", 200_000))
        cache = extensions.setdefault("cadre_slot_cache", SlotCache(budget))
    return cache


def _cached(
    owner: Owner,
    boundaries: Boundaries,
    offer: Offer,
    first: date,
    last: date,
    tz: str,
    now: datetime,
) -> list[Slot]:
    """The slots, computed at most once per owner data version and local day.

    Within one local day of the owner, ``now`` changes the answer only through the notice
    (``start >= now + min_notice``): the window's last day and every other rule are fixed.
    So the list is computed as of the start of that day and cut at the notice on each
    request — the same set ``available_slots`` gives for ``now`` itself. The key holds the
    owner's ``availability_version``, which database triggers bump on every change to their
    bookings, busy time, boundaries or zone (app/models/triggers.py): any change computes
    afresh.
    """
    zone = ZoneInfo(owner.timezone)
    today = now.astimezone(zone).date()
    key = (
        owner.id,
        owner.availability_version,
        offer,
        first,
        last,
        tz,
        today,
    )
    cache = _cache()
    slots = cache.get(key)
    if slots is None:
        day_start = datetime.combine(today, time(0), zone).astimezone(UTC)
        slots = _compute(owner, boundaries, offer, first, last, tz, day_start)
        cache.put(key, slots)
    earliest = now + boundaries.policy.limits.min_notice
    return slots[bisect_left(slots, earliest, key=lambda slot: slot.start) :]


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def future_closed(boundaries: Boundaries, today: date) -> Sequence[tuple[date, date, str]]:
    return [
        (period.first, period.last, period.label)
        for period in boundaries.policy.closed
        if period.last >= today
    ]
