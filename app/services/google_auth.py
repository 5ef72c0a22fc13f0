"""Google OAuth through Authlib: the client, token storage, refresh, revocation.

Authlib's Flask client runs the authorization code flow with PKCE (S256) and a state
kept in the session; ``access_type=offline`` + ``prompt=consent`` make Google return a
refresh token every time, also on a reconnect. Scopes are only what Cadre uses.

Refreshing: google-api-python-client asks for a new access token through
``CallbackCredentials``, which calls ``refresh_access``: an Authlib ``OAuth2Session``
refreshes and hands the new token to ``persist_refreshed_token`` — the update hook also
registered on the OAuth registry — which encrypts and stores it. Google answering
``invalid_grant`` (access revoked, password changed, token unused for months) marks the
account "reconnect needed" and mails the owner once; its calendars keep their busy
blocks and the staleness rule decides what happens to the booking page.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime
from typing import Any

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from authlib.integrations.requests_client import OAuth2Session
from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import insert, select, update

from app.clock import now as clock_now
from app.extensions import db
from app.models.google import AccountStatus, GoogleAccount
from app.models.message import OutboxMail
from app.models.owner import Owner
from integrations.google_api import AccessRevoked

from . import google_tokens

log = logging.getLogger(__name__)

SCOPES = (
    "openid",
    "email",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.events",
)
CALENDAR_SCOPES = frozenset(SCOPES[2:])
NAME = "google"


def configured(app: Flask | None = None) -> bool:
    """Whether a Google OAuth client is set up (``GOOGLE_CLIENT_ID`` and ``_SECRET``)."""
    config = (app or current_app).config
    return bool(config.get("GOOGLE_CLIENT_ID") and config.get("GOOGLE_CLIENT_SECRET"))


def init_oauth(app: Flask) -> None:
    """One Authlib registry per app (tests build many apps; metadata is cached per client)."""
    oauth = OAuth(app, update_token=persist_refreshed_token)
    app.extensions.setdefault("cadre_google", {})["oauth"] = oauth


def http_timeout(app: Flask | None = None) -> float:
    return float((app or current_app).config.get("GOOGLE_HTTP_TIMEOUT_S", 20))


def client() -> Any:
    """The Authlib Flask client for Google, registered on first use from the settings."""
    app = current_app
    oauth: OAuth = app.extensions["cadre_google"]["oauth"]
    found = oauth.create_client(NAME)
    if found is not None:
        return found
    if not configured(app):
        raise RuntimeError("GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET are not set")
    return oauth.register(
        NAME,
        client_id=app.config["GOOGLE_CLIENT_ID"],
        client_secret=app.config["GOOGLE_CLIENT_SECRET"],
        server_metadata_url=app.config["GOOGLE_METADATA_URL"],
        client_kwargs={
            "scope": " ".join(SCOPES),
            "code_challenge_method": "S256",
            "default_timeout": http_timeout(app),
        },
        authorize_params={"access_type": "offline", "prompt": "consent"},
    )


def _session(token: dict[str, Any] | None = None) -> OAuth2Session:
    config = current_app.config
    return OAuth2Session(
        client_id=config["GOOGLE_CLIENT_ID"],
        client_secret=config["GOOGLE_CLIENT_SECRET"],
        token=token,
        update_token=functools.partial(persist_refreshed_token, NAME),
        default_timeout=http_timeout(),
    )


# --- stored tokens ------------------------------------------------------------------------


def token_columns(token: dict[str, Any]) -> dict[str, Any]:
    """The encrypted token and the lookup hash of its refresh token, as column values."""
    keep = {
        k: token[k]
        for k in ("access_token", "refresh_token", "expires_at", "token_type", "scope")
        if token.get(k) is not None
    }
    refresh = keep.get("refresh_token")
    return {
        "token_ciphertext": google_tokens.encrypt(keep),
        "refresh_token_hash": google_tokens.token_hash(refresh) if refresh else None,
    }


def stored_token(account_id: int) -> dict[str, Any]:
    """The account's current token, read on a connection of its own (no session state)."""
    with db.engine.connect() as conn:
        ciphertext = conn.scalar(
            select(GoogleAccount.token_ciphertext).where(GoogleAccount.id == account_id)
        )
    if ciphertext is None:
        raise AccessRevoked(f"Google account {account_id} is no longer connected")
    try:
        return google_tokens.decrypt(ciphertext)
    except google_tokens.InvalidToken:
        # SECRET_KEY or TOKEN_ENCRYPTION_KEYS changed without rotation: unreadable now.
        mark_reconnect_needed(account_id, "The saved Google access cannot be decrypted")
        raise AccessRevoked("stored token cannot be decrypted") from None


def expiry_of(token: dict[str, Any]) -> datetime | None:
    expires_at = token.get("expires_at")
    return datetime.fromtimestamp(float(expires_at), UTC) if expires_at else None


