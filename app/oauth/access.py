"""Temporary owner access: a signed, expiring link printed by ``flask owner link SLUG``.

Cadre has no logins yet (the dashboard will bring them). Until then an owner proves who
they are by running a command on the server: it prints a link signed with ``SECRET_KEY``
(itsdangerous), valid ``OWNER_LINK_MAX_AGE_S`` (15 minutes). Opening it puts a marker
in the signed session cookie, valid ``OWNER_SESSION_HOURS`` (12 hours), that opens the
owner's pages and nothing else. Timestamps come from the app clock, so tests can age them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import current_app, g, render_template, session
from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from app.clock import now as clock_now
from app.extensions import db
from app.models import Owner

SALT = "cadre.owner-link.v1"
SESSION_KEY = "cadre_owner"
F = TypeVar("F", bound=Callable[..., Any])


class _ClockSigner(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(clock_now().timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT, signer=_ClockSigner)


def owner_link_token(owner: Owner) -> str:
    return _serializer().dumps({"owner": owner.id, "slug": owner.slug})


def open_owner_link(token: str) -> Owner | None:
    """The owner a link belongs to, if it is genuine and not expired."""
    max_age = int(current_app.config["OWNER_LINK_MAX_AGE_S"])
    try:
        data = _serializer().loads(token, max_age=max_age)
    except BadData:
        return None
    if not isinstance(data, dict):
        return None
    owner = db.session.get(Owner, data.get("owner"))
    if owner is None or owner.slug != data.get("slug"):
        return None  # deleted, or the id now belongs to someone else
    return owner


def grant(owner: Owner) -> None:
    hours = float(current_app.config["OWNER_SESSION_HOURS"])
    until = clock_now() + timedelta(hours=hours)
    session[SESSION_KEY] = {"owner": owner.id, "slug": owner.slug, "until": until.timestamp()}


def leave() -> None:
    session.pop(SESSION_KEY, None)


def current_owner() -> Owner | None:
    marker = session.get(SESSION_KEY)
    if not isinstance(marker, dict):
        return None
    if float(marker.get("until", 0)) <= clock_now().timestamp():
        return None
    owner = db.session.get(Owner, marker.get("owner"))
    if owner is None or owner.slug != marker.get("slug"):
        return None
    return owner


def owner_required(view: F) -> F:
    """Let the view run only for an owner who opened a valid owner link (else 403)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        owner = current_owner()
        if owner is None:
            return render_template("oauth/denied.html", reason="no_access"), 403
        g.owner = owner
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
