"""URL rules of the private feed. No login: the unguessable token is the credential."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, request

from app.clock import now as clock_now
from app.services.feeds import build_feed, feed_bookings, owner_for_feed_token

feeds_bp = Blueprint("feeds", __name__, url_prefix="/feeds")


@feeds_bp.get("/<token>.ics")
def feed(token: str) -> Response:
    """The owner's bookings as iCalendar; 404 for an unknown (or rotated) token."""
    owner = owner_for_feed_token(token)
    if owner is None:
        abort(404)
    body = build_feed(owner, feed_bookings(owner, clock_now()), _uid_domain())
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="bookings.ics"'
    # The URL is a secret: keep it out of shared caches, search engines and Referer.
    response.headers["Cache-Control"] = "private"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.add_etag()
    return response.make_conditional(request)


def _uid_domain() -> str:
    # The configured name when there is one, so UIDs do not change with the Host header.
    authority = current_app.config.get("SERVER_NAME") or request.host
    return urlsplit(f"//{authority}").hostname or "cadre.local"
