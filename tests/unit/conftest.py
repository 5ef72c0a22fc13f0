"""Shared helpers for the core's unit tests: a policy factory in the style of Indico's fixtures.

``make_policy(timezone="America/New_York", hours={"sun": ["00:00-06:00"]}, slot_step=H)``
builds a ``Policy`` with test-friendly defaults (no notice, a year ahead, no caps) that
each keyword overrides. Opt-in fixture: tests that do not ask for it are unaffected.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, time, timedelta
from typing import Any

import pytest

from schedules.policy import (
    WEEKDAYS,
    CancellationPolicy,
    ClosedPeriod,
    Limits,
    Override,
    Policy,
    ResponsePolicy,
    TimeRange,
)

#: The hours of the architecture document's example owner (Camille, Paris).
CAMILLE_HOURS: Mapping[str, Sequence[str]] = {
    "mon": ["09:00-12:30", "14:00-18:00"],
    "tue": ["09:00-12:30", "14:00-18:00"],
    "wed": ["09:00-12:30"],
    "thu": ["09:00-12:30", "14:00-18:00"],
    "fri": ["09:00-12:30"],
}

#: Limits that stay out of the way unless a test sets them.
TEST_LIMITS = Limits(min_notice=timedelta(0), max_days_ahead=365)


def clock(text: str) -> time:
    """``"09:30"`` → ``time(9, 30)``; ``"24:00"`` → ``time(0)`` (midnight, end of day)."""
    hours, minutes = (int(part) for part in text.split(":"))
    return time(0) if hours == 24 else time(hours, minutes)


def ranges(*texts: str) -> tuple[TimeRange, ...]:
    """``ranges("09:00-12:30", "14:00-24:00")`` as TimeRange values."""
    out = []
    for text in texts:
        start, end = text.split("-")
        out.append(TimeRange(clock(start), clock(end)))
    return tuple(out)


def build_policy(
    timezone: str = "Europe/Paris",
    hours: Mapping[str, Sequence[str]] | None = None,
    *,
    closed: Sequence[tuple[date, date]] = (),
    overrides: Mapping[date, Sequence[str]] | None = None,
    reply_within: timedelta = timedelta(hours=8),
    free_until: timedelta = timedelta(hours=48),
    **limits: Any,
) -> Policy:
    """A Policy; ``hours`` maps ``"mon"``… to range strings (default: Camille's hours)."""
    table = CAMILLE_HOURS if hours is None else hours
    unknown = set(table) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"unknown weekdays {unknown}")
    return Policy(
        timezone=timezone,
        hours=tuple(ranges(*table.get(day, ())) for day in WEEKDAYS),
        closed=tuple(ClosedPeriod(first, last) for first, last in closed),
        overrides=tuple(Override(day, ranges(*texts)) for day, texts in (overrides or {}).items()),
        limits=replace(TEST_LIMITS, **limits),
        response=ResponsePolicy(reply_within=reply_within),
        cancellation=CancellationPolicy(free_until=free_until),
    )


@pytest.fixture(scope="session")
def make_policy() -> Callable[..., Policy]:
    """The ``build_policy`` factory (session-scoped, so hypothesis tests may use it too)."""
    return build_policy
