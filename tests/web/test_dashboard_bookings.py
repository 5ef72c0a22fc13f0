"""Bookings: the list and its filters, late-cancellation flags, cancelling with a message.

Clock: Monday 2027-01-04 09:00 in Paris (08:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Booking, BookingStatus, OutboxMail
from tests.web.dashboard_helpers import (
    EN,
    html,
    insert_booking,
    post,
    setup_owners,
    sign_in,
    token,
)

TUE_10 = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Paris
WED_11 = datetime(2027, 1, 6, 10, 0, tzinfo=UTC)
THU_09 = datetime(2027, 1, 7, 8, 0, tzinfo=UTC)
LAST_FRIDAY = datetime(2027, 1, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def owner(app, client):
    owners = setup_owners(app)
    with app.app_context():
        owners.tue = insert_booking(owners.a_id, TUE_10, client="Ana Client")
        owners.wed = insert_booking(
            owners.a_id,
            WED_11,
            offer="session",
            title="Coaching session",
            minutes=60,
            client="Bob Builder",
            email="bob@builder.example",
        )
        owners.thu = insert_booking(
            owners.a_id,
            THU_09,
            client="Cleo Late",
            email="cleo@example.com",
            status=BookingStatus.CANCELLED,
            cancelled_by="client",
            cancelled_at=datetime(2027, 1, 4, 7, 0, tzinfo=UTC),
            late_cancellation=True,
            late_fee="50 EUR",
        )
        owners.past = insert_booking(owners.a_id, LAST_FRIDAY, client="Dora Past")
    sign_in(client)
    return owners


def listed(client, query=""):
    page = html(client.get(f"/dashboard/bookings{query}", headers=EN))
    return page, [name for name in ("Ana", "Bob", "Cleo", "Dora") if f"{name} " in page]


def test_upcoming_bookings_are_listed_in_order_with_their_flags(client, owner):
    page, names = listed(client)
    assert names == ["Ana", "Bob", "Cleo"]
    assert page.index("Ana Client") < page.index("Bob Builder") < page.index("Cleo Late")
    assert "Late cancellation — fee: 50 EUR" in page
    assert "Cancelled by the client" in page
    # 48 hours before: Tuesday 10:00 is already inside, Wednesday 11:00 not yet.
    ana = page.split("Ana Client", 1)[1].split("</tr>", 1)[0]
    assert "Free cancellation has ended: a cancellation by the client now is late." in ana
    assert "Free cancellation until Monday, January 4, 2027 at 11:00 AM" in page


FILTERS = [
    ("?offer=session", ["Bob"]),
    ("?client=BUILDER.example", ["Bob"]),
    ("?client=ana", ["Ana"]),
    ("?client=%25", []),  # a literal "%", not a wildcard
    ("?status=cancelled", ["Cleo"]),
    ("?status=confirmed", ["Ana", "Bob"]),
    ("?period=past", ["Dora"]),
    ("?period=past&client=bob", []),
    ("?status=nonsense&period=nonsense", ["Ana", "Bob", "Cleo"]),
]


def test_filters(client, owner):
    for query, expected in FILTERS:
        assert listed(client, query)[1] == expected, query


def test_cancelling_tells_the_client_with_the_owners_message(app, client, owner):
    page = html(client.get(f"/dashboard/bookings/{owner.tue}/cancel", headers=EN))
    assert "Ana Client" in page and "Cancel this booking" in page
    note = "I am ill, sorry. Please pick another time next week."
    response = post(client, f"/dashboard/bookings/{owner.tue}/cancel", {"note": note})
    assert response.status_code == 303
    assert "has been told by e-mail" in html(client.get("/dashboard/bookings", headers=EN))
    with app.app_context():
        booking = db.session.get(Booking, owner.tue)
        assert booking.status is BookingStatus.CANCELLED
        assert booking.cancelled_by == "owner"
        assert not booking.late_cancellation  # within 48h, but the owner cancelled: no fee
        mail = db.session.scalar(
            select(OutboxMail).where(
                OutboxMail.kind == "booking_cancelled", OutboxMail.to == "ana@example.com"
            )
        )
        assert note in mail.text_body and note in mail.html_body
        # The client reads the booking page's language (camille's page is in French).
        assert "Camille Martin a annulé cette réservation" in mail.text_body
        assert "Message de Camille Martin :\n" + note in mail.text_body
        assert "Aucuns frais ne s’appliquent." in mail.text_body


def test_a_too_long_message_is_refused_and_kept(app, client, owner):
    note = "x" * 2001
    response = post(client, f"/dashboard/bookings/{owner.tue}/cancel", {"note": note})
    assert response.status_code == 400
    assert note in html(response)
    assert "at most 2000 characters" in html(response)
    with app.app_context():
        assert db.session.get(Booking, owner.tue).status is BookingStatus.CONFIRMED


def test_past_and_cancelled_bookings_cannot_be_cancelled(app, client, owner):
    for booking_id in (owner.past, owner.thu):
        page = html(client.get(f"/dashboard/bookings/{booking_id}/cancel", headers=EN))
        assert "This booking can no longer be cancelled." in page
        data = {"csrf_token": token(client, "/dashboard/"), "note": ""}
        response = client.post(f"/dashboard/bookings/{booking_id}/cancel", data=data)
        assert response.status_code == 303
        with app.app_context():
            booking = db.session.get(Booking, booking_id)
            assert booking.cancelled_by in (None, "client")
