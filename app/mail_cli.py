"""``flask --app wsgi outbox list|send`` and ``flask --app wsgi inbox list [--owner SLUG]``."""

from __future__ import annotations

import click
from flask.cli import AppGroup

outbox_cli = AppGroup("outbox", help="Outgoing mail kept in the outbox.")
inbox_cli = AppGroup("inbox", help='Messages from the booking pages\' "Write to me" form.')


def _stamp(value: object) -> str:
    return value.isoformat(timespec="minutes") if value is not None else "-"  # type: ignore[attr-defined]


@outbox_cli.command("list")
@click.option("--all", "include_sent", is_flag=True, help="Include sent and cancelled mail.")
@click.option("--body", is_flag=True, help="Print each mail's plain-text body too.")
def outbox_list(include_sent: bool, body: bool) -> None:
    """Print outgoing mail, newest first (by default only what is still to be sent)."""
    from app.services.outbox import outbox_rows

    rows = outbox_rows(include_sent=include_sent)
    if not rows:
        click.echo("outbox is empty")
        return
    for row in rows:
        if row.sent_at:
            state = f"sent {_stamp(row.sent_at)}"
        elif row.cancelled_at:
            state = f"cancelled {_stamp(row.cancelled_at)}"
        elif row.send_after:
            state = f"waits until {_stamp(row.send_after)}"
        else:
            state = "pending"
        if row.last_error:
            state += f" (attempts {row.attempts}, last error: {row.last_error})"
        click.echo(f"#{row.id} {row.kind} to {row.to}: {row.subject} [{state}]")
        if body:
            click.echo("    " + row.text_body.replace("\n", "\n    "))


@outbox_cli.command("send")
def outbox_send() -> None:
    """Send the mail that is due now through SMTP_URL."""
    from flask import current_app

    from app.services.outbox import send_due_mail

    if not current_app.config.get("SMTP_URL"):
        click.echo("SMTP_URL is not set: mail stays in the outbox", err=True)
        raise SystemExit(1)
    report = send_due_mail()
    click.echo(f"sent {report.sent}, failed {report.failed}")
    if report.failed:
        raise SystemExit(1)


@inbox_cli.command("list")
@click.option("--owner", "owner_slug", help="Only this owner's messages.")
@click.option("--all", "include_answered", is_flag=True, help="Include answered messages.")
def inbox_list(owner_slug: str | None, include_answered: bool) -> None:
    """Print messages by promised reply time, soonest first; overdue ones are marked."""
    from app.clock import now
    from app.services.inbox import list_messages

    messages = list_messages(owner_slug, include_answered=include_answered)
    if not messages:
        click.echo("no messages")
        return
    moment = now()
    for message in messages:
        due = message.reply_due_at
        late = " OVERDUE" if due is not None and due < moment and not message.answered_at else ""
        click.echo(
            f"#{message.id} reply by {_stamp(due)}{late} — {message.name} <{message.email}>, "
            f"received {_stamp(message.received_at)}"
        )
        click.echo("    " + message.body.replace("\n", "\n    "))
