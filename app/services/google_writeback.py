"""Write-back: each confirmed booking becomes an event in the owner's booking calendar.

The booking is committed first; only then is the write-back recorded (a
``GoogleBookingEvent`` row, state ``pending``) and a job queued. Google being slow or
down therefore never blocks or loses a booking: the job fails, records why, and
``writeback_due`` (periodic) tries again with exponential backoff and jitter.

The job reconciles rather than replays: it compares the booking with what was last
written and makes the one call that closes the gap — insert, patch or delete. The event
id is ``cadre<booking id>`` (booking ids are hex, a subset of Google's base32hex ids), so
an insert whose answer was lost and is retried gets 409 "duplicate" and becomes a patch:
a booking never gets two events. The id is kept on the booking (``google_event_id``).

Events carry a private extended property with the booking id; the Google sync treats
them as free, since the booking already occupies that time.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for
from googleapiclient.errors import HttpError
from sqlalchemy import or_, select, update

from app.clock import now as clock_now
from app.extensions import db
from app.jobs import enqueue
from app.models import Booking, BookingStatus, Owner
from app.models.google import (
    AccountStatus,
    GoogleAccount,
    GoogleBookingEvent,
    GoogleCalendar,
    WritebackState,
)
from integrations.google_api import (
    AccessRevoked,
    delete_event,
    describe,
    put_event,
    retryable,
    status_of,
)
from integrations.google_calendar import CADRE_PROPERTY

from . import google_tokens
from .google_accounts import begin_write, retry_policy, service_for
from .side_effects import never_raises

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(minutes=2)
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
RECONNECT_WAIT = timedelta(hours=1)
MAX_ATTEMPTS = 30  # about a day of tries at the capped backoff
BATCH = 200


def event_id_for(booking_id: str) -> str:
    return "cadre" + booking_id


_never_raises = never_raises("Google write-back queueing")


# --- after a booking's transaction has committed -------------------------------------------


@_never_raises
def booking_created(booking_id: str, token: str | None = None) -> None:
    """Queue the event for a new booking (``token``: for the manage link in its description)."""
    owner_id = _track(booking_id, _manage_url(token))
    if owner_id is not None:
        enqueue(writeback_job, booking_id, owner_id=owner_id)


@_never_raises
def booking_changed(booking_id: str) -> None:
    """A booking was moved or cancelled: queue the matching change of its event."""
    owner_id = _track(booking_id, None)
    if owner_id is not None:
        enqueue(writeback_job, booking_id, owner_id=owner_id)


def _manage_url(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return url_for("public.manage", token=token, _external=True)
    except RuntimeError:  # outside a request and without SERVER_NAME
        return None


def _track(booking_id: str, manage_url: str | None) -> int | None:
    """Mark the booking's write-back pending; its owner's id, or None if none is due."""
    now = clock_now()
    begin_write()
    booking = db.session.get(Booking, booking_id)
    row = db.session.get(GoogleBookingEvent, booking_id)
    if booking is None:
        db.session.rollback()
        return None
    owner_id = booking.owner_id
    if row is None:
        target = booking_calendar(owner_id)
        if booking.status is not BookingStatus.CONFIRMED or target is None:
            db.session.rollback()
            return None
        row = GoogleBookingEvent(
            booking_id=booking_id,
            owner_id=booking.owner_id,
            calendar_row_id=target.id,
            calendar_id=target.calendar_id,
            manage_url_ciphertext=google_tokens.encrypt(manage_url) if manage_url else None,
            attempts=0,
        )
        db.session.add(row)
    elif row.calendar_row_id is None:
        db.session.rollback()  # its calendar was disconnected: nothing left to update
        return None
    row.state = WritebackState.PENDING
    row.attempts = 0
    row.next_attempt_at = now
    row.updated_at = now
    db.session.commit()
    return owner_id


def booking_calendar(owner_id: int) -> GoogleCalendar | None:
    return db.session.scalar(
        select(GoogleCalendar)
        .join(GoogleAccount)
        .where(GoogleCalendar.owner_id == owner_id, GoogleCalendar.receives_bookings.is_(True))
    )


# --- the job ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    owner_id: int
    account_id: int
    calendar_id: str
    event_id: str
    cancelled: bool
    start: datetime
    end: datetime
    body: dict[str, Any]
    send_updates: str
    exists: bool  # created before: patch rather than insert


def writeback_job(booking_id: str) -> None:
    """Make the booking's Google event match the booking (a job; never raises)."""
    now = clock_now()
    try:
        if not _claim(booking_id, now):
            return
        plan = _plan(booking_id, now)
    except Exception:
        log.exception("write-back of booking %s could not start", booking_id)
        db.session.rollback()
        return
    if plan is None:
        return
    try:
        with service_for(plan.account_id) as service:
            _send(service, plan)
    except Exception as exc:
        _failed(booking_id, exc, now)
        return
    if _written(booking_id, plan):
        enqueue(writeback_job, booking_id, owner_id=plan.owner_id)  # changed again meanwhile


