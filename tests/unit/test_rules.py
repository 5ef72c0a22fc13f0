"""Booking rules: hand-checked slot lists and every refusal code, with the order between them.

Camille (Europe/Paris) works Mon/Tue/Thu 09:00–12:30 and 14:00–18:00, Wed/Fri 09:00–12:30.
January 2027 is CET (+01:00): Monday 2027-01-04 09:00 local is 08:00Z. A 60-minute offer on
a 30-minute grid gives that Monday 09:00 … 11:30 and 14:00 … 17:00 local (13 starts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from schedules.intervals import Interval
from schedules.policy import Limits, Offer, Policy
from schedules.rules import (
    BookedTime,
    Decision,
    Refusal,
    Slot,
    available_slots,
    calendars_stale,
    cancellation_deadline,
    check_booking,
    is_late_cancellation,
)

MakePolicy = Callable[..., Policy]
M = timedelta(minutes=1)
H = timedelta(hours=1)
HOUR = Offer("hour", "One hour", H)
HALF = Offer("half", "Half an hour", 30 * M)
NOW = datetime(2027, 1, 1, tzinfo=UTC)
MONDAY = date(2027, 1, 4)


def z(text: str) -> datetime:
    """``"2027-01-04 08:00"`` as aware UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def starts(slots: Sequence[Slot]) -> list[str]:
    return [s.start.strftime("%Y-%m-%d %H:%M") for s in slots]


def y(text: str) -> datetime:
    """``z`` with the year 2027 implied when left out: ``"01-04 08:00"``."""
    return z(text if text.count("-") == 2 else f"2027-{text}")


def busy(*pairs: tuple[str, str]) -> list[Interval]:
    return [Interval(y(a), y(b)) for a, b in pairs]


def booked(*pairs: tuple[str, str]) -> list[BookedTime]:
    return [BookedTime(y(a), y(b)) for a, b in pairs]


MONDAY_ALL = [
    *(f"2027-01-04 {h}" for h in ("08:00", "08:30", "09:00", "09:30", "10:00", "10:30")),
    *(f"2027-01-04 {h}" for h in ("13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00")),
]


# --- available_slots: hand-checked lists ------------------------------------------------


def test_monday_grid(make_policy: MakePolicy) -> None:
    slots = available_slots(make_policy(), HOUR, [], [], (MONDAY, MONDAY), NOW)
    assert starts(slots) == MONDAY_ALL
    assert all(s.end - s.start == H and s.start.tzinfo is UTC for s in slots)


def test_step_smaller_than_duration_and_range_end(make_policy: MakePolicy) -> None:
    # 09:00–12:30 with a 45m step and a 90m offer: 09:00, 09:45, 10:30 (ends 12:00);
    # 11:15 would end at 12:45.
    policy = make_policy(hours={"mon": ["09:00-12:30"]}, slot_step=45 * M)
    slots = available_slots(policy, Offer("x", "x", 90 * M), [], [], (MONDAY, MONDAY), NOW)
    assert starts(slots) == ["2027-01-04 08:00", "2027-01-04 08:45", "2027-01-04 09:30"]


def test_busy_removes_starts_without_shifting_the_grid(make_policy: MakePolicy) -> None:
    # Busy 10:10–10:20 local: the 09:30 and 10:00 starts overlap it;
    # 09:00 ends at 10:00 and 10:30 starts after it.
    slots = available_slots(
        make_policy(),
        HOUR,
        busy(("2027-01-04 09:10", "2027-01-04 09:20")),
        [],
        (MONDAY, MONDAY),
        NOW,
    )
    assert starts(slots) == [
        s for s in MONDAY_ALL if s not in ("2027-01-04 08:30", "2027-01-04 09:00")
    ]


def test_booking_buffers_widen_both_bookings(make_policy: MakePolicy) -> None:
    # Existing 10:00–11:00 local with 15m after: it occupies 10:00–11:15; a new start s occupies
    # [s, s + 75m). Overlap when s < 11:15 and s + 75m > 10:00: 09:00 … 11:00 go, 11:30 stays.
    policy = make_policy(buffer_after=15 * M)
    slots = available_slots(
        policy, HOUR, [], booked(("2027-01-04 09:00", "2027-01-04 10:00")), (MONDAY, MONDAY), NOW
    )
    assert starts(slots) == ["2027-01-04 10:30", *MONDAY_ALL[6:]]


