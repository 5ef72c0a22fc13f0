"""The owner's private feed of bookings, ``/feeds/<token>.ics``, through the test client.

The clock is Monday 2027-01-04 08:00 UTC. The feed holds bookings that end within the
last 30 days or later; cancelled ones stay (``STATUS:CANCELLED``) for 30 days.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from app.extensions import db
from app.models import Booking, BookingStatus, Owner
from app.services.feeds import rotate_feed_token
from integrations.ics import parse_busy
from schedules import Interval
from tests.factories import create_owner

NOW = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


def add_booking(
    app,
    start,
    *,
    minutes=60,
    status=BookingStatus.CONFIRMED,
    cancelled_at=None,
    message="Looking forward to it",
    name="Ana Client",
    rescheduled=0,
):
    with app.app_context():
        owner = db.session.query(Owner).one()
        end = start + timedelta(minutes=minutes)
        booking = Booking(
            owner_id=owner.id,
            offer_slug="session",
            offer_title="Coaching session",
            start=start,
            end=end,
            occupied_start=start,
            occupied_end=end + timedelta(minutes=15),
            status=status,
            client_name=name,
            client_email="ana@example.com",
            message=message,
            manage_token_hash=uuid.uuid4().hex,
            created_at=NOW - timedelta(days=40),
            cancelled_at=cancelled_at,
            cancelled_by="client" if cancelled_at else None,
            reschedule_count=rescheduled,
        )
        db.session.add(booking)
        db.session.commit()
        return booking.id


@pytest.fixture
def token(app):
    with app.app_context():
        return create_owner().feed_token


def events_of(response):
    calendar = icalendar.Calendar.from_ical(response.data)
    return calendar, {str(e["UID"]).split("@")[0]: e for e in calendar.walk("VEVENT")}


def test_feed_is_valid_icalendar_with_the_booking_details(app, client, token):
    booking_id = add_booking(app, datetime(2027, 1, 5, 8, 0, tzinfo=UTC))
    response = client.get(f"/feeds/{token}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Cache-Control"] == "private"
    assert b"\r\n" in response.data  # RFC 5545 line endings
    calendar, events = events_of(response)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["METHOD"]) == "PUBLISH"
    assert "Cadre" in str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == "Cadre — Camille Martin"
    event = events[booking_id]
    assert str(event["UID"]) == f"{booking_id}@cadre.test"
    assert event.start == datetime(2027, 1, 5, 8, 0, tzinfo=ZoneInfo("UTC"))
    assert event.end == datetime(2027, 1, 5, 9, 0, tzinfo=ZoneInfo("UTC"))
    assert b"DTSTART:20270105T080000Z" in response.data
    assert "DTSTAMP" in event
    assert str(event["SUMMARY"]) == "Coaching session — Ana Client"
    assert "ana@example.com" in str(event["DESCRIPTION"])
    assert "Looking forward to it" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_unknown_token_is_404(client, token):
    assert client.get("/feeds/not-the-token.ics").status_code == 404
    assert client.get(f"/feeds/{token}x.ics").status_code == 404
    assert client.get(f"/feeds/{token}").status_code == 404


def test_rotating_the_token_retires_the_old_url(app, client, token):
    with app.app_context():
        new = rotate_feed_token(db.session.query(Owner).one())
    assert new != token and len(new) >= 40
    assert client.get(f"/feeds/{token}.ics").status_code == 404
    assert client.get(f"/feeds/{new}.ics").status_code == 200


def test_the_window_and_cancelled_bookings(app, client, token):
    ended_long_ago = add_booking(app, NOW - timedelta(days=31))
    ended_recently = add_booking(app, NOW - timedelta(days=29))
    upcoming = add_booking(app, NOW + timedelta(days=1))
    far_future = add_booking(app, NOW + timedelta(days=300))
    just_cancelled = add_booking(
        app,
        NOW + timedelta(days=2),
        status=BookingStatus.CANCELLED,
        cancelled_at=NOW - timedelta(days=1),
    )
    cancelled_long_ago = add_booking(
        app,
        NOW + timedelta(days=3),
        status=BookingStatus.CANCELLED,
        cancelled_at=NOW - timedelta(days=31),
    )
    _, events = events_of(client.get(f"/feeds/{token}.ics"))
    assert set(events) == {ended_recently, upcoming, far_future, just_cancelled}
    assert ended_long_ago not in events and cancelled_long_ago not in events
    cancelled = events[just_cancelled]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]).startswith("Cancelled: ")
    assert int(cancelled["SEQUENCE"]) > 0


def test_uid_is_stable_and_sequence_grows_with_changes(app, client, token):
    booking_id = add_booking(app, NOW + timedelta(days=1), rescheduled=2)
    _, events = events_of(client.get(f"/feeds/{token}.ics"))
    assert str(events[booking_id]["UID"]) == f"{booking_id}@cadre.test"
    assert int(events[booking_id]["SEQUENCE"]) == 2


def test_an_unchanged_feed_answers_304(app, client, token):
    add_booking(app, NOW + timedelta(days=1))
    first = client.get(f"/feeds/{token}.ics")
    again = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    add_booking(app, NOW + timedelta(days=2))
    changed = client.get(f"/feeds/{token}.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200


def test_text_with_special_characters_is_escaped(app, client, token):
    booking_id = add_booking(
        app,
        NOW + timedelta(days=1),
        name="Zoë; O'Neil, Jr.",
        message="Line one\nLine two; with, commas",
    )
    _, events = events_of(client.get(f"/feeds/{token}.ics"))
    event = events[booking_id]
    assert str(event["SUMMARY"]) == "Coaching session — Zoë; O'Neil, Jr."
    assert "Line one\nLine two; with, commas" in str(event["DESCRIPTION"])


def test_our_own_ics_reader_sees_confirmed_bookings_as_busy(app, client, token):
    add_booking(app, datetime(2027, 1, 5, 8, 0, tzinfo=UTC))
    add_booking(
        app,
        datetime(2027, 1, 6, 8, 0, tzinfo=UTC),
        status=BookingStatus.CANCELLED,
        cancelled_at=NOW,
    )
    data = client.get(f"/feeds/{token}.ics").data
    parsed = parse_busy(data, Interval(NOW, NOW + timedelta(days=7)), ZoneInfo("Europe/Paris"))
    assert parsed.busy == [
        Interval(datetime(2027, 1, 5, 8, 0, tzinfo=UTC), datetime(2027, 1, 5, 9, 0, tzinfo=UTC))
    ]
