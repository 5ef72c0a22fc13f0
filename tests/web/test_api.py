"""The public JSON API through the test client, on every database (contract in ARCHITECTURE.md).

The clock is fixed at Monday 2027-01-04 09:00 in Paris; the owner works Mon–Fri
09:00–12:30 (+14:00–18:00 except Wed/Fri), 24h notice, 15 minutes of buffer after.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Booking
from tests.factories import create_owner

TUE_0900 = "2027-01-05T09:00:00+01:00"


def book(client, start=TUE_0900, offer="discovery", owner="camille", headers=None, **fields):
    body = {
        "start": start,
        "name": "Ana Client",
        "email": "ana@example.com",
        "accept_terms": True,
        **fields,
    }
    return client.post(f"/api/v1/{owner}/{offer}/bookings", json=body, headers=headers or {})


def count_bookings(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Booking))


@pytest.fixture
def owner(app):
    with app.app_context():
        return create_owner().slug


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_owner_boundaries_are_public_without_private_parts(client, owner):
    body = client.get("/api/v1/camille").get_json()
    assert body["owner"]["timezone"] == "Europe/Paris"
    assert [o["slug"] for o in body["offers"]] == ["discovery", "session"]
    assert body["cancellation"] == {"free_until": "48h", "late_fee": "50 EUR"}
    assert "stale_after" not in body["limits"]
    assert "calendars" not in body
    # Monday 09:00: 3.5h + 4h of working time on Monday, the last 30 minutes on Tuesday.
    assert body["reply_due_if_sent_now"] == "2027-01-05T09:30:00+01:00"


def test_reply_due_follows_the_requested_zone(client, owner):
    body = client.get("/api/v1/camille?tz=America/New_York").get_json()
    assert body["reply_due_if_sent_now"] == "2027-01-05T03:30:00-05:00"


def test_slots_for_one_day_in_the_owner_zone(client, owner):
    body = client.get("/api/v1/camille/discovery/slots?from=2027-01-05&to=2027-01-05").get_json()
    assert body["timezone"] == "Europe/Paris"
    starts = [s["start"] for s in body["slots"]]
    assert starts[0] == "2027-01-05T09:00:00+01:00"
    assert starts[6] == "2027-01-05T12:00:00+01:00"
    assert starts[7] == "2027-01-05T14:00:00+01:00"
    assert starts[-1] == "2027-01-05T17:30:00+01:00"
    assert len(starts) == 15
    assert body["slots"][0]["end"] == "2027-01-05T09:30:00+01:00"


def test_slots_in_the_booker_zone_use_its_dates_and_offsets(client, owner):
    # Tuesday in New York runs 06:00 Tue – 06:00 Wed in Paris: all of Paris' Tuesday.
    body = client.get(
        "/api/v1/camille/discovery/slots?from=2027-01-05&to=2027-01-05&tz=America/New_York"
    ).get_json()
    assert body["timezone"] == "America/New_York"
    assert body["slots"][0]["start"] == "2027-01-05T03:00:00-05:00"
    assert all(s["start"].endswith("-05:00") for s in body["slots"])
    assert len(body["slots"]) == 15


def test_slots_refuse_bad_parameters_naming_them(client, owner):
    response = client.get("/api/v1/camille/discovery/slots?from=2027-13-01&tz=Mars/Base")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_input"
    assert set(body["fields"]) == {"tz"} or "from" in body["fields"]
    response = client.get("/api/v1/camille/discovery/slots?from=2027-01-10&to=2027-01-01")
    assert response.get_json()["fields"] == {"to": "must not be before 'from'"}


def test_unknown_owner_or_offer_is_404(client, owner):
    assert client.get("/api/v1/nobody").status_code == 404
    response = client.get("/api/v1/camille/nothing/slots")
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


def test_booking_is_created_and_the_slot_disappears(app, client, owner):
    response = book(client)
    assert response.status_code == 201
    body = response.get_json()
    assert body["start"] == TUE_0900
    assert body["end"] == "2027-01-05T09:30:00+01:00"
    assert body["status"] == "confirmed"
    assert body["manage_url"].startswith("http://cadre.test/manage/")
    slots = client.get("/api/v1/camille/discovery/slots?from=2027-01-05&to=2027-01-05")
    starts = [s["start"] for s in slots.get_json()["slots"]]
    # 09:00 is taken and its 15-minute buffer after reaches into 09:30.
    assert TUE_0900 not in starts
    assert "2027-01-05T09:30:00+01:00" not in starts
    assert "2027-01-05T10:00:00+01:00" in starts
    assert count_bookings(app) == 1


def test_same_slot_twice_is_slot_taken(app, client, owner):
    assert book(client).status_code == 201
    response = book(client, email="other@example.com")
    assert response.status_code == 409
    assert response.get_json()["error"] == "slot_taken"
    # A 60-minute offer overlapping the 30-minute booking is refused too.
    response = book(client, start="2027-01-05T08:00:00Z", offer="session")
    assert response.get_json()["error"] == "slot_taken"
    assert count_bookings(app) == 1


@pytest.mark.parametrize(
    ("start", "status", "code"),
    [
        ("2027-01-04T15:00:00+01:00", 422, "too_soon"),
        ("2027-06-01T09:00:00+02:00", 422, "too_far"),
        ("2027-01-09T09:00:00+01:00", 422, "closed_day"),  # Saturday
        ("2027-01-05T12:30:00+01:00", 422, "outside_working_hours"),
        ("2027-01-05T09:10:00+01:00", 422, "not_a_slot"),
    ],
)
def test_refusals_carry_the_contract_code(app, client, owner, start, status, code):
    response = book(client, start=start)
    assert response.status_code == status
    body = response.get_json()
    assert body["error"] == code
    assert body["message"]
    assert count_bookings(app) == 0


def test_daily_cap_counts_all_offers(app, client):
    with app.app_context():
        create_owner(limits={"max_bookings_per_day": 1})
    assert book(client).status_code == 201
    response = book(client, start="2027-01-05T14:00:00+01:00", offer="session")
    assert response.status_code == 422
    assert response.get_json()["error"] == "daily_limit"


def test_weekly_cap(app, client):
    with app.app_context():
        create_owner(limits={"max_bookings_per_week": 1})
    assert book(client).status_code == 201
    response = book(client, start="2027-01-07T09:00:00+01:00")
    assert response.get_json()["error"] == "weekly_limit"
    assert book(client, start="2027-01-11T09:00:00+01:00").status_code == 201


def test_invalid_input_names_every_bad_field_and_stores_nothing(app, client, owner):
    response = client.post(
        "/api/v1/camille/discovery/bookings",
        json={"start": "2027-01-05 09:00", "name": "", "email": "not-an-email", "extra": 1},
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid_input"
    assert set(body["fields"]) == {"start", "name", "email", "accept_terms", "extra"}
    assert count_bookings(app) == 0


def test_a_naive_start_is_refused(client, owner):
    response = book(client, start="2027-01-05T09:00:00")
    assert response.status_code == 400
    assert "start" in response.get_json()["fields"]


def test_non_json_body_is_invalid_input(client, owner):
    response = client.post("/api/v1/camille/discovery/bookings", data="start=now")
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"body": "expected a JSON object"}


def test_idempotency_key_replays_the_first_answer(app, client, owner):
    first = book(client, headers={"Idempotency-Key": "k-1"})
    again = book(client, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert count_bookings(app) == 1
    other = book(client, headers={"Idempotency-Key": "k-1"}, name="Someone Else")
    assert other.status_code == 400
    assert "Idempotency-Key" in other.get_json()["fields"]


def test_idempotency_replays_refusals_too(app, client, owner):
    assert book(client).status_code == 201
    first = book(client, email="b@example.com", headers={"Idempotency-Key": "k-2"})
    assert first.get_json()["error"] == "slot_taken"
    again = book(client, email="b@example.com", headers={"Idempotency-Key": "k-2"})
    assert again.status_code == 409
    assert again.get_json() == first.get_json()


def manage_path(response) -> str:
    return "/api/v1/manage/" + response.get_json()["manage_url"].rsplit("/", 1)[1]


def test_free_cancellation_frees_the_slot(app, client, owner):
    friday = "2027-01-08T09:00:00+01:00"
    created = book(client, start=friday)
    path = manage_path(created)
    detail = client.get(path).get_json()
    assert detail["cancellation_would_be_late"] is False
    assert detail["free_cancellation_until"] == "2027-01-06T09:00:00+01:00"
    cancelled = client.post(path + "/cancel").get_json()
    assert cancelled["status"] == "cancelled"
    assert cancelled["late_cancellation"] is False
    assert cancelled["late_fee"] is None
    assert book(client, start=friday, email="next@example.com").status_code == 201


def test_late_cancellation_is_marked_with_the_fee(app, client, owner, clock):
    created = book(client, start="2027-01-08T09:00:00+01:00")
    assert created.status_code == 201
    path = manage_path(created)
    clock.set(datetime(2027, 1, 7, 12, 0, tzinfo=UTC))  # 20h before the start
    detail = client.get(path).get_json()
    assert detail["cancellation_would_be_late"] is True
    assert detail["late_fee_if_cancelled_now"] == "50 EUR"
    cancelled = client.post(path + "/cancel").get_json()
    assert cancelled["late_cancellation"] is True
    assert cancelled["late_fee"] == "50 EUR"


def test_reschedule_to_another_valid_slot(app, client, owner):
    friday, thursday = "2027-01-08T09:00:00+01:00", "2027-01-07T11:00:00+01:00"
    created = book(client, start=friday)
    path = manage_path(created)
    response = client.post(path + "/reschedule", json={"start": thursday})
    assert response.status_code == 200
    assert response.get_json()["start"] == thursday
    # The old time is free again, the new one is taken.
    assert book(client, start=friday, email="x@example.com").status_code == 201
    taken = book(client, start=thursday, email="y@example.com")
    assert taken.get_json()["error"] == "slot_taken"
    refused = client.post(path + "/reschedule", json={"start": "2027-01-07T12:30:00+01:00"})
    assert refused.status_code == 422
    assert refused.get_json()["error"] == "outside_working_hours"


def test_no_reschedule_once_free_cancellation_has_ended(client, owner):
    path = manage_path(book(client))  # Tuesday 09:00, 24h away: inside the 48h window
    response = client.post(path + "/reschedule", json={"start": "2027-01-07T11:00:00+01:00"})
    assert response.status_code == 422
    assert response.get_json()["error"] == "too_late_to_reschedule"


def test_unknown_manage_token_is_404(client, owner):
    assert client.get("/api/v1/manage/not-a-token").status_code == 404
    assert client.post("/api/v1/manage/not-a-token/cancel").status_code == 404


def test_owners_are_isolated(app, client):
    with app.app_context():
        create_owner()
        create_owner(
            owner={
                "slug": "jordan",
                "name": "Jordan",
                "email": "j@example.org",
                "timezone": "America/New_York",
                "locale": "en",
            },
            offers=[{"slug": "intro", "title": "Intro", "duration": "30m"}],
        )
    assert client.get("/api/v1/jordan/discovery/slots").status_code == 404
    assert book(client, owner="jordan", offer="discovery").status_code == 404
    assert book(client, owner="camille", offer="intro").status_code == 404
    # A booking with Camille does not block Jordan's calendar.
    assert book(client).status_code == 201
    response = book(client, owner="jordan", offer="intro", start="2027-01-05T09:00:00-05:00")
    assert response.status_code == 201


def test_a_calendar_never_synced_closes_availability(app, client):
    with app.app_context():
        create_owner(calendars=[{"name": "Perso", "ics": "https://calendar.example.org/a.ics"}])
    body = client.get("/api/v1/camille/discovery/slots?from=2027-01-05&to=2027-01-05").get_json()
    assert body["slots"] == []
    response = book(client)
    assert response.status_code == 422
    assert response.get_json()["error"] == "calendar_stale"
    assert client.get("/api/v1/camille").get_json()["availability_refreshing"] is True


def test_owner_may_allow_booking_over_a_stale_calendar(app, client):
    with app.app_context():
        create_owner(
            calendars=[{"name": "Perso", "ics": "https://calendar.example.org/a.ics"}],
            limits={"on_stale_calendar": "allow"},
        )
    assert book(client).status_code == 201