def test_buffers_reach_outside_hours_but_busy_blocks_are_not_widened(
    make_policy: MakePolicy,
) -> None:
    # Busy 12:30–14:00 local (lunch in the calendar) with 15m buffers on each side: 11:30–12:30
    # occupies 11:15–12:45 and 14:00–15:00 occupies 13:45–15:15, both meet the block. The last
    # slot 17:00–18:00 occupies until 18:15, outside hours, which is fine.
    policy = make_policy(buffer_before=15 * M, buffer_after=15 * M)
    lunch = busy(("2027-01-04 11:30", "2027-01-04 13:00"))
    slots = available_slots(policy, HOUR, lunch, [], (MONDAY, MONDAY), NOW)
    assert starts(slots) == [
        s for s in MONDAY_ALL if s not in ("2027-01-04 10:30", "2027-01-04 13:00")
    ]


def test_caps_close_the_whole_day(make_policy: MakePolicy) -> None:
    policy = make_policy(max_bookings_per_day=1)
    other_offer = booked(("2027-01-04 16:00", "2027-01-04 16:30"))
    slots = available_slots(policy, HOUR, [], other_offer, (MONDAY, date(2027, 1, 5)), NOW)
    assert slots and all(s.start >= z("2027-01-05 00:00") for s in slots)


def test_notice_and_horizon_trim_the_window(make_policy: MakePolicy) -> None:
    # now Mon 10:10 local with 1h notice: the first start is 11:30 local (10:30Z).
    # max_days_ahead 1 from Monday: Tuesday is the last date; Wednesday lists nothing.
    policy = make_policy(min_notice=H, max_days_ahead=1)
    now = z("2027-01-04 09:10")
    slots = available_slots(policy, HOUR, [], [], (MONDAY, date(2027, 1, 6)), now)
    assert starts(slots)[0] == "2027-01-04 10:30"
    assert starts(slots)[-1] == "2027-01-05 16:00"


def test_new_york_autumn_sunday_has_seven_hours(make_policy: MakePolicy) -> None:
    # 00:00 EDT (04:00Z) to 06:00 EST (11:00Z): 7 hourly slots, two of them at 01:00 local.
    policy = make_policy("America/New_York", {"sun": ["00:00-06:00"]}, slot_step=H)
    sunday = date(2026, 11, 1)
    slots = available_slots(policy, HOUR, [], [], (sunday, sunday), z("2026-10-01 00:00"))
    assert starts(slots) == [f"2026-11-01 {h:02d}:00" for h in range(4, 11)]


def test_new_york_spring_sunday_has_five_hours(make_policy: MakePolicy) -> None:
    policy = make_policy("America/New_York", {"sun": ["00:00-06:00"]}, slot_step=H)
    sunday = date(2026, 3, 8)
    slots = available_slots(policy, HOUR, [], [], (sunday, sunday), z("2026-03-01 00:00"))
    assert starts(slots) == [f"2026-03-08 {h:02d}:00" for h in range(5, 10)]


def test_paris_spring_gap_start(make_policy: MakePolicy) -> None:
    # 02:30–05:00 on 2026-03-29 reads 02:30+01:00 = 03:30 CEST (01:30Z) to 05:00 CEST (03:00Z).
    policy = make_policy("Europe/Paris", {"sun": ["02:30-05:00"]})
    day = date(2026, 3, 29)
    slots = available_slots(policy, HALF, [], [], (day, day), z("2026-03-01 00:00"))
    assert starts(slots) == ["2026-03-29 01:30", "2026-03-29 02:00", "2026-03-29 02:30"]