def persist_refreshed_token(
    name: str,
    token: dict[str, Any],
    refresh_token: str | None = None,
    access_token: str | None = None,
) -> None:
    """Authlib's update hook: store the refreshed token of the account that used it.

    Written on a connection of its own, so a job's session (and its transaction) is
    never committed as a side effect of a token refresh.
    """
    if name != NAME or not refresh_token:
        return
    merged = dict(token)
    merged.setdefault("refresh_token", refresh_token)  # Google omits it on refresh
    with db.engine.begin() as conn:
        conn.execute(
            update(GoogleAccount.__table__)
            .where(
                GoogleAccount.__table__.c.refresh_token_hash
                == google_tokens.token_hash(refresh_token)
            )
            .values(**token_columns(merged))
        )


def refresh_access(account_id: int) -> tuple[str, datetime | None]:
    """A new access token for the account (stored through the update hook).

    Raises ``AccessRevoked`` when Google refuses the refresh token.
    """
    token = stored_token(account_id)
    refresh = token.get("refresh_token")
    if not refresh:
        mark_reconnect_needed(account_id, "Google gave no refresh token")
        raise AccessRevoked("no refresh token")
    metadata = client().load_server_metadata()
    with _session(token) as session:
        try:
            new = session.refresh_token(metadata["token_endpoint"], refresh_token=refresh)
        except OAuthError as exc:
            if exc.error == "invalid_grant":
                mark_reconnect_needed(account_id, "Google refused the saved access (invalid_grant)")
                raise AccessRevoked(str(exc)) from exc
            raise
    return str(new["access_token"]), expiry_of(new)


def revoke(token: dict[str, Any]) -> bool:
    """Revoke the grant at Google (refresh token first). False if Google could not be told."""
    value = token.get("refresh_token") or token.get("access_token")
    if not value:
        return True
    try:
        metadata = client().load_server_metadata()
        with _session() as session:
            response = session.revoke_token(
                metadata["revocation_endpoint"],
                token=value,
                token_type_hint="refresh_token" if token.get("refresh_token") else "access_token",
            )
    except Exception:
        log.warning("could not revoke a Google token", exc_info=True)
        return False
    # 400 invalid_token: already revoked (by the user at Google) — the goal is reached.
    return bool(response.status_code == 200 or response.status_code == 400)


# --- reconnect needed ----------------------------------------------------------------------


def mark_reconnect_needed(account_id: int, reason: str) -> None:
    """Flag the account; the first time only, mail the owner. A transaction of its own."""
    now = clock_now()
    accounts, owners = GoogleAccount.__table__, Owner.__table__
    with db.engine.begin() as conn:
        conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id, accounts.c.status != AccountStatus.RECONNECT_NEEDED)
            .values(status=AccountStatus.RECONNECT_NEEDED, status_changed_at=now)
        )
        conn.execute(update(accounts).where(accounts.c.id == account_id).values(last_error=reason))
        first = conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id, accounts.c.reconnect_mailed_at.is_(None))
            .values(reconnect_mailed_at=now)
        )
        if first.rowcount == 1:
            row = conn.execute(
                select(
                    accounts.c.email,
                    owners.c.id,
                    owners.c.email,
                    owners.c.slug,
                    owners.c.name,
                    owners.c.locale,
                )
                .join(owners, owners.c.id == accounts.c.owner_id)
                .where(accounts.c.id == account_id)
            ).one()
            conn.execute(insert(OutboxMail.__table__).values(**_reconnect_mail(*row, now)))
    log.warning("Google account %s needs reconnecting: %s", account_id, reason)
    if first.rowcount == 1 and current_app.config.get("SMTP_URL"):
        from app.jobs import enqueue
        from app.services.outbox import send_due_mail

        try:
            enqueue(send_due_mail)
        except Exception:  # the mail waits in the outbox; the sync must still say why
            log.exception("could not queue the reconnect mail")


def _reconnect_mail(
    account_email: str,
    owner_id: int,
    owner_email: str,
    slug: str,
    owner_name: str,
    locale: str,
    now: datetime,
) -> dict[str, Any]:
    context = {"account_email": account_email, "slug": slug, "owner_name": owner_name}
    with force_locale(locale):  # the owner's language, also outside a request (in a job)
        subject = _("Cadre: reconnect your Google account %(account)s", account=account_email)
        text = render_template("oauth/mail_reconnect.txt", **context)
        html = render_template("oauth/mail_reconnect.html", subject=subject, **context)
    return {
        "owner_id": owner_id,
        "kind": "google_reconnect",
        "to": owner_email,
        "subject": subject,
        "text_body": text,
        "html_body": html,
        "created_at": now,
        "attempts": 0,
    }
