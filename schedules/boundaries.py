"""The boundaries file (TOML): read it with full validation, write it back canonically.

``load_boundaries`` reports every problem at once, each as a field path and a reason
(``hours.mon[1]: "14:00-13:00" ends before it starts``), so the owner fixes a file in one
pass. ``dump_boundaries`` writes one canonical text per value: fixed section and key
order, durations as ``"90m"``/``"24h"``, optional values that are ``None`` left out. So
``load_boundaries(dump_boundaries(b)) == b`` for every valid ``b``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from datetime import date, time, timedelta
from typing import Any, TypeVar

from schedules import _readers as read
from schedules._readers import MISSING, FieldError, Reader, Report, show
from schedules._toml_writer import dumps
from schedules.durations import format_duration
from schedules.policy import (
    WEEKDAYS,
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

__all__ = [
    "RESERVED_SLUGS",
    "BoundariesError",
    "FieldError",
    "boundaries_to_dict",
    "dump_boundaries",
    "load_boundaries",
    "parse_boundaries",
]

T = TypeVar("T")

#: Owner slugs that would shadow the app's own top-level URLs.
RESERVED_SLUGS = frozenset(
    "api healthz readyz feeds dashboard login logout signup static oauth manage admin "
    "booking bookings".split()
)

SECTIONS = (
    "owner",
    "hours",
    "closed",
    "override",
    "limits",
    "response",
    "cancellation",
    "terms",
    "offers",
    "calendars",
)

# Far enough for any real policy, near enough that date arithmetic downstream never overflows.
_LONGEST = timedelta(days=3650)
_any_duration = read.duration(positive=False, maximum=_LONGEST)
_positive_duration = read.duration(positive=True, maximum=_LONGEST)
_count = read.integer(1, 10_000)


def _as_is(value: Any) -> Any:
    return value


_OWNER: dict[str, Reader[Any]] = {
    "slug": read.slug(shortest=2, longest=40, reserved=RESERVED_SLUGS),
    "name": read.nonblank,
    "email": read.email,
    "timezone": read.timezone,
    "locale": read.choice("fr", "en"),
}
_LIMITS: dict[str, Reader[Any]] = {
    "min_notice": _any_duration,
    "max_days_ahead": read.integer(1, 3650),
    "buffer_before": _any_duration,
    "buffer_after": _any_duration,
    "slot_step": _positive_duration,
    "max_bookings_per_day": _count,
    "max_booked_per_day": _positive_duration,
    "max_bookings_per_week": _count,
    "stale_after": _positive_duration,
    "on_stale_calendar": read.choice("block", "allow"),
}
_RESPONSE: dict[str, Reader[Any]] = {
    "reply_within": _positive_duration,
    "channels": read.texts,
    "after_hours": read.text,
}
_CANCELLATION: dict[str, Reader[Any]] = {"free_until": _any_duration, "late_fee": read.text}
_TERMS: dict[str, Reader[Any]] = {
    key: read.text for key in ("payment", "late_payment_fee", "refund", "termination")
}
_CLOSED: dict[str, Reader[Any]] = {"from": read.iso_date, "to": read.iso_date, "label": read.text}
# An override's hours need the report (one error per range), so they are read separately.
_OVERRIDE: dict[str, Reader[Any]] = {"date": read.iso_date, "hours": _as_is}
_OFFER: dict[str, Reader[Any]] = {
    "slug": read.slug(shortest=1, longest=40),
    "title": read.nonblank,
    # A booking lies inside one working range of one date, so a day is the most it can last.
    "duration": read.duration(positive=True, maximum=timedelta(hours=24)),
    "price": read.text,
    "includes": read.texts,
    "extras": read.text,
}
_CALENDAR: dict[str, Reader[Any]] = {"name": read.nonblank, "ics": read.feed_url}

_TOML_WHERE = re.compile(r"(?s)(.*) \(at (?:line (\d+), column (\d+)|end of document)\)")


class BoundariesError(ValueError):
    """Invalid boundaries; ``errors`` lists every problem found, in file order."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors: list[FieldError] = list(errors)
        super().__init__("\n".join(str(error) for error in self.errors))


def load_boundaries(text: str) -> Boundaries:
    """Read a boundaries file, raising ``BoundariesError`` with every error found.

    A TOML syntax error is reported alone, as field ``toml`` (``line 3: Invalid value``).
    """
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))  # editors on Windows add a BOM
    except tomllib.TOMLDecodeError as exc:
        raise BoundariesError([FieldError("toml", _syntax_reason(str(exc), text))]) from None
    return parse_boundaries(data)


