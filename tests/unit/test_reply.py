"""Reply due times: working time only, hand-checked.

Paris in January 2027 is +01:00 (local 09:00 = 08:00Z). 2027-01-08 is a Friday,
2027-01-11 a Monday.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from schedules.policy import Policy
from schedules.reply import next_opening, reply_due

MakePolicy = Callable[..., Policy]
H = timedelta(hours=1)
M = timedelta(minutes=1)
MONDAYS_ONLY = {"mon": ["09:00-12:30", "14:00-18:00"]}


def z(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


CASES = [
    # (hours or None for Camille's, reply_within, received UTC, expected UTC, why)
    (MONDAYS_ONLY, 8 * H, "2027-01-08 18:30", "2027-01-18 08:30", "Mon 7h30, then 30m next Monday"),
    (None, 8 * H, "2027-01-08 18:30", "2027-01-12 08:30", "Mon 7h30, then Tue 09:30"),
    (None, 7 * H + 30 * M, "2027-01-08 18:30", "2027-01-11 17:00", "due at 18:00, the range end"),
    (None, 2 * H, "2027-01-11 09:00", "2027-01-11 11:00", "inside hours: 10:00 + 2h"),
    (None, 3 * H, "2027-01-11 09:00", "2027-01-11 13:30", "2h30 before lunch, 30m after"),
    (None, 2 * H + 30 * M, "2027-01-11 09:00", "2027-01-11 11:30", "exactly at 12:30, not 14:00"),
    (None, 8 * H, "2027-01-11 12:00", "2027-01-12 13:30", "lunch: 4h Mon pm, 3h30 Tue am"),
    (None, 0 * H, "2027-01-09 10:00", "2027-01-11 08:00", "zero: the next opening"),
    (None, 0 * H, "2027-01-11 10:00", "2027-01-11 10:00", "zero inside hours: now"),
    (None, 1 * H, "2027-01-11 11:30", "2027-01-11 14:00", "received at 12:30, the end"),
]  # fmt: skip


@pytest.mark.parametrize(("hours", "within", "received", "expected", "why"), CASES)
def test_reply_due_hand_checked(
    make_policy: MakePolicy,
    hours: dict[str, list[str]] | None,
    within: timedelta,
    received: str,
    expected: str,
    why: str,
) -> None:
    policy = make_policy("Europe/Paris", hours, reply_within=within)
    assert reply_due(policy, z(received)) == z(expected), why


def test_days_off_pause_the_count(make_policy: MakePolicy) -> None:
    # Mon 13:00 local: Mon 14:00–18:00 (4h), Tue closed, Wed 09:00–12:30 (3h30), Thu 09:00 + 30m.
    policy = make_policy(closed=[(date(2027, 1, 12), date(2027, 1, 12))])
    assert reply_due(policy, z("2027-01-11 12:00")) == z("2027-01-14 08:30")


def test_overrides_count(make_policy: MakePolicy) -> None:
    # Mon 4h, Tue 10:00–11:00 only (1h), Wed 09:00 + 3h = 12:00 local.
    policy = make_policy(overrides={date(2027, 1, 12): ["10:00-11:00"]})
    assert reply_due(policy, z("2027-01-11 12:00")) == z("2027-01-13 11:00")


def test_weekend_override_opens_a_day(make_policy: MakePolicy) -> None:
    # Friday 19:30 local; Saturday 10:00–12:00 opened by an override: 2h there, then Monday.
    policy = make_policy(overrides={date(2027, 1, 9): ["10:00-12:00"]}, reply_within=3 * H)
    assert reply_due(policy, z("2027-01-08 18:30")) == z("2027-01-11 09:00")


def test_elapsed_time_on_a_fall_back_day(make_policy: MakePolicy) -> None:
    # Paris Sunday 2026-10-25 00:00–06:00 lasts 7h: 00:00 CEST (22:00Z) + 6h30 = 04:30Z (05:30 CET).
    policy = make_policy("Europe/Paris", {"sun": ["00:00-06:00"]}, reply_within=6 * H + 30 * M)
    assert reply_due(policy, z("2026-10-24 18:00")) == z("2026-10-25 04:30")


def test_spring_day_due_at_range_end(make_policy: MakePolicy) -> None:
    # New York Sunday 2026-03-08 00:00–06:00 lasts 5h: 05:00Z to 10:00Z; 5h lands on the end.
    policy = make_policy("America/New_York", {"sun": ["00:00-06:00"]}, reply_within=5 * H)
    assert reply_due(policy, z("2026-03-08 04:00")) == z("2026-03-08 10:00")


def test_kathmandu(make_policy: MakePolicy) -> None:
    # Mon 2027-01-04 08:00 local (02:15Z); 09:00 (03:15Z) + 4h = 07:15Z.
    weekdays = {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri")}
    policy = make_policy("Asia/Kathmandu", weekdays, reply_within=4 * H)
    assert reply_due(policy, z("2027-01-04 02:15")) == z("2027-01-04 07:15")


def test_lord_howe_across_the_half_hour_gap(make_policy: MakePolicy) -> None:
    # Sunday 2026-10-04 01:00 (+10:30) = 14:30Z Oct 3; 2h of working time = 16:30Z (03:30 +11).
    policy = make_policy("Australia/Lord_Howe", {"sun": ["01:00-04:00"]}, reply_within=2 * H)
    assert reply_due(policy, z("2026-10-03 12:00")) == z("2026-10-03 16:30")


def test_apia_skips_the_missing_day(make_policy: MakePolicy) -> None:
    # Thursday 2011-12-29 09:00–17:00 (−10) = 19:00Z–03:00Z; received 15:00 local (01:00Z
    # Dec 30) with 4h: 2h on Thursday, the 30th never happened, then Saturday 31st 09:00
    # (+14, 19:00Z Dec 30) + 2h.
    every_day = {d: ["09:00-17:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    policy = make_policy("Pacific/Apia", every_day, reply_within=4 * H)
    assert reply_due(policy, z("2011-12-30 01:00")) == z("2011-12-30 21:00")


def test_no_hours_means_no_due_time(make_policy: MakePolicy) -> None:
    policy = make_policy(hours={})
    assert reply_due(policy, z("2027-01-08 18:30")) is None
    assert next_opening(policy, z("2027-01-08 18:30")) is None


def test_an_opening_within_400_days_is_found(make_policy: MakePolicy) -> None:
    # Received on 2027-01-04 (local date); the 400 days counted are 2027-01-04 … 2028-02-07.
    received = z("2027-01-04 12:00")
    near = make_policy(hours={}, overrides={date(2028, 2, 7): ["09:00-10:00"]}, reply_within=H)
    assert reply_due(near, received) == z("2028-02-07 09:00")
    far = make_policy(hours={}, overrides={date(2028, 2, 9): ["09:00-10:00"]}, reply_within=H)
    assert reply_due(far, received) is None


@pytest.mark.parametrize(
    ("moment", "expected", "why"),
    [
        ("2027-01-11 09:00", "2027-01-11 09:00", "inside: itself"),
        ("2027-01-11 08:00", "2027-01-11 08:00", "at opening: itself"),
        ("2027-01-11 07:59", "2027-01-11 08:00", "just before opening"),
        ("2027-01-11 11:30", "2027-01-11 13:00", "at 12:30, the end: next range"),
        ("2027-01-11 11:29", "2027-01-11 11:29", "one minute before the end"),
        ("2027-01-08 18:30", "2027-01-11 08:00", "Friday evening: Monday"),
    ],
)
def test_next_opening(make_policy: MakePolicy, moment: str, expected: str, why: str) -> None:
    assert next_opening(make_policy(), z(moment)) == z(expected), why


def test_next_opening_in_another_zone_is_an_instant(make_policy: MakePolicy) -> None:
    moment = datetime.fromisoformat("2027-01-11T04:00:00-05:00")  # 09:00Z, 10:00 Paris
    assert next_opening(make_policy(), moment) == z("2027-01-11 09:00")


def test_naive_receipt_is_refused(make_policy: MakePolicy) -> None:
    with pytest.raises(ValueError, match="aware"):
        reply_due(make_policy(), datetime(2027, 1, 11, 9))
