"""What the guard needs, read from the database: busy time, bookings, staleness."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Booking, BookingStatus, BusyBlock, CalendarSource, Owner
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


def is_stale(owner: Owner, boundaries: Boundaries, now: datetime) -> bool:
    return calendars_stale(source_successes(owner.id), boundaries.policy.limits, now)


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
) -> list[Slot]:
    """Free slots of ``offer`` whose start falls on local dates ``first..last`` in ``tz``
    (for a known client, ``quota`` leaves out the periods their package refuses)."""
    window = dates_window(first, last, tz)
    return available_slots(
        boundaries.policy,
        offer,
        busy_intervals(owner.id, window),
        booked_times(owner.id, window),
        (first, last),
        now,
        tz,
        calendar_stale=is_stale(owner, boundaries, now),
        quota=quota,
    )


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(ZoneInfo(tz)).date()


def future_closed(boundaries: Boundaries, today: date) -> Sequence[tuple[date, date, str]]:
    return [
        (period.first, period.last, period.label)
        for period in boundaries.policy.closed
        if period.last >= today
    ]
