"""Client packages through the JSON API and the CLI, on every database.

The clock is Monday 2027-01-04 09:00 in Paris; the owner (Camille) works Mon–Fri mornings
(+ afternoons Mon/Tue/Thu), 24h notice. Offers: ``discovery`` (30m) and ``session`` (60m).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Booking, ClientPackage, Owner
from app.services.owners import owner_boundaries
from app.services.packages import PackageError, add_package
from tests.factories import create_owner
from tests.web.test_openapi import check

TUE = "2027-01-05T09:00:00+01:00"
WED = "2027-01-06T09:00:00+01:00"
THU = "2027-01-07T09:00:00+01:00"
FRI = "2027-01-08T09:00:00+01:00"
NEXT_MON = "2027-01-11T09:00:00+01:00"
FEB = "2027-02-02T09:00:00+01:00"
BOOKINGS = "/api/v1/{owner}/{offer}/bookings"


def book(client, start, offer="session", email="ana@example.com", headers=None, **fields):
    body = {"start": start, "name": "Ana", "email": email, "accept_terms": True, **fields}
    return client.post(f"/api/v1/camille/{offer}/bookings", json=body, headers=headers or {})


def give(app, email="ana@example.com", **options):
    options.setdefault("per", "week")
    options.setdefault("count", 2)
    options.setdefault("offers", ["session"])
    options.setdefault("beyond", "refuse")
    with app.app_context():
        owner = db.session.scalar(select(Owner).where(Owner.slug == "camille"))
        return add_package(owner, owner_boundaries(owner), email, **options).id


def stored(app):
    with app.app_context():
        rows = db.session.scalars(select(Booking).order_by(Booking.start)).all()
        return [(b.start.isoformat(), b.billable_extra, b.extra_price) for b in rows]


@pytest.fixture
def owner(app):
    with app.app_context():
        return create_owner().slug


def test_beyond_a_refusing_package_is_quota_exceeded(app, client, owner):
    give(app)
    assert book(client, TUE).status_code == 201
    second = book(client, THU)
    assert second.status_code == 201
    assert second.get_json()["billable_extra"] is None
    refused = book(client, FRI)
    assert refused.status_code == 422
    assert refused.get_json()["error"] == "quota_exceeded"
    assert refused.get_json()["message"]
    assert len(stored(app)) == 2
    assert book(client, NEXT_MON).status_code == 201  # the next ISO week
    # Other offers and other clients are not limited by Ana's sessions package.
    assert book(client, FRI, offer="discovery").status_code == 201
    assert book(client, "2027-01-08T10:00:00+01:00", email="bob@example.com").status_code == 201


def test_the_client_is_known_by_email_whatever_its_case(app, client, owner):
    give(app, email="  Ana@Example.COM ", count=1)
    assert book(client, TUE, email="ANA@example.com").status_code == 201
    assert book(client, THU, email="ana@EXAMPLE.com").get_json()["error"] == "quota_exceeded"


def test_cancelled_bookings_give_their_place_back(app, client, owner):
    give(app, count=1)
    first = book(client, TUE).get_json()
    assert book(client, THU).get_json()["error"] == "quota_exceeded"
    token = first["manage_url"].rsplit("/", 1)[1]
    assert client.post(f"/api/v1/manage/{token}/cancel").status_code == 200
    assert book(client, THU).status_code == 201


def test_beyond_a_billing_package_asks_for_consent_then_bills(app, client, owner):
    give(app, per="month", count=1, beyond="bill", price="60 EUR")
    assert book(client, TUE).get_json()["billable_extra"] is None
    asked = book(client, THU)
    assert asked.status_code == 422
    body = asked.get_json()
    assert body["error"] == "extra_charge_requires_consent"
    assert body["price"] == "60 EUR"
    assert "60 EUR" in body["message"]
    assert len(stored(app)) == 1  # nothing was booked
    assert book(client, THU, accept_extra_charge=False).status_code == 422
    wrong_price = book(client, THU, accept_extra_charge="50 EUR")
    assert wrong_price.status_code == 422 and wrong_price.get_json()["price"] == "60 EUR"
    booked = book(client, THU, accept_extra_charge=True)
    assert booked.status_code == 201
    assert booked.get_json()["billable_extra"] == {"price": "60 EUR"}
    exact = book(client, FRI, accept_extra_charge="60 EUR")
    assert exact.get_json()["billable_extra"] == {"price": "60 EUR"}
    # February starts afresh; consent sent when nothing is billed is simply ignored.
    assert book(client, FEB, accept_extra_charge=True).get_json()["billable_extra"] is None
    assert stored(app) == [
        ("2027-01-05T08:00:00+00:00", False, None),
        ("2027-01-07T08:00:00+00:00", True, "60 EUR"),
        ("2027-01-08T08:00:00+00:00", True, "60 EUR"),
        ("2027-02-02T08:00:00+00:00", False, None),
    ]
    token = booked.get_json()["manage_url"].rsplit("/", 1)[1]
    assert client.get(f"/api/v1/manage/{token}").get_json()["billable_extra"] == {"price": "60 EUR"}


def test_extras_do_not_use_the_allowance(app, client, owner):
    give(app, per="week", count=1, beyond="bill", price="60 EUR")
    included = book(client, TUE).get_json()
    assert book(client, WED, accept_extra_charge=True).get_json()["billable_extra"]
    token = included["manage_url"].rsplit("/", 1)[1]
    client.post(f"/api/v1/manage/{token}/cancel")
    # The included place is free again, although an extra remains this week.
    assert book(client, THU).get_json()["billable_extra"] is None


def test_other_refusals_come_before_the_price(app, client, owner):
    give(app, count=0, beyond="bill", price="60 EUR")
    assert book(client, "2027-01-09T09:00:00+01:00").get_json()["error"] == "closed_day"
    assert book(client, TUE, accept_extra_charge=True).status_code == 201
    assert book(client, TUE, accept_extra_charge=True).get_json()["error"] == "slot_taken"


def test_bad_consent_is_invalid_input(client, owner):
    for value in (5, "", "x" * 201, ["60 EUR"]):
        response = book(client, TUE, accept_extra_charge=value)
        assert response.status_code == 400
        assert "accept_extra_charge" in response.get_json()["fields"]


def test_consent_is_a_new_request_for_idempotency(app, client, owner):
    give(app, count=0, beyond="bill", price="60 EUR")
    first = book(client, TUE, headers={"Idempotency-Key": "k1"})
    again = book(client, TUE, headers={"Idempotency-Key": "k1"})
    assert first.get_json() == again.get_json()
    assert again.get_json()["error"] == "extra_charge_requires_consent"
    reused = book(client, TUE, headers={"Idempotency-Key": "k1"}, accept_extra_charge=True)
    assert reused.status_code == 400
    consented = book(client, TUE, headers={"Idempotency-Key": "k2"}, accept_extra_charge=True)
    assert consented.status_code == 201


def test_reschedule_keeps_the_allowance(app, client, owner):
    # (Free cancellation lasts 48h, and moving is allowed until then: Thursday on is movable.)
    give(app, count=1)
    this_week = book(client, THU).get_json()
    next_week = book(client, NEXT_MON).get_json()
    token = next_week["manage_url"].rsplit("/", 1)[1]
    moved = client.post(f"/api/v1/manage/{token}/reschedule", json={"start": FRI})
    assert moved.status_code == 422 and moved.get_json()["error"] == "quota_exceeded"
    # Within its own week it may move: its own place is not counted twice.
    within = client.post(
        f"/api/v1/manage/{token}/reschedule", json={"start": "2027-01-12T09:00:00+01:00"}
    )
    assert within.status_code == 200
    token = this_week["manage_url"].rsplit("/", 1)[1]
    assert client.post(f"/api/v1/manage/{token}/reschedule", json={"start": FRI}).status_code == 200


def test_moving_never_turns_an_included_booking_into_a_charge(app, client, owner):
    give(app, count=1, beyond="bill", price="60 EUR")
    book(client, TUE)
    later = book(client, NEXT_MON).get_json()
    token = later["manage_url"].rsplit("/", 1)[1]
    moved = client.post(f"/api/v1/manage/{token}/reschedule", json={"start": THU})
    assert moved.get_json()["error"] == "quota_exceeded"
    # An extra stays an extra wherever it moves, even to a week with a free place.
    extra = book(client, FRI, accept_extra_charge=True).get_json()
    assert extra["billable_extra"] == {"price": "60 EUR"}
    token = extra["manage_url"].rsplit("/", 1)[1]
    moved = client.post(f"/api/v1/manage/{token}/reschedule", json={"start": FEB})
    assert moved.status_code == 200 and moved.get_json()["billable_extra"] == {"price": "60 EUR"}


def test_answers_match_the_openapi_document(app, client, owner):
    give(app, count=1, beyond="bill", price="60 EUR")
    give(app, email="bob@example.com", count=0)
    doc = client.get("/api/v1/openapi.json").get_json()
    path = "/api/v1/{owner}/{offer}/bookings"
    check(doc, path, "post", 201, book(client, TUE).get_json())
    asked = book(client, THU)
    check(doc, path, "post", 422, asked.get_json())
    extra = book(client, THU, accept_extra_charge=True)
    check(doc, path, "post", 201, extra.get_json())
    refused = book(client, FRI, email="bob@example.com")
    assert refused.get_json()["error"] == "quota_exceeded"
    check(doc, path, "post", 422, refused.get_json())


def test_quota_text_is_translated(app, client, owner):
    give(app, count=0)
    give(app, email="bob@example.com", count=0, beyond="bill", price="60 EUR")
    headers = {"Accept-Language": "fr"}
    refused = book(client, TUE, headers=headers).get_json()
    assert refused["message"].startswith("Votre forfait")
    asked = book(client, TUE, email="bob@example.com", headers=headers).get_json()
    assert "60 EUR" in asked["message"] and "supplément" in asked["message"]


# --- the service's checks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"count": -1}, "count"),
        ({"per": "day"}, "per"),
        ({"offers": ["nope"]}, "offers"),
        ({"beyond": "bill"}, "price"),
        ({"price": "60 EUR"}, "price"),
        ({"email": "not an address"}, "email"),
    ],
)
def test_bad_packages_name_the_field_and_store_nothing(app, owner, options, field):
    with pytest.raises(PackageError) as raised:
        give(app, **options)
    assert field in raised.value.fields
    with app.app_context():
        assert db.session.scalars(select(ClientPackage)).all() == []


def test_one_package_per_offer_and_client(app, owner):
    give(app, offers=["session"])
    give(app, offers=["discovery"], per="month", count=4)
    give(app, email="bob@example.com", offers=None)
    with pytest.raises(PackageError, match="already covers"):
        give(app, offers=None)


# --- the CLI ----------------------------------------------------------------------------


def test_cli_add_list_remove(app, runner, owner, client):
    added = runner.invoke(
        args=[
            "package", "add", "camille", "Ana@example.com", "--per", "month", "--count", "4",
            "--offers", "session,discovery", "--beyond", "bill", "--price", "60 EUR",
        ]
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "ana@example.com: 4 per month of discovery, session; beyond: billed 60 EUR" in (
        added.output
    )
    book(client, TUE)
    listed = runner.invoke(args=["package", "list", "camille"])
    assert listed.exit_code == 0
    assert "used 1 of 4 (2027-01-01 to 2027-01-31)" in listed.output
    package_id = listed.output.split("\t", 1)[0]
    removed = runner.invoke(args=["package", "remove", package_id])
    assert removed.exit_code == 0 and "ana@example.com" in removed.output
    assert runner.invoke(args=["package", "list", "camille"]).output.strip() == "no packages"
    assert runner.invoke(args=["package", "remove", package_id]).exit_code == 1


def test_cli_errors_change_nothing(app, runner, owner):
    bad = runner.invoke(
        args=["package", "add", "camille", "ana@example.com", "--per", "week", "--count", "2",
              "--offers", "yoga", "--beyond", "refuse", "--price", "9 EUR"]
    )  # fmt: skip
    assert bad.exit_code == 1
    assert "offers: no such offer: yoga" in bad.output
    assert "price:" in bad.output
    assert runner.invoke(args=["package", "add", "nobody", "a@b.org", "--per", "week",
                               "--count", "1"]).exit_code == 1  # fmt: skip
    with app.app_context():
        assert db.session.scalars(select(ClientPackage)).all() == []


def test_mails_of_a_billed_extra_say_so(app, client, owner):
    from app.models import OutboxMail

    give(app, per="month", count=1, beyond="bill", price="60 EUR")
    english = {"Accept-Language": "en"}
    book(client, TUE, headers=english)
    extra_id = book(client, THU, accept_extra_charge=True, headers=english).get_json()["id"]
    with app.app_context():
        mails = db.session.scalars(select(OutboxMail).where(OutboxMail.booking_id.is_not(None)))
        said = {
            (m.to, m.booking_id == extra_id)
            for m in mails
            if "Billed as an extra: 60 EUR" in m.text_body  # the client's, in English
            or "Facturé en supplément : 60 EUR" in m.text_body  # the owner's, in French
        }
    # The client's confirmation and the owner's notice of the extra only.
    assert said == {("ana@example.com", True), ("camille@example.org", True)}
