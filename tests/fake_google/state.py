"""What the fake Google knows: accounts, calendars, events, OAuth grants, sync positions.

Every change to an event takes the next number of one global sequence; a sync token is
"the sequence number when this listing started", so an incremental list is simply every
event of the calendar changed after it, deleted ones included (``status: cancelled``).
``expire_sync_tokens`` makes older tokens answer 410, as Google does after a while.

Recurring series are stored the way ``singleEvents=true`` shows them: the master (with
``recurrence``) plus one event per instance, id ``<master>_<UTC start>`` and
``recurringEventId``/``originalStartTime`` set. Moving or cancelling an instance changes
that one event, exactly what Google reports for an exception.
"""

from __future__ import annotations

import copy
import itertools
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr

SCOPE_CALENDAR_LIST = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
SCOPE_EVENTS = "https://www.googleapis.com/auth/calendar.events"
KNOWN_SCOPES = frozenset(
    {
        "openid",
        "email",
        "profile",
        SCOPE_CALENDAR_LIST,
        SCOPE_EVENTS,
        "https://www.googleapis.com/auth/calendar",
        "https://www.googleapis.com/auth/calendar.readonly",
        "https://www.googleapis.com/auth/calendar.events.readonly",
    }
)
LIST_SCOPES = frozenset(
    {
        SCOPE_CALENDAR_LIST,
        "https://www.googleapis.com/auth/calendar",
        "https://www.googleapis.com/auth/calendar.readonly",
    }
)
READ_EVENT_SCOPES = frozenset(
    {
        SCOPE_EVENTS,
        "https://www.googleapis.com/auth/calendar",
        "https://www.googleapis.com/auth/calendar.readonly",
        "https://www.googleapis.com/auth/calendar.events.readonly",
    }
)
WRITE_EVENT_SCOPES = frozenset({SCOPE_EVENTS, "https://www.googleapis.com/auth/calendar"})


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


@dataclass
class Calendar:
    id: str
    summary: str
    time_zone: str
    access_role: str = "owner"
    primary: bool = False
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    min_valid_seq: int = 0  # sync tokens from before this answer 410

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass
class User:
    sub: str
    email: str
    calendars: dict[str, Calendar] = field(default_factory=dict)

    def calendar(self, calendar_id: str | None = None) -> Calendar:
        return self.calendars[calendar_id or self.email]


@dataclass
class Grant:
    """One consent: a refresh token and the access tokens issued from it."""

    sub: str
    client_id: str
    scope: str
    refresh_token: str | None
    revoked: bool = False


@dataclass
class AccessToken:
    grant: Grant
    expires_at: datetime


class State:
    """Thread-safety is the server's job: it holds one lock around every operation."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.seq = itertools.count(1)
        self.current_seq = 0
        self.grants: list[Grant] = []
        self.access_tokens: dict[str, AccessToken] = {}
        self.codes: dict[str, dict[str, Any]] = {}
        self.pages: dict[str, dict[str, Any]] = {}

    # --- accounts and calendars ------------------------------------------------------

    def add_user(self, email: str, time_zone: str = "Europe/Paris") -> User:
        user = User(sub=str(100000 + len(self.users) + 1) + secrets.token_hex(4), email=email)
        self.users[user.sub] = user
        self.add_calendar(user, email, email, time_zone, primary=True)
        return user

    def add_calendar(
        self,
        user: User,
        calendar_id: str,
        summary: str,
        time_zone: str = "Europe/Paris",
        *,
        access_role: str = "owner",
        primary: bool = False,
    ) -> Calendar:
        calendar = Calendar(calendar_id, summary, time_zone, access_role, primary)
        user.calendars[calendar_id] = calendar
        return calendar

    def user_by_email(self, email: str) -> User:
        return next(u for u in self.users.values() if u.email == email)

    # --- events ------------------------------------------------------------------------

    def touch(self, event: dict[str, Any]) -> dict[str, Any]:
        self.current_seq = next(self.seq)
        event["_seq"] = self.current_seq
        event["updated"] = rfc3339(datetime.now(UTC))
        event["etag"] = f'"{self.current_seq}"'
        return event

    def put(self, calendar: Calendar, event: dict[str, Any]) -> dict[str, Any]:
        event.setdefault("status", "confirmed")
        event.setdefault("kind", "calendar#event")
        event.setdefault("iCalUID", f"{event['id']}@google.com")
        event.setdefault("created", rfc3339(datetime.now(UTC)))
        calendar.events[event["id"]] = self.touch(event)
        return event

    def add_series(
        self,
        calendar: Calendar,
        master_id: str,
        first_start: datetime,
        duration: timedelta,
        rule: str,
        **fields: Any,
    ) -> list[dict[str, Any]]:
        """A recurring event: the master and its instances (local wall-clock times, DST-safe)."""
        zone = first_start.tzinfo
        assert isinstance(zone, ZoneInfo)
        master = {
            "id": master_id,
            "start": {"dateTime": first_start.isoformat(), "timeZone": zone.key},
            "end": {"dateTime": (first_start + duration).isoformat(), "timeZone": zone.key},
            "recurrence": [f"RRULE:{rule}"],
            **fields,
        }
        self.put(calendar, master)
        naive_first = first_start.replace(tzinfo=None)
        instances = []
        for occurrence in rrulestr(rule, dtstart=naive_first):
            start = occurrence.replace(tzinfo=zone)
            end = (occurrence + duration).replace(tzinfo=zone)
            stamp = start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            instance = {
                "id": f"{master_id}_{stamp}",
                "recurringEventId": master_id,
                "originalStartTime": {"dateTime": start.isoformat(), "timeZone": zone.key},
                "start": {"dateTime": start.isoformat(), "timeZone": zone.key},
                "end": {"dateTime": end.isoformat(), "timeZone": zone.key},
                **copy.deepcopy(fields),
            }
            instances.append(self.put(calendar, instance))
        return instances

    def span(self, calendar: Calendar, event: dict[str, Any]) -> tuple[datetime, datetime] | None:
        start = moment(event.get("start"), calendar.zone())
        end = moment(event.get("end"), calendar.zone())
        if start is None or end is None:
            return None
        return start, end

    # --- tokens ------------------------------------------------------------------------

    def new_access_token(self, grant: Grant, lifetime: timedelta) -> str:
        token = "ya29." + secrets.token_urlsafe(24)
        self.access_tokens[token] = AccessToken(grant, datetime.now(UTC) + lifetime)
        return token

    def grant_for_refresh(self, refresh_token: str) -> Grant | None:
        return next((g for g in self.grants if g.refresh_token == refresh_token), None)

    def bearer(self, token: str) -> AccessToken | None:
        found = self.access_tokens.get(token)
        if found is None or found.grant.revoked or found.expires_at <= datetime.now(UTC):
            return None
        return found


def moment(value: dict[str, Any] | None, zone: ZoneInfo) -> datetime | None:
    if not value:
        return None
    if "dateTime" in value:
        parsed = datetime.fromisoformat(value["dateTime"].replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=ZoneInfo(value.get("timeZone") or zone.key))
        return parsed
    if "date" in value:
        return datetime.combine(date.fromisoformat(value["date"]), time(0), zone)
    return None
