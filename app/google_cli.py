"""``flask --app wsgi google rotate-keys``."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

google_cli = AppGroup("google", help="Google Calendar connections.")


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
