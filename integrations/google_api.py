"""Talking to the Google Calendar API: the service object, retries, and the calls Cadre makes.

Nothing here knows Flask or the database. Credentials come in as a plain access token
with its expiry and a ``refresh`` callback (the app refreshes through Authlib, whose
update hook stores the new token); the service is built from the API description that
ships with google-api-python-client (``static_discovery``), so building it needs no
network. ``api_endpoint`` is Google's by default and a local fake in tests.

Retries: ``call`` retries 429, 5xx, rate-limit 403s and network timeouts with
exponential backoff and full jitter (``uniform(0, min(cap, base * 2**n))``), honouring a
short ``Retry-After``. Any other 4xx is an answer, not a hiccup: it is raised at once.
One service object per job: httplib2 connections are not thread-safe.
"""

from __future__ import annotations

import json
import logging
import random
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httplib2
from google.auth.credentials import Credentials
from google_auth_httplib2 import AuthorizedHttp
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

log = logging.getLogger(__name__)

DEFAULT_ENDPOINT = "https://www.googleapis.com"
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})

Refresher = Callable[[], tuple[str, datetime | None]]


class AccessRevoked(Exception):
    """The refresh token was refused (``invalid_grant``): the owner must reconnect."""


class CallbackCredentials(Credentials):
    """A bearer token whose refresh is delegated to ``refresher`` (the app's Authlib client).

    google-auth calls ``refresh`` before a request when the token is about to expire and
    after a 401; the callback returns the new access token and its expiry (aware UTC).
    """

    def __init__(self, token: str, expiry: datetime | None, refresher: Refresher) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.token = token
        self.expiry = _naive_utc(expiry)  # google-auth compares naive UTC datetimes
        self._refresher = refresher

    def refresh(self, request: Any) -> None:
        token, expiry = self._refresher()
        self.token = token
        self.expiry = _naive_utc(expiry)


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None)


def api_base(endpoint: str | None) -> str:
    return (endpoint or DEFAULT_ENDPOINT).rstrip("/") + "/calendar/v3/"


