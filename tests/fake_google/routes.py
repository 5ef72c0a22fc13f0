"""The fake's routes. Each takes (fake, handler, method, path, query, body) and returns
``(status, json, headers)`` or raises ``Reply``. They run under the fake's lock."""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from .state import Calendar, Grant, rfc3339

if TYPE_CHECKING:
    from .server import FakeGoogle

Route = Callable[..., tuple[int, Any, dict[str, str]]]
MAX_PAGE = 2500


def resolve(method: str, path: str) -> tuple[str, Route]:
    from .server import EVENTS_PATH

    fixed: dict[tuple[str, str], tuple[str, Route]] = {
        ("GET", "/.well-known/openid-configuration"): ("discovery", discovery),
        ("GET", "/o/oauth2/v2/auth"): ("authorize", authorize),
        ("POST", "/token"): ("token", token),
        ("POST", "/revoke"): ("revoke", revoke),
        ("GET", "/oauth2/v3/certs"): ("jwks", certs),
        ("GET", "/v1/userinfo"): ("userinfo", userinfo),
        ("GET", "/calendar/v3/users/me/calendarList"): ("calendarList.list", calendar_list),
    }
    if (method, path) in fixed:
        return fixed[(method, path)]
    match = EVENTS_PATH.match(path)
    if match:
        if match.group(2) is None:
            names = {"GET": "events.list", "POST": "events.insert"}
        else:
            names = {
                "GET": "events.get",
                "PATCH": "events.patch",
                "PUT": "events.update",
                "DELETE": "events.delete",
            }
        if method in names:
            return names[method], events
    return "unknown", not_found


def not_found(fake: FakeGoogle, h: Any, method: str, path: str, q: Any, body: bytes) -> Any:
    from .server import api_error

    raise api_error(404, "notFound", "Not Found")


# --- OpenID Connect and OAuth 2 -----------------------------------------------------------


def discovery(fake: FakeGoogle, *_: Any) -> tuple[int, Any, dict[str, str]]:
    return 200, fake.metadata(), {}


def certs(fake: FakeGoogle, *_: Any) -> tuple[int, Any, dict[str, str]]:
    from .server import jwks

    return 200, jwks(fake.key), {}


def authorize(fake: FakeGoogle, h: Any, method: str, path: str, q: Any, body: bytes) -> Any:
    """Auto-consent: ``fake.consenting`` says yes (or no, with ``deny_next``)."""
    from .server import KNOWN_SCOPES, Reply, redirect_to

    arg = {k: v[0] for k, v in q.items()}
    if arg.get("client_id") != fake.client_id:
        raise Reply(400, {"error": "invalid_client", "error_description": "unknown client"})
    redirect_uri = arg.get("redirect_uri", "")
    if not redirect_uri.startswith(("http://", "https://")):
        raise Reply(400, {"error": "redirect_uri_mismatch"})
    state = arg.get("state", "")
    if arg.get("response_type") != "code":
        raise redirect_to(redirect_uri, {"error": "unsupported_response_type", "state": state})
    if arg.get("code_challenge_method") != "S256" or not arg.get("code_challenge"):
        # This fake insists on PKCE S256: a client that forgets it fails loudly here.
        raise Reply(400, {"error": "invalid_request", "error_description": "PKCE S256 required"})
    requested = arg.get("scope", "").split()
    if not requested or not set(requested) <= KNOWN_SCOPES:
        raise redirect_to(redirect_uri, {"error": "invalid_scope", "state": state})
    if fake.deny_next or fake.consenting is None:
        fake.deny_next = False
        raise redirect_to(redirect_uri, {"error": "access_denied", "state": state})
    granted = [s for s in requested if fake.granted_scopes is None or s in fake.granted_scopes]
    code = "4/" + secrets.token_urlsafe(24)
    fake.state.codes[code] = {
        "client_id": fake.client_id,
        "redirect_uri": redirect_uri,
        "sub": fake.consenting.sub,
        "scope": " ".join(granted),
        "challenge": arg["code_challenge"],
        "nonce": arg.get("nonce"),
        "offline": arg.get("access_type") == "offline",
        "used": False,
    }
    raise redirect_to(redirect_uri, {"code": code, "state": state, "scope": " ".join(granted)})