def _send(service: Any, plan: _Plan) -> None:
    """The one call that makes Google match the booking."""
    if plan.cancelled:
        delete_event(
            service, plan.calendar_id, plan.event_id, retry_policy(), send_updates=plan.send_updates
        )
    else:
        put_event(
            service,
            plan.calendar_id,
            plan.event_id,
            plan.body,
            retry_policy(),
            exists=plan.exists,
            send_updates=plan.send_updates,
        )


def _claim(booking_id: str, now: datetime) -> bool:
    begin_write()
    table = GoogleBookingEvent.__table__
    result = db.session.execute(
        update(table)
        .where(
            table.c.booking_id == booking_id,
            table.c.state == WritebackState.PENDING,
            or_(table.c.next_attempt_at.is_(None), table.c.next_attempt_at <= now),
            or_(table.c.claimed_at.is_(None), table.c.claimed_at < now - CLAIM_LEASE),
        )
        .values(claimed_at=now)
    )
    db.session.commit()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def _plan(booking_id: str, now: datetime) -> _Plan | None:
    """What to send, or None when there is nothing to do (the row is settled here)."""
    begin_write()
    row = db.session.get(GoogleBookingEvent, booking_id)
    booking = db.session.get(Booking, booking_id)
    if row is None or booking is None:
        db.session.rollback()
        return None
    calendar = db.session.get(GoogleCalendar, row.calendar_row_id) if row.calendar_row_id else None
    if calendar is None:
        _settle(row, WritebackState.FAILED, "The Google calendar for bookings was disconnected")
        return None
    account = calendar.account
    if account.status is AccountStatus.RECONNECT_NEEDED:
        row.claimed_at = None
        row.next_attempt_at = now + RECONNECT_WAIT
        row.last_error = f"Waiting for {account.email} to be reconnected"
        db.session.commit()
        return None
    cancelled = booking.status is BookingStatus.CANCELLED
    if cancelled and row.written_cancelled:
        _settle(row, WritebackState.DONE, None)
        return None
    owner = db.session.get(Owner, booking.owner_id)
    assert owner is not None
    manage_url = None
    if row.manage_url_ciphertext:
        try:
            manage_url = google_tokens.decrypt_text(row.manage_url_ciphertext)
        except google_tokens.InvalidToken:
            manage_url = None
    plan = _Plan(
        owner_id=booking.owner_id,
        account_id=account.id,
        calendar_id=row.calendar_id,
        event_id=event_id_for(booking.id),
        cancelled=cancelled,
        start=booking.start,
        end=booking.end,
        body=event_body(booking, owner, manage_url, account.invite_client),
        send_updates="all" if account.invite_client else "none",
        exists=booking.google_event_id is not None,
    )
    db.session.commit()  # nothing changed; end the transaction before the network wait
    return plan


def _settle(row: GoogleBookingEvent, state: WritebackState, error: str | None) -> None:
    row.state = state
    row.claimed_at = None
    row.last_error = error
    row.updated_at = clock_now()
    db.session.commit()


