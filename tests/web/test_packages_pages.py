"""Client packages on the public HTML pages, on every database.

The clock is Monday 2027-01-04 09:00 in Paris (03:00 in New York, the zone the form
posts in). The owner works Mon–Fri mornings in Paris; 24h notice; free cancellation
until 48h before.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Booking, Owner
from app.services.owners import owner_boundaries
from app.services.packages import add_package
from tests.factories import create_owner
from tests.web.pages_helpers import EN, book_form, element_text, html_of, input_value, slot_starts

TUE = "2027-01-05T03:00:00-05:00"  # Tuesday 09:00 in Paris
THU = "2027-01-07T03:00:00-05:00"
FRI = "2027-01-08T03:00:00-05:00"
NEXT_MON = "2027-01-11T03:00:00-05:00"
FR = {"Accept-Language": "fr"}


@pytest.fixture
def owner(app):
    with app.app_context():
        return create_owner().slug


def give(app, **options):
    options.setdefault("per", "week")
    options.setdefault("count", 1)
    options.setdefault("offers", None)
    options.setdefault("beyond", "refuse")
    with app.app_context():
        owner = db.session.scalar(select(Owner).where(Owner.slug == "camille"))
        add_package(owner, owner_boundaries(owner), "ana@example.com", **options)


def stored(app):
    with app.app_context():
        return [
            (b.start.isoformat(), b.billable_extra, b.extra_price)
            for b in db.session.scalars(select(Booking).order_by(Booking.start))
        ]


def manage_path(response) -> str:
    match = re.search(r"/manage/([^/]+)/booked$", response.headers["Location"])
    assert match, response.headers["Location"]
    return f"/manage/{match.group(1)}"


def test_the_extra_price_is_shown_and_agreed_before_booking(app, client, owner):
    give(app, beyond="bill", price="60 EUR")
    assert book_form(client, TUE).status_code == 303
    asked = book_form(client, THU, name="Ana Lima", message="Same as usual")
    assert asked.status_code == 422
    html = html_of(asked)
    assert "billed as an extra, 60 EUR" in element_text(html, "extra-charge")
    assert re.search(
        r'<input type="checkbox" id="accept_extra_charge" name="accept_extra_charge"'
        r' value="60 EUR">',
        html,
    )
    assert "I accept this extra charge: 60 EUR" in html
    assert 'value="2027-01-07T03:00:00-05:00" aria-label="Thursday, January 7' in html  # kept
    assert input_value(html, "name") == "Ana Lima"
    assert input_value(html, "message") == "Same as usual"
    assert len(stored(app)) == 1  # nothing booked yet
    booked = book_form(client, THU, accept_extra_charge="60 EUR")
    assert booked.status_code == 303
    page = html_of(client.get(manage_path(booked) + "/booked", headers=EN))
    assert "Billed as an extra: 60 EUR" in element_text(page, "billable-extra")
    assert stored(app)[1] == ("2027-01-07T08:00:00+00:00", True, "60 EUR")


def test_a_changed_price_is_asked_again(app, client, owner):
    give(app, count=0, beyond="bill", price="60 EUR")
    again = book_form(client, TUE, accept_extra_charge="45 EUR")  # shown before the change
    assert again.status_code == 422
    assert 'value="60 EUR"' in html_of(again)
    assert stored(app) == []


def test_without_a_package_nothing_is_asked(app, client, owner):
    give(app, count=0, beyond="bill", price="60 EUR")
    response = book_form(client, TUE, email="bob@example.com")
    assert response.status_code == 303
    assert "extra-charge" not in html_of(client.get("/camille?offer=discovery", headers=EN))


def test_quota_exceeded_offers_times_in_another_period(app, client, owner):
    give(app)
    assert book_form(client, TUE).status_code == 303
    refused = book_form(client, THU)
    assert refused.status_code == 422
    html = html_of(refused)
    assert "Your package includes no more bookings in this period" in element_text(html, "refusal")
    alternatives = slot_starts(html)
    # Nothing this week for Ana: the nearest times are from Monday the 11th on.
    assert alternatives and all(start >= "2027-01-11" for start in alternatives)
    assert len(stored(app)) == 1


def test_quota_and_extra_charge_pages_are_in_french(app, client, owner):
    give(app, beyond="bill", price="60 EUR")
    book_form(client, TUE, headers=FR)
    html = html_of(book_form(client, THU, headers=FR))
    assert "facturée en supplément, 60 EUR" in element_text(html, "extra-charge")
    assert "J'accepte ce supplément : 60 EUR" in html.replace("&#39;", "'")


def test_reschedule_lists_only_the_times_the_package_allows(app, client, owner):
    give(app)
    book_form(client, THU)
    path = manage_path(book_form(client, NEXT_MON))
    page = html_of(client.get(path + "/reschedule?from=2027-01-04", headers=EN))
    # This week's allowance is used by Thursday: nothing to move to before Monday the 11th.
    assert slot_starts(page) == []
    assert "Next free time: Monday, January 11" in element_text(page, "no-slots")
    later = html_of(client.get(path + "/reschedule?from=2027-01-11", headers=EN))
    assert "2027-01-12T03:00:00-05:00" in slot_starts(later)  # its own week is open to it
    response = client.post(
        path + "/reschedule",
        data={"csrf_token": _csrf(page), "start": FRI, "timezone": "America/New_York"},
        headers=EN,
    )
    assert response.status_code == 422
    assert "Your package includes no more bookings" in html_of(response)


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match
    return match.group(1)
