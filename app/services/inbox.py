"""The "Write to me" inbox: messages stored with the reply time promised when they arrived."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import Message, Owner
from schedules import Boundaries, reply_due

from . import mail


@dataclass(frozen=True)
class Writer:
    name: str
    email: str
    body: str
    timezone: str | None = None


def receive_message(owner: Owner, boundaries: Boundaries, writer: Writer, now: datetime) -> Message:
    """Store a message, promise its reply time (working time only, by ``reply_due``) and mail it.

    The promise is fixed at receipt: later changes to the owner's hours do not move it.
    """
    message = Message(
        owner_id=owner.id,
        name=writer.name,
        email=writer.email,
        body=writer.body,
        client_timezone=writer.timezone,
        received_at=now,
        reply_due_at=reply_due(boundaries.policy, now),
    )
    db.session.add(message)
    db.session.commit()
    mail.notify_message_received(message.id)
    return message


def list_messages(owner_slug: str | None = None, include_answered: bool = False) -> list[Message]:
    """Messages by promised reply time, soonest first (no promise: last)."""
    query = select(Message).join(Owner, Owner.id == Message.owner_id)
    if owner_slug is not None:
        query = query.where(Owner.slug == owner_slug)
    if not include_answered:
        query = query.where(Message.answered_at.is_(None))
    query = query.order_by(Message.reply_due_at.is_(None), Message.reply_due_at, Message.id)
    return list(db.session.scalars(query).all())
