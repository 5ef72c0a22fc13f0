"""Working hours expanded date by date: hand-checked UTC values, DST days in six zones.

Every expected value below was worked out by hand from the zone's offsets (checked
against ``zdump -v``), not computed with the code under test. Transitions used:

* Europe/Paris 2026: 03-29 02:00 CET → 03:00 CEST (01:00Z); 10-25 03:00 CEST → 02:00 CET (01:00Z).
* America/New_York 2026: 03-08 02:00 EST → 03:00 EDT (07:00Z); 11-01 02:00 EDT → 01:00 EST (06:00Z).
* America/Sao_Paulo: −03 all year since 2019; DST began 2018-11-04 00:00 → 01:00 (−02) and
  ended 2019-02-16 24:00 → 23:00 (−03), so 23:00–24:00 on the 16th happened twice.
* Australia/Lord_Howe 2026: 04-05 02:00 (+11) → 01:30 (+10:30); 10-04 02:00 (+10:30) → 02:30 (+11).
* Asia/Kathmandu: +05:45, no DST.
* Pacific/Apia: 2011-12-29 24:00 (−10) → 2011-12-31 00:00 (+14); the 30th never happened.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from schedules.hours import local_date, owner_zone, ranges_for_date, working_intervals
from schedules.intervals import Interval
from schedules.policy import Override, Policy, TimeRange

MakePolicy = Callable[..., Policy]


def ranges(*texts: str) -> tuple[TimeRange, ...]:
    out = []
    for text in texts:
        start, end = (
            time.fromisoformat(part.replace("24:00", "00:00")) for part in text.split("-")
        )
        out.append(TimeRange(start, end))
    return tuple(out)


ALL_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def z(text: str) -> datetime:
    """``"2026-03-29 01:30"`` as an aware UTC datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


