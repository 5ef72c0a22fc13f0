"""Durations as written in the boundaries file."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from schedules.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0m", timedelta(0)),
        ("0h", timedelta(0)),
        ("15m", timedelta(minutes=15)),
        ("90m", timedelta(minutes=90)),
        ("24h", timedelta(hours=24)),
        ("2d", timedelta(days=2)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("1d1h1m", timedelta(days=1, hours=1, minutes=1)),
        ("120m", timedelta(hours=2)),
        ("007m", timedelta(minutes=7)),
    ],
)
def test_parse_duration_reads_days_hours_minutes(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "soon",
        "90",
        "m",
        "1.5h",
        "-5m",
        "+5m",
        " 5m",
        "5m ",
        "1h 30m",
        "30m1h",
        "1h1h",
        "5s",
        "1w",
        "5M",
        "٥m",  # an Arabic-Indic digit five: str.isdigit() says yes, the file format says no
    ],
)
def test_parse_duration_refuses_anything_else_with_a_readable_reason(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    quoted = '"' + text + '"'
    assert str(caught.value) == f"expected a duration like 90m, 24h or 2d, got {quoted}"


def test_parse_duration_quotes_special_characters_in_the_reason() -> None:
    with pytest.raises(ValueError, match=r'got "a\\"b"$'):
        parse_duration('a"b')


def test_parse_duration_refuses_durations_timedelta_cannot_hold() -> None:
    with pytest.raises(ValueError, match="too long a duration"):
        parse_duration("9999999999d")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (timedelta(0), "0m"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=15), "15m"),
        (timedelta(minutes=90), "90m"),
        (timedelta(hours=1), "1h"),
        (timedelta(hours=8), "8h"),
        (timedelta(hours=24), "24h"),
        (timedelta(days=2), "48h"),
        (timedelta(days=1, minutes=30), "1470m"),
    ],
)
def test_format_duration_writes_hours_when_whole_else_minutes(
    value: timedelta, expected: str
) -> None:
    assert format_duration(value) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (timedelta(seconds=30), "whole minutes"),
        (timedelta(minutes=1, microseconds=1), "whole minutes"),
        (timedelta(minutes=-5), "cannot be negative"),
    ],
)
def test_format_duration_refuses_what_the_file_cannot_hold(value: timedelta, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        format_duration(value)


@given(st.integers(min_value=0, max_value=10**8))
def test_format_then_parse_gives_back_the_duration(minutes: int) -> None:
    value = timedelta(minutes=minutes)
    assert parse_duration(format_duration(value)) == value


@given(
    st.integers(0, 999).map(lambda n: f"{n}d") | st.just(""),
    st.integers(0, 999).map(lambda n: f"{n}h") | st.just(""),
    st.integers(0, 999).map(lambda n: f"{n}m") | st.just(""),
)
def test_every_spelling_formats_to_one_canonical_text(days: str, hours: str, minutes: str) -> None:
    text = days + hours + minutes
    if not text:
        return
    canonical = format_duration(parse_duration(text))
    assert format_duration(parse_duration(canonical)) == canonical
    assert parse_duration(canonical) == parse_duration(text)
