"""``flask --app wsgi owner link SLUG`` and ``flask --app wsgi google rotate-keys``."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import AppGroup
from sqlalchemy import select

owner_cli = AppGroup("owner", help="Temporary owner access (until the dashboard has logins).")
google_cli = AppGroup("google", help="Google Calendar connections.")


@owner_cli.command("link")
@click.argument("slug")
def owner_link(slug: str) -> None:
    """Print a signed link that opens SLUG's owner pages (valid 15 minutes)."""
    from app.oauth.access import owner_link_token
    from app.services.owners import NotFound, get_owner

    try:
        owner = get_owner(slug)
    except NotFound:
        click.echo(f"no owner with slug {slug!r}", err=True)
        raise SystemExit(1) from None
    token = owner_link_token(owner)
    minutes = int(current_app.config["OWNER_LINK_MAX_AGE_S"]) // 60
    try:
        click.echo(url_for("oauth.owner_link", token=token, _external=True))
    except RuntimeError:
        # No SERVER_NAME: no host to build a full URL with outside a request.
        click.echo(f"/oauth/owner/{token}")
        click.echo(
            "(prefix it with this site's address; set SERVER_NAME to print it whole)", err=True
        )
    click.echo(
        f"Valid for {minutes} minutes; it opens the Google Calendar page of {slug}.", err=True
    )


@google_cli.command("rotate-keys")
def rotate_keys() -> None:
    """Re-encrypt stored Google tokens with the first key of TOKEN_ENCRYPTION_KEYS."""
    from app.extensions import db
    from app.models.google import GoogleAccount, GoogleBookingEvent
    from app.services import google_tokens

    done = unreadable = 0
    for account in db.session.scalars(select(GoogleAccount)):
        try:
            account.token_ciphertext = google_tokens.rotate(account.token_ciphertext)
            done += 1
        except google_tokens.InvalidToken:
            unreadable += 1
    for row in db.session.scalars(
        select(GoogleBookingEvent).where(GoogleBookingEvent.manage_url_ciphertext.is_not(None))
    ):
        try:
            row.manage_url_ciphertext = google_tokens.rotate(row.manage_url_ciphertext or "")
        except google_tokens.InvalidToken:
            row.manage_url_ciphertext = None
    db.session.commit()
    click.echo(f"{done} account token(s) re-encrypted with the first key")
    if unreadable:
        click.echo(
            f"{unreadable} token(s) could not be decrypted with any configured key: "
            "those accounts must be reconnected",
            err=True,
        )
        raise SystemExit(1)