CASES = [
    # (zone, local date, range, expected UTC start, expected UTC end, why)
    (
        "Europe/Paris",
        "2026-01-05",
        "09:00-17:00",
        "2026-01-05 08:00",
        "2026-01-05 16:00",
        "CET +01",
    ),
    (
        "Europe/Paris",
        "2026-07-06",
        "09:00-17:00",
        "2026-07-06 07:00",
        "2026-07-06 15:00",
        "CEST +02",
    ),
    (
        "Europe/Paris",
        "2026-03-29",
        "09:00-17:00",
        "2026-03-29 07:00",
        "2026-03-29 15:00",
        "8h on a DST day",
    ),
    (
        "Europe/Paris",
        "2026-03-29",
        "00:00-06:00",
        "2026-03-28 23:00",
        "2026-03-29 04:00",
        "spring: 5h elapsed",
    ),
    (
        "Europe/Paris",
        "2026-10-25",
        "00:00-06:00",
        "2026-10-24 22:00",
        "2026-10-25 05:00",
        "autumn: 7h elapsed",
    ),
    (
        "Europe/Paris",
        "2026-03-29",
        "02:30-05:00",
        "2026-03-29 01:30",
        "2026-03-29 03:00",
        "gap start: 02:30+01 = 03:30 CEST",
    ),
    (
        "Europe/Paris",
        "2026-03-29",
        "01:00-02:30",
        "2026-03-29 00:00",
        "2026-03-29 01:30",
        "gap end read with +01",
    ),
    (
        "Europe/Paris",
        "2026-03-29",
        "02:00-02:45",
        "2026-03-29 01:00",
        "2026-03-29 01:45",
        "inside the gap: 03:00-03:45 CEST",
    ),
    (
        "Europe/Paris",
        "2026-10-25",
        "01:00-02:30",
        "2026-10-24 23:00",
        "2026-10-25 01:30",
        "repeated end: second 02:30",
    ),
    (
        "Europe/Paris",
        "2026-10-25",
        "02:30-04:00",
        "2026-10-25 00:30",
        "2026-10-25 03:00",
        "repeated start: first 02:30",
    ),
    (
        "Europe/Paris",
        "2026-10-25",
        "02:15-02:45",
        "2026-10-25 00:15",
        "2026-10-25 01:45",
        "both repeated: 1h30",
    ),
    (
        "Europe/Paris",
        "2026-10-24",
        "18:00-24:00",
        "2026-10-24 16:00",
        "2026-10-24 22:00",
        "midnight end",
    ),
    (
        "Europe/Paris",
        "2026-10-25",
        "18:00-24:00",
        "2026-10-25 17:00",
        "2026-10-25 23:00",
        "midnight end, CET",
    ),
    (
        "America/New_York",
        "2026-03-08",
        "09:00-17:00",
        "2026-03-08 13:00",
        "2026-03-08 21:00",
        "EDT −04",
    ),
    (
        "America/New_York",
        "2026-03-08",
        "01:00-04:00",
        "2026-03-08 06:00",
        "2026-03-08 08:00",
        "spring: 2h elapsed",
    ),
    (
        "America/New_York",
        "2026-03-08",
        "02:30-04:00",
        "2026-03-08 07:30",
        "2026-03-08 08:00",
        "gap start: 03:30 EDT",
    ),
    (
        "America/New_York",
        "2026-11-01",
        "00:00-03:00",
        "2026-11-01 04:00",
        "2026-11-01 08:00",
        "autumn: 4h elapsed",
    ),
    (
        "America/New_York",
        "2026-11-01",
        "01:30-02:00",
        "2026-11-01 05:30",
        "2026-11-01 07:00",
        "02:00 happens once (EST)",
    ),
    (
        "America/New_York",
        "2026-11-01",
        "01:00-01:30",
        "2026-11-01 05:00",
        "2026-11-01 06:30",
        "first 01:00 to second 01:30",
    ),
    (
        "America/New_York",
        "2026-01-05",
        "09:00-24:00",
        "2026-01-05 14:00",
        "2026-01-06 05:00",
        "EST −05",
    ),
    (
        "America/Sao_Paulo",
        "2026-01-05",
        "09:00-18:00",
        "2026-01-05 12:00",
        "2026-01-05 21:00",
        "no DST since 2019",
    ),
    (
        "America/Sao_Paulo",
        "2026-06-01",
        "09:00-18:00",
        "2026-06-01 12:00",
        "2026-06-01 21:00",
        "−03 in winter too",
    ),
    (
        "America/Sao_Paulo",
        "2018-01-08",
        "09:00-18:00",
        "2018-01-08 11:00",
        "2018-01-08 20:00",
        "historical DST −02",
    ),
    (
        "America/Sao_Paulo",
        "2018-11-04",
        "00:00-06:00",
        "2018-11-04 03:00",
        "2018-11-04 08:00",
        "midnight did not exist",
    ),
    (
        "America/Sao_Paulo",
        "2018-11-03",
        "20:00-24:00",
        "2018-11-03 23:00",
        "2018-11-04 03:00",
        "day ended at the gap",
    ),
    (
        "America/Sao_Paulo",
        "2019-02-16",
        "22:00-23:30",
        "2019-02-17 00:00",
        "2019-02-17 02:30",
        "second 23:30 (−03)",
    ),
    (
        "America/Sao_Paulo",
        "2019-02-16",
        "20:00-24:00",
        "2019-02-16 22:00",
        "2019-02-17 03:00",
        "a 5h evening",
    ),
    (
        "Australia/Lord_Howe",
        "2026-07-06",
        "09:00-17:00",
        "2026-07-05 22:30",
        "2026-07-06 06:30",
        "standard +10:30",
    ),
    (
        "Australia/Lord_Howe",
        "2026-04-05",
        "00:00-06:00",
        "2026-04-04 13:00",
        "2026-04-04 19:30",
        "6h30 elapsed",
    ),
    (
        "Australia/Lord_Howe",
        "2026-04-05",
        "01:30-02:00",
        "2026-04-04 14:30",
        "2026-04-04 15:30",
        "30m repeated: 1h",
    ),
    (
        "Australia/Lord_Howe",
        "2026-04-05",
        "01:45-03:00",
        "2026-04-04 14:45",
        "2026-04-04 16:30",
        "first 01:45 (+11)",
    ),
    (
        "Australia/Lord_Howe",
        "2026-10-04",
        "02:15-04:00",
        "2026-10-03 15:45",
        "2026-10-03 17:00",
        "gap: 02:15+10:30",
    ),
    (
        "Australia/Lord_Howe",
        "2026-10-04",
        "09:00-17:00",
        "2026-10-03 22:00",
        "2026-10-04 06:00",
        "DST +11",
    ),
    (
        "Asia/Kathmandu",
        "2026-01-05",
        "09:00-17:00",
        "2026-01-05 03:15",
        "2026-01-05 11:15",
        "+05:45",
    ),
    (
        "Asia/Kathmandu",
        "2026-07-06",
        "00:00-24:00",
        "2026-07-05 18:15",
        "2026-07-06 18:15",
        "whole day",
    ),
    (
        "Pacific/Apia",
        "2011-12-29",
        "09:00-17:00",
        "2011-12-29 19:00",
        "2011-12-30 03:00",
        "−10 before the jump",
    ),
    (
        "Pacific/Apia",
        "2011-12-29",
        "18:00-24:00",
        "2011-12-30 04:00",
        "2011-12-30 10:00",
        "the day ends at the jump",
    ),
    (
        "Pacific/Apia",
        "2011-12-31",
        "09:00-17:00",
        "2011-12-30 19:00",
        "2011-12-31 03:00",
        "+14 after the jump",
    ),
    (
        "Pacific/Apia",
        "2026-01-05",
        "09:00-17:00",
        "2026-01-04 20:00",
        "2026-01-05 04:00",
        "+13 today",
    ),
]