def _client(fake: FakeGoogle, h: Any, form: dict[str, str]) -> None:
    from .server import Reply

    basic = h.basic_auth()
    client_id, secret = basic if basic else (form.get("client_id"), form.get("client_secret"))
    if client_id != fake.client_id or secret != fake.client_secret:
        raise Reply(401, {"error": "invalid_client", "error_description": "Unauthorized"})


def token(fake: FakeGoogle, h: Any, method: str, path: str, q: Any, body: bytes) -> Any:
    from .server import Reply, id_token, s256

    form = h.form(body)
    _client(fake, h, form)
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        code = fake.state.codes.get(form.get("code", ""))
        if code is None or code["used"]:
            raise Reply(
                400, {"error": "invalid_grant", "error_description": "Malformed auth code."}
            )
        code["used"] = True
        if form.get("redirect_uri") != code["redirect_uri"]:
            raise Reply(400, {"error": "redirect_uri_mismatch"})
        if s256(form.get("code_verifier", "")) != code["challenge"]:
            raise Reply(
                400, {"error": "invalid_grant", "error_description": "Invalid code verifier."}
            )
        user = fake.state.users[code["sub"]]
        refresh = "1//" + secrets.token_urlsafe(32) if code["offline"] else None
        grant = Grant(user.sub, fake.client_id, code["scope"], refresh)
        fake.state.grants.append(grant)
        access = fake.state.new_access_token(grant, fake.access_token_lifetime)
        answer = {
            "access_token": access,
            "expires_in": int(fake.access_token_lifetime.total_seconds()),
            "token_type": "Bearer",
            "scope": code["scope"],
        }
        if refresh:
            answer["refresh_token"] = refresh
        if "openid" in code["scope"].split():
            answer["id_token"] = id_token(
                fake.key,
                issuer=fake.base_url,
                client_id=fake.client_id,
                sub=user.sub,
                email=user.email,
                nonce=code["nonce"],
                access_token=access,
            )
        return 200, answer, {"Cache-Control": "no-store"}
    if grant_type == "refresh_token":
        fake.counts["token.refresh"] += 1
        grant = fake.state.grant_for_refresh(form.get("refresh_token", ""))
        if grant is None or grant.revoked or grant.client_id != fake.client_id:
            raise Reply(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                },
            )
        access = fake.state.new_access_token(grant, fake.access_token_lifetime)
        # Like Google: no new refresh token in the answer.
        return (
            200,
            {
                "access_token": access,
                "expires_in": int(fake.access_token_lifetime.total_seconds()),
                "token_type": "Bearer",
                "scope": grant.scope,
            },
            {"Cache-Control": "no-store"},
        )
    raise Reply(400, {"error": "unsupported_grant_type"})


def revoke(fake: FakeGoogle, h: Any, method: str, path: str, q: Any, body: bytes) -> Any:
    from .server import Reply

    form = h.form(body)
    value = form.get("token", "")
    grant = fake.state.grant_for_refresh(value)
    if grant is None and value in fake.state.access_tokens:
        grant = fake.state.access_tokens[value].grant
    if grant is None or grant.revoked:
        raise Reply(
            400, {"error": "invalid_token", "error_description": "Token expired or revoked"}
        )
    grant.revoked = True  # Google revokes the whole grant: refresh and access tokens
    return 200, {}, {}


