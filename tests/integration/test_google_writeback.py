"""Bookings written back to the owner's Google calendar, through the real stack and the fake.

The clock is Monday 2027-01-04 09:00 in Paris. Ana's main calendar receives bookings (and
counts as busy). Bookings go through the public JSON API; moves and cancellations through
the booking services, as the manage pages do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Booking, BusyBlock, OutboxMail
from app.models.google import GoogleBookingEvent, WritebackState
from app.services.bookings import cancel_booking, reschedule_booking
from app.services.google_writeback import writeback_due
from app.services.owners import find_offer, get_owner, owner_boundaries
from app.services.sync import sync_source
from tests.fake_google import FakeGoogle, fixtures
from tests.fake_google.fixtures import choose, connect, make_owner, owner_login, source_of

google, gapp = fixtures.google, fixtures.gapp

PARIS = ZoneInfo("Europe/Paris")
ANA = "ana@example.com"
TUE_1000 = "2027-01-05T10:00:00+01:00"


@pytest.fixture
def ana(google: FakeGoogle):
    return google.add_user(ANA)


@pytest.fixture
def linked(gapp, google, ana, client):
    """Ana connected; her main calendar is busy and receives bookings."""
    make_owner(gapp)
    owner_login(gapp, client)
    connect(client, google, ana)

    def choose_(**kwargs):
        kwargs.setdefault("busy", [ANA])
        kwargs.setdefault("booking", ANA)
        assert choose(client, gapp, **kwargs).status_code == 303

    choose_()
    return choose_


def book(client, start=TUE_1000, **extra):
    body = {
        "start": start,
        "name": "Bea Client",
        "email": "bea@example.net",
        "accept_terms": True,
        "message": "About my project",
        **extra,
    }
    response = client.post("/api/v1/camille/discovery/bookings", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def writeback(app, booking_id):
    with app.app_context():
        row = db.session.get(GoogleBookingEvent, booking_id)
        booking = db.session.get(Booking, booking_id)
        assert row is not None and booking is not None
        db.session.expunge_all()
        return row, booking


def ours(google, ana):
    return [e for e in google.events(ana) if e["id"].startswith("cadre")]


def move(app, booking_id, new_start: datetime):
    with app.app_context():
        owner = get_owner("camille")
        boundaries = owner_boundaries(owner)
        booking = db.session.get(Booking, booking_id)
        offer = find_offer(boundaries, booking.offer_slug)
        now = app.config["CLOCK"]()
        assert reschedule_booking(booking, owner, boundaries, offer, new_start, now) is None


def cancel(app, booking_id):
    with app.app_context():
        boundaries = owner_boundaries(get_owner("camille"))
        booking = db.session.get(Booking, booking_id)
        cancel_booking(booking, boundaries, app.config["CLOCK"](), by="owner")


def test_a_booking_becomes_an_event_that_moves_and_goes_with_it(gapp, google, ana, linked, client):
    body = book(client)

    [event] = ours(google, ana)
    row, booking = writeback(gapp, body["id"])
    assert event["id"] == f"cadre{body['id']}" == booking.google_event_id
    assert row.state is WritebackState.DONE and row.attempts == 0
    assert event["summary"] == "Discovery call — Bea Client"
    assert body["manage_url"] in event["description"]
    assert "bea@example.net" in event["description"] and "About my project" in event["description"]
    assert event["start"] == {"dateTime": "2027-01-05T10:00:00+01:00", "timeZone": "Europe/Paris"}
    assert event["end"]["dateTime"] == "2027-01-05T10:30:00+01:00"
    assert event["extendedProperties"] == {"private": {"cadreBooking": body["id"]}}
    assert event["iCalUID"] == f"booking-{body['id']}@cadre"  # as in the mailed invitation
    assert "attendees" not in event and google.invitations == []

    # Synced back, the booking's own event is not busy time on top of the booking.
    with gapp.app_context():
        sync_source(source_of(gapp, ANA).id)
        assert db.session.scalars(select(BusyBlock)).all() == []

    google.reset_counts()
    move(gapp, body["id"], datetime(2027, 1, 6, 11, 0, tzinfo=PARIS))
    [moved] = ours(google, ana)
    assert moved["id"] == event["id"]
    assert moved["start"]["dateTime"] == "2027-01-06T11:00:00+01:00"
    assert google.count("events.patch") == 1 and google.count("events.insert") == 0

    cancel(gapp, body["id"])
    assert ours(google, ana) == []
    row, booking = writeback(gapp, body["id"])
    assert row.state is WritebackState.DONE and row.written_cancelled


def test_a_google_outage_never_blocks_a_booking_and_the_event_comes_once_after(
    gapp, google, ana, linked, client, clock
):
    google.outage = 503
    body = book(client)  # 201 while Google is down

    assert ours(google, ana) == []
    row, booking = writeback(gapp, body["id"])
    assert row.state is WritebackState.PENDING and row.attempts == 1
    assert "unavailable" in (row.last_error or "") and booking.google_event_id is None
    assert google.count("events.insert") == 5  # the job's own retries, then it gives up
    assert "1 booking(s) waiting to be written to Google" in client.get("/oauth/google").text
    with gapp.app_context():
        assert writeback_due() == 0  # not before its backoff

    google.outage = None
    google.reset_counts()
    clock.set(clock.moment + timedelta(minutes=1))
    with gapp.app_context():
        assert writeback_due() == 1

    [event] = ours(google, ana)
    assert event["id"] == f"cadre{body['id']}"
    assert body["manage_url"] in event["description"]  # kept (encrypted) for the retry
    assert google.count("events.insert") == 1
    row, booking = writeback(gapp, body["id"])
    assert row.state is WritebackState.DONE and booking.google_event_id == event["id"]
    with gapp.app_context():
        assert writeback_due() == 0
    assert len(ours(google, ana)) == 1


def test_an_insert_whose_answer_was_lost_is_not_duplicated(gapp, google, ana, linked, client):
    google.fail("events.insert", None, after=True)  # created at Google, answer never arrives
    body = book(client)

    [event] = ours(google, ana)
    assert event["id"] == f"cadre{body['id']}"
    assert google.count("events.insert") == 2  # the retry is told "duplicate" (409)…
    assert google.count("events.patch") == 1  # …and updates the event instead
    row, _booking = writeback(gapp, body["id"])
    assert row.state is WritebackState.DONE


def test_a_move_during_an_outage_reaches_google_after_it(gapp, google, ana, linked, client, clock):
    body = book(client)
    google.outage = 500
    move(gapp, body["id"], datetime(2027, 1, 7, 9, 30, tzinfo=PARIS))
    assert ours(google, ana)[0]["start"]["dateTime"] == "2027-01-05T10:00:00+01:00"
    row, _booking = writeback(gapp, body["id"])
    assert row.state is WritebackState.PENDING

    google.outage = None
    clock.set(clock.moment + timedelta(hours=2))
    with gapp.app_context():
        writeback_due()
    [event] = ours(google, ana)
    assert event["start"]["dateTime"] == "2027-01-07T09:30:00+01:00"


def test_the_client_is_invited_when_the_owner_chose_it(gapp, google, ana, linked, client):
    linked(invite=[ANA])
    body = book(client)
    [event] = ours(google, ana)
    assert event["attendees"] == [{"email": "bea@example.net", "displayName": "Bea Client"}]
    assert google.invitations == [(f"cadre{body['id']}", "bea@example.net")]


def test_without_a_booking_calendar_nothing_is_written(gapp, google, ana, linked, client):
    linked(booking=None)
    google.reset_counts()
    body = book(client)
    assert google.count("events.insert") == 0
    with gapp.app_context():
        assert db.session.get(GoogleBookingEvent, body["id"]) is None


def test_a_revoked_account_holds_write_backs_until_it_is_reconnected(
    gapp, google, ana, linked, client
):
    google.revoke_access(ana)
    google.expire_access_tokens()
    body = book(client)

    assert ours(google, ana) == []
    row, _booking = writeback(gapp, body["id"])
    assert row.state is WritebackState.PENDING and "reconnect" in (row.last_error or "")
    with gapp.app_context():
        kinds = [m.kind for m in db.session.scalars(select(OutboxMail))]
    assert kinds.count("google_reconnect") == 1

    connect(client, google, ana)  # reconnecting releases the waiting write-backs
    [event] = ours(google, ana)
    assert event["id"] == f"cadre{body['id']}"
