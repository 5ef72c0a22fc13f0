"""URL rules of the owner's Google pages. Thin: read the form, call a service, redirect.

Every page needs a signed-in owner (``access.owner_required``, the dashboard's login);
every form posts with a CSRF token (CSRFProtect is app-wide). The OAuth callback is a
fixed URL, ``/oauth/google/callback``, the one to register with Google.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app import display
from app.services import google_accounts as accounts
from app.services.google_auth import client, configured
from app.services.owners import owner_boundaries

from .access import owner_required

log = logging.getLogger(__name__)

oauth_bp = Blueprint("oauth", __name__, url_prefix="/oauth")

HEADERS = {
    "Content-Security-Policy": (
        # No form-action: "Connect" posts here and is redirected on to Google's consent
        # screen, whose address comes from configuration.
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@oauth_bp.after_request
def _headers(response):  # type: ignore[no-untyped-def]
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# --- Google accounts ----------------------------------------------------------------------


@oauth_bp.get("/google")
@owner_required
def google_accounts() -> Any:
    owner = g.owner
    found = accounts.accounts_of(owner.id)
    sources = accounts.sources_by_id(cal.source_id for a in found for cal in a.calendars)
    zone = ZoneInfo(owner.timezone)
    return render_template(
        "oauth/accounts.html",
        owner=owner,
        accounts=found,
        sources=sources,
        configured=configured(),
        callback_url=url_for("oauth.google_callback", _external=True),
        writebacks=accounts.writeback_summary(owner.id),
        stale_after=owner_boundaries(owner).policy.limits.stale_after,
        when=lambda moment: display.when(moment, zone) if moment else "",
    )


@oauth_bp.post("/google/connect")
@owner_required
def google_connect() -> Any:
    if not configured():
        return redirect(url_for("oauth.google_accounts"))
    hint = request.form.get("login_hint", "")[:320] or None
    extra = {"login_hint": hint} if hint else {}
    try:
        return client().authorize_redirect(
            url_for("oauth.google_callback", _external=True), **extra
        )
    except requests.RequestException:
        log.warning("Google's OpenID configuration could not be read", exc_info=True)
        flash(_("Google could not be reached. Please try again in a moment."), "error")
        return redirect(url_for("oauth.google_accounts"))


@oauth_bp.get("/google/callback")
@owner_required
def google_callback() -> Any:
    if not configured():
        return redirect(url_for("oauth.google_accounts"))
    try:
        token = client().authorize_access_token()
        account = accounts.connect(g.owner.id, token)
    except MismatchingStateError:
        flash(
            _("This answer from Google was stale or already used. Please connect again."), "error"
        )
    except OAuthError as exc:
        if exc.error == "access_denied":
            flash(_("Google access was not granted; nothing was connected."), "warning")
        else:
            log.warning("Google OAuth failed: %s", exc)
            flash(_("Google refused the connection (%(error)s).", error=exc.error), "error")
    except accounts.ConnectError as exc:
        flash(str(exc), "error")
    except requests.RequestException:
        log.warning("Google token endpoint unreachable", exc_info=True)
        flash(_("Google could not be reached. Please try again in a moment."), "error")
    else:
        flash(
            _(
                "Connected %(email)s. Choose which calendars count as busy below.",
                email=account.email,
            ),
            "success",
        )
    return redirect(url_for("oauth.google_accounts"))


@oauth_bp.post("/google/calendars")
@owner_required
def google_calendars() -> Any:
    form = request.form
    try:
        booking = form.get("booking_calendar", "none")
        choices = accounts.Choices(
            busy=frozenset(int(v) for v in form.getlist("busy")),
            booking_calendar=None if booking in ("", "none") else int(booking),
            invite_client=frozenset(int(v) for v in form.getlist("invite_client")),
        )
        accounts.save_choices(g.owner.id, choices)
    except (ValueError, accounts.ChoiceError):
        flash(_("These choices could not be saved: a calendar is unknown or read-only."), "error")
        return redirect(url_for("oauth.google_accounts"), 303)
    flash(_("Saved. New busy calendars are being synced now."), "success")
    return redirect(url_for("oauth.google_accounts"), 303)


@oauth_bp.post("/google/<int:account_id>/refresh")
@owner_required
def google_refresh(account_id: int) -> Any:
    accounts.sync_now(g.owner.id, account_id)
    flash(_("Refreshing the calendar list and syncing now."), "success")
    return redirect(url_for("oauth.google_accounts"), 303)


@oauth_bp.post("/google/<int:account_id>/disconnect")
@owner_required
def google_disconnect(account_id: int) -> Any:
    result = accounts.disconnect(g.owner.id, account_id)
    if result is None:
        return render_template("oauth/denied.html", reason="not_found"), 404
    if result.revoked:
        flash(_("Disconnected %(email)s; Google access revoked.", email=result.email), "success")
    else:
        flash(
            _(
                "Disconnected %(email)s and deleted its tokens, but Google could not be told. "
                "Remove Cadre at https://myaccount.google.com/permissions to be sure.",
                email=result.email,
            ),
            "warning",
        )
    return redirect(url_for("oauth.google_accounts"), 303)