def _authorized(fake: FakeGoogle, h: Any, scopes: frozenset[str]) -> Grant:
    from .server import Reply, api_error

    found = fake.state.bearer(h.bearer() or "")
    if found is None:
        reply = api_error(401, "authError", "Request had invalid authentication credentials.")
        reply.headers["WWW-Authenticate"] = 'Bearer realm="https://accounts.google.com/"'
        raise Reply(reply.status, reply.body, reply.headers)
    if not scopes & set(found.grant.scope.split()):
        raise api_error(
            403, "insufficientPermissions", "Request had insufficient authentication scopes."
        )
    return found.grant


def userinfo(fake: FakeGoogle, h: Any, *_: Any) -> Any:
    grant = _authorized(fake, h, frozenset({"openid", "email"}))
    user = fake.state.users[grant.sub]
    return 200, {"sub": user.sub, "email": user.email, "email_verified": True}, {}


# --- Calendar v3 ---------------------------------------------------------------------------


def calendar_list(fake: FakeGoogle, h: Any, method: str, path: str, q: Any, body: bytes) -> Any:
    from .server import LIST_SCOPES

    grant = _authorized(fake, h, LIST_SCOPES)
    user = fake.state.users[grant.sub]
    items = [
        {
            "kind": "calendar#calendarListEntry",
            "id": c.id,
            "summary": c.summary,
            "timeZone": c.time_zone,
            "accessRole": c.access_role,
            **({"primary": True} if c.primary else {}),
        }
        for c in user.calendars.values()
    ]
    size = min(int(q.get("maxResults", ["100"])[0]), 250)
    offset = int(q.get("pageToken", ["0"])[0] or 0)
    page: dict[str, Any] = {"kind": "calendar#calendarList", "items": items[offset : offset + size]}
    if offset + size < len(items):
        page["nextPageToken"] = str(offset + size)
    return 200, page, {}


def events(fake: FakeGoogle, h: Any, method: str, path: str, q: Any, body: bytes) -> Any:
    from .server import EVENTS_PATH, READ_EVENT_SCOPES, WRITE_EVENT_SCOPES, api_error

    match = EVENTS_PATH.match(path)
    assert match is not None
    calendar_id, event_id = unquote(match.group(1)), match.group(2)
    grant = _authorized(fake, h, READ_EVENT_SCOPES if method == "GET" else WRITE_EVENT_SCOPES)
    calendar = fake.state.users[grant.sub].calendars.get(calendar_id)
    if calendar is None:
        raise api_error(404, "notFound", "Not Found")
    if method != "GET" and calendar.access_role not in ("owner", "writer"):
        raise api_error(
            403, "requiredAccessLevel", "You need to have writer access to this calendar."
        )
    if event_id is None:
        if method == "GET":
            return _list(fake, calendar, q)
        return _insert(fake, calendar, json.loads(body or b"{}"), q)
    return _one(fake, calendar, method, unquote(event_id), body, q)


def _public(event: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in event.items() if not k.startswith("_")}


