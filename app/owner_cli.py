"""``flask --app wsgi owner create --slug SLUG --email ADDRESS [--password-stdin]``.

Gives an owner a login: an owner loaded from a boundaries file (``flask policy load``),
or a new one with starter boundaries. Run again for an owner who has a login, it
replaces the address and password and signs out every browser: the server's password
reset. ``--password-stdin`` reads the password from the first line of standard input
(``printf '%s\\n' "$PASSWORD" | flask owner create ...``), so it never appears in the
process list or the shell history; without it the command asks twice, hidden.
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

owner_cli = AppGroup("owner", help="Owners and their logins.")


@click.command("create")
@click.option("--slug", required=True, help="The owner's public link (/SLUG).")
@click.option("--email", required=True, help="The address to sign in with.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--name", help="For a new owner: the name clients see (default: from the address).")
@click.option("--timezone", default="UTC", show_default=True, help="For a new owner: IANA zone.")
@click.option("--locale", type=click.Choice(["en", "fr"]), default="en", show_default=True)
@with_appcontext
def owner_create(
    slug: str, email: str, password_stdin: bool, name: str | None, timezone: str, locale: str
) -> None:
    """Attach a login to owner SLUG (created with starter boundaries if it does not exist)."""
    from flask_babel import force_locale

    from app.auth.accounts import AccountError, attach_login
    from app.clock import now

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with force_locale("en"):  # no request here: messages in English
            result = attach_login(
                slug, email, password, now(), name=name, timezone=timezone, locale=locale
            )
    except AccountError as exc:
        click.echo("nothing was changed:", err=True)
        for field, reason in exc.fields.items():
            click.echo(f"  {field}: {reason}", err=True)
        raise SystemExit(1) from None
    login = result.account.email
    if result.created_owner:
        click.echo(f"created owner {slug} with the login {login}")
    elif result.created_account:
        click.echo(f"owner {slug} can now sign in as {login}")
    else:
        click.echo(f"updated the login of owner {slug} ({login}); other sessions are signed out")


def register_owner_cli(app: Flask) -> None:
    """Add ``owner create`` to the ``owner`` group (another module may have made the group)."""
    group = app.cli.commands.get("owner")  # type: ignore[attr-defined]
    if isinstance(group, click.Group):
        group.add_command(owner_create)
    else:
        owner_cli.add_command(owner_create)
        app.cli.add_command(owner_cli)
