"""Client packages: hand-checked periods, counting and verdicts; listing and accepting agree.

Camille (Europe/Paris) works Mon/Tue/Thu 09:00–12:30 and 14:00–18:00, Wed/Fri 09:00–12:30.
Offsets used below, checked against ``zdump -v``: Paris is CET (+01) until 2027-03-28
01:00Z, CEST (+02) until 2027-10-31 01:00Z; in 2026 CEST ended on 10-25 at 01:00Z.
New York is EST (−05) in January and February.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from schedules import (
    ClientBooking,
    Package,
    Quota,
    Refusal,
    available_slots,
    check_booking,
    covering,
    normalize_email,
    period_of,
    period_span,
    usage,
)
from schedules.hours import working_intervals
from schedules.intervals import Interval
from schedules.policy import Limits, Offer, Policy, TimeRange
from schedules.rules import BookedTime

MakePolicy = Callable[..., Policy]
M = timedelta(minutes=1)
H = timedelta(hours=1)
SESSION = Offer("session", "Coaching session", H)
CALL = Offer("call", "Call", 30 * M)
NOW = datetime(2026, 10, 1, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
EMAIL = "ana@example.com"


def z(text: str) -> datetime:
    """``"2027-01-04 08:00"`` as aware UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def had(*starts: str, offer: str = "session", extra: bool = False, active: bool = True):
    return tuple(ClientBooking(offer, z(s), billable_extra=extra, active=active) for s in starts)


def package(count: int = 1, per: str = "week", **options: Any) -> Package:
    return Package(EMAIL, count, per, **options)  # type: ignore[arg-type]


def decide(
    policy: Policy,
    start: str,
    pack: Package | None,
    bookings: Sequence[ClientBooking] = (),
    *,
    offer: Offer = SESSION,
    **extra: Any,
):
    quota = None if pack is None else Quota(pack, tuple(bookings))
    return check_booking(policy, offer, z(start), [], [], NOW, quota=quota, **extra)


# --- periods ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("per", "day", "first", "last"),
    [
        ("week", "2027-01-04", "2027-01-04", "2027-01-10"),  # a Monday
        ("week", "2027-01-10", "2027-01-04", "2027-01-10"),  # its Sunday
        ("week", "2026-12-31", "2026-12-28", "2027-01-03"),  # ISO week across the new year
        ("month", "2027-01-31", "2027-01-01", "2027-01-31"),
        ("month", "2028-02-10", "2028-02-01", "2028-02-29"),  # leap year
        ("month", "2027-02-10", "2027-02-01", "2027-02-28"),
        ("month", "2027-12-01", "2027-12-01", "2027-12-31"),
    ],
)
def test_period_of(per: str, day: str, first: str, last: str) -> None:
    assert period_of(per, date.fromisoformat(day)) == (  # type: ignore[arg-type]
        date.fromisoformat(first),
        date.fromisoformat(last),
    )


def test_period_span_follows_the_clocks() -> None:
    # March 2027 in Paris: from 03-01 00:00 CET (02-28 23:00Z) to 04-01 00:00 CEST (03-31 22:00Z).
    assert period_span("month", date(2027, 3, 15), PARIS) == Interval(
        z("2027-02-28 23:00"), z("2027-03-31 22:00")
    )
    # The ISO week of 2026-10-25 (clocks back): Mon 10-19 00:00 CEST to Mon 10-26 00:00 CET.
    assert period_span("week", date(2026, 10, 25), PARIS) == Interval(
        z("2026-10-18 22:00"), z("2026-10-25 23:00")
    )


# --- who is counted ---------------------------------------------------------------------