def _written(booking_id: str, plan: _Plan) -> bool:
    """Record what Google now has. True when the booking moved on meanwhile (go again)."""
    begin_write()
    row = db.session.get(GoogleBookingEvent, booking_id)
    booking = db.session.get(Booking, booking_id)
    if row is None or booking is None:
        db.session.rollback()
        return False
    row.written_start, row.written_end = plan.start, plan.end
    row.written_cancelled = plan.cancelled
    if not plan.cancelled:
        booking.google_event_id = plan.event_id
    current = (booking.start, booking.end, booking.status is BookingStatus.CANCELLED)
    again = current != (plan.start, plan.end, plan.cancelled)
    row.state = WritebackState.PENDING if again else WritebackState.DONE
    row.attempts = 0
    row.next_attempt_at = clock_now() if again else None
    row.claimed_at = None
    row.last_error = None
    row.updated_at = clock_now()
    db.session.commit()
    return again


def _failed(booking_id: str, exc: Exception, now: datetime) -> None:
    permanent = isinstance(exc, HttpError) and not retryable(exc) and status_of(exc) != 401
    if not isinstance(exc, (HttpError, AccessRevoked)) and not retryable(exc):
        log.warning("write-back of booking %s failed", booking_id, exc_info=exc)
    begin_write()
    row = db.session.get(GoogleBookingEvent, booking_id)
    if row is None:
        db.session.rollback()
        return
    row.claimed_at = None
    row.last_error = describe(exc)
    row.updated_at = now
    if isinstance(exc, AccessRevoked):
        row.next_attempt_at = now + RECONNECT_WAIT  # resumes as soon as it is reconnected
    else:
        row.attempts += 1
        if permanent or row.attempts >= MAX_ATTEMPTS:
            row.state = WritebackState.FAILED
        else:
            row.next_attempt_at = now + backoff(row.attempts)
    db.session.commit()


def backoff(attempts: int) -> timedelta:
    """Exponential with jitter: about 30 s, 1 min, 2 min, … capped at an hour."""
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * (1 << min(max(0, attempts - 1), 20)))
    return ceiling * random.uniform(0.5, 1.0)


def writeback_due(owner_id: int | None = None) -> int:
    """Queue a job for each write-back whose next attempt is due (periodic task)."""
    now = clock_now()
    table = GoogleBookingEvent
    query = (
        select(table.booking_id, table.owner_id)
        .join(GoogleCalendar, GoogleCalendar.id == table.calendar_row_id)
        .join(GoogleAccount, GoogleAccount.id == GoogleCalendar.account_id)
        .where(
            table.state == WritebackState.PENDING,
            or_(table.next_attempt_at.is_(None), table.next_attempt_at <= now),
            or_(table.claimed_at.is_(None), table.claimed_at < now - CLAIM_LEASE),
            GoogleAccount.status == AccountStatus.ACTIVE,
        )
        .order_by(table.next_attempt_at)
        .limit(BATCH)
    )
    if owner_id is not None:
        query = query.where(table.owner_id == owner_id)
    due = db.session.execute(query).all()
    db.session.rollback()
    for booking_id, booking_owner in due:
        enqueue(writeback_job, booking_id, owner_id=booking_owner)
    return len(due)


# --- the event ----------------------------------------------------------------------------


def event_body(
    booking: Booking, owner: Owner, manage_url: str | None, invite_client: bool
) -> dict[str, Any]:
    """The Google event for a booking: times in the owner's zone, details for the owner."""
    from .invite import booking_uid

    zone = ZoneInfo(owner.timezone)
    lines = [
        f"{booking.offer_title}, booked through Cadre by "
        f"{booking.client_name} <{booking.client_email}>."
    ]
    if booking.message:
        lines += ["", "Their message:", booking.message]
    if manage_url:
        lines += ["", f"Manage, move or cancel: {manage_url}"]
    body: dict[str, Any] = {
        "summary": f"{booking.offer_title} — {booking.client_name}",
        "description": "\n".join(lines),
        "start": {
            "dateTime": booking.start.astimezone(zone).isoformat(),
            "timeZone": owner.timezone,
        },
        "end": {"dateTime": booking.end.astimezone(zone).isoformat(), "timeZone": owner.timezone},
        "transparency": "opaque",
        "extendedProperties": {"private": {CADRE_PROPERTY: booking.id}},
        # The same UID as the .ics invitation mailed to the client: one event, not two.
        "iCalUID": booking_uid(booking),
    }
    if invite_client:
        body["attendees"] = [{"email": booking.client_email, "displayName": booking.client_name}]
    return body
