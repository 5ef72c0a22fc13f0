"""Command-line interface: ``flask --app wsgi policy load FILE``, ``policy dump SLUG``, ..."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from schedules import BoundariesError, load_boundaries

policy_cli = AppGroup("policy", help="Load and dump owners' boundaries files.")


@policy_cli.command("load")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def policy_load(path: Path) -> None:
    """Create or update an owner from a boundaries file (idempotent)."""
    from app.services.owners import save_boundaries

    try:
        boundaries = load_boundaries(path.read_text(encoding="utf-8"))
    except BoundariesError as exc:
        click.echo(f"{path}: {len(exc.errors)} error(s), nothing was changed:", err=True)
        for item in exc.errors:
            click.echo(f"  {item}", err=True)
        raise SystemExit(1) from None
    except UnicodeDecodeError as exc:
        click.echo(f"{path}: not UTF-8 text ({exc.reason}); nothing was changed", err=True)
        raise SystemExit(1) from None
    result = save_boundaries(boundaries)
    slug = result.owner.slug
    if result.created:
        click.echo(f"created owner {slug}")
    elif result.changed:
        click.echo(f"updated owner {slug}")
    else:
        click.echo(f"owner {slug} unchanged")


@policy_cli.command("dump")
@click.argument("slug")
def policy_dump(slug: str) -> None:
    """Print an owner's boundaries file."""
    from app.services.owners import NotFound, dump_owner

    try:
        click.echo(dump_owner(slug), nl=False)
    except NotFound:
        click.echo(f"no owner with slug {slug!r}", err=True)
        raise SystemExit(1) from None


def register_cli(app: Flask) -> None:
    app.cli.add_command(policy_cli)
    from app.google_cli import google_cli

    app.cli.add_command(google_cli)
    from app.worker_cli import worker_command

    app.cli.add_command(worker_command)
    from app.mail_cli import inbox_cli, outbox_cli

    app.cli.add_command(outbox_cli)
    app.cli.add_command(inbox_cli)
    from app.sync_cli import feed_cli, sync_command

    app.cli.add_command(sync_command)
    app.cli.add_command(feed_cli)
    from app.packages_cli import package_cli

    app.cli.add_command(package_cli)
    from app.owner_cli import register_owner_cli

    register_owner_cli(app)