PARIS_CASES = [
    # (package, client's bookings, new start UTC, expected refusal, why)
    (package(2), had("2027-01-04 08:00"), "2027-01-07 08:00", None, "second of two this week"),
    (
        package(2),
        had("2027-01-04 08:00", "2027-01-05 08:00"),
        "2027-01-07 08:00",
        Refusal.QUOTA_EXCEEDED,
        "third of two this week",
    ),
    (
        package(2),
        had("2027-01-04 08:00", "2027-01-05 08:00"),
        "2027-01-11 08:00",
        None,
        "next ISO week starts afresh",
    ),
    (
        package(1),
        had("2027-01-10 22:30"),
        "2027-01-07 08:00",
        Refusal.QUOTA_EXCEEDED,
        "Sunday 23:30 in Paris is this week",
    ),
    (package(1), had("2027-01-10 23:30"), "2027-01-07 08:00", None, "Monday 00:30 is next week"),
    (
        package(1, "month"),
        had("2027-01-31 22:30"),
        "2027-02-01 08:00",
        None,
        "Jan 31 23:30 CET is January",
    ),
    (
        package(1, "month"),
        had("2027-01-31 23:30"),
        "2027-02-01 08:00",
        Refusal.QUOTA_EXCEEDED,
        "Feb 1 00:30 CET is February",
    ),
    (
        package(1, "month"),
        had("2027-03-31 21:30"),
        "2027-04-01 07:00",
        None,
        "Mar 31 23:30 CEST is March (in CET it would be 22:30Z)",
    ),
    (
        package(1, "month"),
        had("2027-03-31 22:30"),
        "2027-04-01 07:00",
        Refusal.QUOTA_EXCEEDED,
        "Apr 1 00:30 CEST is April, though 22:30Z is 23:30 in CET",
    ),
    (
        package(1),
        had("2026-10-25 22:30"),
        "2026-10-22 07:00",
        Refusal.QUOTA_EXCEEDED,
        "DST end: Sunday 23:30 CET is the week of Oct 19",
    ),
    (
        package(1),
        had("2026-10-25 23:00"),
        "2026-10-22 07:00",
        None,
        "DST end: Monday 00:00 CET is the next week",
    ),
    (
        package(1),
        had("2027-03-28 21:30"),
        "2027-03-25 08:00",
        Refusal.QUOTA_EXCEEDED,
        "DST start: Sunday 23:30 CEST is the week of Mar 22",
    ),
    (
        package(1),
        had("2027-03-28 22:00"),
        "2027-03-25 08:00",
        None,
        "DST start: Monday 00:00 CEST is the next week",
    ),
    (
        package(1),
        had("2027-01-04 08:00", active=False),
        "2027-01-07 08:00",
        None,
        "a cancelled booking is not counted",
    ),
    (
        package(1, beyond="bill", extra_price="60 EUR"),
        had("2027-01-04 08:00", extra=True),
        "2027-01-07 08:00",
        None,
        "a billable extra does not use the allowance",
    ),
    (
        package(1, offers=frozenset({"session"})),
        had("2027-01-04 08:00", offer="call"),
        "2027-01-07 08:00",
        None,
        "a call does not count against a sessions package",
    ),
    (
        package(1),
        had("2027-01-04 08:00", offer="call"),
        "2027-01-07 08:00",
        Refusal.QUOTA_EXCEEDED,
        "a package of every offer counts calls too",
    ),
    (
        package(2, offers=frozenset({"session", "call"})),
        had("2027-01-04 08:00", offer="call") + had("2027-01-05 08:00"),
        "2027-01-07 08:00",
        Refusal.QUOTA_EXCEEDED,
        "a package of two offers counts both",
    ),
    (package(0), (), "2027-01-07 08:00", Refusal.QUOTA_EXCEEDED, "nothing included, refuse"),
    (
        None,
        had(*(f"2027-01-0{d} 08:00" for d in (4, 5, 6))),
        "2027-01-07 08:00",
        None,
        "no package",
    ),
]


@pytest.mark.parametrize(("pack", "bookings", "start", "expected", "why"), PARIS_CASES)
def test_counting_in_the_owners_zone(
    make_policy: MakePolicy,
    pack: Package | None,
    bookings: tuple[ClientBooking, ...],
    start: str,
    expected: Refusal | None,
    why: str,
) -> None:
    decision = decide(make_policy(), start, pack, bookings)
    assert decision.refusal is expected, why
    assert decision.extra_price is None


