"""The owner's bookings: the list with its filters, and cancelling on the owner's side."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from app.extensions import db
from app.models import Booking, BookingStatus, Owner
from app.services.bookings import CancelOutcome, cancel_booking
from app.services.owners import owner_boundaries

PAST_WINDOW = timedelta(days=90)
LIST_LIMIT = 300
NOTE_MAX = 2000
PERIODS = ("upcoming", "past")
STATUSES = ("all", "confirmed", "cancelled")


@dataclass(frozen=True)
class BookingFilter:
    """What the list shows: ``period`` upcoming (not yet ended) or past (last 90 days)."""

    offer: str | None = None
    client: str | None = None
    status: str = "all"
    period: str = "upcoming"

    @classmethod
    def from_args(cls, args: dict[str, str]) -> BookingFilter:
        status = args.get("status", "all")
        period = args.get("period", "upcoming")
        return cls(
            offer=(args.get("offer") or "").strip()[:64] or None,
            client=(args.get("client") or "").strip()[:200] or None,
            status=status if status in STATUSES else "all",
            period=period if period in PERIODS else "upcoming",
        )


def list_bookings(owner: Owner, chosen: BookingFilter, now: datetime) -> list[Booking]:
    query = select(Booking).where(Booking.owner_id == owner.id)
    if chosen.period == "past":
        query = query.where(Booking.end <= now, Booking.start >= now - PAST_WINDOW)
        query = query.order_by(Booking.start.desc(), Booking.id)
    else:
        query = query.where(Booking.end > now).order_by(Booking.start, Booking.id)
    if chosen.offer:
        query = query.where(Booking.offer_slug == chosen.offer)
    if chosen.client:
        needle = chosen.client.lower()
        query = query.where(
            or_(
                func.lower(Booking.client_name).contains(needle, autoescape=True),
                func.lower(Booking.client_email).contains(needle, autoescape=True),
            )
        )
    if chosen.status == "confirmed":
        query = query.where(Booking.status == BookingStatus.CONFIRMED)
    elif chosen.status == "cancelled":
        query = query.where(Booking.status == BookingStatus.CANCELLED)
    return list(db.session.scalars(query.limit(LIST_LIMIT)).all())


def offer_choices(owner: Owner) -> list[tuple[str, str]]:
    """Offers to filter by: today's offers, then any other offer that has bookings."""
    choices = [(offer.slug, offer.title) for offer in owner_boundaries(owner).offers]
    known = {slug for slug, _ in choices}
    rows = db.session.execute(
        select(Booking.offer_slug, func.max(Booking.offer_title))
        .where(Booking.owner_id == owner.id)
        .group_by(Booking.offer_slug)
        .order_by(Booking.offer_slug)
    ).all()
    choices += [(slug, title) for slug, title in rows if slug not in known]
    return choices


def get_booking(owner: Owner, booking_id: str) -> Booking | None:
    """``owner``'s booking ``booking_id``; None for anyone else's."""
    if len(booking_id) > 32:
        return None
    return db.session.scalar(
        select(Booking).where(Booking.id == booking_id, Booking.owner_id == owner.id)
    )


def cancellable(booking: Booking, now: datetime) -> bool:
    return booking.active and booking.start > now


def cancel(owner: Owner, booking: Booking, note: str | None, now: datetime) -> CancelOutcome:
    """Cancel on the owner's side: never a late fee for the client; the note goes in the mail."""
    return cancel_booking(booking, owner_boundaries(owner), now, by="owner", note=note or None)
