"""The "Sign in with Google" option, on the Google OAuth registry of ``google_auth``.

A second client on the same registry and settings, asking only ``openid email`` (no
calendar access, no offline token, Google's account chooser). Google says who the
visitor is (the id_token's ``sub``, checked with the nonce by Authlib); Cadre signs in
the owner who connected that very Google account on their Calendars page. An account
nobody connected signs in no one: Google sign-in never creates or claims an owner.

The callback address to register with Google, beside the Calendar one:
``https://<your host>/login/google/callback``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import OwnerAccount
from app.models.google import GoogleAccount
from app.services.google_auth import configured, http_timeout

SIGNIN = "google_signin"


def available() -> bool:
    return configured() and "cadre_google" in current_app.extensions


def signin_client() -> Any:
    oauth = current_app.extensions["cadre_google"]["oauth"]
    found = oauth.create_client(SIGNIN)
    if found is not None:
        return found
    config = current_app.config
    return oauth.register(
        SIGNIN,
        client_id=config["GOOGLE_CLIENT_ID"],
        client_secret=config["GOOGLE_CLIENT_SECRET"],
        server_metadata_url=config["GOOGLE_METADATA_URL"],
        client_kwargs={
            "scope": "openid email",
            "code_challenge_method": "S256",
            "default_timeout": http_timeout(),
        },
        authorize_params={"prompt": "select_account"},
    )


def account_for_subject(subject: str) -> OwnerAccount | None:
    """The login of the one owner who connected Google account ``subject``, if any."""
    if not subject:
        return None
    linked = db.session.scalar(select(OwnerAccount).where(OwnerAccount.google_subject == subject))
    if linked is not None:
        return linked if linked.active else None
    owner_ids = set(
        db.session.scalars(
            select(GoogleAccount.owner_id).where(GoogleAccount.subject == subject)
        ).all()
    )
    if len(owner_ids) != 1:
        return None  # nobody, or several owners: Google cannot tell which page is meant
    account = db.session.scalar(
        select(OwnerAccount).where(OwnerAccount.owner_id == owner_ids.pop())
    )
    return account if account is not None and account.active else None