def test_lord_howe_half_hour_shift(make_policy: MakePolicy) -> None:
    # 2026-10-04 01:00 (+10:30, 14:30Z Oct 3) to 04:00 (+11, 17:00Z): 2h30 elapsed.
    policy = make_policy("Australia/Lord_Howe", {"sun": ["01:00-04:00"]})
    day = date(2026, 10, 4)
    slots = available_slots(policy, HALF, [], [], (day, day), z("2026-09-01 00:00"))
    assert starts(slots) == [
        f"2026-10-03 {hm}" for hm in ("14:30", "15:00", "15:30", "16:00", "16:30")
    ]


def test_kathmandu_quarter_hour_offset(make_policy: MakePolicy) -> None:
    policy = make_policy("Asia/Kathmandu", {"mon": ["09:00-11:00"]}, slot_step=H)
    slots = available_slots(policy, HOUR, [], [], (MONDAY, MONDAY), NOW)
    assert starts(slots) == ["2027-01-04 03:15", "2027-01-04 04:15"]


def test_apia_skipped_day(make_policy: MakePolicy) -> None:
    every_day = {d: ["09:00-11:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    policy = make_policy("Pacific/Apia", every_day, slot_step=H)
    now = z("2011-12-01 00:00")
    window = (date(2011, 12, 29), date(2011, 12, 31))
    slots = available_slots(policy, HOUR, [], [], window, now)
    # Thursday 29th at −10, Saturday 31st at +14; Friday 30th never happened.
    assert starts(slots) == [
        "2011-12-29 19:00", "2011-12-29 20:00", "2011-12-30 19:00", "2011-12-30 20:00"
    ]  # fmt: skip
    skipped = (date(2011, 12, 30), date(2011, 12, 30))
    assert available_slots(policy, HOUR, [], [], skipped, now) == []


def test_sao_paulo_today_and_historical_dst(make_policy: MakePolicy) -> None:
    policy = make_policy("America/Sao_Paulo", {"mon": ["09:00-10:00"], "sun": ["00:00-03:00"]})
    assert starts(available_slots(policy, HOUR, [], [], (MONDAY, MONDAY), NOW)) == [
        "2027-01-04 12:00"
    ]
    # 2018-11-04: midnight did not exist; 00:00 reads as 01:00 −02 (03:00Z), 03:00 −02 is 05:00Z.
    policy = make_policy("America/Sao_Paulo", {"sun": ["00:00-03:00"]}, slot_step=H)
    day = date(2018, 11, 4)
    slots = available_slots(policy, HOUR, [], [], (day, day), z("2018-10-01 00:00"))
    assert starts(slots) == ["2018-11-04 03:00", "2018-11-04 04:00"]


def test_booker_in_tokyo_sees_owner_slots_by_tokyo_dates(make_policy: MakePolicy) -> None:
    # Tokyo 2027-01-04 is [2027-01-03 15:00Z, 2027-01-04 15:00Z): Paris Monday's starts
    # before 15:00Z (16:00 Paris) only.
    slots = available_slots(make_policy(), HOUR, [], [], (MONDAY, MONDAY), NOW, "Asia/Tokyo")
    assert starts(slots) == MONDAY_ALL[:10]


def test_booker_in_los_angeles(make_policy: MakePolicy) -> None:
    # LA 2027-01-03 is [01-03 08:00Z, 01-04 08:00Z): Monday 08:00Z (09:00 Paris) is excluded.
    sunday = date(2027, 1, 3)
    policy = make_policy()
    assert available_slots(policy, HOUR, [], [], (sunday, sunday), NOW, "America/Los_Angeles") == []
    # LA Monday: all of Paris Monday; Paris Tuesday's 08:00Z is LA Tuesday.
    slots = available_slots(policy, HOUR, [], [], (MONDAY, MONDAY), NOW, "America/Los_Angeles")
    assert starts(slots) == MONDAY_ALL


def test_stale_calendar_lists_nothing(make_policy: MakePolicy) -> None:
    policy = make_policy()
    assert available_slots(policy, HOUR, [], [], (MONDAY, MONDAY), NOW, calendar_stale=True) == []


def test_reversed_window_lists_nothing(make_policy: MakePolicy) -> None:
    assert available_slots(make_policy(), HOUR, [], [], (MONDAY, date(2027, 1, 3)), NOW) == []


# --- check_booking: every code ----------------------------------------------------------


def refusal(
    policy: Policy,
    start: str,
    *,
    offer: Offer = HOUR,
    busy: Sequence[Interval] = (),
    bookings: Sequence[BookedTime] = (),
    now: datetime = NOW,
    stale: bool = False,
) -> Refusal | None:
    """check_booking's refusal for a start written as ``"01-04 08:00"`` (UTC, 2027)."""
    return check_booking(policy, offer, y(start), busy, bookings, now, calendar_stale=stale).refusal


CODE_CASES = [
    # (policy options, start UTC, extra arguments, expected, why)
    ({}, "01-04 08:00", {}, None, "Monday 09:00 local"),
    (
        {"min_notice": 24 * H},
        "01-04 08:00",
        {"now": y("01-03 08:01")},
        Refusal.TOO_SOON,
        "23h59 ahead",
    ),
    ({"min_notice": 24 * H}, "01-04 08:00", {"now": y("01-03 08:00")}, None, "exactly 24h ahead"),
    (
        {"max_days_ahead": 60},
        "03-05 08:00",
        {"now": y("01-03 23:30")},
        None,
        "Paris today is Jan 4; +60 = Mar 5",
    ),
    (
        {"max_days_ahead": 60},
        "03-05 08:00",
        {"now": y("01-03 22:30")},
        Refusal.TOO_FAR,
        "Paris today is Jan 3",
    ),
    ({}, "01-02 08:00", {}, Refusal.CLOSED_DAY, "Saturday"),
    ({}, "01-06 13:00", {}, Refusal.OUTSIDE_WORKING_HOURS, "Wednesday afternoon"),
    ({}, "01-04 11:00", {}, Refusal.OUTSIDE_WORKING_HOURS, "12:00-13:00 crosses 12:30"),
    ({}, "01-04 11:30", {}, Refusal.OUTSIDE_WORKING_HOURS, "lunch"),
    ({}, "01-04 18:00", {}, Refusal.OUTSIDE_WORKING_HOURS, "evening"),
    ({}, "01-04 07:30", {}, Refusal.OUTSIDE_WORKING_HOURS, "before opening"),
    ({}, "01-04 08:15", {}, Refusal.NOT_A_SLOT, "09:15 local"),
    ({}, "01-04 16:00", {}, None, "17:00-18:00 ends at closing"),
    (
        {},
        "01-04 08:00",
        {"bookings": booked(("01-04 08:30", "01-04 09:00"))},
        Refusal.SLOT_TAKEN,
        "another booking",
    ),
    (
        {},
        "01-04 08:00",
        {"bookings": booked(("01-04 09:00", "01-04 09:30"))},
        None,
        "touching booking",
    ),
    (
        {"buffer_before": 15 * M},
        "01-04 08:00",
        {"bookings": booked(("01-04 09:00", "01-04 09:30"))},
        Refusal.SLOT_TAKEN,
        "its buffer before meets ours",
    ),
    (
        {},
        "01-04 08:00",
        {"busy": busy(("01-04 08:59", "01-04 09:30"))},
        Refusal.BUSY,
        "synced calendar",
    ),
    (
        {"buffer_after": 15 * M},
        "01-04 09:00",
        {"busy": busy(("01-04 10:15", "01-04 10:30"))},
        None,
        "busy is not widened",
    ),
    (
        {"buffer_after": 15 * M},
        "01-04 09:00",
        {"busy": busy(("01-04 10:14", "01-04 10:30"))},
        Refusal.BUSY,
        "our buffer meets it",
    ),
    (
        {},
        "01-04 08:00",
        {"busy": busy(("01-04 08:30", "01-04 08:30"))},
        None,
        "an empty busy block is nothing",
    ),
    (
        {"max_bookings_per_day": 1},
        "01-04 13:00",
        {"bookings": booked(("01-04 08:00", "01-04 08:30"))},
        Refusal.DAILY_LIMIT,
        "1 a day",
    ),
    (
        {"max_bookings_per_day": 1},
        "01-05 08:00",
        {"bookings": booked(("01-04 23:30", "01-05 00:00"))},
        Refusal.DAILY_LIMIT,
        "00:30 Tuesday in Paris",
    ),
    (
        {"max_bookings_per_day": 1},
        "01-04 13:00",
        {"bookings": booked(("01-03 22:30", "01-03 23:00"))},
        None,
        "23:30 Sunday in Paris",
    ),
    (
        {"max_booked_per_day": 2 * H},
        "01-04 13:00",
        {"bookings": booked(("01-04 08:00", "01-04 09:30"))},
        Refusal.DAILY_LIMIT,
        "1h30 + 1h > 2h",
    ),
    (
        {"max_booked_per_day": 2 * H},
        "01-04 13:00",
        {"offer": HALF, "bookings": booked(("01-04 08:00", "01-04 09:30"))},
        None,
        "1h30 + 30m = 2h",
    ),
    (
        {"max_bookings_per_week": 2},
        "01-07 08:00",
        {"bookings": booked(("01-04 08:00", "01-04 08:30"), ("01-05 08:00", "01-05 08:30"))},
        Refusal.WEEKLY_LIMIT,
        "third this week",
    ),
    (
        {"max_bookings_per_week": 2},
        "01-11 08:00",
        {"bookings": booked(("01-04 08:00", "01-04 08:30"), ("01-05 08:00", "01-05 08:30"))},
        None,
        "next ISO week",
    ),
    (
        {"max_bookings_per_week": 1},
        "01-07 08:00",
        {"bookings": booked(("01-10 22:30", "01-10 23:00"))},
        Refusal.WEEKLY_LIMIT,
        "Sunday 23:30 Paris is this week",
    ),
    (
        {"max_bookings_per_week": 1},
        "01-07 08:00",
        {"bookings": booked(("01-10 23:30", "01-11 00:00"))},
        None,
        "Monday 00:30 Paris is next week",
    ),
    ({}, "01-04 08:00", {"stale": True}, Refusal.CALENDAR_STALE, "stale calendar"),
]


@pytest.mark.parametrize(("options", "start", "extra", "expected", "why"), CODE_CASES)
def test_each_code(
    make_policy: MakePolicy,
    options: dict[str, object],
    start: str,
    extra: dict[str, Any],
    expected: Refusal | None,
    why: str,
) -> None:
    assert refusal(make_policy(**options), start, **extra) is expected, why


def test_closed_day_variants(make_policy: MakePolicy) -> None:
    policy = make_policy(
        closed=[(date(2027, 1, 11), date(2027, 1, 11))], overrides={date(2027, 1, 18): []}
    )
    assert refusal(policy, "01-03 08:00") is Refusal.CLOSED_DAY  # Sunday, no hours
    assert refusal(policy, "01-11 08:00") is Refusal.CLOSED_DAY  # closed period
    assert refusal(policy, "01-18 08:00") is Refusal.CLOSED_DAY  # empty override
    assert refusal(policy, "01-25 08:00") is None


def test_override_hours_replace_the_weekday(make_policy: MakePolicy) -> None:
    policy = make_policy(overrides={date(2027, 1, 9): ["10:00-12:00"]})  # a Saturday
    assert refusal(policy, "01-09 09:00") is None  # 10:00 local
    assert refusal(policy, "01-09 10:30") is Refusal.OUTSIDE_WORKING_HOURS
    assert refusal(policy, "01-09 09:15") is Refusal.NOT_A_SLOT


def test_one_range_must_hold_the_whole_booking(make_policy: MakePolicy) -> None:
    # 09:00–12:00 and 12:00–14:00 touch, but 11:30–12:30 straddles two ranges.
    policy = make_policy(hours={"mon": ["09:00-12:00", "12:00-14:00"]})
    assert refusal(policy, "01-04 10:30") is Refusal.OUTSIDE_WORKING_HOURS
    assert refusal(policy, "01-04 11:00") is None  # 12:00 local, second range


def test_grid_is_anchored_at_each_range_start(make_policy: MakePolicy) -> None:
    policy = make_policy(hours={"mon": ["09:00-10:00", "10:15-12:00"]})
    assert refusal(policy, "01-04 09:15", offer=HALF) is None  # 10:15 local
    assert refusal(policy, "01-04 09:30", offer=HALF) is Refusal.NOT_A_SLOT  # 10:30 local


def test_spring_gap_grid_follows_elapsed_time(make_policy: MakePolicy) -> None:
    # New York 2026-03-08 01:00–05:00 local = 06:00Z–09:00Z (3h). Hourly grid: 06, 07, 08Z.
    policy = make_policy("America/New_York", {"sun": ["01:00-05:00"]}, slot_step=H)
    now = y("2026-03-01 00:00")
    assert refusal(policy, "2026-03-08 07:00", now=now) is None  # 03:00 EDT
    assert refusal(policy, "2026-03-08 08:00", now=now) is None  # 04:00 EDT, ends 05:00 EDT
    assert refusal(policy, "2026-03-08 09:00", now=now) is Refusal.OUTSIDE_WORKING_HOURS


def test_repeated_hour_both_occurrences_are_bookable(make_policy: MakePolicy) -> None:
    policy = make_policy("Europe/Paris", {"sun": ["01:00-04:00"]}, slot_step=H)
    now = y("2026-10-01 00:00")
    # 01:00 CEST = 23:00Z, then 00:00Z (02:00 CEST), 01:00Z (02:00 CET), 02:00Z (03:00 CET).
    for start in ("2026-10-24 23:00", "2026-10-25 00:00", "2026-10-25 01:00", "2026-10-25 02:00"):
        assert refusal(policy, start, now=now) is None, start
    assert refusal(policy, "2026-10-25 03:00", now=now) is Refusal.OUTSIDE_WORKING_HOURS


ORDER_CASES = [
    # Two or more codes apply; the first in the documented order wins.
    ({"min_notice": 100 * 24 * H, "max_days_ahead": 60}, "03-15 08:00", {}, Refusal.TOO_SOON),
    ({"max_days_ahead": 1}, "01-09 08:00", {}, Refusal.TOO_FAR),  # a Saturday too
    ({"min_notice": 72 * H}, "01-02 08:00", {}, Refusal.TOO_SOON),  # Saturday too
    (
        {},
        "01-06 13:00",
        {"busy": busy(("01-06 13:00", "01-06 14:00"))},
        Refusal.OUTSIDE_WORKING_HOURS,
    ),
    ({}, "01-04 08:15", {"bookings": booked(("01-04 08:15", "01-04 09:15"))}, Refusal.NOT_A_SLOT),
    (
        {},
        "01-04 08:00",
        {
            "busy": busy(("01-04 08:00", "01-04 09:00")),
            "bookings": booked(("01-04 08:00", "01-04 09:00")),
        },
        Refusal.SLOT_TAKEN,
    ),
    (
        {"max_bookings_per_day": 1},
        "01-04 13:00",
        {
            "busy": busy(("01-04 13:00", "01-04 14:00")),
            "bookings": booked(("01-04 08:00", "01-04 09:00")),
        },
        Refusal.BUSY,
    ),
    (
        {"max_bookings_per_day": 1, "max_bookings_per_week": 1},
        "01-04 13:00",
        {"bookings": booked(("01-04 08:00", "01-04 09:00"))},
        Refusal.DAILY_LIMIT,
    ),
    (
        {"max_bookings_per_week": 1},
        "01-05 08:00",
        {"stale": True, "bookings": booked(("01-04 08:00", "01-04 09:00"))},
        Refusal.WEEKLY_LIMIT,
    ),
    (
        {},
        "01-04 08:00",
        {"stale": True, "busy": busy(("01-04 08:00", "01-04 09:00"))},
        Refusal.BUSY,
    ),
    ({}, "2026-12-31 08:00", {"stale": True}, Refusal.TOO_SOON),
]


@pytest.mark.parametrize(("options", "start", "extra", "expected"), ORDER_CASES)
def test_refusal_order(
    make_policy: MakePolicy,
    options: dict[str, object],
    start: str,
    extra: dict[str, Any],
    expected: Refusal,
) -> None:
    assert refusal(make_policy(**options), start, **extra) is expected


def test_refusal_codes_are_the_public_strings() -> None:
    assert [code.value for code in Refusal] == [
        "too_soon", "too_far", "closed_day", "outside_working_hours", "not_a_slot",
        "slot_taken", "busy", "daily_limit", "weekly_limit", "quota_exceeded", "calendar_stale",
    ]  # fmt: skip
    assert Refusal.BUSY == "busy"


def test_decision() -> None:
    assert Decision(None).accepted
    assert not Decision(Refusal.BUSY).accepted


def test_start_in_another_zone_is_the_same_instant(make_policy: MakePolicy) -> None:
    start = datetime.fromisoformat("2027-01-04T09:00:00+01:00")
    assert check_booking(make_policy(), HOUR, start, [], [], NOW).accepted


def test_naive_datetimes_are_refused(make_policy: MakePolicy) -> None:
    with pytest.raises(ValueError, match="aware"):
        check_booking(make_policy(), HOUR, datetime(2027, 1, 4, 8), [], [], NOW)
    with pytest.raises(ValueError, match="aware"):
        available_slots(make_policy(), HOUR, [], [], (MONDAY, MONDAY), datetime(2027, 1, 1))


def test_nonpositive_duration_or_step_is_a_programming_error(make_policy: MakePolicy) -> None:
    with pytest.raises(ValueError, match="duration"):
        check_booking(
            make_policy(), Offer("z", "z", timedelta(0)), z("2027-01-04 08:00"), [], [], NOW
        )
    with pytest.raises(ValueError, match="slot_step"):
        available_slots(make_policy(slot_step=timedelta(0)), HOUR, [], [], (MONDAY, MONDAY), NOW)


def test_listing_and_accepting_agree_on_a_busy_week(make_policy: MakePolicy) -> None:
    policy = make_policy(buffer_before=10 * M, buffer_after=15 * M, max_bookings_per_day=3)
    blocks = busy(
        ("2027-01-04 09:10", "2027-01-04 09:20"), ("2027-01-05 12:00", "2027-01-05 15:00")
    )
    taken = booked(("2027-01-07 13:00", "2027-01-07 14:00"))
    window = (MONDAY, date(2027, 1, 10))
    listed = {s.start for s in available_slots(policy, HOUR, blocks, taken, window, NOW)}
    moment = z("2027-01-03 23:00")
    while moment < z("2027-01-10 23:00"):
        decision = check_booking(policy, HOUR, moment, blocks, taken, NOW)
        assert decision.accepted == (moment in listed), moment
        moment += 5 * M


# --- stale calendars and cancellation ---------------------------------------------------

STALE = Limits(stale_after=6 * H)


@pytest.mark.parametrize(
    ("successes", "limits", "expected"),
    [
        ([], STALE, False),
        ([None], STALE, True),
        ([z("2027-01-01 06:00")], STALE, False),  # exactly 6h old: not older than stale_after
        ([z("2027-01-01 05:59")], STALE, True),
        ([z("2027-01-01 11:00"), None], STALE, True),
        ([z("2027-01-01 11:00"), z("2027-01-01 10:00")], STALE, False),
        ([None, z("2027-01-01 00:00")], Limits(on_stale_calendar="allow"), False),
    ],
)
def test_calendars_stale(successes: list[datetime | None], limits: Limits, expected: bool) -> None:
    assert calendars_stale(iter(successes), limits, z("2027-01-01 12:00")) is expected


def test_cancellation_deadline_and_lateness(make_policy: MakePolicy) -> None:
    policy = make_policy(free_until=48 * H)
    start = z("2027-01-10 10:00")
    assert cancellation_deadline(policy, start) == z("2027-01-08 10:00")
    assert not is_late_cancellation(policy, start, z("2027-01-08 09:59"))
    assert is_late_cancellation(policy, start, z("2027-01-08 10:00"))
    assert is_late_cancellation(policy, start, z("2027-01-10 11:00"))
