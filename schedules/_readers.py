"""Readers for the values of the boundaries file, and the report that collects their errors.

Each reader takes one raw value (as ``tomllib`` or a web form produced it) and returns a
typed value, or raises ``Invalid`` with a reason meant for the owner's eyes. Readers know
nothing about where the value sits: ``Report`` adds the field path and keeps reading, so
every error in a file is found in one pass.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from schedules.durations import format_duration, parse_duration
from schedules.policy import TimeRange

T = TypeVar("T")
Reader = Callable[[Any], T]

MIDNIGHT_END = 24 * 60  # "24:00", stored as time(0) in TimeRange.end

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_RANGE = re.compile(r"([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})")
_SLUG = re.compile(r"[a-z0-9-]+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_URL_SCHEMES = ("http", "https", "webcal")
_UNSAFE_IN_URL = re.compile(r"[\x00-\x20\x7f]")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem in a boundaries file: where (``limits.min_notice``) and why."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


MISSING: Any = object()  # a key absent from its table (None is a value in JSON)


class Invalid(ValueError):
    """A value that cannot be used; ``str()`` is the reason."""


def show(value: Any) -> str:
    """Render a raw value the way the owner wrote it, for ``got …`` in messages."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date | time):  # TOML's own dates and times (datetime is a date)
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return f"a {type(value).__name__}"


def text(value: Any) -> str:
    """Any string, empty included."""
    if not isinstance(value, str):
        raise Invalid(f"expected a string, got {show(value)}")
    return value


def nonblank(value: Any) -> str:
    """A string with something other than whitespace in it."""
    if not text(value).strip():
        raise Invalid("must not be empty")
    return str(value)