@pytest.mark.parametrize(("zone", "day", "text", "start", "end", "why"), CASES)
def test_working_intervals_hand_checked(
    make_policy: MakePolicy, zone: str, day: str, text: str, start: str, end: str, why: str
) -> None:
    policy = make_policy(zone, {name: [text] for name in ALL_DAYS})
    assert working_intervals(policy, date.fromisoformat(day)) == [Interval(z(start), z(end))], why


@pytest.mark.parametrize(
    ("zone", "day", "text", "why"),
    [
        ("Europe/Paris", "2026-03-29", "02:00-03:00", "the whole range is the gap: 03:00-03:00"),
        ("Europe/Paris", "2026-03-29", "02:30-03:00", "reads 03:30-03:00"),
        ("Australia/Lord_Howe", "2026-10-04", "02:00-02:30", "the 30-minute gap"),
        ("Pacific/Apia", "2011-12-30", "09:00-17:00", "a date that never happened"),
        ("Pacific/Apia", "2011-12-30", "00:00-24:00", "a date that never happened"),
    ],
)
def test_ranges_emptied_by_the_clocks_are_dropped(
    make_policy: MakePolicy, zone: str, day: str, text: str, why: str
) -> None:
    policy = make_policy(zone, {name: [text] for name in ALL_DAYS})
    assert working_intervals(policy, date.fromisoformat(day)) == [], why


def test_several_ranges_stay_separate_and_sorted(make_policy: MakePolicy) -> None:
    policy = make_policy("Europe/Paris", {"mon": ["14:00-18:00", "09:00-12:00", "12:00-13:00"]})
    assert working_intervals(policy, date(2027, 1, 4)) == [
        Interval(z("2027-01-04 08:00"), z("2027-01-04 11:00")),
        Interval(z("2027-01-04 11:00"), z("2027-01-04 12:00")),  # touching, not merged
        Interval(z("2027-01-04 13:00"), z("2027-01-04 17:00")),
    ]


def test_precedence_closed_over_override_over_weekday(make_policy: MakePolicy) -> None:
    monday, next_monday, tuesday = date(2027, 1, 4), date(2027, 1, 11), date(2027, 1, 5)
    policy = make_policy(
        "Europe/Paris",
        {"mon": ["09:00-12:30", "14:00-18:00"]},
        closed=[(date(2027, 1, 11), date(2027, 1, 12))],
        overrides={monday: ["10:00-11:00"], next_monday: ["10:00-11:00"], tuesday: []},
    )
    assert ranges_for_date(policy, monday) == ranges("10:00-11:00")  # override wins
    assert ranges_for_date(policy, next_monday) == ()  # closed wins over the override
    assert ranges_for_date(policy, tuesday) == ()  # empty override; Tuesday had no hours anyway
    assert ranges_for_date(policy, date(2027, 1, 18)) == ranges("09:00-12:30", "14:00-18:00")
    assert ranges_for_date(policy, date(2027, 1, 13)) == ()  # Wednesday: no hours
    assert working_intervals(policy, monday) == [
        Interval(z("2027-01-04 09:00"), z("2027-01-04 10:00"))
    ]


