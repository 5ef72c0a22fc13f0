"""The outbox: mail waiting to be sent, and the job that sends what is due through SMTP.

Composing happens in ``mail.py``; here rows become MIME messages (plain text, HTML
alternative, attachments such as the ``.ics`` invitation) and go out in batches over
one SMTP connection (``integrations.smtp``).
"""

from __future__ import annotations

import base64
import logging
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from app.clock import now as clock_now
from app.extensions import db
from app.models import Booking, OutboxMail, Owner
from integrations.smtp import SmtpSender, parse_smtp_url

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BATCH = 50


def begin_write() -> None:
    """Start a write transaction that cannot fail half-way on SQLite.

    A deferred SQLite transaction that has read and then writes fails at once (no busy
    wait) if another process wrote in between; ``BEGIN IMMEDIATE`` waits for the lock.
    """
    db.session.rollback()  # drafts are plain values: nothing of the read is needed
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def due_query(now: datetime) -> Any:
    return (
        select(OutboxMail)
        .where(
            OutboxMail.sent_at.is_(None),
            OutboxMail.cancelled_at.is_(None),
            OutboxMail.attempts < MAX_ATTEMPTS,
            (OutboxMail.send_after.is_(None)) | (OutboxMail.send_after <= now),
        )
        .order_by(OutboxMail.id)
    )


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int


def send_due_mail() -> SendReport:
    """Send what is due (a job). Each mail is claimed first, so two workers never both send it.

    Claiming sets ``sent_at``; a failure clears it again and records the error, and the
    mail is retried on the next run, at most ``MAX_ATTEMPTS`` times.
    """
    url = current_app.config.get("SMTP_URL")
    if not url:
        return SendReport(0, 0)
    now = clock_now()
    begin_write()
    ids = db.session.scalars(due_query(now).with_only_columns(OutboxMail.id).limit(BATCH)).all()
    claimed = []
    for mail_id in ids:
        result = db.session.execute(
            update(OutboxMail)
            .where(
                OutboxMail.id == mail_id,
                OutboxMail.sent_at.is_(None),
                OutboxMail.cancelled_at.is_(None),
            )
            .values(sent_at=now, attempts=OutboxMail.attempts + 1)
        )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(mail_id)
    db.session.commit()
    if not claimed:
        return SendReport(0, 0)
    rows = db.session.scalars(select(OutboxMail).where(OutboxMail.id.in_(claimed))).all()
    by_message = {}
    for row in rows:
        message = email_message(row)
        by_message[id(message)] = (row.id, row.to, message)
    results = SmtpSender(parse_smtp_url(str(url))).send(m for *_info, m in by_message.values())
    begin_write()
    failed = 0
    for result in results:
        mail_id, to, _message = by_message[id(result.message)]
        values: dict[str, Any] = {"last_error": result.error}
        if result.error:
            failed += 1
            values["sent_at"] = None
            log.warning("mail %s to %s not sent: %s", mail_id, to, result.error)
        db.session.execute(update(OutboxMail).where(OutboxMail.id == mail_id).values(**values))
    db.session.commit()
    return SendReport(len(results) - failed, failed)


def email_message(row: OutboxMail) -> EmailMessage:
    """An outbox row as a MIME message: text, HTML alternative, attachments."""
    sender = str(current_app.config["MAIL_FROM"])
    message = EmailMessage()
    message["Subject"] = row.subject
    message["From"] = sender
    message["To"] = row.to
    reply_to = _reply_to(row)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(clock_now())
    domain = parseaddr(sender)[1].rpartition("@")[2] or "cadre.local"
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row.text_body)
    if row.html_body:
        message.add_alternative(row.html_body, subtype="html")
    for item in row.attachments or []:
        kind, _sep, params = item["content_type"].partition(";")
        maintype, subtype = kind.strip().split("/")
        extra = dict(
            p.strip().split("=", 1) for p in params.split(";") if "=" in p and "charset" not in p
        )
        message.add_attachment(
            base64.b64decode(item["data"]),
            maintype=maintype,
            subtype=subtype,
            filename=item["filename"],
            params=extra,
        )
    return message


def _reply_to(row: OutboxMail) -> str | None:
    """Clients reply to the owner; the owner replies to the client."""
    owner = db.session.get(Owner, row.owner_id) if row.owner_id else None
    if owner is None:
        return None
    if row.to != owner.email:
        return str(Address(display_name=owner.name, addr_spec=owner.email))
    booking = db.session.get(Booking, row.booking_id) if row.booking_id else None
    if booking is not None:
        return str(Address(display_name=booking.client_name, addr_spec=booking.client_email))
    return None


def outbox_rows(include_sent: bool = False, limit: int = 100) -> list[OutboxMail]:
    query = select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit)
    if not include_sent:
        query = query.where(OutboxMail.sent_at.is_(None), OutboxMail.cancelled_at.is_(None))
    return list(db.session.scalars(query).all())