def test_month_in_another_zone(make_policy: MakePolicy) -> None:
    # New York (EST): 2027-02-01 03:00Z is Jan 31 22:00, so it counts in January.
    policy = make_policy("America/New_York")
    month = package(1, "month")
    assert decide(policy, "2027-02-01 14:00", month, had("2027-02-01 03:00")).accepted
    assert decide(policy, "2027-02-01 14:00", month, had("2027-02-01 05:00")).refusal is (
        Refusal.QUOTA_EXCEEDED
    )


def test_a_call_is_not_limited_by_a_sessions_package(make_policy: MakePolicy) -> None:
    sessions = package(0, offers=frozenset({"session"}))
    assert decide(make_policy(), "2027-01-07 08:00", sessions, offer=CALL).accepted


# --- beyond the allowance: billed ---------------------------------------------------------

BILL = package(1, beyond="bill", extra_price="60 EUR")


def test_billing_package_accepts_beyond_with_the_price(make_policy: MakePolicy) -> None:
    policy = make_policy()
    within = decide(policy, "2027-01-07 08:00", BILL)
    assert within.accepted and within.extra_price is None
    beyond = decide(policy, "2027-01-07 08:00", BILL, had("2027-01-04 08:00"))
    assert beyond.accepted and beyond.extra_price == "60 EUR"
    # Two extras and no included booking yet: the next one is included.
    extras = had("2027-01-04 08:00", "2027-01-05 08:00", extra=True)
    assert decide(policy, "2027-01-07 08:00", BILL, extras).extra_price is None
    # One included and an extra: billed again.
    both = had("2027-01-04 08:00") + had("2027-01-05 08:00", extra=True)
    assert decide(policy, "2027-01-07 08:00", BILL, both).extra_price == "60 EUR"
    nothing_included = package(0, beyond="bill", extra_price="25 EUR")
    assert decide(policy, "2027-01-07 08:00", nothing_included).extra_price == "25 EUR"


def test_other_refusals_come_before_any_price(make_policy: MakePolicy) -> None:
    full = had("2027-01-04 08:00")
    assert decide(make_policy(), "2027-01-09 08:00", BILL, full).refusal is Refusal.CLOSED_DAY
    stale = decide(make_policy(), "2027-01-07 08:00", BILL, full, calendar_stale=True)
    assert stale.refusal is Refusal.CALENDAR_STALE and stale.extra_price is None


# --- order ------------------------------------------------------------------------------


def test_quota_comes_after_the_owners_caps_and_before_a_stale_calendar(
    make_policy: MakePolicy,
) -> None:
    full = had("2027-01-04 08:00")
    start = z("2027-01-07 08:00")
    theirs = [BookedTime(z("2027-01-07 08:00"), z("2027-01-07 09:00"))]
    capped = make_policy(max_bookings_per_week=1)
    other = [BookedTime(z("2027-01-05 08:00"), z("2027-01-05 09:00"))]
    quota = Quota(package(1), full)
    assert check_booking(make_policy(), SESSION, start, [], theirs, NOW, quota=quota).refusal is (
        Refusal.SLOT_TAKEN
    )
    assert check_booking(capped, SESSION, start, [], other, NOW, quota=quota).refusal is (
        Refusal.WEEKLY_LIMIT
    )
    stale = check_booking(
        make_policy(), SESSION, start, [], [], NOW, quota=quota, calendar_stale=True
    )
    assert stale.refusal is Refusal.QUOTA_EXCEEDED


def test_quota_exceeded_is_in_its_place_among_the_codes() -> None:
    codes = [code.value for code in Refusal]
    assert codes.index("quota_exceeded") == codes.index("weekly_limit") + 1
    assert codes[-1] == "calendar_stale"


# --- listing ----------------------------------------------------------------------------


