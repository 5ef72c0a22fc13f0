"""Property tests: listing and accepting are one rule; interval operations match a minute model.

Random policies in the six test zones (random hours on a quarter-hour grid, so ranges
often start or end inside DST gaps and repeated hours), random limits, busy blocks,
bookings and ``now`` near clock changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import event, given, settings
from hypothesis import strategies as st

from schedules.hours import working_intervals
from schedules.intervals import (
    Interval,
    clip,
    intersect,
    normalize,
    overlaps,
    subtract,
    union,
)
from schedules.policy import ClosedPeriod, Limits, Offer, Override, Policy, TimeRange
from schedules.reply import reply_due
from schedules.rules import BookedTime, available_slots, check_booking

SETTINGS = settings(max_examples=200, deadline=None)
M = timedelta(minutes=1)
ZONES = [
    "Europe/Paris",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Apia",
]
# Noon UTC a day or two before clock changes (and one ordinary week), so random `now`
# and windows land on DST days in most zones: Paris and New York 2026, Sao Paulo 2018/19,
# Lord Howe 2026, Apia's skipped day, plain January 2027.
ANCHORS = [
    datetime(2026, 3, 27, 12, tzinfo=UTC),
    datetime(2026, 10, 23, 12, tzinfo=UTC),
    datetime(2026, 3, 6, 12, tzinfo=UTC),
    datetime(2026, 10, 30, 12, tzinfo=UTC),
    datetime(2018, 11, 2, 12, tzinfo=UTC),
    datetime(2019, 2, 14, 12, tzinfo=UTC),
    datetime(2026, 4, 3, 12, tzinfo=UTC),
    datetime(2026, 10, 2, 12, tzinfo=UTC),
    datetime(2011, 12, 27, 12, tzinfo=UTC),
    datetime(2027, 1, 1, 12, tzinfo=UTC),
]


def quarter(n: int) -> time:
    """Quarter-hour ``n`` of the day; 96 is midnight at the end of the day."""
    return time(0) if n == 96 else time(n // 4, n % 4 * 15)


@st.composite
def day_ranges(draw: st.DrawFn) -> tuple[TimeRange, ...]:
    if draw(st.integers(0, 4)) == 0:
        return ()  # a day off, one time in five
    points = sorted(draw(st.sets(st.integers(0, 96), min_size=2, max_size=4)))
    if len(points) % 2:
        points = points[:-1]
    return tuple(
        TimeRange(quarter(a), quarter(b)) for a, b in zip(points[::2], points[1::2], strict=True)
    )


minutes = st.integers(0, 12).map(lambda n: n * 5 * M)  # 0 … 60 min
caps = st.none() | st.integers(1, 4)


@st.composite
def policies(draw: st.DrawFn, anchor: datetime) -> Policy:
    near = st.integers(-3, 10).map(lambda n: anchor.date() + timedelta(days=n))
    closed = []
    if draw(st.booleans()):
        first = draw(near)
        closed.append(ClosedPeriod(first, first + timedelta(days=draw(st.integers(0, 2)))))
    overrides = tuple(Override(day, draw(day_ranges())) for day in draw(st.lists(near, max_size=2)))
    limits = Limits(
        min_notice=draw(st.integers(0, 24)) * 30 * M,
        max_days_ahead=draw(st.integers(0, 14)),
        buffer_before=draw(minutes),
        buffer_after=draw(minutes),
        slot_step=draw(st.sampled_from([10, 15, 20, 30, 45, 60])) * M,
        max_bookings_per_day=draw(caps),
        max_booked_per_day=draw(st.none() | st.integers(1, 12).map(lambda n: n * 30 * M)),
        max_bookings_per_week=draw(st.none() | st.integers(1, 8)),
    )
    return Policy(
        timezone=draw(st.sampled_from(ZONES)),
        hours=tuple(draw(day_ranges()) for _ in range(7)),
        closed=tuple(closed),
        overrides=overrides,
        limits=limits,
    )


def spans(anchor: datetime, count: int) -> st.SearchStrategy[list[tuple[datetime, datetime]]]:
    """Random [start, end) pairs from a day before ``anchor`` to ten days after, 5-min grid."""
    start = st.integers(-288, 2880).map(lambda n: anchor + n * 5 * M)
    length = st.integers(1, 36).map(lambda n: n * 5 * M)
    return st.lists(st.tuples(start, length).map(lambda p: (p[0], p[0] + p[1])), max_size=count)


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    anchor = draw(st.sampled_from(ANCHORS))
    policy = draw(policies(anchor))
    now = anchor + draw(st.integers(-96, 96)) * 30 * M
    viewer = draw(st.none() | st.sampled_from(ZONES))
    view_zone = ZoneInfo(viewer or policy.timezone)
    first = now.astimezone(view_zone).date() + timedelta(days=draw(st.integers(-1, 4)))
    last = first + timedelta(days=draw(st.integers(0, 4)))
    return {
        "policy": policy,
        "offer": Offer("o", "o", draw(st.sampled_from([15, 20, 30, 45, 60, 90])) * M),
        "busy": [Interval(a, b) for a, b in draw(spans(anchor, 10))],
        "bookings": [BookedTime(a, b) for a, b in draw(spans(anchor, 6))],
        "now": now,
        "window": (first, last),
        "viewer": viewer,
        "view_zone": view_zone,
    }


def midnight(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of ``day`` in ``zone`` (first 00:00, or the end of a midnight gap)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def grid_starts(policy: Policy, offer: Offer, low: datetime, high: datetime) -> set[datetime]:
    """Every grid start of every owner date that could reach [low, high), kept if inside it."""
    zone = ZoneInfo(policy.timezone)
    day = low.astimezone(zone).date() - timedelta(days=2)
    out: set[datetime] = set()
    while day <= high.astimezone(zone).date() + timedelta(days=2):
        for r_start, r_end in working_intervals(policy, day):
            start = r_start
            while start + offer.duration <= r_end:
                if low <= start < high:
                    out.add(start)
                start += policy.limits.slot_step
        day += timedelta(days=1)
    return out


@SETTINGS
@given(scenarios(), st.lists(st.integers(0, 10_000), max_size=20))
def test_listing_and_accepting_are_one_rule(case: dict[str, object], probes: list[int]) -> None:
    policy, offer = case["policy"], case["offer"]
    busy, bookings, now = case["busy"], case["bookings"], case["now"]
    first, last = case["window"]  # type: ignore[misc]
    assert isinstance(policy, Policy) and isinstance(offer, Offer) and isinstance(now, datetime)
    assert isinstance(busy, list) and isinstance(bookings, list)
    zone = case["view_zone"]
    assert isinstance(zone, ZoneInfo)
    viewer = case["viewer"]
    assert viewer is None or isinstance(viewer, str)

    slots = available_slots(policy, offer, busy, bookings, (first, last), now, viewer)
    listed = [s.start for s in slots]
    assert listed == sorted(set(listed)), "sorted, no duplicates"
    low, high = midnight(first, zone), midnight(last + timedelta(days=1), zone)
    for slot in slots:
        assert slot.start.utcoffset() == timedelta(0) and slot.end - slot.start == offer.duration
        assert low <= slot.start < high
        assert check_booking(policy, offer, slot.start, busy, bookings, now).accepted, slot

    event("slots listed" if slots else "no slots")
    grid = grid_starts(policy, offer, low, high)
    assert set(listed) <= grid
    for start in grid - set(listed):
        refusal = check_booking(policy, offer, start, busy, bookings, now).refusal
        assert refusal is not None, start
        event(f"refused: {refusal}")

    # Any instant of the window that check_booking accepts is listed (5-minute probes).
    for probe in probes:
        start = low + probe * 5 * M
        if start >= high:
            continue
        probed = check_booking(policy, offer, start, busy, bookings, now).refusal
        event(f"probe: {probed or 'accepted'}")
        if probed is None:
            assert start in listed, start

    assert (
        available_slots(
            policy, offer, busy, bookings, (first, last), now, viewer, calendar_stale=True
        )
        == []
    )
    for start in listed[:3]:
        decision = check_booking(policy, offer, start, busy, bookings, now, calendar_stale=True)
        assert decision.refusal == "calendar_stale"


@SETTINGS
@given(st.sampled_from(ANCHORS), st.data())
def test_reply_due_counts_exactly_the_working_time(anchor: datetime, data: st.DataObject) -> None:
    policy = data.draw(policies(anchor))
    within = data.draw(st.integers(0, 40)) * 15 * M
    policy = Policy(
        timezone=policy.timezone,
        hours=policy.hours,
        closed=policy.closed,
        overrides=policy.overrides,
        response=type(policy.response)(reply_within=within),
    )
    received = anchor + data.draw(st.integers(-96, 96)) * 30 * M
    due = reply_due(policy, received)
    if due is None:
        return  # no working hours at all (a random week can be empty)
    assert due >= received
    zone = ZoneInfo(policy.timezone)
    day = received.astimezone(zone).date() - timedelta(days=1)
    working: list[Interval] = []
    while day <= due.astimezone(zone).date() + timedelta(days=1):
        working += working_intervals(policy, day)
        day += timedelta(days=1)
    counted = intersect(normalize(working), [Interval(received, due)])
    assert sum((iv.end - iv.start for iv in counted), timedelta(0)) == within
    if within:
        # The due time is inside or at the end of working time, never in a gap after it.
        assert any(iv.start < due <= iv.end for iv in normalize(working))


# --- intervals against a brute-force set of minutes -------------------------------------

BASE = datetime(2027, 1, 4, tzinfo=UTC)
raw_intervals = st.lists(
    st.tuples(st.integers(0, 120), st.integers(0, 120)).map(
        lambda p: Interval(BASE + p[0] * M, BASE + p[1] * M)
    ),
    max_size=8,
)


def minute_set(intervals: list[Interval]) -> set[int]:
    out: set[int] = set()
    for start, end in intervals:
        out |= set(range(int((start - BASE) / M), int((end - BASE) / M)))
    return out


def assert_canonical(intervals: list[Interval]) -> None:
    for start, end in intervals:
        assert start < end
    for left, right in pairwise(intervals):
        assert left.end < right.start  # sorted, and neither overlapping nor touching


@SETTINGS
@given(raw_intervals, raw_intervals)
def test_set_operations_match_minute_model(a: list[Interval], b: list[Interval]) -> None:
    for result, expected in [
        (normalize(a), minute_set(a)),
        (union(a, b), minute_set(a) | minute_set(b)),
        (intersect(a, b), minute_set(a) & minute_set(b)),
        (subtract(a, b), minute_set(a) - minute_set(b)),
    ]:
        assert_canonical(result)
        assert minute_set(result) == expected


@SETTINGS
@given(raw_intervals, st.integers(0, 120), st.integers(0, 120))
def test_clip_and_overlaps_match_minute_model(a: list[Interval], lo: int, hi: int) -> None:
    merged = normalize(a)
    window = Interval(BASE + lo * M, BASE + hi * M)
    clipped = clip(merged, window)
    assert_canonical(clipped)
    assert minute_set(clipped) == minute_set(merged) & set(range(lo, hi))
    assert overlaps(merged, window) == bool(minute_set(merged) & set(range(lo, hi)))
