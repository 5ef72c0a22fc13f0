"""May this slot be offered, may this booking be taken: one rule, two entry points.

``check_booking`` decides one start and says why it refuses; ``available_slots`` lists
every start of a window that ``check_booking`` would accept. Both are built from the
same pieces below (``_Horizon``, ``_grid_refusal``, ``_Caps``, the occupied range), so
listing and accepting cannot drift apart; the property tests hold them to it.

The pipeline for one local date of the owner (Cal.com's ``slots.ts`` idea, minus the clock):
working ranges → grid starts (range start + k × step, while the offer fits) → drop starts
too soon / too far → drop starts whose occupied range meets another booking's occupied
range or a busy block → drop the whole date if a daily or weekly cap is reached → for a
client whose package refuses extras, drop the whole period once its allowance is used.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from .hours import day_span, local_date, owner_zone, working_intervals
from .intervals import Interval
from .packages import PeriodCounter, Quota
from .policy import Limits, Offer, Policy

_ONE_DAY = timedelta(days=1)
_DAY_LENGTH = timedelta(hours=24)
_TINY = timedelta(microseconds=1)


class Refusal(StrEnum):
    """Why a booking is refused; the value is the public JSON error code.

    Declared in the order of precedence: the first that applies is reported. The time
    itself comes first, then who holds it, then the owner's caps from the narrowest period
    to the widest (day, week), then the client's package (a week or a month of *their*
    bookings: told after the owner's caps, which refuse every client alike), and
    ``calendar_stale`` last: it is the only temporary one, so a definitive reason wins.
    """

    TOO_SOON = "too_soon"
    TOO_FAR = "too_far"
    CLOSED_DAY = "closed_day"
    OUTSIDE_WORKING_HOURS = "outside_working_hours"
    NOT_A_SLOT = "not_a_slot"
    SLOT_TAKEN = "slot_taken"
    BUSY = "busy"
    DAILY_LIMIT = "daily_limit"
    WEEKLY_LIMIT = "weekly_limit"
    QUOTA_EXCEEDED = "quota_exceeded"
    CALENDAR_STALE = "calendar_stale"


@dataclass(frozen=True, slots=True)
class BookedTime:
    """An existing active booking of the owner (any offer): ``[start, end)``, aware."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Slot:
    """A bookable ``[start, end)`` in aware UTC."""

    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict on one booking request: no refusal means accepted.

    ``extra_price`` is set when the booking is accepted beyond the client's package, as a
    billable extra at that price (the client must agree to it before it is taken).
    """

    refusal: Refusal | None
    extra_price: str | None = None

    @property
    def accepted(self) -> bool:
        """True when nothing refuses the booking."""
        return self.refusal is None


_ACCEPTED = Decision(None)


def _aware_utc(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")
    return moment.astimezone(UTC)


def _check_offer(policy: Policy, offer: Offer) -> None:
    if offer.duration <= timedelta(0):
        raise ValueError("offer duration must be positive")
    if policy.limits.slot_step <= timedelta(0):
        raise ValueError("slot_step must be positive")


@dataclass(frozen=True, slots=True)
class _Horizon:
    """Notice and window: the earliest start, and the last local date that may be booked."""

    earliest: datetime
    last_day: date

    @classmethod
    def of(cls, limits: Limits, now: datetime, zone: ZoneInfo) -> _Horizon:
        now = _aware_utc(now, "now")
        last_day = local_date(now, zone) + timedelta(days=limits.max_days_ahead)
        return cls(now + limits.min_notice, last_day)


def _grid_refusal(
    ranges: Sequence[Interval], start: datetime, duration: timedelta, step: timedelta
) -> Refusal | None:
    """closed_day / outside_working_hours / not_a_slot for ``start`` on its date's ranges.

    A start is on the grid of a range when it is ``range.start + k × step`` (elapsed
    time, k ≥ 0) and the offer ends inside that range. Ranges are checked one by one:
    09:00–12:00 and 12:00–14:00 do not make 11:30–12:30 bookable.
    """
    if not ranges:
        return Refusal.CLOSED_DAY
    end = start + duration
    inside = False
    for r_start, r_end in ranges:
        if r_start <= start and end <= r_end:
            inside = True
            if (start - r_start) % step == timedelta(0):
                return None
    return Refusal.NOT_A_SLOT if inside else Refusal.OUTSIDE_WORKING_HOURS


class _Caps:
    """Active bookings of all offers counted per owner-local date and ISO week."""

    def __init__(self, limits: Limits, bookings: Sequence[BookedTime], zone: ZoneInfo) -> None:
        self._limits = limits
        self._per_day: dict[date, int] = {}
        self._booked: dict[date, timedelta] = {}
        self._per_week: dict[date, int] = {}
        if (
            limits.max_bookings_per_day is None
            and limits.max_booked_per_day is None
            and limits.max_bookings_per_week is None
        ):
            return  # no caps: skip converting every booking to local time
        for booking in bookings:
            day = local_date(booking.start, zone)
            week = day - timedelta(days=day.weekday())  # ISO week keyed by its Monday
            self._per_day[day] = self._per_day.get(day, 0) + 1
            length = max(booking.end - booking.start, timedelta(0))
            self._booked[day] = self._booked.get(day, timedelta(0)) + length
            self._per_week[week] = self._per_week.get(week, 0) + 1

    def refusal(self, day: date, duration: timedelta) -> Refusal | None:
        """daily_limit / weekly_limit if one more ``duration`` booking on ``day`` breaks a cap."""
        limits = self._limits
        per_day = limits.max_bookings_per_day
        if per_day is not None and self._per_day.get(day, 0) + 1 > per_day:
            return Refusal.DAILY_LIMIT
        booked = limits.max_booked_per_day
        if booked is not None and self._booked.get(day, timedelta(0)) + duration > booked:
            return Refusal.DAILY_LIMIT
        per_week = limits.max_bookings_per_week
        week = day - timedelta(days=day.weekday())
        if per_week is not None and self._per_week.get(week, 0) + 1 > per_week:
            return Refusal.WEEKLY_LIMIT
        return None


def _occupied(start: datetime, end: datetime, limits: Limits) -> tuple[datetime, datetime]:
    """What a booking blocks: ``[start − buffer_before, end + buffer_after)``."""
    return start - limits.buffer_before, end + limits.buffer_after


def check_booking(
    policy: Policy,
    offer: Offer,
    start: datetime,
    busy: Sequence[Interval],
    bookings: Sequence[BookedTime],
    now: datetime,
    *,
    calendar_stale: bool = False,
    quota: Quota | None = None,
) -> Decision:
    """Decide whether ``offer`` may be booked at ``start``; report the first refusal that applies.

    Order: too_soon, too_far, closed_day, outside_working_hours, not_a_slot, slot_taken,
    busy, daily_limit, weekly_limit, quota_exceeded, calendar_stale. ``busy`` blocks are
    taken as they are; the new booking and each existing one are widened by the buffers.
    ``quota`` is the booking client's package and bookings (None: no package, no quota);
    beyond the allowance it refuses, or accepts with ``extra_price`` set.
    """
    _check_offer(policy, offer)
    limits = policy.limits
    zone = owner_zone(policy)
    start = _aware_utc(start, "start")
    horizon = _Horizon.of(limits, now, zone)
    if start < horizon.earliest:
        return Decision(Refusal.TOO_SOON)
    day = local_date(start, zone)
    if day > horizon.last_day:
        return Decision(Refusal.TOO_FAR)
    grid = _grid_refusal(working_intervals(policy, day), start, offer.duration, limits.slot_step)
    if grid is not None:
        return Decision(grid)
    # One request, so scan linearly: cheaper than sorting 10k busy blocks to bisect once.
    low, high = _occupied(start, start + offer.duration, limits)
    for booking in bookings:
        b_low, b_high = _occupied(booking.start, booking.end, limits)
        if b_low < b_high and b_low < high and b_high > low:
            return Decision(Refusal.SLOT_TAKEN)
    for b_start, b_end in busy:
        if b_start < b_end and b_start < high and b_end > low:
            return Decision(Refusal.BUSY)
    capped = _Caps(limits, bookings, zone).refusal(day, offer.duration)
    if capped is not None:
        return Decision(capped)
    extra_price = None
    counter = _quota_counter(quota, offer, zone)
    if counter is not None:
        beyond = counter.beyond(day)
        if beyond == "refuse":
            return Decision(Refusal.QUOTA_EXCEEDED)
        if beyond == "bill":
            extra_price = counter.package.extra_price
    if calendar_stale:
        return Decision(Refusal.CALENDAR_STALE)
    return _ACCEPTED if extra_price is None else Decision(None, extra_price)


def _quota_counter(quota: Quota | None, offer: Offer, zone: ZoneInfo) -> PeriodCounter | None:
    """The client's package counter if it covers ``offer`` (None: no quota applies)."""
    if quota is None or not quota.package.covers(offer.slug):
        return None
    return PeriodCounter(quota, zone)