def test_listing_leaves_out_a_full_week_for_a_refusing_package(make_policy: MakePolicy) -> None:
    policy = make_policy()
    window = (date(2027, 1, 4), date(2027, 1, 17))
    quota = Quota(package(1), had("2027-01-04 08:00"))
    listed = available_slots(policy, SESSION, [], [], window, NOW, quota=quota)
    assert listed and all(s.start >= z("2027-01-10 23:00") for s in listed)  # from Mon 11th
    everything = available_slots(policy, SESSION, [], [], window, NOW)
    billing = Quota(BILL, had("2027-01-04 08:00"))
    assert available_slots(policy, SESSION, [], [], window, NOW, quota=billing) == everything
    calls = available_slots(policy, CALL, [], [], window, NOW, quota=quota)
    assert calls and all(s.start >= z("2027-01-10 23:00") for s in calls)  # covers every offer
    sessions_only = Quota(package(1, offers=frozenset({"session"})), had("2027-01-04 08:00"))
    assert available_slots(policy, CALL, [], [], window, NOW, quota=sessions_only) == (
        available_slots(policy, CALL, [], [], window, NOW)
    )


# --- usage, packages, e-mails -------------------------------------------------------------


def test_usage_of_the_period() -> None:
    bookings = (
        had("2027-01-04 08:00", "2027-01-20 08:00")
        + had("2027-01-21 08:00", extra=True)
        + had("2027-01-22 08:00", active=False)
        + had("2027-02-01 08:00")
    )
    used = usage(package(4, "month"), bookings, date(2027, 1, 15), PARIS)
    assert (used.first, used.last, used.used, used.allowance, used.remaining) == (
        date(2027, 1, 1),
        date(2027, 1, 31),
        2,
        4,
        2,
    )
    assert usage(package(1, "month"), bookings, date(2027, 1, 15), PARIS).remaining == 0


def test_covering_picks_the_one_package_for_an_offer() -> None:
    sessions = package(4, "month", offers=frozenset({"session"}))
    calls = package(2, "week", offers=frozenset({"call"}))
    assert covering([sessions, calls], "session") is sessions
    assert covering([sessions, calls], "call") is calls
    assert covering([sessions, calls], "workshop") is None
    assert covering([], "session") is None
    assert not sessions.overlaps(calls)
    assert package(1).overlaps(calls)
    with pytest.raises(ValueError, match="several"):
        covering([sessions, package(1)], "session")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"client_email": "nobody"}, "e-mail"),
        ({"count": -1}, "count"),
        ({"count": True}, "count"),
        ({"per": "day"}, "per"),
        ({"offers": frozenset()}, "offers"),
        ({"beyond": "ask"}, "beyond"),
        ({"beyond": "bill"}, "extra_price"),
        ({"beyond": "bill", "extra_price": "  "}, "extra_price"),
        ({"extra_price": "60 EUR"}, "extra_price"),
    ],
)
def test_bad_packages_are_programming_errors(options: dict[str, Any], message: str) -> None:
    values: dict[str, Any] = {"client_email": EMAIL, "count": 1, **options}
    with pytest.raises(ValueError, match=message):
        Package(**values)


def test_emails_are_compared_whole_and_without_case() -> None:
    assert normalize_email("  Ana.Lima@Example.COM ") == "ana.lima@example.com"


# --- property: listing and accepting agree with a package ---------------------------------

