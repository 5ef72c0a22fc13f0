"""Durations as written in the boundaries file: ``"90m"``, ``"24h"``, ``"2d"``, ``"1h30m"``.

Units are days, hours and minutes only, each at most once and in that order, so a
duration has exactly one spelling per meaning once formatted (``format_duration``
always writes hours or minutes, never days: ``"2d"`` reads back as ``"48h"``).
"""

from __future__ import annotations

import json
import re
from datetime import timedelta

_DURATION = re.compile(r"(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?")
_EXPECTED = "expected a duration like 90m, 24h or 2d"
_MINUTE = timedelta(minutes=1)
_HOUR = timedelta(hours=1)


def parse_duration(text: str) -> timedelta:
    """Read ``"90m"``, ``"24h"``, ``"2d"``, ``"1h30m"`` or ``"0m"`` into a ``timedelta``.

    No whitespace, no sign, no fractions; the units d, h and m each appear at most once,
    in that order. Raises ``ValueError`` with a readable reason otherwise, e.g.
    ``expected a duration like 90m, 24h or 2d, got "soon"``.
    """
    match = _DURATION.fullmatch(text)
    # The pattern also matches "" (every part optional): a duration needs at least one unit.
    if match is None or not text:
        raise ValueError(f"{_EXPECTED}, got {json.dumps(text, ensure_ascii=False)}")
    days, hours, minutes = (int(part) if part else 0 for part in match.groups())
    try:
        return timedelta(days=days, hours=hours, minutes=minutes)
    except OverflowError:
        raise ValueError(f"{json.dumps(text)} is too long a duration") from None


def format_duration(value: timedelta) -> str:
    """Write a duration canonically: whole hours as ``"8h"``, else minutes as ``"90m"``.

    Zero is ``"0m"``; days are written as hours (``timedelta(days=2)`` is ``"48h"``).
    Raises ``ValueError`` for negative durations and for seconds or microseconds,
    which the file cannot represent.
    """
    if value < timedelta(0):
        raise ValueError(f"a duration cannot be negative, got {value}")
    if value % _MINUTE:
        raise ValueError(f"a duration must be whole minutes, got {value}")
    if value and not value % _HOUR:
        return f"{value // _HOUR}h"
    return f"{value // _MINUTE}m"
