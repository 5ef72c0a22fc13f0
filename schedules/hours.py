"""Working hours: the owner's local wall-clock ranges turned into UTC intervals, date by date.

Precedence for one local date: a ``[[closed]]`` period wins over an ``[[override]]``,
which wins over the weekday's hours.

Ranges are expanded on each date with zoneinfo, so their real length follows the
clocks: Paris 09:00–17:00 is 8 hours every day, and 00:00–06:00 on the last Sunday of
October (clocks go back 03:00 → 02:00) is 7 hours of elapsed time.

Deliberate DST choices (tested in ``tests/unit/test_hours.py``):

* A **nonexistent** local time (in a spring-forward gap) is read with the UTC offset in
  force *before* the gap, as RFC 5545 §3.3.5 prescribes and as Python does with
  ``fold=0``. In Paris on 2026-03-29 (02:00 → 03:00), 02:30 is read as 02:30+01:00,
  which is 03:30+02:00: a range 02:30–05:00 starts at 03:30 new time, lasting 1h30.
* An **ambiguous** (repeated) local time: a range *start* takes the first occurrence
  (``fold=0``) and a range *end* takes the second (``fold=1``), so the range covers every
  moment at which the wall clock shows a time between them. In Paris on 2026-10-25
  (03:00 → 02:00), 01:00–02:30 runs from 23:00 to 01:30 UTC: 2h30 of elapsed time.
* An end of ``time(0)`` is midnight at the end of the date: the instant the date changes,
  i.e. the *first* 00:00 of the next date (``fold=0``) even if midnight repeats — after it
  the wall clock shows the next date, which the range does not cover.
* A local date the zone skipped entirely (Pacific/Apia jumped from 2011-12-29 to
  2011-12-31) has no instants, hence no working hours. More generally each range is
  clipped to the instants whose local date it belongs to.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .intervals import Interval
from .policy import Policy, TimeRange

_MIDNIGHT = time(0)
_ONE_DAY = timedelta(days=1)


def owner_zone(policy: Policy) -> ZoneInfo:
    """The owner's IANA zone (``ZoneInfo`` caches instances, so this is cheap)."""
    return ZoneInfo(policy.timezone)


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    """The calendar date on the wall in ``zone`` at an aware ``moment``."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    return moment.astimezone(zone).date()


def ranges_for_date(policy: Policy, day: date) -> tuple[TimeRange, ...]:
    """The local wall-clock ranges that apply on ``day``: closed > override > weekday.

    If several overrides name the same date, the last one declared wins.
    """
    for period in policy.closed:
        if period.first <= day <= period.last:
            return ()
    chosen: tuple[TimeRange, ...] | None = None
    for override in policy.overrides:
        if override.day == day:
            chosen = override.ranges
    if chosen is not None:
        return chosen
    return policy.hours[day.weekday()]


def _first_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """``day wall`` read with fold=0: first occurrence if repeated, pre-gap offset if skipped."""
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def _end_instant(day: date, wall: time, zone: ZoneInfo) -> datetime:
    """A range end: the second occurrence of a repeated time, the pre-gap offset in a gap.

    The later of the two readings gives both at once. Repeated 02:30 in Paris:
    fold=0 is 00:30 UTC and fold=1 is 01:30 UTC, the later is the second occurrence.
    Nonexistent 02:30: fold=0 (pre-gap offset +01:00) is 01:30 UTC and fold=1 is
    00:30 UTC, the later is the pre-gap reading.
    """
    local = datetime.combine(day, wall, tzinfo=zone)
    return max(local.astimezone(UTC), local.replace(fold=1).astimezone(UTC))


def day_span(day: date, zone: ZoneInfo) -> Interval:
    """All the instants whose local date in ``zone`` is ``day``: [its 00:00, next 00:00).

    Usually 24 hours; 23 or 25 on DST days; empty for a date the zone skipped.
    """
    return Interval(
        _first_instant(day, _MIDNIGHT, zone), _first_instant(day + _ONE_DAY, _MIDNIGHT, zone)
    )


def range_interval(day: date, wall: TimeRange, zone: ZoneInfo) -> Interval:
    """One local range on ``day`` as UTC instants, per the DST rules in the module docstring."""
    start = _first_instant(day, wall.start, zone)
    if wall.end == _MIDNIGHT:
        end = _first_instant(day + _ONE_DAY, _MIDNIGHT, zone)
    else:
        end = _end_instant(day, wall.end, zone)
    return Interval(start, end)


def working_intervals(policy: Policy, day: date) -> list[Interval]:
    """The working ranges of local date ``day`` as aware UTC intervals, sorted by start.

    Ranges are kept separate, not merged: a booking must fit inside *one* range, and
    each range has its own slot grid. Ranges emptied by the clocks (02:00–03:00 inside
    a spring gap reads as 03:00–03:00) are dropped.
    """
    return _working_intervals(ranges_for_date(policy, day), day, owner_zone(policy))


def _working_intervals(ranges: tuple[TimeRange, ...], day: date, zone: ZoneInfo) -> list[Interval]:
    if not ranges:
        return []
    span_start, span_end = day_span(day, zone)
    out: list[Interval] = []
    for wall in ranges:
        start, end = range_interval(day, wall, zone)
        # Clip to the date's own instants so every moment of a range has local date
        # ``day`` (matters only for skipped dates and gaps that straddle midnight).
        start, end = max(start, span_start), min(end, span_end)
        if start < end:
            out.append(Interval(start, end))
    out.sort()
    return out
