"""One booking as an iCalendar object (RFC 5545 / iTIP RFC 5546).

Mail carries ``METHOD:REQUEST`` (calendar clients offer to add it and, thanks to the stable
UID and a SEQUENCE that grows with each move, update it in place) or ``METHOD:CANCEL``;
the "Add to calendar" download is a plain ``PUBLISH``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from icalendar import Calendar, Event, vCalAddress, vText

from app.models import Booking, BookingStatus, Owner

Method = Literal["REQUEST", "CANCEL", "PUBLISH"]


def booking_uid(booking: Booking) -> str:
    return f"booking-{booking.id}@cadre"


def booking_ics(
    booking: Booking,
    owner: Owner,
    method: Method,
    now: datetime,
    description: str = "",
    summary: str | None = None,
) -> bytes:
    """The booking as an ``.ics`` file: times in UTC, owner as organizer, client as attendee."""
    calendar = Calendar()
    calendar.add("prodid", "-//Cadre//Booking//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", booking_uid(booking))
    event.add("dtstamp", now)
    event.add("dtstart", booking.start)
    event.add("dtend", booking.end)
    event.add("summary", summary or f"{booking.offer_title} — {owner.name}")
    if description:
        event.add("description", description)
    # Each move is a new version of the same event (RFC 5546 §2.1.4).
    event.add("sequence", booking.reschedule_count + (1 if method == "CANCEL" else 0))
    cancelled = method == "CANCEL" or booking.status is BookingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{owner.email}")
    organizer.params["cn"] = vText(owner.name)
    event["organizer"] = organizer
    attendee = vCalAddress(f"mailto:{booking.client_email}")
    attendee.params["cn"] = vText(booking.client_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return bytes(calendar.to_ical())
