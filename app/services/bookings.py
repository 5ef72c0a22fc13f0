"""Booking use cases: create, cancel, reschedule — each decided by the core under the guard.

The order inside ``create_booking`` is the whole point: take the guard (SQLite ``BEGIN
IMMEDIATE`` or the owner's row lock on PostgreSQL), read bookings and busy time *after*
taking it, ask ``schedules.check_booking``, insert, commit. Two requests can never both
see the same free slot, and on PostgreSQL the exclusion constraint backs the rule.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.database import guarded_write
from app.extensions import db
from app.models import Booking, BookingStatus, IdempotencyRecord, Owner
from schedules import Boundaries, Offer, Refusal, check_booking, is_late_cancellation, owner_zone

from . import google_writeback, mail
from .availability import around, booked_times, busy_intervals, is_stale
from .packages import client_quota, extra_charge_agreed, moving_quota

CONFLICT_CODES = frozenset({Refusal.SLOT_TAKEN, Refusal.BUSY})


def refusal_status(code: Refusal) -> int:
    """409 when someone (a booking or a calendar) holds the time, 422 for the rules."""
    return 409 if code in CONFLICT_CODES else 422


@dataclass(frozen=True)
class ClientDetails:
    name: str
    email: str
    message: str | None = None
    timezone: str | None = None


@dataclass
class Outcome:
    """What the public side answers: a booking (with its one-time manage token) or a refusal."""

    booking: Booking | None = None
    token: str | None = None
    refusal: Refusal | None = None
    # Beyond the client's package, billed at this price: nothing was booked because the
    # client has not agreed to it yet (``extra_charge_requires_consent``).
    extra_charge: str | None = None
    replayed: dict[str, Any] | None = field(default=None)
    replayed_status: int | None = None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def find_by_token(token: str) -> Booking | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Booking).where(Booking.manage_token_hash == hash_token(token)))


def create_booking(
    owner: Owner,
    boundaries: Boundaries,
    offer: Offer,
    start: datetime,
    client: ClientDetails,
    now: datetime,
    *,
    idempotency: tuple[str, str] | None = None,
    render: Callable[[Outcome], tuple[int, dict[str, Any]]] | None = None,
    accept_extra_charge: bool | str | None = None,
) -> Outcome:
    """Book ``offer`` at ``start`` for ``client`` if the boundaries allow it.

    ``idempotency`` is ``(key, request fingerprint)``: a retry with the same key returns
    the first answer (``Outcome.replayed``) and creates nothing. ``render`` turns an
    outcome into the ``(status, body)`` stored for replays. Beyond a billing package the
    booking is taken only if ``accept_extra_charge`` agrees to the price
    (``extra_charge_agreed``); otherwise ``Outcome.extra_charge`` asks for it.
    """
    policy = boundaries.policy
    limits = policy.limits
    owner_id = owner.id
    try:
        with guarded_write(owner_id):
            if idempotency is not None:
                previous = _previous_answer(owner_id, idempotency)
                if previous is not None:
                    return previous
            decision = check_booking(
                policy,
                offer,
                start,
                busy_intervals(owner_id, around(start)),
                booked_times(owner_id, around(start)),
                now,
                calendar_stale=is_stale(owner, boundaries, now),
                # The client's package and bookings, read under the guard like the rest.
                quota=client_quota(
                    owner_id, client.email, offer.slug, owner_zone(policy), start=start
                ),
            )
            extra_price = decision.extra_price
            if decision.refusal is not None:
                outcome = Outcome(refusal=decision.refusal)
            elif extra_price is not None and not extra_charge_agreed(
                accept_extra_charge, extra_price
            ):
                outcome = Outcome(extra_charge=extra_price)
            else:
                token = secrets.token_urlsafe(32)
                booking = Booking(
                    owner_id=owner_id,
                    offer_slug=offer.slug,
                    offer_title=offer.title,
                    start=start,
                    end=start + offer.duration,
                    occupied_start=start - limits.buffer_before,
                    occupied_end=start + offer.duration + limits.buffer_after,
                    status=BookingStatus.CONFIRMED,
                    client_name=client.name,
                    client_email=client.email,
                    client_timezone=client.timezone,
                    message=client.message,
                    manage_token_hash=hash_token(token),
                    created_at=now,
                    billable_extra=extra_price is not None,
                    extra_price=extra_price,
                )
                db.session.add(booking)
                db.session.flush()
                outcome = Outcome(booking=booking, token=token)
            if idempotency is not None and render is not None:
                _remember(owner_id, idempotency, *render(outcome), now)
    except IntegrityError:
        # Only the PostgreSQL exclusion constraint can get here: another transaction
        # committed an overlapping booking. That is exactly "slot taken".
        return Outcome(refusal=Refusal.SLOT_TAKEN)
    if outcome.booking is not None and outcome.token is not None:
        mail.notify_booking_created(outcome.booking.id, outcome.token)  # committed; never raises
        google_writeback.booking_created(outcome.booking.id, outcome.token)  # never raises
    return outcome


def _previous_answer(owner_id: int, idempotency: tuple[str, str]) -> Outcome | None:
    key, fingerprint = idempotency
    record = db.session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.owner_id == owner_id, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return None
    if record.fingerprint != fingerprint:
        raise IdempotencyMismatch(key)
    return Outcome(replayed=record.response, replayed_status=record.status_code)


def _remember(
    owner_id: int, idempotency: tuple[str, str], status: int, body: dict[str, Any], now: datetime
) -> None:
    key, fingerprint = idempotency
    db.session.add(
        IdempotencyRecord(
            owner_id=owner_id,
            key=key,
            fingerprint=fingerprint,
            status_code=status,
            response=body,
            created_at=now,
        )
    )


class IdempotencyMismatch(ValueError):
    """The key was already used for a different request."""


@dataclass(frozen=True)
class CancelOutcome:
    booking: Booking
    late: bool
    already: bool


def cancel_booking(
    booking: Booking,
    boundaries: Boundaries,
    now: datetime,
    by: str = "client",
    note: str | None = None,
) -> CancelOutcome:
    """Cancel at once (the slot is free again); after ``free_until`` it is marked late.

    ``note``: the owner's message to the client, added to the cancellation mail.
    """
    if booking.status is BookingStatus.CANCELLED:
        return CancelOutcome(booking, booking.late_cancellation, already=True)
    policy = boundaries.policy
    late = by == "client" and is_late_cancellation(policy, booking.start, now)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now
    booking.cancelled_by = by
    booking.late_cancellation = late
    booking.late_fee = (
        policy.cancellation.late_fee if late and policy.cancellation.late_fee else None
    )
    db.session.commit()
    mail.notify_booking_cancelled(booking.id, note)  # after the commit; never raises
    google_writeback.booking_changed(booking.id)  # never raises
    return CancelOutcome(booking, late, already=False)


def reschedule_booking(
    booking: Booking,
    owner: Owner,
    boundaries: Boundaries,
    offer: Offer,
    new_start: datetime,
    now: datetime,
) -> Refusal | None:
    """Move a confirmed booking to another valid slot (same rules; its old time is free).

    A booking keeps its billing when it moves: an included one may only move into a period
    with an included place left (``quota_exceeded`` otherwise, even with a billing package:
    moving never turns it into a charge), a billable extra stays an extra at its price.
    """
    limits = boundaries.policy.limits
    booking_id = booking.id
    try:
        with guarded_write(owner.id):
            fresh = db.session.get(Booking, booking_id)
            if fresh is None or fresh.status is not BookingStatus.CONFIRMED:
                return Refusal.SLOT_TAKEN
            quota = moving_quota(fresh, offer.slug, owner_zone(boundaries.policy), start=new_start)
            decision = check_booking(
                boundaries.policy,
                offer,
                new_start,
                busy_intervals(owner.id, around(new_start)),
                booked_times(owner.id, around(new_start), exclude_id=booking_id),
                now,
                calendar_stale=is_stale(owner, boundaries, now),
                quota=quota,
            )
            if decision.refusal is not None:
                return decision.refusal
            fresh.start = new_start
            fresh.end = new_start + offer.duration
            fresh.occupied_start = new_start - limits.buffer_before
            fresh.occupied_end = fresh.end + limits.buffer_after
            fresh.reschedule_count += 1
    except IntegrityError:
        return Refusal.SLOT_TAKEN
    mail.notify_booking_rescheduled(booking_id)  # after the commit; never raises
    google_writeback.booking_changed(booking_id)  # never raises
    return None