ZONES = ["Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
# Noon UTC a few days before a clock change or a month end.
ANCHORS = [
    datetime(2026, 10, 22, 12, tzinfo=UTC),
    datetime(2026, 10, 29, 12, tzinfo=UTC),
    datetime(2027, 3, 25, 12, tzinfo=UTC),
    datetime(2026, 10, 1, 12, tzinfo=UTC),
    datetime(2027, 1, 28, 12, tzinfo=UTC),
]
HOURS = [
    (),
    (TimeRange(time(9), time(12)),),
    (TimeRange(time(0), time(3)), TimeRange(time(21), time(0))),
    (TimeRange(time(1, 30), time(4)), TimeRange(time(14), time(18))),
]
OFFERS = ["session", "call"]


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    anchor = draw(st.sampled_from(ANCHORS))
    policy = Policy(
        timezone=draw(st.sampled_from(ZONES)),
        hours=tuple(draw(st.sampled_from(HOURS)) for _ in range(7)),
        limits=Limits(
            min_notice=timedelta(0),
            max_days_ahead=30,
            slot_step=draw(st.sampled_from([30, 60])) * M,
            max_bookings_per_day=draw(st.none() | st.integers(1, 3)),
        ),
    )
    beyond = draw(st.sampled_from(["refuse", "bill"]))
    pack = Package(
        EMAIL,
        draw(st.integers(0, 3)),
        draw(st.sampled_from(["week", "month"])),
        offers=draw(st.none() | st.sampled_from([frozenset({"session"}), frozenset(OFFERS)])),
        beyond=beyond,
        extra_price="60 EUR" if beyond == "bill" else "",
    )
    client = [
        ClientBooking(
            draw(st.sampled_from(OFFERS)),
            anchor + draw(st.integers(-20 * 24, 20 * 24)) * 30 * M,
            billable_extra=draw(st.booleans()),
            active=draw(st.integers(0, 4)) > 0,
        )
        for _ in range(draw(st.integers(0, 8)))
    ]
    first = anchor.date() + timedelta(days=draw(st.integers(-2, 6)))
    return {
        "policy": policy,
        "offer": Offer(draw(st.sampled_from(OFFERS)), "o", draw(st.sampled_from([30, 60])) * M),
        "quota": Quota(pack, tuple(client)),
        "owners": [BookedTime(b.start, b.start + H) for b in client if b.active],
        "now": anchor - 3 * 24 * H,
        "window": (first, first + timedelta(days=draw(st.integers(0, 9)))),
    }


def model_used(quota: Quota, offer: str, start: datetime, zone: ZoneInfo) -> int | None:
    """Included bookings in ``start``'s period, counted another way (None: not covered)."""
    pack = quota.package
    if not pack.covers(offer):
        return None

    def key(moment: datetime) -> tuple[int, int]:
        local = moment.astimezone(zone).date()
        if pack.per == "week":
            return local.isocalendar()[:2]
        return local.year, local.month

    return sum(
        1
        for b in quota.bookings
        if b.active and not b.billable_extra and pack.covers(b.offer) and key(b.start) == key(start)
    )


@settings(max_examples=150, deadline=None)
@given(cases())
def test_listing_and_accepting_agree_with_a_package(case: dict[str, Any]) -> None:
    policy, offer, quota, now = case["policy"], case["offer"], case["quota"], case["now"]
    owners: list[BookedTime] = case["owners"]
    first, last = case["window"]
    zone = ZoneInfo(policy.timezone)
    listed = {
        s.start for s in available_slots(policy, offer, [], owners, (first, last), now, quota=quota)
    }
    low = datetime.combine(first, time(0), zone).astimezone(UTC)
    high = datetime.combine(last + timedelta(days=1), time(0), zone).astimezone(UTC)
    day = first - timedelta(days=1)
    while day <= last + timedelta(days=1):
        for r_start, r_end in working_intervals(policy, day):
            start = r_start
            while start + offer.duration <= r_end:
                if low <= start < high:
                    decision = check_booking(policy, offer, start, [], owners, now, quota=quota)
                    assert decision.accepted == (start in listed), start
                    used = model_used(quota, offer.slug, start, zone)
                    over = used is not None and used >= quota.package.count
                    if decision.accepted:
                        billed = over and quota.package.beyond == "bill"
                        assert (decision.extra_price is not None) == billed
                        event("extra" if billed else "included or free")
                    elif decision.refusal is Refusal.QUOTA_EXCEEDED:
                        assert over and quota.package.beyond == "refuse"
                        event("quota_exceeded")
                    if over and quota.package.beyond == "refuse":
                        assert not decision.accepted
                start += policy.limits.slot_step
        day += timedelta(days=1)