def available_slots(
    policy: Policy,
    offer: Offer,
    busy: Sequence[Interval],
    bookings: Sequence[BookedTime],
    window: tuple[date, date],
    now: datetime,
    tz: str | None = None,
    *,
    calendar_stale: bool = False,
    quota: Quota | None = None,
) -> list[Slot]:
    """Every start in ``window`` that ``check_booking`` accepts, sorted, as UTC slots.

    ``window`` is a pair of inclusive local dates in zone ``tz`` (default: the owner's):
    a slot is listed when its start falls in [first 00:00, last + 1 00:00) there. A
    booker in Tokyo asking for 2027-01-04 sees the Paris owner's slots that start on
    the 4th in Tokyo, which may lie on the owner's 3rd or 4th. Stale calendars: none.
    With a client's ``quota`` whose package refuses extras, periods whose allowance is
    used are left out; a billing package leaves every slot (each may be an extra).
    """
    _check_offer(policy, offer)
    if calendar_stale:
        return []
    first, last = window
    if first > last:
        return []
    limits = policy.limits
    zone = owner_zone(policy)
    viewer = zone if tz is None else ZoneInfo(tz)
    low = day_span(first, viewer).start
    high = day_span(last + _ONE_DAY, viewer).start
    if low >= high:
        return []
    horizon = _Horizon.of(limits, now, zone)
    floor = max(low, horizon.earliest)
    duration, step = offer.duration, limits.slot_step
    before, after = limits.buffer_before, limits.buffer_after

    caps = _Caps(limits, bookings, zone)
    counter = _quota_counter(quota, offer, zone)

    # 1. Candidates: grid starts in the window that pass notice, horizon and caps.
    # (A few hundred for 60 days, whatever the size of the calendar.)
    found: list[datetime] = []
    # One spare date on each side: cheap, and safe should a clock change ever put an
    # instant of the window on a neighbouring date's wall.
    day = local_date(floor, zone) - _ONE_DAY
    last_day = min(local_date(high - _TINY, zone) + _ONE_DAY, horizon.last_day)
    while day <= last_day:
        ranges = working_intervals(policy, day)
        if (
            ranges
            and caps.refusal(day, duration) is None
            and (counter is None or counter.beyond(day) != "refuse")
        ):
            span = day_span(day, zone)
            # On a day with a clock change, an instant of the span could in theory show
            # another date on the wall; there, confirm each start's local date as
            # check_booking will see it. Ordinary days skip the conversion.
            irregular = span.end - span.start != _DAY_LENGTH
            for r_start, r_end in ranges:
                start = r_start
                while start + duration <= r_end:
                    if floor <= start < high and (not irregular or local_date(start, zone) == day):
                        found.append(start)
                    start += step
        day += _ONE_DAY
    # Overlapping ranges (possible around a repeated hour) can yield a start twice.
    candidates = sorted(set(found))

    # 2. Strike candidates whose occupied range meets a busy block or a booking's
    # occupied range. Both ends of the candidates' occupied ranges are sorted, so each
    # block finds the run of candidates it strikes with a bisect: O(n log m) for n
    # blocks and m candidates, no sort of the blocks, no object per block.
    occ_low = [c - before for c in candidates]
    occ_high = [c + duration + after for c in candidates]
    struck = [0] * (len(candidates) + 1)  # difference array: +1 at a run's start, −1 after
    _strike(occ_low, occ_high, busy, struck)
    _strike(occ_low, occ_high, [_occupied(b.start, b.end, limits) for b in bookings], struck)

    free: list[Slot] = []
    depth = 0
    for index, start in enumerate(candidates):
        depth += struck[index]
        if depth == 0:
            free.append(Slot(start, start + duration))
    return free


