"""The boundaries file: validation with exact field paths and reasons, and round trips."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedules.boundaries import (
    RESERVED_SLUGS,
    BoundariesError,
    FieldError,
    boundaries_to_dict,
    dump_boundaries,
    load_boundaries,
    parse_boundaries,
)
from schedules.policy import (
    Boundaries,
    CalendarFeed,
    CancellationPolicy,
    ClosedPeriod,
    ContractTerms,
    Limits,
    Offer,
    Override,
    OwnerInfo,
    Policy,
    ResponsePolicy,
    TimeRange,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

OWNER = {
    "slug": "camille",
    "name": "Camille Martin",
    "email": "camille@example.org",
    "timezone": "Europe/Paris",
}
OFFER = {"slug": "intro", "title": "Intro", "duration": "30m"}


def minimal(**sections: Any) -> dict[str, Any]:
    """The smallest valid data, with whole sections replaced; ``None`` drops a section."""
    data: dict[str, Any] = {"owner": dict(OWNER), "offers": [dict(OFFER)]}
    data.update(sections)
    return {key: value for key, value in data.items() if value is not None}


def owner(**changes: Any) -> dict[str, Any]:
    """The valid owner with some keys changed; ``None`` drops a key."""
    merged = {**OWNER, **changes}
    return {key: value for key, value in merged.items() if value is not None}


def errors(data: dict[str, Any]) -> list[str]:
    with pytest.raises(BoundariesError) as caught:
        parse_boundaries(data)
    return [str(error) for error in caught.value.errors]


def r(start: str, end: str) -> TimeRange:
    return TimeRange(time.fromisoformat(start), time.fromisoformat(end))


# --- the examples ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["boundaries.toml", "boundaries.en.toml"])
def test_example_files_load_and_are_written_in_canonical_form(name: str) -> None:
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    assert dump_boundaries(load_boundaries(text)) == text


def test_french_example_is_camille_with_a_free_wednesday_afternoon_and_no_network() -> None:
    b = load_boundaries((EXAMPLES / "boundaries.toml").read_text(encoding="utf-8"))
    assert b.owner == OwnerInfo("camille", "Camille Martin", OWNER["email"], "Europe/Paris", "fr")
    assert b.policy.timezone == "Europe/Paris"
    assert b.policy.hours[0] == (r("09:00", "12:30"), r("14:00", "18:00"))
    assert b.policy.hours[2] == (r("09:00", "12:30"),)
    assert b.policy.hours[5:] == ((), ())
    assert b.policy.closed == (
        ClosedPeriod(date(2026, 12, 24), date(2027, 1, 1), "Congés de fin d'année"),
    )
    assert b.policy.overrides == (Override(date(2027, 1, 9), (r("10:00", "12:00"),)),)
    assert b.policy.limits.buffer_after == timedelta(minutes=15)
    assert [o.duration for o in b.offers] == [timedelta(minutes=m) for m in (30, 60, 90)]
    assert b.calendars == ()


def test_english_example_is_jordan_with_one_calendar() -> None:
    b = load_boundaries((EXAMPLES / "boundaries.en.toml").read_text(encoding="utf-8"))
    assert (b.owner.slug, b.owner.locale, b.policy.timezone) == ("jordan", "en", "America/New_York")
    assert b.calendars == (
        CalendarFeed("Personal", "https://calendar.example.com/jordan/personal.ics"),
    )
    assert b.policy.overrides == (Override(date(2026, 12, 31), ()),)
    assert b.policy.limits.on_stale_calendar == "allow"


# --- valid input -----------------------------------------------------------------------


def test_absent_optional_sections_and_keys_take_the_policy_defaults() -> None:
    b = parse_boundaries(minimal())
    assert b == Boundaries(
        OwnerInfo("camille", "Camille Martin", "camille@example.org", "Europe/Paris", "en"),
        Policy("Europe/Paris"),
        (Offer("intro", "Intro", timedelta(minutes=30)),),
    )
    assert b.policy.limits == Limits() and b.policy.response == ResponsePolicy()
    assert b.policy.cancellation == CancellationPolicy() and b.policy.terms == ContractTerms()


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ([], ()),
        (["00:00-24:00"], (TimeRange(time(0), time(0)),)),
        (["22:00-24:00"], (TimeRange(time(22), time(0)),)),
        (["14:00-18:00", "09:00-12:30"], (r("09:00", "12:30"), r("14:00", "18:00"))),
        (["12:00-13:00", "09:00-12:00"], (r("09:00", "12:00"), r("12:00", "13:00"))),
        (("09:00-09:05",), (r("09:00", "09:05"),)),
    ],
)
def test_hours_are_parsed_sorted_and_may_touch(day: list[str], expected: Any) -> None:
    b = parse_boundaries(minimal(hours={"tue": day}))
    assert b.policy.hours == ((), expected, (), (), (), (), ())


@pytest.mark.parametrize(
    "url", ["http://x.org/a.ics", "HTTPS://x.org/a.ics", "webcal://x.org/a?k=1", "https://[::1]/"]
)
def test_calendar_urls_may_be_http_https_or_webcal(url: str) -> None:
    b = parse_boundaries(minimal(calendars=[{"name": "Perso", "ics": url}]))
    assert b.calendars == (CalendarFeed("Perso", url),)


def test_toml_dates_without_quotes_are_accepted() -> None:
    text = dump_boundaries(parse_boundaries(minimal())) + (
        '\n[[closed]]\nfrom = 2026-12-24\nto = "2026-12-26"\n'
    )
    b = load_boundaries("\ufeff" + text)  # and a byte-order mark is ignored
    assert b.policy.closed == (ClosedPeriod(date(2026, 12, 24), date(2026, 12, 26)),)


def test_parsing_does_not_touch_its_input() -> None:
    data = minimal(hours={"mon": ["14:00-15:00", "09:00-10:00"]})
    before = copy.deepcopy(data)
    parse_boundaries(data)
    assert data == before


# --- invalid input: one table per section, exact field path and reason ------------------

INVALID: list[tuple[dict[str, Any], list[str]]] = [
    # top level and owner
    (minimal(version=1), ["version: unknown key"]),
    (minimal(owner=None), ["owner: required"]),
    (minimal(owner="camille"), ['owner: expected a table, got "camille"']),
    (minimal(owner=owner(slug=None)), ["owner.slug: required"]),
    (minimal(owner=owner(phone="0600")), ["owner.phone: unknown key"]),
    (minimal(owner=owner(slug=5)), ["owner.slug: expected a string, got 5"]),
    (minimal(owner=owner(slug="admin")), ['owner.slug: "admin" is reserved']),
    *[
        (
            minimal(owner=owner(slug=bad)),
            [f'owner.slug: expected 2 to 40 characters among a-z, 0-9 and "-", got "{bad}"'],
        )
        for bad in ("Camille", "c", "x" * 41, "camille_m", "camillé", "")
    ],
    (minimal(owner=owner(name=" ")), ["owner.name: must not be empty"]),
    (
        minimal(owner=owner(email="camille")),
        ['owner.email: expected an e-mail address, got "camille"'],
    ),
    (
        minimal(owner=owner(timezone="Europe/Pari")),
        ['owner.timezone: unknown time zone "Europe/Pari"'],
    ),
    (minimal(owner=owner(timezone="Europe")), ['owner.timezone: unknown time zone "Europe"']),
    (minimal(owner=owner(timezone="../etc")), ['owner.timezone: unknown time zone "../etc"']),
    (minimal(owner=owner(locale="de")), ['owner.locale: expected "fr" or "en", got "de"']),
    # hours
    (
        minimal(hours={"mon": ["14:00-13:00"]}),
        ['hours.mon[0]: "14:00-13:00" ends before it starts'],
    ),
    (
        minimal(hours={"mon": ["09:00-12:00", "14:00-13:00"]}),
        ['hours.mon[1]: "14:00-13:00" ends before it starts'],
    ),
    (
        minimal(hours={"tue": ["11:00-13:00", "09:00-12:00"]}),
        ['hours.tue: "09:00-12:00" overlaps "11:00-13:00"'],
    ),
    (
        minimal(hours={"wed": ["12:00-13:00", "09:00-18:00", "10:00-11:00"]}),
        [
            'hours.wed: "09:00-18:00" overlaps "10:00-11:00"',
            'hours.wed: "09:00-18:00" overlaps "12:00-13:00"',
        ],
    ),
    (minimal(hours={"mon": ["09:00-09:00"]}), ['hours.mon[0]: "09:00-09:00" is empty']),
    (
        minimal(hours={"mon": ["22:00-00:00"]}),
        ['hours.mon[0]: "22:00-00:00" ends at 00:00; write 24:00 for midnight'],
    ),
    (
        minimal(hours={"mon": ["24:00-24:00"]}),
        ['hours.mon[0]: "24:00-24:00": 24:00 can only end a range'],
    ),
    (
        minimal(hours={"mon": ["09:00-25:00"]}),
        ['hours.mon[0]: "09:00-25:00": "25:00" is not a time of day'],
    ),
    (
        minimal(hours={"mon": ["09:60-10:00"]}),
        ['hours.mon[0]: "09:60-10:00": "09:60" is not a time of day'],
    ),
    *[
        (
            minimal(hours={"sun": [bad]}),
            [f'hours.sun[0]: expected a range like "09:00-12:30", got {json.dumps(bad)}'],
        )
        for bad in ("9:00-12:00", "09:00 - 12:00", "09h-12h", "09:00-12:00\n", 900)
    ],
    (
        minimal(hours={"mon": "09:00-12:00"}),
        ['hours.mon: expected a list like ["09:00-12:30", "14:00-18:00"], got "09:00-12:00"'],
    ),
    (minimal(hours={"monday": ["09:00-12:00"]}), ["hours.monday: unknown key"]),
    (minimal(hours=["09:00-12:00"]), ["hours: expected a table, got a list"]),
    # closed
    (
        minimal(closed=[{"from": "2026-12-24", "to": "2026-12-20"}]),
        ['closed[0].to: "2026-12-20" is before from "2026-12-24"'],
    ),
    (
        minimal(closed=[{"from": "24/12/2026", "to": "2026-12-26"}]),
        ['closed[0].from: expected a date like 2026-12-24, got "24/12/2026"'],
    ),
    (
        minimal(closed=[{"from": "20261224", "to": "2026-12-26"}]),
        ['closed[0].from: expected a date like 2026-12-24, got "20261224"'],
    ),
    (
        minimal(closed=[{"from": "2026-02-30", "to": "2026-03-01"}]),
        ['closed[0].from: "2026-02-30" is not a valid date'],
    ),
    (
        minimal(closed=[{"from": datetime(2026, 12, 24, 10), "to": "2026-12-26"}]),
        ["closed[0].from: expected a date like 2026-12-24, got 2026-12-24T10:00:00"],
    ),
    (minimal(closed=[{"from": "2026-12-24"}]), ["closed[0].to: required"]),
    (
        minimal(closed=[{"from": "2026-12-24", "to": "2026-12-24", "label": 3}]),
        ["closed[0].label: expected a string, got 3"],
    ),
    (
        minimal(closed={"from": "2026-12-24"}),
        ["closed: expected a list of tables like [[closed]], got a table"],
    ),
    (minimal(closed=["Noël"]), ['closed[0]: expected a table, got "Noël"']),
    # override
    (
        minimal(override=[{"date": "2027-01-09", "hours": []}] * 2),
        ['override[1].date: "2027-01-09" is used twice'],
    ),
    (minimal(override=[{"date": "2027-01-09"}]), ["override[0].hours: required"]),
    (
        minimal(override=[{"date": "2027-01-09", "hours": ["10:00-09:00"]}]),
        ['override[0].hours[0]: "10:00-09:00" ends before it starts'],
    ),
    (
        minimal(override=[{"date": "2027-01-09", "hours": ["11:00-13:00", "10:00-12:00"]}]),
        ['override[0].hours: "10:00-12:00" overlaps "11:00-13:00"'],
    ),
    # limits
    (
        minimal(limits={"min_notice": "soon"}),
        ['limits.min_notice: expected a duration like 90m, 24h or 2d, got "soon"'],
    ),
    (
        minimal(limits={"min_notice": 90}),
        ["limits.min_notice: expected a duration like 90m, 24h or 2d, got 90"],
    ),
    (minimal(limits={"max_bookings_per_dya": 3}), ["limits.max_bookings_per_dya: unknown key"]),
    (
        minimal(limits={"max_days_ahead": "sixty"}),
        ['limits.max_days_ahead: expected an integer, got "sixty"'],
    ),
    (
        minimal(limits={"max_days_ahead": True}),
        ["limits.max_days_ahead: expected an integer, got true"],
    ),
    (
        minimal(limits={"max_days_ahead": 60.0}),
        ["limits.max_days_ahead: expected an integer, got 60.0"],
    ),
    (minimal(limits={"max_days_ahead": 0}), ["limits.max_days_ahead: must be at least 1"]),
    (minimal(limits={"max_days_ahead": 3651}), ["limits.max_days_ahead: must be at most 3650"]),
    (minimal(limits={"slot_step": "0m"}), ["limits.slot_step: must be more than 0m"]),
    (minimal(limits={"buffer_after": "3651d"}), ["limits.buffer_after: must be at most 3650d"]),
    (
        minimal(limits={"max_bookings_per_day": 0}),
        ["limits.max_bookings_per_day: must be at least 1"],
    ),
    (
        minimal(limits={"max_booked_per_day": "0m"}),
        ["limits.max_booked_per_day: must be more than 0m"],
    ),
    (
        minimal(limits={"max_bookings_per_week": -1}),
        ["limits.max_bookings_per_week: must be at least 1"],
    ),
    (minimal(limits={"stale_after": "0h"}), ["limits.stale_after: must be more than 0m"]),
    (
        minimal(limits={"on_stale_calendar": "maybe"}),
        ['limits.on_stale_calendar: expected "block" or "allow", got "maybe"'],
    ),
    # response, cancellation, terms
    (minimal(response={"reply_within": "0m"}), ["response.reply_within: must be more than 0m"]),
    (
        minimal(response={"channels": "email"}),
        ['response.channels: expected a list of strings, got "email"'],
    ),
    (
        minimal(response={"channels": ["email", 3]}),
        ["response.channels: expected a list of strings, got 3 at index 1"],
    ),
    (
        minimal(response={"after_hours": None}),
        ["response.after_hours: expected a string, got a NoneType"],
    ),
    (
        minimal(cancellation={"free_until": "2 days"}),
        ['cancellation.free_until: expected a duration like 90m, 24h or 2d, got "2 days"'],
    ),
    (minimal(cancellation={"late_fee": 50}), ["cancellation.late_fee: expected a string, got 50"]),
    (minimal(terms={"payment": ["30 days"]}), ["terms.payment: expected a string, got a list"]),
    (minimal(terms={"vat": "20%"}), ["terms.vat: unknown key"]),
    # offers
    (minimal(offers=None), ["offers: required"]),
    (minimal(offers=[]), ["offers: at least one offer is required"]),
    (
        minimal(offers=dict(OFFER)),
        ["offers: expected a list of tables like [[offers]], got a table"],
    ),
    (
        minimal(offers=[OFFER, {**OFFER, "title": "Again"}]),
        ['offers[1].slug: "intro" is used twice'],
    ),
    (
        minimal(offers=[OFFER, {**OFFER, "duration": "0m"}]),
        ["offers[1].duration: must be more than 0m", 'offers[1].slug: "intro" is used twice'],
    ),
    (
        minimal(offers=[{**OFFER, "slug": "Intro"}]),
        ['offers[0].slug: expected 1 to 40 characters among a-z, 0-9 and "-", got "Intro"'],
    ),
    (minimal(offers=[{**OFFER, "duration": "25h"}]), ["offers[0].duration: must be at most 24h"]),
    (minimal(offers=[{"slug": "intro", "duration": "1h"}]), ["offers[0].title: required"]),
    (minimal(offers=[{**OFFER, "prix": "free"}]), ["offers[0].prix: unknown key"]),
    (
        minimal(offers=[{**OFFER, "includes": "notes"}]),
        ['offers[0].includes: expected a list of strings, got "notes"'],
    ),
    # calendars
    *[
        (
            minimal(calendars=[{"name": "Perso", "ics": bad}]),
            [f"calendars[0].ics: expected an http, https or webcal URL, got {json.dumps(bad)}"],
        )
        for bad in (
            "ftp://x.org/a.ics",
            "https://",
            "x.org/a.ics",
            "https://x.org/a b",
            "http://[::1",
        )
    ],
    (minimal(calendars=[{"name": "Perso"}]), ["calendars[0].ics: required"]),
    (
        minimal(calendars=[{"name": "Perso", "ics": "https://a.org/1"}] * 2),
        ['calendars[1].name: "Perso" is used twice'],
    ),
]


@pytest.mark.parametrize(("data", "expected"), INVALID)
def test_invalid_input_names_the_field_and_the_reason(
    data: dict[str, Any], expected: list[str]
) -> None:
    assert errors(data) == expected


def test_every_error_is_reported_at_once_in_file_order() -> None:
    text = """\
