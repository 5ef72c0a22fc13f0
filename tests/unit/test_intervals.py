"""Interval set operations: hand-written cases (the brute-force model is in the property tests)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schedules.intervals import (
    Interval,
    clip,
    intersect,
    normalize,
    overlaps,
    subtract,
    union,
)


def at(hhmm: str) -> datetime:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    return datetime(2027, 1, 4, hours, minutes, tzinfo=UTC)


def iv(text: str) -> Interval:
    start, end = text.split("-")
    return Interval(at(start), at(end))


def ivs(*texts: str) -> list[Interval]:
    return [iv(text) for text in texts]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ([], []),
        (["09:00-10:00"], ["09:00-10:00"]),
        (["10:00-11:00", "09:00-10:00"], ["09:00-11:00"]),  # touching merges
        (["09:00-12:00", "10:00-11:00"], ["09:00-12:00"]),  # contained
        (["09:00-10:30", "10:00-11:00"], ["09:00-11:00"]),  # overlapping
        (["13:00-13:00", "12:00-11:00"], []),  # empty and reversed are dropped
        (["11:00-12:00", "09:00-10:00", "09:30-09:45"], ["09:00-10:00", "11:00-12:00"]),
        (["09:00-10:00", "10:00-10:00", "10:01-11:00"], ["09:00-10:00", "10:01-11:00"]),
    ],
)
def test_normalize_sorts_merges_and_drops_empty(given: list[str], expected: list[str]) -> None:
    assert normalize(ivs(*given)) == ivs(*expected)


def test_normalize_accepts_a_generator_and_mixed_zones() -> None:
    paris = datetime.fromisoformat("2027-01-04T10:00:00+01:00")  # 09:00 UTC
    result = normalize(x for x in [Interval(paris, at("09:30")), iv("08:00-09:00")])
    assert result == [Interval(at("08:00"), at("09:30"))]


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([], [], []),
        (["09:00-10:00"], [], ["09:00-10:00"]),
        (["09:00-10:00"], ["10:00-11:00"], ["09:00-11:00"]),
        (["11:00-12:00", "09:00-10:00"], ["09:30-11:30"], ["09:00-12:00"]),
        (["09:00-10:00"], ["12:00-13:00"], ["09:00-10:00", "12:00-13:00"]),
    ],
)
def test_union(a: list[str], b: list[str], expected: list[str]) -> None:
    assert union(ivs(*a), ivs(*b)) == ivs(*expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ([], ["09:00-10:00"], []),
        (["09:00-10:00"], ["10:00-11:00"], []),  # touching shares no moment
        (["09:00-12:00"], ["10:00-11:00"], ["10:00-11:00"]),
        (["09:00-12:30", "14:00-18:00"], ["12:00-15:00"], ["12:00-12:30", "14:00-15:00"]),
        (
            ["10:00-11:00", "09:00-09:30"],
            ["09:15-10:15", "10:45-12:00"],
            ["09:15-09:30", "10:00-10:15", "10:45-11:00"],
        ),
    ],
)
def test_intersect(a: list[str], b: list[str], expected: list[str]) -> None:
    assert intersect(ivs(*a), ivs(*b)) == ivs(*expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (["09:00-12:00"], [], ["09:00-12:00"]),
        (["09:00-12:00"], ["10:00-10:30"], ["09:00-10:00", "10:30-12:00"]),
        (["09:00-12:00"], ["08:00-09:30", "11:30-13:00"], ["09:30-11:30"]),
        (["09:00-12:00"], ["08:00-13:00"], []),
        (["09:00-12:00"], ["12:00-13:00", "08:00-09:00"], ["09:00-12:00"]),
        # One hole spanning two pieces, then holes between and inside pieces.
        (
            ["09:00-10:00", "11:00-12:00", "13:00-14:00"],
            ["09:30-11:30", "13:15-13:20", "13:40-13:45"],
            ["09:00-09:30", "11:30-12:00", "13:00-13:15", "13:20-13:40", "13:45-14:00"],
        ),
    ],
)
def test_subtract(a: list[str], b: list[str], expected: list[str]) -> None:
    assert subtract(ivs(*a), ivs(*b)) == ivs(*expected)


@pytest.mark.parametrize(
    ("given", "window", "expected"),
    [
        ([], "09:00-10:00", []),
        (
            ["08:00-09:00", "10:00-11:00", "12:00-13:00"],
            "08:30-12:30",
            ["08:30-09:00", "10:00-11:00", "12:00-12:30"],
        ),
        (["08:00-09:00", "10:00-11:00"], "09:00-10:00", []),  # touching the window's edges only
        (["08:00-09:00"], "10:00-09:00", []),  # empty window
        (["08:00-18:00"], "09:00-10:00", ["09:00-10:00"]),
    ],
)
def test_clip(given: list[str], window: str, expected: list[str]) -> None:
    assert clip(ivs(*given), iv(window)) == ivs(*expected)


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("08:00-09:00", False),  # touches the first block's start
        ("08:30-09:01", True),
        ("10:00-11:00", False),  # touches both neighbours
        ("09:59-10:00", True),
        ("11:00-11:00", False),  # empty candidate
        ("10:30-10:45", False),
        ("10:30-12:00", True),
        ("12:00-13:00", False),  # after everything
        ("07:00-20:00", True),  # covers everything
    ],
)
def test_overlaps(candidate: str, expected: bool) -> None:
    merged = ivs("09:00-10:00", "11:00-12:00")
    assert overlaps(merged, iv(candidate)) is expected


def test_overlaps_on_empty_list() -> None:
    assert overlaps([], iv("09:00-10:00")) is False