def _strike(
    occ_low: list[datetime],
    occ_high: list[datetime],
    blocks: Iterable[tuple[datetime, datetime]],
    struck: list[int],
) -> None:
    """Mark, in the difference array ``struck``, the candidates each block overlaps.

    Candidate k is struck by block [s, e) when ``occ_low[k] < e`` and ``occ_high[k] > s``:
    the candidates from the first whose occupied range ends after ``s`` up to (not
    including) the first whose occupied range starts at or after ``e``. Example: occupied
    ranges [09:00, 10:15), [09:30, 10:45), [10:00, 11:15) and a block [10:20, 10:30)
    strike the last two: the first ends at 10:15, before the block starts.
    """
    count = len(occ_high)
    for b_start, b_end in blocks:
        first = bisect_right(occ_high, b_start)
        # Most blocks (nights, weekends, lunch) reach no candidate: one bisect and out.
        if first == count or occ_low[first] >= b_end or b_start >= b_end:
            continue
        struck[first] += 1
        struck[bisect_left(occ_low, b_end, first)] -= 1


def calendars_stale(
    last_successes: Iterable[datetime | None], limits: Limits, now: datetime
) -> bool:
    """Whether the guard must fail closed because a calendar's busy time is not known.

    True when the owner chose ``on_stale_calendar = "block"`` and some source never synced
    (``None``) or last synced successfully more than ``stale_after`` before ``now``.
    No sources: False.
    """
    if limits.on_stale_calendar != "block":
        return False
    now = _aware_utc(now, "now")
    for success in last_successes:
        if success is None or now - success > limits.stale_after:
            return True
    return False


def cancellation_deadline(policy: Policy, start: datetime) -> datetime:
    """The last moment a booking starting at ``start`` can be cancelled free of charge."""
    return start - policy.cancellation.free_until


def is_late_cancellation(policy: Policy, start: datetime, now: datetime) -> bool:
    """Whether cancelling at ``now`` is late: from the deadline on (``now >= deadline``)."""
    return now >= cancellation_deadline(policy, start)