[owner]
slug = "admin"
name = "Camille"
email = "camille@example.org"
timezone = "Europe/Pari"

[hours]
mon = ["09:00-12:30", "14:00-13:00"]
tue = ["09:00-12:00", "11:00-13:00"]

[limits]
min_notice = "soon"
max_bookings_per_dya = 4

[[offers]]
slug = "intro"
title = "Intro"
duration = "30m"

[[offers]]
slug = "intro"
title = "Again"
duration = "30m"
"""
    with pytest.raises(BoundariesError) as caught:
        load_boundaries(text)
    expected = [
        'owner.slug: "admin" is reserved',
        'owner.timezone: unknown time zone "Europe/Pari"',
        'hours.mon[1]: "14:00-13:00" ends before it starts',
        'hours.tue: "09:00-12:00" overlaps "11:00-13:00"',
        "limits.max_bookings_per_dya: unknown key",
        'limits.min_notice: expected a duration like 90m, 24h or 2d, got "soon"',
        'offers[1].slug: "intro" is used twice',
    ]
    assert [str(error) for error in caught.value.errors] == expected
    assert str(caught.value) == "\n".join(expected)
    assert isinstance(caught.value, ValueError)
    assert caught.value.errors[0] == FieldError("owner.slug", '"admin" is reserved')


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("a = 1\nb =\n", "line 2: Invalid value (column 4)"),
        ('[owner]\nslug = "camille\n', "line 2: Illegal character '\\n' (column 16)"),
        ("[owner]\n[owner]\n", "line 2: Cannot declare ('owner',) twice (column 7)"),
        ('x = "open', "line 1: Unterminated string (at the end of the file)"),
    ],
)
def test_toml_syntax_errors_are_one_error_on_field_toml(text: str, reason: str) -> None:
    with pytest.raises(BoundariesError) as caught:
        load_boundaries(text)
    assert caught.value.errors == [FieldError("toml", reason)]


# --- writing ---------------------------------------------------------------------------


def test_strings_are_escaped_so_they_read_back_exactly() -> None:
    tricky = 'Camille "Cam" Martin \\ Congés\n\ttab \x00\x1f\x7f 🌿'
    b = parse_boundaries(minimal(owner=owner(name=tricky)))
    text = dump_boundaries(b)
    assert (
        'name = "Camille \\"Cam\\" Martin \\\\ Congés\\n\\ttab \\u0000\\u001F\\u007F 🌿"\n' in text
    )
    assert load_boundaries(text) == b


def test_dump_writes_sections_in_fixed_order_and_leaves_out_none() -> None:
    b = parse_boundaries(
        minimal(
            calendars=[{"name": "Perso", "ics": "https://a.org/1.ics"}],
            limits={"max_bookings_per_day": 2},
            override=[{"date": "2027-01-09", "hours": []}],
            hours={"fri": ["09:00-12:00"]},
        )
    )
    text = dump_boundaries(b)
    headers = [line for line in text.splitlines() if line.startswith("[")]
    assert headers == [
        "[owner]",
        "[hours]",
        "[[override]]",
        "[limits]",
        "[response]",
        "[cancellation]",
        "[terms]",
        "[[offers]]",
        "[[calendars]]",
    ]
    assert "max_bookings_per_day = 2\n" in text
    assert "max_booked_per_day" not in text and "max_bookings_per_week" not in text
    assert "hours = []\n" in text and 'fri = ["09:00-12:00"]\n' in text
    assert text.endswith('ics = "https://a.org/1.ics"\n')


def test_durations_are_written_canonically() -> None:
    b = parse_boundaries(minimal(limits={"min_notice": "2d", "buffer_after": "1h30m"}))
    assert boundaries_to_dict(b)["limits"]["min_notice"] == "48h"
    assert boundaries_to_dict(b)["limits"]["buffer_after"] == "90m"


def test_dump_refuses_what_the_file_cannot_hold() -> None:
    b = parse_boundaries(minimal())
    other_zone = Boundaries(b.owner, Policy("UTC"), b.offers)
    with pytest.raises(ValueError, match="time zone"):
        dump_boundaries(other_zone)
    seconds = Boundaries(
        b.owner, Policy("Europe/Paris", ((r("09:00:30", "10:00"),),) * 7), b.offers
    )
    with pytest.raises(ValueError, match="whole minutes"):
        dump_boundaries(seconds)


# --- round trips of any valid boundaries ------------------------------------------------

_DAY = 24 * 60
text_ = st.text(max_size=30)
nonblank = st.text(min_size=1, max_size=30).filter(str.strip)
minutes = st.integers(0, 3650 * _DAY).map(lambda m: timedelta(minutes=m))
positive = st.integers(1, 3650 * _DAY).map(lambda m: timedelta(minutes=m))
counts = st.none() | st.integers(1, 10_000)
dates = st.dates(max_value=date(9000, 1, 1))


def _clock(m: int) -> time:
    return time(0) if m == _DAY else time(m // 60, m % 60)


@st.composite
def day_ranges(draw: st.DrawFn) -> tuple[TimeRange, ...]:
    """Sorted, non-overlapping ranges; consecutive ones may touch (gap 0)."""
    ranges, cursor = [], 0
    for gap, length in draw(
        st.lists(st.tuples(st.integers(0, 600), st.integers(1, 600)), max_size=5)
    ):
        start = cursor + gap
        if start + length > _DAY:
            break
        ranges.append(TimeRange(_clock(start), _clock(start + length)))
        cursor = start + length
    return tuple(ranges)


@st.composite
def boundaries(draw: st.DrawFn) -> Boundaries:
    zone = draw(st.sampled_from(["Europe/Paris", "America/New_York", "UTC", "Asia/Kolkata"]))
    owner_info = OwnerInfo(
        draw(
            st.from_regex(r"[a-z0-9-]{2,40}", fullmatch=True).filter(
                lambda s: s not in RESERVED_SLUGS
            )
        ),
        draw(nonblank),
        draw(st.from_regex(r"[^@\s]+@[^@\s]+", fullmatch=True)),
        zone,
        draw(st.sampled_from(["fr", "en"])),
    )
    closed = draw(
        st.lists(
            st.builds(
                lambda first, days, label: ClosedPeriod(first, first + timedelta(days=days), label),
                dates,
                st.integers(0, 400),
                text_,
            ),
            max_size=3,
        )
    )
    overrides = draw(
        st.lists(st.builds(Override, dates, day_ranges()), max_size=3, unique_by=lambda o: o.day)
    )
    limits = Limits(
        draw(minutes),
        draw(st.integers(1, 3650)),
        draw(minutes),
        draw(minutes),
        draw(positive),
        draw(counts),
        draw(st.none() | positive),
        draw(counts),
        draw(positive),
        draw(st.sampled_from(["block", "allow"])),
    )
    policy = Policy(
        zone,
        tuple(draw(day_ranges()) for _ in range(7)),
        tuple(closed),
        tuple(overrides),
        limits,
        ResponsePolicy(draw(positive), tuple(draw(st.lists(text_, max_size=3))), draw(text_)),
        CancellationPolicy(draw(minutes), draw(text_)),
        ContractTerms(draw(text_), draw(text_), draw(text_), draw(text_)),
    )
    offer = st.builds(
        Offer,
        st.from_regex(r"[a-z0-9-]{1,40}", fullmatch=True),
        nonblank,
        st.integers(1, _DAY).map(lambda m: timedelta(minutes=m)),
        text_,
        st.lists(text_, max_size=3).map(tuple),
        text_,
    )
    url = st.builds(
        "{}://{}{}".format,
        st.sampled_from(["http", "https", "webcal"]),
        st.from_regex(r"[a-z0-9.-]{1,20}", fullmatch=True),
        st.from_regex(r"(/[A-Za-z0-9._~%?=&-]*)*", fullmatch=True),
    )
    offers = draw(st.lists(offer, min_size=1, max_size=3, unique_by=lambda o: o.slug))
    feeds = draw(
        st.lists(st.builds(CalendarFeed, nonblank, url), max_size=2, unique_by=lambda f: f.name)
    )
    return Boundaries(owner_info, policy, tuple(offers), tuple(feeds))


@settings(max_examples=300)
@given(boundaries())
def test_any_valid_boundaries_survive_dump_and_load(b: Boundaries) -> None:
    text = dump_boundaries(b)
    assert load_boundaries(text) == b
    assert dump_boundaries(load_boundaries(text)) == text


@given(boundaries())
def test_the_dict_form_is_plain_json_and_parses_back(b: Boundaries) -> None:
    data = boundaries_to_dict(b)
    assert json.loads(json.dumps(data)) == data
    assert parse_boundaries(data) == b
