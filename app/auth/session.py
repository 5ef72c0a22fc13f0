"""Who is signed in: the session cookie, its flags, and safe redirects after sign-in.

The session is Flask's signed cookie. It holds the account id and the account's
``session_version``; a password change raises the version, which signs out every other
browser. The cookie is ``HttpOnly`` and ``SameSite=Lax`` always, and ``Secure`` by
default (``SESSION_COOKIE_SECURE = "auto"``) except in debug/testing and for plain-HTTP
requests to a loopback address (``make run`` on http://127.0.0.1), where a browser would
drop a ``Secure`` cookie. ``CADRE_SESSION_COOKIE_SECURE=true`` or ``false`` decides
outright.
"""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

from flask import Flask, g, request, session
from flask.sessions import SecureCookieSessionInterface

from app.extensions import db
from app.models import OwnerAccount

SESSION_KEY = "account"
_LOOPBACK_NAMES = frozenset({"localhost"})
_FORWARDED = ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded")


def _is_loopback(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    if name in _LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ip_address(name).is_loopback
    except ValueError:
        return False


def plain_http_on_loopback() -> bool:
    """A request straight from this machine over plain HTTP (no proxy in between)."""
    if request.is_secure or any(name in request.headers for name in _FORWARDED):
        return False
    return _is_loopback(request.host)


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session with the ``"auto"`` rule for the ``Secure`` flag."""

    def get_cookie_secure(self, app: Flask) -> bool:
        value = app.config.get("SESSION_COOKIE_SECURE", "auto")
        if isinstance(value, str) and value.lower() == "auto":
            if app.debug or app.testing:
                return False
            return not plain_http_on_loopback()
        if isinstance(value, str):
            return value.lower() in ("1", "true", "yes", "on")
        return bool(value)


def login_user(account: OwnerAccount) -> None:
    """Start a fresh session for ``account`` (nothing from before sign-in is kept)."""
    session.clear()
    session[SESSION_KEY] = [account.id, account.session_version]
    session.permanent = True
    g.pop("account", None)


def logout_user() -> None:
    session.clear()
    g.pop("account", None)


def current_account() -> OwnerAccount | None:
    """The signed-in account of this request, or None (read once per request)."""
    if "account" in g:
        account: OwnerAccount | None = g.account
        return account
    account = None
    value = session.get(SESSION_KEY)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        found = db.session.get(OwnerAccount, value[0])
        if found is not None and found.active and found.session_version == value[1]:
            account = found
    g.account = account
    return account


def safe_next(value: str | None) -> str | None:
    """``value`` if it is a path on this site (``/dashboard/...``), else None.

    Refuses absolute URLs, scheme-relative ``//host`` and ``/\\host`` (browsers read a
    backslash as a slash), and anything with control characters.
    """
    if not value or len(value) > 2000 or not value.startswith("/"):
        return None
    if value.startswith(("//", "/\\")) or any(ord(c) < 32 or c in "\\" for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value
