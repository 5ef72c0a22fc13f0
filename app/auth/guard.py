"""The login guard every owner page uses: ``blueprint.before_request(require_owner)``.

Anonymous visitors are sent to the sign-in page with a ``next`` back to where they were
going (GET only: a form posted without a session is not replayed). A signed-in request
gets ``g.account`` and ``g.owner``; owner pages read nothing but ``g.owner``'s data.
"""

from __future__ import annotations

from typing import Any

from flask import g, redirect, request, url_for

from app.models import Owner

from .session import current_account

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def require_owner() -> Any:
    """``before_request`` hook: redirect to sign-in, or set ``g.owner``."""
    account = current_account()
    if account is None:
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))
    g.owner = account.owner
    return None


def current_owner() -> Owner:
    """The signed-in owner (only inside a request that passed ``require_owner``)."""
    owner: Owner = g.owner
    return owner


def private_headers(response: Any) -> Any:
    """``after_request`` hook for owner pages: no framing, no caching of private data."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Cache-Control"] = "no-store"
    return response
