"""The dashboard's Clients page: clients by e-mail, their packages and this period's use;
giving and removing packages (valid, invalid, CSRF missing, another owner's package).

Clock: Monday 2027-01-04 09:00 in Paris. Owner A is ``camille``, owner B ``bruno``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import BookingStatus, ClientPackage, Owner
from app.services.owners import owner_boundaries
from app.services.packages import add_package
from tests.web.dashboard_helpers import (
    EN,
    MONDAY_0900_PARIS,
    SECRET_CLIENT,
    html,
    insert_booking,
    post,
    setup_owners,
    sign_in,
)

FR = {"Accept-Language": "fr"}
PACKAGE = {
    "email": "Ana@Example.com",
    "offers": ["session"],
    "count": "2",
    "per": "week",
    "beyond": "bill",
    "price": "60 EUR",
}


@pytest.fixture
def owners(app, client):
    owners = setup_owners(app)
    with app.app_context():
        tuesday = MONDAY_0900_PARIS + timedelta(days=1)
        insert_booking(owners.a_id, tuesday, offer="session", title="Coaching session")
        insert_booking(
            owners.a_id,
            tuesday + timedelta(hours=2),
            offer="session",
            title="Coaching session",
            email="ANA@example.com",
            status=BookingStatus.CANCELLED,
        )
        insert_booking(owners.a_id, tuesday + timedelta(days=1), client="Bob", email="bob@x.org")
    sign_in(client)
    return owners


def packages(app, owner_id):
    with app.app_context():
        rows = db.session.scalars(
            select(ClientPackage).where(ClientPackage.owner_id == owner_id)
        ).all()
        return [(r.client_email, r.count, r.per, r.offers, r.beyond, r.extra_price) for r in rows]


def test_clients_are_listed_by_email_with_their_upcoming_bookings(client, owners):
    page = html(client.get("/dashboard/clients", headers=EN))
    rows = re.findall(r'<tr data-client="([^"]+)">', page)
    assert rows == ["ana@example.com", "bob@x.org"]  # one Ana, whatever the case
    assert "No package: no quota" in page
    assert SECRET_CLIENT not in page
    assert 'href="/dashboard/clients"' in page and ">Clients</a>" in page  # in the menu


def test_giving_a_package_shows_its_use_this_period(app, client, owners):
    response = post(client, "/dashboard/clients/packages", PACKAGE)
    assert response.status_code == 303
    assert packages(app, owners.a_id) == [
        ("ana@example.com", 2, "week", ["session"], "bill", "60 EUR")
    ]
    page = html(client.get("/dashboard/clients", headers=EN))
    assert "Package added for ana@example.com." in page
    package = re.search(r'<div class="package" data-package="\d+">(.*?)</div>', page, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", package.group(1)))
    assert "2 per week · Coaching session · beyond: billed 60 EUR each" in text
    # Tuesday's session counts; the cancelled one does not.
    assert "1 of 2 used, Monday, January 4, 2027 to Sunday, January 10, 2027" in text


def test_the_add_link_fills_in_the_clients_email(client, owners):
    page = html(client.get("/dashboard/clients?email=bob@x.org", headers=EN))
    assert 'id="package-email" name="email" value="bob@x.org"' in page


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"email": "not-an-address"}, "email", "not a valid e-mail address"),
        ({"count": "two"}, "count", "a whole number from 0 to 1000"),
        ({"count": "1001"}, "count", "a whole number from 0 to 1000"),
        ({"per": "day"}, "per", "choose week or month"),
        ({"beyond": "maybe"}, "beyond", "choose refuse or bill"),
        ({"price": ""}, "price", "billed extras need a price"),
        ({"beyond": "refuse"}, "price", "a price only applies to billed extras"),
        ({"offers": ["yoga"]}, "offers", "no such offer: yoga"),
    ],
)
def test_a_bad_package_names_the_field_and_changes_nothing(
    app, client, owners, changes, field, words
):
    response = post(client, "/dashboard/clients/packages", {**PACKAGE, **changes})
    assert response.status_code == 400
    page = html(response)
    error = re.search(rf'<p class="field-error" id="package-{field}-error">(.*?)</p>', page)
    assert error and words in error.group(1)
    assert 'value="60 EUR"' in page or changes.get("price") == ""  # typed values kept
    assert packages(app, owners.a_id) == []


def test_one_package_per_offer_and_client(app, client, owners):
    assert post(client, "/dashboard/clients/packages", PACKAGE).status_code == 303
    again = post(client, "/dashboard/clients/packages", {**PACKAGE, "offers": []})
    assert again.status_code == 400
    assert "already covers these offers" in html(again)
    assert len(packages(app, owners.a_id)) == 1


def test_forms_without_their_csrf_token_are_refused(app, client, owners):
    assert post(client, "/dashboard/clients/packages", PACKAGE, csrf=False).status_code == 400
    assert packages(app, owners.a_id) == []
    post(client, "/dashboard/clients/packages", PACKAGE)
    [package_id] = _ids(app, owners.a_id)
    response = post(client, f"/dashboard/clients/packages/{package_id}/remove", csrf=False)
    assert response.status_code == 400
    assert len(packages(app, owners.a_id)) == 1


def test_removing_a_package(app, client, owners):
    post(client, "/dashboard/clients/packages", PACKAGE)
    [package_id] = _ids(app, owners.a_id)
    response = post(client, f"/dashboard/clients/packages/{package_id}/remove")
    assert response.status_code == 303
    assert packages(app, owners.a_id) == []
    assert "The package of ana@example.com is removed." in html(
        client.get("/dashboard/clients", headers=EN)
    )
    assert post(client, f"/dashboard/clients/packages/{package_id}/remove").status_code == 404


def test_another_owners_package_is_not_found(app, client, owners):
    with app.app_context():
        bruno = db.session.get(Owner, owners.b_id)
        b_package = add_package(
            bruno,
            owner_boundaries(bruno),
            "zed@b-client.example",
            per="month",
            count=3,
            offers=None,
            beyond="refuse",
        ).id
    page = html(client.get("/dashboard/clients", headers=EN))
    assert "zed@b-client.example" not in page
    assert post(client, f"/dashboard/clients/packages/{b_package}/remove").status_code == 404
    assert len(packages(app, owners.b_id)) == 1


def test_the_page_is_in_french(client, owners):
    post(client, "/dashboard/clients/packages", PACKAGE)
    page = html(client.get("/dashboard/clients", headers=FR))
    for words in ("Clients", "2 par semaine", "au-delà : facturé 60 EUR", "Donner un forfait"):
        assert words in page, words
    bad = post(client, "/dashboard/clients/packages", {**PACKAGE, "count": "x"})
    assert bad.status_code == 400


def _ids(app, owner_id):
    with app.app_context():
        return list(
            db.session.scalars(select(ClientPackage.id).where(ClientPackage.owner_id == owner_id))
        )
