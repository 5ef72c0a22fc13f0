"""When a message is due an answer: ``reply_within`` counted in working time only.

Counting starts at the later of the receipt and the next opening; only moments inside
the owner's working hours count, so evenings, weekends, days off and overrides pause
the clock. Example (Paris, Mon 09:00–12:30 and 14:00–18:00 only, ``reply_within`` 8h):
a message received Friday 19:30 starts counting Monday 09:00; Monday gives 3h30 + 4h =
7h30, so the last 30 minutes fall on the next Monday: due 09:30 a week later.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from .hours import local_date, owner_zone, working_intervals
from .intervals import Interval, normalize
from .policy import Policy

# How long a stretch without any working hours may last before we give up.
HORIZON_DAYS = 400
_ONE_DAY = timedelta(days=1)


def _working_time_from(policy: Policy, moment: datetime) -> Iterator[Interval]:
    """Working time from ``moment`` on, in order, as disjoint UTC intervals.

    Stops after ``HORIZON_DAYS`` consecutive local dates without any working hours.
    """
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    moment = moment.astimezone(UTC)
    zone = owner_zone(policy)
    # Start a date early: a range of yesterday's date may still be running (a clock
    # change can make the previous date's ranges reach past local midnight).
    day = local_date(moment, zone) - _ONE_DAY
    idle = 0
    while idle <= HORIZON_DAYS:
        # Ranges of one date may overlap around a repeated hour: merge so nothing counts twice.
        pieces = normalize(working_intervals(policy, day))
        idle = idle + 1 if not pieces else 0
        for start, end in pieces:
            if end > moment:
                yield Interval(max(start, moment), end)
                moment = end  # dates never overlap, but stay monotonic regardless
        day += _ONE_DAY


def next_opening(policy: Policy, moment: datetime) -> datetime | None:
    """The first moment at or after ``moment`` inside working hours (``moment`` itself if open).

    None if there are no working hours in the next 400 days.
    """
    for start, _end in _working_time_from(policy, moment):
        return start
    return None


def reply_due(policy: Policy, received_at: datetime) -> datetime | None:
    """When an answer to a message received at ``received_at`` is due.

    ``reply_within`` of working time is counted from the later of ``received_at`` and the
    next opening. A due time that lands exactly at the end of a range stays there (it is
    not pushed to the next opening). None if there are no working hours in the next
    400 days.
    """
    remaining = policy.response.reply_within
    for start, end in _working_time_from(policy, received_at):
        if remaining <= end - start:
            return start + remaining
        remaining -= end - start
    return None
