"""The week's "energy meter": per day, working hours, busy time, bookings and the caps.

Everything is computed here and handed to the template as plain numbers and boxes; the
SVG is drawn server-side from them. Days are the owner's local dates, as the caps count
them; busy time is shown to the owner only (the public side never sees it).

Worked example (the demo owner, Monday 09:00–12:30 and 14:00–18:00, caps 4 bookings and
5h a day): two 60-minute bookings and a 90-minute meeting from a calendar make
working 7h30, booked 2h, busy 1h30, cap use max(2/4, 2h/5h) = 50 %.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from app.models import Booking, BookingStatus, Owner
from app.services.availability import busy_intervals
from schedules import Boundaries, Interval, clip, intersect, normalize, working_intervals
from schedules.hours import day_span

HOUR_PX = 28
COLUMN_PX = 120
GAP_PX = 8
GUTTER_PX = 44  # hour labels on the left
TOP_PX = 8
NEAR = 0.75  # from three quarters of a cap on, the day shows as "near its cap"


@dataclass(frozen=True)
class Box:
    """A rectangle of the day column (SVG units) and what it stands for."""

    y: float
    height: float
    label: str


@dataclass(frozen=True)
class DayEnergy:
    day: date
    working: timedelta
    busy: timedelta  # inside working hours
    booked: timedelta
    bookings: int
    max_bookings: int | None
    max_booked: timedelta | None
    load: float  # the highest share of a cap (or of working time when there are no caps)
    capped: bool
    x: float
    working_boxes: list[Box]
    busy_boxes: list[Box]
    booking_boxes: list[Box]

    @property
    def closed(self) -> bool:
        return not self.working

    @property
    def level(self) -> str:
        if self.closed and not self.bookings:
            return "closed"
        if self.load >= 1:
            return "full"
        if self.load >= NEAR:
            return "near"
        return "calm"

    @property
    def percent(self) -> int:
        return round(self.load * 100)

    @property
    def free(self) -> timedelta:
        return max(timedelta(0), self.working - self.busy - self.booked)


@dataclass(frozen=True)
class Week:
    first: date
    days: list[DayEnergy]
    bookings: int
    max_bookings: int | None
    first_hour: int
    last_hour: int
    width: float
    height: float
    gauge_y: float
    hour_lines: list[tuple[int, float]]

    @property
    def previous(self) -> date:
        return self.first - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.first + timedelta(days=7)

    @property
    def week_load(self) -> float | None:
        return self.bookings / self.max_bookings if self.max_bookings else None


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _total(intervals: list[Interval]) -> timedelta:
    return sum((end - start for start, end in intervals), timedelta(0))


def _minutes(moment: datetime, zone: ZoneInfo, day: date) -> float:
    """Minutes since local midnight of ``day`` on the wall clock (1440 at the next midnight)."""
    local = moment.astimezone(zone)
    if local.date() > day:
        return 24 * 60
    return local.hour * 60 + local.minute + local.second / 60


def _bookings(owner: Owner, window: Interval) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(
                Booking.owner_id == owner.id,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.start < window.end,
                Booking.end > window.start,
            )
            .order_by(Booking.start)
        ).all()
    )


def energy_week(owner: Owner, boundaries: Boundaries, first: date) -> Week:
    """The seven days from Monday ``first`` (owner's local dates)."""
    policy, limits = boundaries.policy, boundaries.policy.limits
    zone = ZoneInfo(policy.timezone)
    days = [first + timedelta(days=i) for i in range(7)]
    spans = [day_span(day, zone) for day in days]
    window = Interval(spans[0].start, spans[-1].end)
    busy_all = normalize(busy_intervals(owner.id, window))
    bookings = _bookings(owner, window)

    raw = []
    for day, span in zip(days, spans, strict=True):
        working = working_intervals(policy, day)
        busy = clip(busy_all, span)
        mine = [b for b in bookings if span.start <= b.start < span.end]
        raw.append((day, working, busy, mine))

    # One hour range for the whole week: from the earliest to the latest thing shown.
    marks = [
        _minutes(moment, zone, day)
        for day, working, _busy, mine in raw
        for moment in [*(w.start for w in working), *(b.start for b in mine)]
    ]
    ends = [
        _minutes(moment, zone, day)
        for day, working, _busy, mine in raw
        for moment in [*(w.end for w in working), *(b.end for b in mine)]
    ]
    first_hour = min(8, math.floor(min(marks) / 60)) if marks else 8
    last_hour = max(18, math.ceil(max(ends) / 60)) if ends else 18
    first_min, last_min = first_hour * 60, last_hour * 60

    def box(start: datetime, end: datetime, day: date, label: str) -> Box | None:
        top = max(_minutes(start, zone, day), first_min)
        bottom = min(_minutes(end, zone, day), last_min)
        if bottom <= top:
            return None
        return Box(TOP_PX + (top - first_min) * HOUR_PX / 60, (bottom - top) * HOUR_PX / 60, label)

    def boxes(items: list[tuple[datetime, datetime, str]], day: date) -> list[Box]:
        return [b for b in (box(s, e, day, label) for s, e, label in items) if b is not None]

    result = []
    for index, (day, working, busy, mine) in enumerate(raw):
        busy_inside = intersect(busy, working)
        booked = sum((b.end - b.start for b in mine), timedelta(0))
        worked = _total(working)
        shares = []
        if limits.max_bookings_per_day:
            shares.append(len(mine) / limits.max_bookings_per_day)
        if limits.max_booked_per_day:
            shares.append(booked / limits.max_booked_per_day)
        capped = bool(shares)
        if not shares and worked:
            shares.append((booked + _total(busy_inside)) / worked)
        result.append(
            DayEnergy(
                day=day,
                working=worked,
                busy=_total(busy_inside),
                booked=booked,
                bookings=len(mine),
                max_bookings=limits.max_bookings_per_day,
                max_booked=limits.max_booked_per_day,
                load=max(shares, default=0.0),
                capped=capped,
                x=GUTTER_PX + index * (COLUMN_PX + GAP_PX),
                working_boxes=boxes([(w.start, w.end, "") for w in working], day),
                busy_boxes=boxes([(s, e, "") for s, e in busy], day),
                booking_boxes=boxes(
                    [(b.start, b.end, f"{b.offer_title} — {b.client_name}") for b in mine], day
                ),
            )
        )
    chart_height = (last_hour - first_hour) * HOUR_PX
    return Week(
        first=first,
        days=result,
        bookings=sum(d.bookings for d in result),
        max_bookings=limits.max_bookings_per_week,
        first_hour=first_hour,
        last_hour=last_hour,
        width=GUTTER_PX + 7 * COLUMN_PX + 6 * GAP_PX,
        height=TOP_PX + chart_height + 44,
        gauge_y=TOP_PX + chart_height + 12,
        hour_lines=[
            (hour, TOP_PX + (hour - first_hour) * HOUR_PX)
            for hour in range(first_hour, last_hour + 1)
        ],
    )