def texts(value: Any) -> tuple[str, ...]:
    """A list of strings."""
    if not isinstance(value, list | tuple):
        raise Invalid(f"expected a list of strings, got {show(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise Invalid(f"expected a list of strings, got {show(item)} at index {index}")
    return tuple(value)


def integer(minimum: int, maximum: int) -> Reader[int]:
    """An integer (not a boolean, not a float) between ``minimum`` and ``maximum``."""

    def read(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"expected an integer, got {show(value)}")
        if value < minimum:
            raise Invalid(f"must be at least {minimum}")
        if value > maximum:
            raise Invalid(f"must be at most {maximum}")
        return value

    return read


def duration(*, positive: bool, maximum: timedelta) -> Reader[timedelta]:
    """A duration string such as ``"90m"``; ``positive`` rejects ``"0m"``."""

    def read(value: Any) -> timedelta:
        if not isinstance(value, str):
            raise Invalid(f"expected a duration like 90m, 24h or 2d, got {show(value)}")
        try:
            result = parse_duration(value)
        except ValueError as exc:
            raise Invalid(str(exc)) from None
        if positive and not result:
            raise Invalid("must be more than 0m")
        if result > maximum:
            days = maximum.days
            limit = f"{days}d" if days > 1 and maximum == timedelta(days=days) else None
            raise Invalid(f"must be at most {limit or format_duration(maximum)}")
        return result

    return read


def choice(*options: str) -> Reader[str]:
    """One of a few fixed strings."""
    quoted = [json.dumps(option) for option in options]
    expected = ", ".join(quoted[:-1]) + " or " + quoted[-1] if len(quoted) > 1 else quoted[0]

    def read(value: Any) -> str:
        if value not in options or not isinstance(value, str):
            raise Invalid(f"expected {expected}, got {show(value)}")
        return value

    return read


def iso_date(value: Any) -> date:
    """``"2026-12-24"``; a TOML date written without quotes is accepted too."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise Invalid(f"expected a date like 2026-12-24, got {show(value)}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Invalid(f"{show(value)} is not a valid date") from None


def slug(*, shortest: int, longest: int, reserved: Collection[str] = ()) -> Reader[str]:
    """Lowercase letters, digits and hyphens, as used in public links."""

    def read(value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid(f"expected a string, got {show(value)}")
        if not (_SLUG.fullmatch(value) and shortest <= len(value) <= longest):
            raise Invalid(
                f'expected {shortest} to {longest} characters among a-z, 0-9 and "-", '
                f"got {show(value)}"
            )
        if value in reserved:
            raise Invalid(f"{show(value)} is reserved")
        return value

    return read


def email(value: Any) -> str:
    """A plausible e-mail address; the web layer checks deliverability, not this core."""
    if not isinstance(value, str) or not _EMAIL.fullmatch(value):
        raise Invalid(f"expected an e-mail address, got {show(value)}")
    return value


def timezone(value: Any) -> str:
    """An IANA time zone name that ``zoneinfo`` can load."""
    if not isinstance(value, str):
        raise Invalid(f"expected a time zone name like Europe/Paris, got {show(value)}")
    try:
        ZoneInfo(value)
    # Not-found is a KeyError; malformed keys are ValueErrors; "Europe" is a directory.
    except (KeyError, ValueError, OSError):
        raise Invalid(f"unknown time zone {show(value)}") from None
    return value


def feed_url(value: Any) -> str:
    """An ``http``, ``https`` or ``webcal`` URL with a host."""
    reason = f"expected an http, https or webcal URL, got {show(value)}"
    if not isinstance(value, str) or _UNSAFE_IN_URL.search(value):
        raise Invalid(reason)
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise Invalid(reason) from None
    if parts.scheme.lower() not in _URL_SCHEMES or not host:
        raise Invalid(reason)
    return value


def time_range(value: Any) -> tuple[TimeRange, int, int]:
    """``"09:00-12:30"`` as a ``TimeRange`` plus its start and end in minutes of the day.

    ``"24:00"`` may only end a range and means midnight (stored as ``time(0)``).
    """
    match = _RANGE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise Invalid(f'expected a range like "09:00-12:30", got {show(value)}')
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    for hours, minutes in ((start_h, start_m), (end_h, end_m)):
        if minutes > 59 or hours > 24 or (hours == 24 and minutes):
            raise Invalid(f'{show(value)}: "{hours:02}:{minutes:02}" is not a time of day')
    if start_h == 24:
        raise Invalid(f"{show(value)}: 24:00 can only end a range")
    start, end = start_h * 60 + start_m, end_h * 60 + end_m
    if end == 0:
        # Half-open ranges end at the next midnight; "00:00" as an end is a typo for it.
        raise Invalid(f"{show(value)} ends at 00:00; write 24:00 for midnight")
    if end < start:
        raise Invalid(f"{show(value)} ends before it starts")
    if end == start:
        raise Invalid(f"{show(value)} is empty")
    end_time = time(0) if end == MIDNIGHT_END else time(end_h, end_m)
    return TimeRange(time(start_h, start_m), end_time), start, end


class Report:
    """Collects errors while the sections are read, so all of them can be reported."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, reason: str) -> None:
        self.errors.append(FieldError(field, reason))

    def read(self, field: str, value: Any, reader: Reader[T]) -> T | None:
        try:
            return reader(value)
        except Invalid as exc:
            self.add(field, str(exc))
            return None

    def fields(
        self, path: str, value: Any, spec: Mapping[str, Reader[Any]], required: Collection[str]
    ) -> dict[str, Any] | None:
        """Read a table's keys with ``spec``; ``None`` if anything in it was wrong."""
        before = len(self.errors)
        if not isinstance(value, Mapping):
            self.add(path, f"expected a table, got {show(value)}")
            return None
        for key in value:
            if key not in spec:
                self.add(f"{path}.{key}", "unknown key")
        values: dict[str, Any] = {}
        for key, reader in spec.items():
            if key in value:
                values[key] = self.read(f"{path}.{key}", value[key], reader)
            elif key in required:
                self.add(f"{path}.{key}", "required")
        return values if len(self.errors) == before else None

    def items(self, path: str, value: Any) -> list[tuple[str, Any]]:
        """The entries of an array of tables (``[[offers]]``) with their paths."""
        if value is MISSING:
            return []
        if not isinstance(value, list | tuple):
            self.add(path, f"expected a list of tables like [[{path}]], got {show(value)}")
            return []
        return [(f"{path}[{index}]", item) for index, item in enumerate(value)]

    def ranges(self, path: str, value: Any) -> tuple[TimeRange, ...] | None:
        """A day's ranges, sorted; ``None`` if one is malformed or two overlap."""
        if not isinstance(value, list | tuple):
            example = '["09:00-12:30", "14:00-18:00"]'
            self.add(path, f"expected a list like {example}, got {show(value)}")
            return None
        parsed = [self.read(f"{path}[{i}]", item, time_range) for i, item in enumerate(value)]
        if None in parsed:
            return None
        ordered = sorted(
            ((item, text) for item, text in zip(parsed, value, strict=True) if item is not None),
            key=lambda pair: pair[0][1:],
        )
        ok = True
        latest_end, latest_text = -1, ""  # the range reaching furthest so far
        for (_, start, end), text in ordered:
            # Half-open ranges: 09:00-12:00 and 12:00-13:00 touch without overlapping.
            if start < latest_end:
                self.add(path, f"{show(latest_text)} overlaps {show(text)}")
                ok = False
            if end > latest_end:
                latest_end, latest_text = end, text
        return tuple(item[0] for item, _ in ordered) if ok else None
