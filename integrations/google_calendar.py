"""Google Calendar as a ``CalendarAdapter``: busy time from ``events.list``, kept by sync token.

A **full sync** lists the events of ``[window.start, window.end + HORIZON)`` with
``singleEvents=true`` (recurring series arrive as their instances, each with its own id),
follows ``nextPageToken`` and keeps the ``nextSyncToken`` of the last page. It returns one
keyed block per busy event, replacing the source's blocks.

An **incremental sync** sends only ``syncToken`` (Google refuses ``timeMin``/``timeMax``
with it) and gets back just what changed since: a moved instance comes back with its new
times, a deleted instance or event with ``status: cancelled``. Each change becomes one
keyed block update, insert or delete, so one change touches one row.

A full sync is done again when there is no token, when Google answers 410 (the token
expired: the new full result replaces the blocks in one transaction, which drops the old
ones), or when the booking window has moved past the synced horizon (the token would
never report events that were beyond it, so roughly every ``HORIZON`` days).

Free, not busy: cancelled events, ``transparency: transparent``, invitations the account
declined, ``workingLocation`` and ``birthday`` events, and Cadre's own write-back events
(they are bookings already, and counting them twice would block their own reschedule).
All-day events (``date``, exclusive end) are midnight to midnight in the calendar's zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from googleapiclient.errors import HttpError

from integrations.base import BusyResult, KeyedBusy, State, SyncError
from schedules import Interval

from .google_api import AccessRevoked, RetryPolicy, call, describe, status_of

HORIZON = timedelta(days=7)
PAGE_SIZE = 2500  # the API's maximum: fewer round trips on a full sync
FREE_EVENT_TYPES = frozenset({"workingLocation", "birthday"})
CADRE_PROPERTY = "cadreBooking"  # private extended property set on write-back events
STATE_VERSION = 1


class GoogleSyncError(SyncError):
    """A sync that failed; the message is for the owner."""


class GoogleCalendarAdapter:
    """Busy time of one Google calendar. ``service_factory`` builds one service per fetch."""

    def __init__(
        self,
        service_factory: Callable[[], Any],
        calendar_id: str,
        zone: ZoneInfo,
        *,
        retry: RetryPolicy | None = None,
        page_size: int = PAGE_SIZE,
        horizon: timedelta = HORIZON,
    ) -> None:
        self.service_factory = service_factory
        self.calendar_id = calendar_id
        self.zone = zone
        self.retry = retry or RetryPolicy()
        self.page_size = page_size
        self.horizon = horizon

    def fetch_busy(self, window: Interval, state: State) -> BusyResult:
        try:
            with self.service_factory() as service:  # closed after the job: no stray sockets
                return self._sync(service, window, state)
        except AccessRevoked as exc:
            raise GoogleSyncError(describe(exc)) from exc
        except HttpError as exc:
            raise GoogleSyncError(describe(exc)) from exc
        except (TimeoutError, OSError) as exc:
            raise GoogleSyncError(describe(exc)) from exc

    # --- the two kinds of sync ------------------------------------------------------

    def _sync(self, service: Any, window: Interval, state: State) -> BusyResult:
        if not self._can_continue(window, state):
            return self._full(service, window)
        try:
            return self._incremental(service, state)
        except HttpError as exc:
            if status_of(exc) != 410:
                raise
        # fullSyncRequired: the token expired. Start over; the full result replaces every
        # block of this calendar in the same transaction, which drops the old ones.
        result = self._full(service, window)
        return _with_warning(result, "Google asked for a full resync (sync token expired)")

    def _can_continue(self, window: Interval, state: State) -> bool:
        if state.get("version") != STATE_VERSION or not state.get("sync_token"):
            return False
        if state.get("calendar_id") != self.calendar_id:
            return False
        try:
            synced_until = datetime.fromisoformat(str(state["until"]))
        except (KeyError, ValueError):
            return False
        return synced_until >= window.end

    def _full(self, service: Any, window: Interval) -> BusyResult:
        until = window.end + self.horizon
        params = {
            "timeMin": _rfc3339(window.start),
            "timeMax": _rfc3339(until),
        }
        items, token, zone_name = self._list(service, params)
        zone = _zone(zone_name, self.zone)
        keyed = []
        for event in items:
            interval = event_interval(event, zone)
            if interval is not None:
                keyed.append(KeyedBusy(str(event["id"]), interval))
        state = self._state(token, window.start, until, zone)
        return BusyResult(state=state, busy=None, events=len(items), keyed=keyed, replace=True)

    def _incremental(self, service: Any, state: State) -> BusyResult:
        items, token, zone_name = self._list(service, {"syncToken": state["sync_token"]})
        zone = _zone(zone_name or state.get("time_zone"), self.zone)
        since = datetime.fromisoformat(str(state["from"]))
        until = datetime.fromisoformat(str(state["until"]))
        new_state = self._state(token, since, until, zone)
        if not items:
            return BusyResult(state=new_state, busy=None, events=0)
        changes = []
        for event in items:
            interval = event_interval(event, zone)
            if interval is not None and (interval.end <= since or interval.start >= until):
                interval = None  # moved out of the synced range: its block goes
            changes.append(KeyedBusy(str(event["id"]), interval))
        return BusyResult(
            state=new_state, busy=None, events=len(items), keyed=changes, replace=False
        )

    def _list(self, service: Any, params: dict[str, Any]) -> tuple[list[Any], str, str | None]:
        """Every page of ``events.list``: the items, the next sync token, the calendar zone."""
        items: list[Any] = []
        zone_name: str | None = None
        for page in self._pages(service, params):
            items.extend(page.get("items", []))
            zone_name = page.get("timeZone") or zone_name
            token = page.get("nextSyncToken")
            if token:
                return items, str(token), zone_name
        raise GoogleSyncError("Google did not return a sync token")

    def _pages(self, service: Any, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        page_token: str | None = None
        while True:
            request = service.events().list(
                calendarId=self.calendar_id,
                singleEvents=True,
                maxResults=self.page_size,
                pageToken=page_token,
                **params,
            )
            page: dict[str, Any] = call(request, self.retry)
            yield page
            page_token = page.get("nextPageToken")
            if not page_token:
                return

    def _state(
        self, token: str, since: datetime, until: datetime, zone: ZoneInfo
    ) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "calendar_id": self.calendar_id,
            "sync_token": token,
            "from": since.isoformat(),
            "until": until.isoformat(),
            "time_zone": zone.key,
        }


def _with_warning(result: BusyResult, warning: str) -> BusyResult:
    return BusyResult(
        state=result.state,
        busy=result.busy,
        events=result.events,
        warnings=(*result.warnings, warning),
        keyed=result.keyed,
        replace=result.replace,
    )


# --- one event → busy time ---------------------------------------------------------------


def event_interval(event: dict[str, Any], zone: ZoneInfo) -> Interval | None:
    """The busy time of one event (aware UTC), or None when it does not take time."""
    if event.get("status") == "cancelled" or event.get("transparency") == "transparent":
        return None
    if event.get("eventType") in FREE_EVENT_TYPES or _declined(event) or is_cadre_event(event):
        return None
    start = _moment(event.get("start"), zone)
    end = _moment(event.get("end"), zone)
    if start is None or end is None or end <= start:
        return None
    return Interval(start.astimezone(UTC), end.astimezone(UTC))


def is_cadre_event(event: dict[str, Any]) -> bool:
    private = (event.get("extendedProperties") or {}).get("private") or {}
    return CADRE_PROPERTY in private


def _declined(event: dict[str, Any]) -> bool:
    return any(
        attendee.get("self") and attendee.get("responseStatus") == "declined"
        for attendee in event.get("attendees") or []
    )


def _moment(value: dict[str, Any] | None, zone: ZoneInfo) -> datetime | None:
    if not value:
        return None
    try:
        if value.get("dateTime"):
            moment = datetime.fromisoformat(str(value["dateTime"]))
            if moment.tzinfo is None:  # RFC 3339 requires an offset; be lenient anyway
                moment = moment.replace(tzinfo=_zone(value.get("timeZone"), zone))
            return moment
        if value.get("date"):
            # All-day: midnight in the calendar's zone (Google's end date is exclusive).
            return datetime.combine(date.fromisoformat(str(value["date"])), time(0), zone)
    except ValueError:
        return None
    return None


def _zone(name: Any, fallback: ZoneInfo) -> ZoneInfo:
    if not name:
        return fallback
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        return fallback


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
