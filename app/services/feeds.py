"""The owner's private feed of bookings (``/feeds/<token>.ics``) and its token.

Calendar apps (Google, Apple, Outlook) subscribe to the URL and poll it, so the feed is
plain iCalendar (RFC 5545) in UTC: no VTIMEZONE to get wrong. Each booking keeps its UID
for life, so a reschedule moves the event instead of duplicating it; ``SEQUENCE`` grows
with each change so clients know which version is newer. A cancelled booking stays
``STATUS:CANCELLED`` for ``CANCELLED_KEPT`` (long enough for any client to poll and
remove it), then leaves the feed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
from sqlalchemy import select

from app.extensions import db
from app.models import Booking, BookingStatus, Owner
from app.models.owner import new_feed_token

FEED_PAST = timedelta(days=30)
CANCELLED_KEPT = timedelta(days=30)
REFRESH = timedelta(minutes=15)
PRODID = "-//Cadre//Bookings feed//EN"
TOKEN_MAX_LENGTH = 100


def owner_for_feed_token(token: str) -> Owner | None:
    """The owner whose feed ``token`` opens, or None."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    return db.session.scalar(select(Owner).where(Owner.feed_token == token))


def rotate_feed_token(owner: Owner) -> str:
    """Give ``owner`` a new feed token (the old URL stops working at once); commit."""
    owner.feed_token = new_feed_token()
    db.session.commit()
    return owner.feed_token


def feed_bookings(owner: Owner, now: datetime) -> list[Booking]:
    """Bookings in the feed: ending within the last 30 days or later, oldest first;
    cancelled ones only while their cancellation is recent."""
    rows = db.session.scalars(
        select(Booking)
        .where(Booking.owner_id == owner.id, Booking.end >= now - FEED_PAST)
        .order_by(Booking.start, Booking.id)
    ).all()
    kept_since = now - CANCELLED_KEPT
    return [
        booking
        for booking in rows
        if booking.status is BookingStatus.CONFIRMED
        or (booking.cancelled_at or booking.created_at) >= kept_since
    ]


def build_feed(owner: Owner, bookings: list[Booking], domain: str) -> bytes:
    """The iCalendar text of ``bookings``. Deterministic for the same data (DTSTAMP is the
    booking's last change, not the request time), so an unchanged feed can be a 304."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Cadre — {owner.name}")
    # Polling hints: RFC 7986 and the older Microsoft/Apple spelling.
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT15M")
    for booking in bookings:
        calendar.add_component(_event(booking, domain))
    return calendar.to_ical()


def _event(booking: Booking, domain: str) -> icalendar.Event:
    cancelled = booking.status is BookingStatus.CANCELLED
    event = icalendar.Event()
    event.add("uid", f"{booking.id}@{domain}")
    event.add("dtstamp", _utc(booking.cancelled_at if cancelled else None, booking.created_at))
    event.add("created", _utc(None, booking.created_at))
    event.add("dtstart", _utc(None, booking.start))
    event.add("dtend", _utc(None, booking.end))
    title = f"{booking.offer_title} — {booking.client_name}"
    # Some clients show cancelled events anyway: say so in the title too.
    event.add("summary", f"Cancelled: {title}" if cancelled else title)
    lines = [f"Client: {booking.client_name} <{booking.client_email}>"]
    if booking.message:
        lines += ["", booking.message]
    event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    event.add("sequence", (booking.reschedule_count or 0) + (1 if cancelled else 0))
    return event


def _utc(preferred: datetime | None, fallback: datetime) -> datetime:
    moment = preferred or fallback
    return moment.astimezone(UTC).replace(microsecond=0)
