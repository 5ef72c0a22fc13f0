"""The owner's inbox: "Write to me" messages by the reply time promised, answered or not."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from sqlalchemy import select

from app.extensions import db
from app.models import Message, Owner

ANSWERED_SHOWN = 30
QUOTE_MAX = 1500  # mail clients truncate long mailto: links


def waiting(owner: Owner) -> list[Message]:
    """Unanswered messages, the reply due soonest first (no promise: last)."""
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.owner_id == owner.id, Message.answered_at.is_(None))
            .order_by(Message.reply_due_at.is_(None), Message.reply_due_at, Message.id)
        ).all()
    )


def answered(owner: Owner) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.owner_id == owner.id, Message.answered_at.is_not(None))
            .order_by(Message.answered_at.desc(), Message.id.desc())
            .limit(ANSWERED_SHOWN)
        ).all()
    )


def overdue(message: Message, now: datetime) -> bool:
    return (
        message.answered_at is None
        and message.reply_due_at is not None
        and (message.reply_due_at < now)
    )


def get_message(owner: Owner, message_id: int) -> Message | None:
    return db.session.scalar(
        select(Message).where(Message.id == message_id, Message.owner_id == owner.id)
    )


def mark_answered(message: Message, now: datetime) -> None:
    if message.answered_at is None:
        message.answered_at = now
    db.session.commit()


def reopen(message: Message) -> None:
    message.answered_at = None
    db.session.commit()


def mailto(message: Message, subject: str) -> str:
    """A ``mailto:`` link answering ``message`` from the owner's own mail program."""
    quoted = "\n".join(f"> {line}" for line in message.body[:QUOTE_MAX].splitlines())
    return (
        f"mailto:{quote(message.email, safe='@')}"
        f"?subject={quote(subject, safe='')}&body={quote(chr(10) + chr(10) + quoted, safe='')}"
    )
