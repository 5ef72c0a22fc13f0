"""ICS feeds: fetch safely, parse with icalendar, expand with recurring-ical-events, to UTC.

Reading rules (each one tested against ``tests/data``):

* Recurrences (RRULE, RDATE, EXDATE, RECURRENCE-ID, THISANDFUTURE) are expanded by
  recurring-ical-events over the window; a series it cannot expand (a bad RRULE) fails the
  whole sync: skipping it would silently free its time, and the guard must fail closed.
* ``TRANSP:TRANSPARENT``, ``STATUS:CANCELLED`` and Outlook's
  ``X-MICROSOFT-CDO-BUSYSTATUS:FREE`` are free time. A zero-length event is free too.
* All-day events (``VALUE=DATE``) block the owner's whole local days, whatever zone the
  feed is in: "off on Friday" means the owner's Friday.
* Floating times (no zone) are read in the calendar's ``X-WR-TIMEZONE`` when it declares
  a valid one (what recurring-ical-events does, and what Google/Apple clients do), else in
  the owner's zone. A TZID that is neither an IANA nor a Windows name and has no VTIMEZONE
  in the file is read the same way, and reported as a warning on the source.
* A local time that the clocks skip or repeat is read both ways and the busy block covers
  both readings: when in doubt the owner is busy.
* Only start and end leave this module: no titles, locations or attendees.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from schedules import Interval, normalize
from schedules.hours import day_span

from .base import BusyResult, State, SyncError
from .safe_http import FetchError, FetchLimits, fetch

# Bump when the reading rules change: a stored "unchanged" verdict from an older reader
# must not keep blocks this one would compute differently.
PARSER_VERSION = 1
# Expand a little past the window asked for, so an unchanged feed (304 or same hash)
# stays usable while ``now`` moves on; after this much time a full parse runs again.
COVER_SLACK = timedelta(days=1)
_FREE_STATUS = "CANCELLED"
_ZONED_PROPERTIES = ("DTSTART", "DTEND", "RECURRENCE-ID")
# Properties that change on every download without changing busy time (Google stamps
# each export with the current time); left out of the content hash.
_VOLATILE_LINE = re.compile(rb"^DTSTAMP[;:][^\r\n]*\r?\n", re.MULTILINE)


class IcsError(SyncError):
    """A feed that cannot be read as a calendar."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """Busy time of one feed in a window: merged UTC intervals, occurrences seen, warnings."""

    busy: list[Interval]
    events: int
    warnings: tuple[str, ...]


def content_hash(data: bytes) -> str:
    """SHA-256 of the feed without its DTSTAMP lines (they change on every download)."""
    return hashlib.sha256(_VOLATILE_LINE.sub(b"", data)).hexdigest()


def parse_busy(data: bytes, window: Interval, zone: ZoneInfo) -> ParsedFeed:
    """The busy time of ``data`` (an iCalendar file) overlapping ``window``.

    ``zone`` is the owner's zone: all-day events are its local days; floating times and
    unknown TZIDs are read in it (unless the file declares a valid ``X-WR-TIMEZONE``).
    Raises ``IcsError`` with a readable reason when the file is not a usable calendar.
    """
    calendar = _parse(data)
    warnings: list[str] = []
    naive_zone = _naive_zone(calendar, zone, warnings)
    unknown = _unknown_tzids(calendar)
    if unknown:
        names = ", ".join(sorted(unknown))
        warnings.append(
            f"unknown time zone {names}: those events were read in {naive_zone.key}"
            f"{' (your zone)' if naive_zone.key == zone.key else ''}"
        )
    try:
        query = recurring_ical_events.of(calendar, skip_bad_series=False)
        # Bounds in the zone used for floating times: the library compares floating
        # events with the bounds' wall-clock times.
        occurrences = query.between(
            window.start.astimezone(naive_zone), window.end.astimezone(naive_zone)
        )
        busy, count = _busy_of(occurrences, zone, naive_zone)
    except IcsError:
        raise
    except recurring_ical_events.BadRuleStringFormat as exc:
        raise IcsError(f"an event has a recurrence rule that cannot be read ({exc})") from None
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise IcsError(f"an event cannot be read ({_describe(exc)})") from None
    return ParsedFeed(normalize(busy), count, tuple(warnings))


def _parse(data: bytes) -> icalendar.Calendar:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if not head:
        raise IcsError("the feed is empty")
    if head.startswith(b"<"):  # <!DOCTYPE html>, <html>, <?xml …>: a login or error page
        raise IcsError(
            "the link returned a web page, not a calendar (was the secret address revoked?)"
        )
    if not head.startswith(b"BEGIN:VCALENDAR"):
        raise IcsError("the feed is not an iCalendar file (it does not start with BEGIN:VCALENDAR)")
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        reason = _describe(exc)
        if "no components" in reason or "END:VCALENDAR" not in data[-2048:].decode("latin-1"):
            raise IcsError("the calendar file is incomplete (cut off before its end)") from None
        raise IcsError(f"the calendar file is damaged ({reason})") from None
    if not isinstance(calendar, icalendar.Calendar):
        raise IcsError("the feed is not an iCalendar file")
    return calendar


def _naive_zone(calendar: icalendar.Calendar, owner: ZoneInfo, warnings: list[str]) -> ZoneInfo:
    declared = calendar.get("X-WR-TIMEZONE")
    if declared is None:
        return owner
    try:
        return ZoneInfo(str(declared))
    except (ZoneInfoNotFoundError, ValueError):
        # recurring-ical-events would fail on it; drop it and fall back to the owner's zone.
        del calendar["X-WR-TIMEZONE"]
        warnings.append(f"unknown calendar time zone {str(declared)[:64]}: ignored")
        return owner


def _unknown_tzids(calendar: icalendar.Calendar) -> set[str]:
    """TZIDs that icalendar could not resolve: it leaves such times naive."""
    unknown: set[str] = set()
    for event in calendar.walk("VEVENT"):
        for name in _ZONED_PROPERTIES:
            prop = event.get(name)
            if prop is None or "TZID" not in prop.params:
                continue
            value = getattr(prop, "dt", None)
            if isinstance(value, datetime) and value.tzinfo is None:
                unknown.add(str(prop.params["TZID"])[:64])
    return unknown


def _busy_of(
    occurrences: Iterable[Any], owner: ZoneInfo, naive_zone: ZoneInfo
) -> tuple[list[Interval], int]:
    busy: list[Interval] = []
    count = 0
    for occurrence in occurrences:
        count += 1
        if _is_free(occurrence):
            continue
        try:
            start, end = occurrence.start, occurrence.end
        except (ValueError, KeyError, TypeError) as exc:
            uid = str(occurrence.get("UID", "?"))[:80]
            raise IcsError(f"event {uid} has no readable start or end ({_describe(exc)})") from None
        first = _earliest(start, owner, naive_zone)
        last = _latest(end, owner, naive_zone)
        if first < last:
            busy.append(Interval(first, last))
    return busy, count


def _is_free(event: Any) -> bool:
    if str(event.get("STATUS", "")).upper() == _FREE_STATUS:
        return True
    if str(event.get("TRANSP", "")).upper() == "TRANSPARENT":
        return True
    return str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() == "FREE"


def _earliest(value: date, owner: ZoneInfo, naive_zone: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        return day_span(value, owner).start
    if value.tzinfo is None:
        value = value.replace(tzinfo=naive_zone)
    return min(value.astimezone(UTC), value.replace(fold=1).astimezone(UTC))


def _latest(value: date, owner: ZoneInfo, naive_zone: ZoneInfo) -> datetime:
    # An all-day event's end date is exclusive: the busy time ends when that date begins.
    if not isinstance(value, datetime):
        return day_span(value, owner).start
    if value.tzinfo is None:
        value = value.replace(tzinfo=naive_zone)
    return max(value.astimezone(UTC), value.replace(fold=1).astimezone(UTC))


def _describe(exc: BaseException) -> str:
    text = str(exc).replace("\r", " ").replace("\n", " ").strip() or type(exc).__name__
    return text[:200]


class IcsCalendar:
    """An ICS subscription as a ``CalendarAdapter``.

    State kept between syncs: ``etag``, ``last_modified``, ``content_hash`` (for the
    cheap "unchanged" answer), ``zone`` and ``until`` (what the stored blocks were
    computed for), ``events`` and ``parser``. A stored verdict is reused only if it was
    computed in the same zone, by the same reader, up to at least the window's end.
    """

    def __init__(
        self,
        url: str,
        zone: ZoneInfo,
        *,
        allow_loopback: bool = False,
        limits: FetchLimits | None = None,
    ) -> None:
        self.url = url
        self.zone = zone
        self.allow_loopback = allow_loopback
        self.limits = limits or FetchLimits()

    def fetch_busy(self, window: Interval, state: State) -> BusyResult:
        """Busy time in ``window``; ``busy is None`` when the feed has not changed."""
        reusable = self._covers(state, window)
        try:
            fetched = fetch(
                self.url,
                etag=state.get("etag") if reusable else None,
                last_modified=state.get("last_modified") if reusable else None,
                allow_loopback=self.allow_loopback,
                limits=self.limits,
            )
        except FetchError as exc:
            raise SyncError(str(exc)) from None
        validators = {
            "etag": fetched.etag or (state.get("etag") if fetched.not_modified else None),
            "last_modified": fetched.last_modified
            or (state.get("last_modified") if fetched.not_modified else None),
        }
        if fetched.not_modified:
            if not reusable:
                raise SyncError("the server answered 304 Not Modified to a plain request")
            return BusyResult({**state, **validators}, None, state.get("events"))
        digest = content_hash(fetched.body)
        if reusable and digest == state.get("content_hash"):
            return BusyResult({**state, **validators}, None, state.get("events"))
        until = window.end + COVER_SLACK
        parsed = parse_busy(fetched.body, Interval(window.start, until), self.zone)
        new_state = {
            **validators,
            "content_hash": digest,
            "zone": self.zone.key,
            "until": until.isoformat(),
            "events": parsed.events,
            "parser": PARSER_VERSION,
        }
        return BusyResult(new_state, parsed.busy, parsed.events, parsed.warnings)

    def _covers(self, state: State, window: Interval) -> bool:
        if state.get("parser") != PARSER_VERSION or state.get("zone") != self.zone.key:
            return False
        try:
            until = datetime.fromisoformat(str(state.get("until")))
        except ValueError:
            return False
        return until.tzinfo is not None and until >= window.end