def build_service(credentials: Credentials, endpoint: str | None, timeout_s: float = 30.0) -> Any:
    """A Calendar v3 service on ``endpoint``; no network until the first call."""
    http = AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout_s))
    return build(
        "calendar",
        "v3",
        http=http,
        client_options={"api_endpoint": api_base(endpoint)},
        static_discovery=True,
        cache_discovery=False,
    )


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait. ``base_s`` doubles each attempt, capped at ``cap_s``."""

    attempts: int = 5
    base_s: float = 1.0
    cap_s: float = 32.0
    max_retry_after_s: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        backoff = random.uniform(0, min(self.cap_s, self.base_s * 2**attempt))
        if retry_after is not None and retry_after <= self.max_retry_after_s:
            return max(backoff, retry_after)
        return backoff


def error_reason(exc: HttpError) -> str | None:
    """The first ``errors[].reason`` of a Google error body (``rateLimitExceeded``, ...)."""
    try:
        content = exc.content
        data = json.loads(content.decode("utf-8") if isinstance(content, bytes) else content)
        errors = data["error"].get("errors") or []
        reason = errors[0].get("reason") if errors else None
    except (ValueError, KeyError, AttributeError, TypeError, IndexError):
        return None
    return str(reason) if reason else None


def status_of(exc: HttpError) -> int:
    return int(exc.resp.status)


def retryable(exc: BaseException) -> bool:
    """429, 5xx, rate-limit 403s and network trouble; never another 4xx."""
    if isinstance(exc, HttpError):
        status = status_of(exc)
        if status == 429 or status >= 500:
            return True
        return status == 403 and error_reason(exc) in RATE_LIMIT_REASONS
    return isinstance(exc, (TimeoutError, socket.timeout, ConnectionError, httplib2.HttpLib2Error))


def _retry_after(exc: BaseException) -> float | None:
    if not isinstance(exc, HttpError):
        return None
    value = exc.resp.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def call(request: Any, policy: RetryPolicy) -> Any:
    """``request.execute()`` with Cadre's retry rule (the library's own retries are off)."""
    for attempt in range(policy.attempts):
        try:
            return request.execute(num_retries=0)
        except Exception as exc:
            if not retryable(exc) or attempt == policy.attempts - 1:
                raise
            wait = policy.delay(attempt, _retry_after(exc))
            log.info("Google API %s; retry %d in %.2fs", _brief(exc), attempt + 1, wait)
            policy.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def _brief(exc: BaseException) -> str:
    if isinstance(exc, HttpError):
        return f"HTTP {status_of(exc)} {error_reason(exc) or ''}".strip()
    return type(exc).__name__


def describe(exc: BaseException) -> str:
    """A sentence for the owner (stored as the source's or the write-back's last error)."""
    if isinstance(exc, AccessRevoked):
        return "Google refused the saved access; reconnect the account"
    if isinstance(exc, HttpError):
        status = status_of(exc)
        reason = error_reason(exc)
        if status in (401, 403) and reason not in RATE_LIMIT_REASONS:
            return f"Google refused access to this calendar (HTTP {status})"
        if status == 404:
            return "Google no longer has this calendar (deleted, or access removed)"
        if retryable(exc):
            return f"Google Calendar is unavailable (HTTP {status}), will retry"
        return f"Google Calendar answered HTTP {status}" + (f" ({reason})" if reason else "")
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return "Google Calendar did not answer in time, will retry"
    if isinstance(exc, (ConnectionError, httplib2.HttpLib2Error)):
        return "Could not reach Google Calendar, will retry"
    return f"unexpected error talking to Google ({type(exc).__name__})"


# --- the calls --------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarInfo:
    calendar_id: str
    summary: str
    time_zone: str | None
    access_role: str
    primary: bool


def list_calendars(service: Any, policy: RetryPolicy) -> list[CalendarInfo]:
    """Every calendar of the account (``calendarList.list``, pages followed)."""
    found: list[CalendarInfo] = []
    page_token: str | None = None
    while True:
        page = call(
            service.calendarList().list(maxResults=250, pageToken=page_token, showHidden=False),
            policy,
        )
        for item in page.get("items", []):
            if item.get("deleted"):
                continue
            found.append(
                CalendarInfo(
                    calendar_id=str(item["id"]),
                    summary=str(item.get("summaryOverride") or item.get("summary") or item["id"]),
                    time_zone=item.get("timeZone"),
                    access_role=str(item.get("accessRole", "reader")),
                    primary=bool(item.get("primary", False)),
                )
            )
        page_token = page.get("nextPageToken")
        if not page_token:
            return found


def put_event(
    service: Any,
    calendar_id: str,
    event_id: str,
    body: dict[str, Any],
    policy: RetryPolicy,
    *,
    exists: bool = False,
    send_updates: str = "none",
) -> dict[str, Any]:
    """Create the event with our own id, or update it if it already exists.

    The id is chosen by us, so when an insert's answer was lost and the call is retried,
    Google answers 409 ("duplicate") instead of creating a second event: we patch instead.
    ``exists``: the event was created before, so patch first (insert only if Google
    answers 404, i.e. it never had it).
    """
    # iCalUID is set once, at creation; a patch leaves it alone.
    changes = {k: v for k, v in body.items() if k != "iCalUID"}
    if exists:
        try:
            return patch_event(
                service, calendar_id, event_id, changes, policy, send_updates=send_updates
            )
        except HttpError as exc:
            if status_of(exc) != 404:
                raise
    try:
        created: dict[str, Any] = call(
            service.events().insert(
                calendarId=calendar_id, body={**body, "id": event_id}, sendUpdates=send_updates
            ),
            policy,
        )
        return created
    except HttpError as exc:
        if status_of(exc) != 409:
            raise
    return patch_event(service, calendar_id, event_id, changes, policy, send_updates=send_updates)


def patch_event(
    service: Any,
    calendar_id: str,
    event_id: str,
    body: dict[str, Any],
    policy: RetryPolicy,
    *,
    send_updates: str = "none",
) -> dict[str, Any]:
    # A cancelled event with our id (deleted earlier) comes back to life with status.
    patched: dict[str, Any] = call(
        service.events().patch(
            calendarId=calendar_id,
            eventId=event_id,
            body={**body, "status": "confirmed"},
            sendUpdates=send_updates,
        ),
        policy,
    )
    return patched


def delete_event(
    service: Any,
    calendar_id: str,
    event_id: str,
    policy: RetryPolicy,
    *,
    send_updates: str = "none",
) -> bool:
    """Delete the event; False when it was already gone (404 or 410)."""
    try:
        call(
            service.events().delete(
                calendarId=calendar_id, eventId=event_id, sendUpdates=send_updates
            ),
            policy,
        )
    except HttpError as exc:
        if status_of(exc) in (404, 410):
            return False
        raise
    return True