def _list(fake: FakeGoogle, calendar: Calendar, q: dict[str, list[str]]) -> Any:
    from .server import api_error

    arg = {k: v[0] for k, v in q.items()}
    page_token = arg.get("pageToken")
    if page_token:
        stored = fake.state.pages.pop(page_token, None)
        if stored is None:
            raise api_error(400, "invalid", "Invalid page token")
        return 200, _page(fake, stored), {}
    single = arg.get("singleEvents") == "true"
    size = min(int(arg.get("maxResults", "250")), MAX_PAGE)
    if "syncToken" in arg:
        if {"timeMin", "timeMax", "updatedMin", "orderBy", "q", "iCalUID"} & set(arg):
            raise api_error(400, "invalid", "Sync token cannot be used with time or query filters")
        try:
            kind, cal, since_text = arg["syncToken"].split(":", 2)
            since = int(since_text)
        except ValueError as exc:
            raise api_error(400, "invalid", "Invalid sync token value.") from exc
        if kind != "sync" or cal != calendar.id:
            raise api_error(400, "invalid", "Invalid sync token value.")
        if since < calendar.min_valid_seq:
            raise api_error(
                410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required."
            )
        chosen = [e for e in calendar.events.values() if e["_seq"] > since]
    else:
        low = _parse(arg.get("timeMin"))
        high = _parse(arg.get("timeMax"))
        chosen = []
        for event in calendar.events.values():
            if event.get("status") == "cancelled" and arg.get("showDeleted") != "true":
                continue
            span = fake.state.span(calendar, event)
            if span is None:
                continue
            if (high is not None and span[0] >= high) or (low is not None and span[1] <= low):
                continue
            chosen.append(event)
        chosen.sort(key=lambda e: (fake.state.span(calendar, e) or (datetime.min,))[0])
    if single:
        chosen = [e for e in chosen if "recurrence" not in e]
    else:
        chosen = [e for e in chosen if "recurringEventId" not in e]
    if not arg.get("showDeleted") == "true" and "syncToken" not in arg:
        chosen = [e for e in chosen if e.get("status") != "cancelled"]
    items = [_public(e) for e in chosen]
    stored = {
        "items": items,
        "size": size,
        "sync": f"sync:{calendar.id}:{fake.state.current_seq}",
        "calendar": calendar,
    }
    return 200, _page(fake, stored), {}


def _page(fake: FakeGoogle, stored: dict[str, Any]) -> dict[str, Any]:
    calendar: Calendar = stored["calendar"]
    items, size = stored["items"], stored["size"]
    page: dict[str, Any] = {
        "kind": "calendar#events",
        "summary": calendar.summary,
        "timeZone": calendar.time_zone,
        "updated": rfc3339(datetime.now(UTC)),
        "accessRole": calendar.access_role,
        "items": items[:size],
    }
    rest = items[size:]
    if rest:
        token = "page-" + secrets.token_urlsafe(12)
        fake.state.pages[token] = {**stored, "items": rest}
        page["nextPageToken"] = token
    else:
        page["nextSyncToken"] = stored["sync"]
    return page


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _insert(fake: FakeGoogle, calendar: Calendar, body: dict[str, Any], q: Any) -> Any:
    from .server import EVENT_ID, api_error

    if "start" not in body or "end" not in body:
        raise api_error(400, "required", "Missing time.")
    event_id = body.get("id") or "ev" + secrets.token_hex(10)
    if not EVENT_ID.match(event_id):
        raise api_error(400, "invalid", "Invalid resource id value.")
    if event_id in calendar.events:  # deleted ones too: Google never reuses an id
        raise api_error(409, "duplicate", "The requested identifier already exists.")
    event = fake.state.put(calendar, {**copy.deepcopy(body), "id": event_id, "status": "confirmed"})
    _invite(fake, event, q)
    return 200, _public(event), {}


def _one(
    fake: FakeGoogle, calendar: Calendar, method: str, event_id: str, body: bytes, q: Any
) -> Any:
    from .server import api_error

    event = calendar.events.get(event_id)
    if event is None:
        raise api_error(404, "notFound", "Not Found")
    if method == "GET":
        return 200, _public(event), {}
    if method == "DELETE":
        if event.get("status") == "cancelled":
            raise api_error(410, "deleted", "Resource has been deleted")
        event["status"] = "cancelled"
        fake.state.touch(event)
        return 204, None, {}
    changes = json.loads(body or b"{}")
    changes.pop("id", None)
    if method == "PUT":
        keep = {
            k: v for k, v in event.items() if k.startswith("_") or k in ("id", "iCalUID", "created")
        }
        event.clear()
        event.update(keep)
    event.update(copy.deepcopy(changes))
    fake.state.touch(event)
    _invite(fake, event, q)
    return 200, _public(event), {}


def _invite(fake: FakeGoogle, event: dict[str, Any], q: dict[str, list[str]]) -> None:
    if q.get("sendUpdates", ["none"])[0] == "all":
        for attendee in event.get("attendees") or []:
            fake.invitations.append((event["id"], attendee.get("email", "")))