def parse_boundaries(data: Mapping[str, Any]) -> Boundaries:
    """Validate already-parsed boundaries (TOML's structure as plain data).

    Raises ``BoundariesError`` listing every error. Absent optional sections and keys
    take the defaults of ``schedules.policy``; the owner's time zone is the policy's.
    """
    report = Report()
    for key in data:
        if key not in SECTIONS:
            report.add(str(key), "unknown key")
    section = {name: data.get(name, MISSING) for name in SECTIONS}
    owner = _owner(report, section["owner"])
    hours = _hours(report, section["hours"])
    closed = _closed(report, section["closed"])
    overrides = _overrides(report, section["override"])
    limits = _simple(report, "limits", section["limits"], _LIMITS, Limits)
    response = _simple(report, "response", section["response"], _RESPONSE, ResponsePolicy)
    cancellation = _simple(
        report, "cancellation", section["cancellation"], _CANCELLATION, CancellationPolicy
    )
    terms = _simple(report, "terms", section["terms"], _TERMS, ContractTerms)
    offers = _offers(report, section["offers"])
    calendars = _calendars(report, section["calendars"])
    if report.errors:
        raise BoundariesError(report.errors)
    # No error was reported, so every reader returned a value.
    assert owner is not None and hours is not None and closed is not None
    assert overrides is not None and limits is not None and response is not None
    assert cancellation is not None and terms is not None
    assert offers is not None and calendars is not None
    policy = Policy(owner.timezone, hours, closed, overrides, limits, response, cancellation, terms)
    return Boundaries(owner, policy, offers, calendars)


def dump_boundaries(b: Boundaries) -> str:
    """Write boundaries as canonical TOML (the form the example files are written in).

    Raises ``ValueError`` for values the file cannot hold (seconds in a duration or a time).
    """
    return dumps(boundaries_to_dict(b))


def boundaries_to_dict(b: Boundaries) -> dict[str, Any]:
    """The boundaries file's structure as plain JSON-able data, in canonical order.

    ``parse_boundaries`` reads it back. Keys whose value is ``None`` are left out, as are
    closed weekdays in ``hours``. Raises ``ValueError`` if the policy's time zone is not the
    owner's (the file has one time zone) or a value cannot be written.
    """
    policy, limits = b.policy, b.policy.limits
    if policy.timezone != b.owner.timezone:
        raise ValueError(
            f"policy time zone {policy.timezone!r} differs from the owner's {b.owner.timezone!r}"
        )
    owner = b.owner
    return {
        "owner": {
            "slug": owner.slug,
            "name": owner.name,
            "email": owner.email,
            "timezone": owner.timezone,
            "locale": owner.locale,
        },
        "hours": {day: _ranges_out(r) for day, r in zip(WEEKDAYS, policy.hours, strict=True) if r},
        "closed": [
            {"from": c.first.isoformat(), "to": c.last.isoformat(), "label": c.label}
            for c in policy.closed
        ],
        "override": [
            {"date": o.day.isoformat(), "hours": _ranges_out(o.ranges)} for o in policy.overrides
        ],
        "limits": _without_none(
            {
                "min_notice": format_duration(limits.min_notice),
                "max_days_ahead": limits.max_days_ahead,
                "buffer_before": format_duration(limits.buffer_before),
                "buffer_after": format_duration(limits.buffer_after),
                "slot_step": format_duration(limits.slot_step),
                "max_bookings_per_day": limits.max_bookings_per_day,
                "max_booked_per_day": _optional_duration(limits.max_booked_per_day),
                "max_bookings_per_week": limits.max_bookings_per_week,
                "stale_after": format_duration(limits.stale_after),
                "on_stale_calendar": limits.on_stale_calendar,
            }
        ),
        "response": {
            "reply_within": format_duration(policy.response.reply_within),
            "channels": list(policy.response.channels),
            "after_hours": policy.response.after_hours,
        },
        "cancellation": {
            "free_until": format_duration(policy.cancellation.free_until),
            "late_fee": policy.cancellation.late_fee,
        },
        "terms": {
            "payment": policy.terms.payment,
            "late_payment_fee": policy.terms.late_payment_fee,
            "refund": policy.terms.refund,
            "termination": policy.terms.termination,
        },
        "offers": [
            {
                "slug": offer.slug,
                "title": offer.title,
                "duration": format_duration(offer.duration),
                "price": offer.price,
                "includes": list(offer.includes),
                "extras": offer.extras,
            }
            for offer in b.offers
        ],
        "calendars": [{"name": feed.name, "ics": feed.ics} for feed in b.calendars],
    }


