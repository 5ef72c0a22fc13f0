"""``flask --app wsgi sync [--owner SLUG]`` and ``flask --app wsgi feed rotate SLUG``."""

from __future__ import annotations

from collections.abc import Sequence

import click
from flask import url_for
from flask.cli import AppGroup, with_appcontext

from app.services.sync import FAILED, SyncOutcome

feed_cli = AppGroup("feed", help="The owner's private feed of bookings.")

HEADERS = ("source", "events", "busy blocks", "duration", "status")


@click.command("sync")
@click.option("--owner", "owner_slug", metavar="SLUG", help="Only this owner's calendars.")
@with_appcontext
def sync_command(owner_slug: str | None) -> None:
    """Sync calendars now; exit code 1 if any source failed."""
    from app.services.owners import NotFound
    from app.services.sync import source_ids, sync_source

    try:
        ids = source_ids(owner_slug)
    except NotFound:
        click.echo(f"no owner with slug {owner_slug!r}", err=True)
        raise SystemExit(1) from None
    if not ids:
        click.echo("no calendars to sync")
        return
    outcomes: list[SyncOutcome] = []
    with click.progressbar(ids, label="Syncing calendars", show_pos=True) as bar:
        for source_id in bar:
            outcomes.append(sync_source(source_id))
    click.echo(summary_table(outcomes))
    if any(outcome.failed for outcome in outcomes):
        raise SystemExit(1)


def summary_table(outcomes: Sequence[SyncOutcome]) -> str:
    """A plain-text table, one row per source; errors and warnings listed underneath."""
    rows = [HEADERS] + [_row(outcome) for outcome in outcomes]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    for outcome in outcomes:
        name = f"{outcome.owner_slug}/{outcome.name}"
        if outcome.error:
            lines.append(f"{name}: {outcome.error}")
        lines.extend(f"{name}: warning: {warning}" for warning in outcome.warnings)
    failed = sum(outcome.status == FAILED for outcome in outcomes)
    lines.append(f"{len(outcomes)} source(s), {failed} failed")
    return "\n".join(lines)


def _row(outcome: SyncOutcome) -> tuple[str, str, str, str, str]:
    def number(value: int | None) -> str:
        return "-" if value is None else str(value)

    return (
        f"{outcome.owner_slug}/{outcome.name}",
        number(outcome.events),
        number(outcome.busy_blocks),
        f"{outcome.duration_s:.2f}s",
        outcome.status,
    )


@feed_cli.command("rotate")
@click.argument("slug")
def feed_rotate(slug: str) -> None:
    """Give SLUG a new private feed URL (the old one stops working) and print it."""
    from app.services.feeds import rotate_feed_token
    from app.services.owners import NotFound, get_owner

    try:
        owner = get_owner(slug)
    except NotFound:
        click.echo(f"no owner with slug {slug!r}", err=True)
        raise SystemExit(1) from None
    token = rotate_feed_token(owner)
    try:
        click.echo(url_for("feeds.feed", token=token, _external=True))
    except RuntimeError:
        # No SERVER_NAME: no host to build a full URL with outside a request.
        click.echo(f"/feeds/{token}.ics")
        click.echo(
            "(prefix it with this site's address; set SERVER_NAME to print it whole)", err=True
        )