def test_empty_override_closes_a_working_day(make_policy: MakePolicy) -> None:
    policy = make_policy("Europe/Paris", {"mon": ["09:00-12:00"]}, overrides={date(2027, 1, 4): []})
    assert working_intervals(policy, date(2027, 1, 4)) == []
    assert working_intervals(policy, date(2027, 1, 11)) != []


def test_closed_period_bounds_are_inclusive(make_policy: MakePolicy) -> None:
    policy = make_policy(
        "Europe/Paris",
        {name: ["09:00-12:00"] for name in ALL_DAYS},
        closed=[(date(2026, 12, 24), date(2027, 1, 1))],
    )
    assert ranges_for_date(policy, date(2026, 12, 23)) == ranges("09:00-12:00")
    assert ranges_for_date(policy, date(2026, 12, 24)) == ()
    assert ranges_for_date(policy, date(2027, 1, 1)) == ()
    assert ranges_for_date(policy, date(2027, 1, 2)) == ranges("09:00-12:00")


def test_last_override_for_a_date_wins(make_policy: MakePolicy) -> None:
    policy = Policy(
        timezone="Europe/Paris",
        overrides=(
            Override(date(2027, 1, 4), (TimeRange(time(9), time(10)),)),
            Override(date(2027, 1, 4), (TimeRange(time(11), time(12)),)),
        ),
    )
    assert ranges_for_date(policy, date(2027, 1, 4)) == (TimeRange(time(11), time(12)),)


@pytest.mark.parametrize(
    ("moment", "zone", "expected"),
    [
        ("2026-03-28 23:30", "Europe/Paris", "2026-03-29"),  # 00:30 CET
        ("2026-03-28 22:30", "Europe/Paris", "2026-03-28"),  # 23:30 CET
        ("2026-03-08 04:30", "America/New_York", "2026-03-07"),  # 23:30 EST
        ("2026-01-04 18:15", "Asia/Kathmandu", "2026-01-05"),  # 00:00 +05:45
        ("2026-01-04 18:14", "Asia/Kathmandu", "2026-01-04"),
        ("2011-12-30 09:59", "Pacific/Apia", "2011-12-29"),  # 23:59 −10
        ("2011-12-30 10:00", "Pacific/Apia", "2011-12-31"),  # 00:00 +14
        ("2026-04-04 13:30", "Australia/Lord_Howe", "2026-04-05"),  # 00:30 +11
    ],
)
def test_local_date(moment: str, zone: str, expected: str) -> None:
    assert local_date(z(moment), ZoneInfo(zone)) == date.fromisoformat(expected)


def test_local_date_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        local_date(datetime(2027, 1, 4, 9), ZoneInfo("Europe/Paris"))


def test_owner_zone(make_policy: MakePolicy) -> None:
    assert owner_zone(make_policy("Asia/Kathmandu")) == ZoneInfo("Asia/Kathmandu")


def test_range_end_midnight_is_first_midnight_when_midnight_repeats(
    make_policy: MakePolicy,
) -> None:
    # America/Havana 2026-11-01: 01:00 CDT (−04) → 00:00 CST (−05), so Sunday 00:00–01:00
    # happens twice. Saturday's 22:00–24:00 ends at the *first* Sunday 00:00 (04:00Z):
    # after it the wall clock shows Sunday. Sunday's 00:00–02:00 starts there too and,
    # like any range, covers both passes through 00:00–01:00: 3h elapsed.
    policy = make_policy("America/Havana", {"sat": ["22:00-24:00"], "sun": ["00:00-02:00"]})
    assert working_intervals(policy, date(2026, 10, 31)) == [
        Interval(z("2026-11-01 02:00"), z("2026-11-01 04:00"))
    ]
    assert working_intervals(policy, date(2026, 11, 1)) == [
        Interval(z("2026-11-01 04:00"), z("2026-11-01 07:00"))
    ]