def _owner(report: Report, value: Any) -> OwnerInfo | None:
    if value is MISSING:
        report.add("owner", "required")
        return None
    values = report.fields("owner", value, _OWNER, ("slug", "name", "email", "timezone"))
    return None if values is None else OwnerInfo(**values)


def _hours(report: Report, value: Any) -> tuple[tuple[TimeRange, ...], ...] | None:
    if value is MISSING:
        return ((),) * 7
    days = report.fields("hours", value, dict.fromkeys(WEEKDAYS, _as_is), ())
    if days is None:
        return None
    week = [report.ranges(f"hours.{day}", days[day]) if day in days else () for day in WEEKDAYS]
    return None if None in week else tuple(day or () for day in week)


def _closed(report: Report, value: Any) -> tuple[ClosedPeriod, ...] | None:
    periods: list[ClosedPeriod] = []
    before = len(report.errors)
    for path, item in report.items("closed", value):
        values = report.fields(path, item, _CLOSED, ("from", "to"))
        if values is None:
            continue
        first, last = values["from"], values["to"]
        if last < first:
            report.add(f"{path}.to", f'"{last}" is before from "{first}"')
            continue
        periods.append(ClosedPeriod(first, last, values.get("label", "")))
    return tuple(periods) if len(report.errors) == before else None


def _overrides(report: Report, value: Any) -> tuple[Override, ...] | None:
    overrides: list[Override] = []
    seen: set[date] = set()
    before = len(report.errors)
    for path, item in report.items("override", value):
        values = report.fields(path, item, _OVERRIDE, ("date", "hours"))
        if values is None:
            continue
        day = values["date"]
        if day in seen:
            report.add(f"{path}.date", f'"{day}" is used twice')
        seen.add(day)
        ranges = report.ranges(f"{path}.hours", values["hours"])
        if ranges is not None:
            overrides.append(Override(day, ranges))
    return tuple(overrides) if len(report.errors) == before else None


def _simple(
    report: Report, name: str, value: Any, spec: Mapping[str, Reader[Any]], kind: type[T]
) -> T | None:
    """A section of plain keys, each optional, defaults from the dataclass ``kind``."""
    if value is MISSING:
        return kind()
    values = report.fields(name, value, spec, ())
    return None if values is None else kind(**values)


def _offers(report: Report, value: Any) -> tuple[Offer, ...] | None:
    if value is MISSING:
        report.add("offers", "required")
        return None
    before = len(report.errors)
    entries = report.items("offers", value)
    if len(report.errors) == before and not entries:
        report.add("offers", "at least one offer is required")
    offers: list[Offer] = []
    seen: set[str] = set()
    for path, item in entries:
        values = report.fields(path, item, _OFFER, ("slug", "title", "duration"))
        _once(report, path, item, "slug", seen)
        if values is not None:
            offers.append(Offer(**values))
    return tuple(offers) if len(report.errors) == before else None


def _calendars(report: Report, value: Any) -> tuple[CalendarFeed, ...] | None:
    before = len(report.errors)
    feeds: list[CalendarFeed] = []
    seen: set[str] = set()
    for path, item in report.items("calendars", value):
        values = report.fields(path, item, _CALENDAR, ("name", "ics"))
        # Feeds are told apart by name (sync status, errors), so a name is used once.
        _once(report, path, item, "name", seen)
        if values is not None:
            feeds.append(CalendarFeed(**values))
    return tuple(feeds) if len(report.errors) == before else None


def _once(report: Report, path: str, item: Any, key: str, seen: set[str]) -> None:
    """Report ``item[key]`` if an earlier entry had it, even when the entries have other errors."""
    value = item.get(key) if isinstance(item, Mapping) else None
    if isinstance(value, str):
        if value in seen:
            report.add(f"{path}.{key}", f"{show(value)} is used twice")
        seen.add(value)


def _syntax_reason(message: str, text: str) -> str:
    match = _TOML_WHERE.fullmatch(message)
    if match is None:
        return message
    what, line, column = match.groups()
    if line is None:  # "at end of document"
        return f"line {len(text.splitlines()) or 1}: {what} (at the end of the file)"
    return f"line {line}: {what} (column {column})"


def _ranges_out(ranges: tuple[TimeRange, ...]) -> list[str]:
    return [f"{_clock(r.start)}-{'24:00' if r.end == time(0) else _clock(r.end)}" for r in ranges]


def _clock(value: time) -> str:
    if value.second or value.microsecond or value.tzinfo is not None:
        raise ValueError(f"working hours are naive whole minutes, got {value!r}")
    return f"{value:%H:%M}"


def _optional_duration(value: timedelta | None) -> str | None:
    return None if value is None else format_duration(value)


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
