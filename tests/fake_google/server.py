"""A fake Google on 127.0.0.1 speaking the real HTTP API (OIDC, OAuth 2, Calendar v3).

The real Authlib client and the real google-api-python-client talk to it over HTTP::

    with FakeGoogle() as google:
        ana = google.add_user("ana@example.com")
        google.add_event(ana, start=..., end=...)
        google.fail("events.list", 500, times=2)   # two 500s, then normal answers
        google.count("events.list")                # requests seen, faults included

Endpoints: ``/.well-known/openid-configuration``, ``/o/oauth2/v2/auth`` (auto-consent:
redirects back with a code for ``consenting``), ``/token`` (client secret, PKCE S256,
refresh, ``invalid_grant`` once revoked), ``/revoke``, ``/oauth2/v3/certs`` (JWKS),
``/v1/userinfo``, and under ``/calendar/v3``: ``users/me/calendarList``,
``calendars/{id}/events`` (list with pages, sync tokens and 410; insert) and
``calendars/{id}/events/{eventId}`` (get, patch, put, delete).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from .oidc import id_token, jwks, signing_key
from .state import (
    KNOWN_SCOPES,
    LIST_SCOPES,
    READ_EVENT_SCOPES,
    WRITE_EVENT_SCOPES,
    Calendar,
    Grant,
    State,
    User,
)

CLIENT_ID = "fake-client-id.apps.googleusercontent.com"
CLIENT_SECRET = "fake-client-secret"
EVENT_ID = re.compile(r"^[a-v0-9]{5,1024}$")
EVENTS_PATH = re.compile(r"^/calendar/v3/calendars/([^/]+)/events(?:/([^/]+))?$")


class Reply(Exception):
    """Raised by a route to answer with ``status`` and a JSON body."""

    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


def api_error(status: int, reason: str, message: str) -> Reply:
    return Reply(
        status,
        {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"domain": "global", "reason": reason, "message": message}],
            }
        },
    )


@dataclass
class Fault:
    op: str
    status: int | None  # None: a timeout
    times: int
    reason: str | None = None
    after: bool = False  # timeout after doing the work (the answer is lost)
    retry_after: str | None = None


class FakeGoogle:
    def __init__(self, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.state = State()
        self.lock = threading.RLock()
        self.key = signing_key()
        self.counts: Counter[str] = Counter()
        self.log: list[tuple[str, str, dict[str, list[str]]]] = []
        self.faults: list[Fault] = []
        self.outage: int | None = None  # every Calendar API call answers this status
        self.timeout_s = 2.0  # how long a "timeout" fault keeps the client waiting
        self.access_token_lifetime = timedelta(hours=1)
        self.consenting: User | None = None  # who clicks "Allow" on the consent screen
        self.granted_scopes: set[str] | None = None  # None: everything asked for
        self.deny_next = False
        self.invitations: list[tuple[str, str]] = []  # (event id, attendee) Google mailed
        # Benchmarks: each Calendar API answer waits ``latency_s`` (outside the lock), and
        # requests are counted per calendar while being answered: ``most_in_flight`` > 1
        # for a calendar means two requests for it overlapped.
        self.latency_s = 0.0
        self.in_flight: Counter[str] = Counter()
        self.most_in_flight: Counter[str] = Counter()
        self.served: Counter[str] = Counter()  # events.list answers per calendar
        self.first_served: float | None = None  # time.monotonic() of the first and last
        self.last_served: float | None = None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def metadata_url(self) -> str:
        return self.base_url + "/.well-known/openid-configuration"

    def start(self) -> FakeGoogle:
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeGoogle:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def app_config(self) -> dict[str, Any]:
        """Settings that point a Cadre app at this fake."""
        return {
            "GOOGLE_CLIENT_ID": self.client_id,
            "GOOGLE_CLIENT_SECRET": self.client_secret,
            "GOOGLE_API_ENDPOINT": self.base_url,
            "GOOGLE_METADATA_URL": self.metadata_url,
        }

    # --- the test's controls ------------------------------------------------------------

    def add_user(self, email: str, time_zone: str = "Europe/Paris") -> User:
        with self.lock:
            user = self.state.add_user(email, time_zone)
            self.consenting = self.consenting or user
            return user

    def add_calendar(self, user: User, calendar_id: str, summary: str, **kw: Any) -> Calendar:
        with self.lock:
            return self.state.add_calendar(user, calendar_id, summary, **kw)

    def add_event(
        self,
        user: User,
        start: datetime | date,
        end: datetime | date,
        *,
        calendar_id: str | None = None,
        event_id: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        with self.lock:
            calendar = user.calendar(calendar_id)
            event = {
                "id": event_id or "ev" + secrets.token_hex(8),
                "start": _when(start),
                "end": _when(end),
                "summary": fields.pop("summary", "Busy"),
                **fields,
            }
            return dict(self.state.put(calendar, event))

    def add_series(
        self,
        user: User,
        master_id: str,
        first_start: datetime,
        duration: timedelta,
        rule: str,
        *,
        calendar_id: str | None = None,
        **fields: Any,
    ) -> list[dict[str, Any]]:
        with self.lock:
            calendar = user.calendar(calendar_id)
            return self.state.add_series(calendar, master_id, first_start, duration, rule, **fields)

    def change_event(
        self, user: User, event_id: str, *, calendar_id: str | None = None, **changes: Any
    ) -> dict[str, Any]:
        """Edit an event as the account's owner would in Google Calendar."""
        with self.lock:
            calendar = user.calendar(calendar_id)
            event = calendar.events[event_id]
            for name, value in changes.items():
                event[name] = _when(value) if name in ("start", "end") else value
            return dict(self.state.touch(event))

    def cancel_event(self, user: User, event_id: str, *, calendar_id: str | None = None) -> None:
        self.change_event(user, event_id, calendar_id=calendar_id, status="cancelled")

    def events(self, user: User, calendar_id: str | None = None) -> list[dict[str, Any]]:
        """Live (not cancelled) events of a calendar, instances included."""
        with self.lock:
            calendar = user.calendar(calendar_id)
            return [
                dict(e)
                for e in calendar.events.values()
                if e.get("status") != "cancelled" and "recurrence" not in e
            ]

    def expire_sync_tokens(self, user: User, calendar_id: str | None = None) -> None:
        with self.lock:
            user.calendar(calendar_id).min_valid_seq = self.state.current_seq + 1

    def revoke_access(self, user: User) -> None:
        """The user removes Cadre from their Google account's third-party access."""
        with self.lock:
            for grant in self.state.grants:
                if grant.sub == user.sub:
                    grant.revoked = True

    def expire_access_tokens(self) -> None:
        with self.lock:
            for token in self.state.access_tokens.values():
                token.expires_at = datetime.now(UTC) - timedelta(seconds=1)

    def fail(
        self,
        op: str,
        status: int | None,
        *,
        times: int = 1,
        reason: str | None = None,
        after: bool = False,
        retry_after: str | None = None,
    ) -> None:
        """The next ``times`` requests of ``op`` (or ``"*"``) fail; ``status=None`` times out."""
        with self.lock:
            self.faults.append(Fault(op, status, times, reason, after, retry_after))

    def count(self, op: str) -> int:
        with self.lock:
            return self.counts[op]

    def reset_counts(self) -> None:
        with self.lock:
            self.counts.clear()
            self.log.clear()
            self.served.clear()
            self.most_in_flight.clear()
            self.first_served = self.last_served = None

    def issue_tokens(self, user: User) -> dict[str, Any]:
        """A consent granted out of band (benchmarks): the token answer, with ``userinfo``."""
        from .state import SCOPE_CALENDAR_LIST, SCOPE_EVENTS

        with self.lock:
            scope = f"openid email {SCOPE_CALENDAR_LIST} {SCOPE_EVENTS}"
            grant = Grant(user.sub, self.client_id, scope, "1//" + secrets.token_urlsafe(32))
            self.state.grants.append(grant)
            access = self.state.new_access_token(grant, self.access_token_lifetime)
            return {
                "access_token": access,
                "refresh_token": grant.refresh_token,
                "token_type": "Bearer",
                "expires_at": int(time.time() + self.access_token_lifetime.total_seconds()),
                "scope": scope,
                "userinfo": {"sub": user.sub, "email": user.email},
            }

    def refresh_tokens(self, user: User) -> list[str]:
        with self.lock:
            return [
                g.refresh_token for g in self.state.grants if g.sub == user.sub and g.refresh_token
            ]

    # --- used by the handler ------------------------------------------------------------

    def take_fault(self, op: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.op in (op, "*") and fault.times > 0:
                    fault.times -= 1
                    return fault
            return None

    def metadata(self) -> dict[str, Any]:
        base = self.base_url
        return {
            "issuer": base,
            "authorization_endpoint": base + "/o/oauth2/v2/auth",
            "token_endpoint": base + "/token",
            "userinfo_endpoint": base + "/v1/userinfo",
            "revocation_endpoint": base + "/revoke",
            "jwks_uri": base + "/oauth2/v3/certs",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["plain", "S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
        }


def _when(value: datetime | date | dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, datetime):
        assert value.tzinfo is not None
        result: dict[str, Any] = {"dateTime": value.isoformat()}
        key = getattr(value.tzinfo, "key", None)
        if key:
            result["timeZone"] = key
        return result
    return {"date": value.isoformat()}


def _handler(fake: FakeGoogle) -> type[BaseHTTPRequestHandler]:
    from . import routes

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query, keep_blank_values=True)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            op, route = routes.resolve(method, parts.path)
            calendar = parts.path.split("/events", 1)[0] if op.startswith("events") else None
            with fake.lock:
                fake.counts[op] += 1
                fake.log.append((op, method, query))
                if calendar is not None:
                    fake.in_flight[calendar] += 1
                    fake.most_in_flight[calendar] = max(
                        fake.most_in_flight[calendar], fake.in_flight[calendar]
                    )
            try:
                if calendar is not None and fake.latency_s:
                    time.sleep(fake.latency_s)
                self._answer(op, route, method, parts.path, query, body)
            finally:
                if calendar is not None:
                    with fake.lock:
                        fake.in_flight[calendar] -= 1
                        if op == "events.list":
                            fake.served[calendar] += 1
                            fake.last_served = time.monotonic()
                            fake.first_served = fake.first_served or fake.last_served

        def _answer(
            self, op: str, route: Any, method: str, path: str, query: Any, body: bytes
        ) -> None:
            fault = (
                fake.take_fault(op) if op.startswith(("events", "calendarList", "token")) else None
            )
            try:
                if fault is not None and not fault.after:
                    self._fault(fault)
                    return
                if fake.outage is not None and op.startswith(("events", "calendarList")):
                    raise api_error(fake.outage, "backendError", "Backend Error")
                with fake.lock:
                    status, payload, headers = route(fake, self, method, path, query, body)
            except Reply as reply:
                status, payload, headers = reply.status, reply.body, reply.headers
            if fault is not None and fault.after:
                self._fault(fault)  # the work is done, but the answer never arrives
                return
            self._send(status, payload, headers)

        def _fault(self, fault: Fault) -> None:
            if fault.status is None:
                time.sleep(fake.timeout_s)
                self.close_connection = True
                return
            reasons = {429: "rateLimitExceeded", 403: "rateLimitExceeded"}
            reply = api_error(
                fault.status, fault.reason or reasons.get(fault.status, "backendError"), "fault"
            )
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._send(reply.status, reply.body, headers)

        def _send(self, status: int, payload: Any, headers: dict[str, str]) -> None:
            try:
                if status in (301, 302, 303):
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                data = b"" if payload is None else json.dumps(payload).encode()
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/json; charset=UTF-8")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def form(self, body: bytes) -> dict[str, str]:
            return {k: v[0] for k, v in parse_qs(body.decode()).items()}

        def basic_auth(self) -> tuple[str, str] | None:
            value = self.headers.get("Authorization", "")
            if not value.startswith("Basic "):
                return None
            decoded = base64.b64decode(value[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            return unquote(client_id), unquote(secret)

        def bearer(self) -> str | None:
            value = self.headers.get("Authorization", "")
            return value[7:] if value.startswith("Bearer ") else None

    return Handler


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def redirect_to(url: str, params: dict[str, str]) -> Reply:
    joiner = "&" if "?" in url else "?"
    return Reply(302, None, {"Location": url + joiner + urlencode(params)})


__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "EVENTS_PATH",
    "EVENT_ID",
    "KNOWN_SCOPES",
    "LIST_SCOPES",
    "READ_EVENT_SCOPES",
    "WRITE_EVENT_SCOPES",
    "FakeGoogle",
    "Grant",
    "Reply",
    "api_error",
    "id_token",
    "jwks",
    "redirect_to",
    "s256",
]
