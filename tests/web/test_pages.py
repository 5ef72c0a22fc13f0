"""The public booking pages through the test client, on every database.

The clock is fixed at Monday 2027-01-04 09:00 in Paris (08:00 UTC, 03:00 in New York).
The owner (``tests.factories``) works Mon–Fri 09:00–12:30 (+14:00–18:00 except Wed/Fri)
in Paris, writes in French, needs 24h notice, and cancellation is free until 48h before.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Booking, BusyBlock, CalendarSource, SourceKind
from tests.conftest import base_config
from tests.factories import create_owner
from tests.web.pages_helpers import (
    EN,
    NY,
    attribute,
    book_form,
    csrf_token,
    element_text,
    html_of,
    input_value,
    slot_starts,
)

TUE_0900_NY = "2027-01-05T03:00:00-05:00"  # Tuesday 09:00 in Paris
FRI_0900_NY = "2027-01-08T03:00:00-05:00"


@pytest.fixture
def owner(app):
    with app.app_context():
        return create_owner().slug


def count_bookings(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Booking))


def api_starts(client, first, last, tz=NY, offer="discovery"):
    url = f"/api/v1/camille/{offer}/slots?from={first}&to={last}&tz={tz}"
    return [s["start"] for s in client.get(url).get_json()["slots"]]


def manage_path(response) -> str:
    location = response.headers["Location"]
    match = re.search(r"/manage/([^/]+)/booked$", location)
    assert match, location
    return f"/manage/{match.group(1)}"


# --- the page ----------------------------------------------------------------------------


def test_index_links_to_the_booking_pages(client, owner):
    html = html_of(client.get("/", headers=EN))
    assert 'href="/camille"' in html
    assert "Camille Martin" in html


def test_unknown_owner_gets_a_friendly_404(client, owner):
    response = client.get("/nobody", headers=EN)
    assert response.status_code == 404
    html = html_of(response)
    assert "Page not found" in html
    assert "Traceback" not in html
    assert client.get("/api/v1/nobody/x/y/z").get_json()["error"] == "not_found"


def test_boundaries_come_first_in_the_client_zone(client, owner):
    html = html_of(client.get(f"/camille?tz={NY}", headers=EN))
    assert html.index('id="boundaries"') < html.index('id="offers"') < html.index('id="slots"')
    # The promise is the one the API makes, in the client's zone: Tuesday 09:30 in Paris.
    assert attribute(html, "reply-due", "datetime") == "2027-01-05T03:30:00-05:00"
    assert element_text(html, "reply-due") == "Tuesday, January 5, 2027 at 3:30 AM"
    # Monday's hours in New York first, Paris noted.
    monday = re.search(r"<tr>\s*<th scope=\"row\">.*?Monday.*?</tr>", html, re.S).group(0)
    ranges = re.findall(r'<span class="range">([^<]+)</span>', monday)
    assert ranges == [
        "3:00 AM – 6:30 AM",  # New York first
        "8:00 AM – 12:00 PM",
        "9:00 AM – 12:30 PM",  # then Paris
        "2:00 PM – 6:00 PM",
    ]
    assert "works on Paris time (Europe/Paris)" in html
    boundaries = element_text(html, "boundaries")
    for text in (
        "email, booking page",
        "Messages after hours are answered the next working day.",
        "Free until 48 hours before the start.",
        "50 EUR",
        "Invoice payable within 30 days",
        "40 EUR fixed fee",
        "Unused sessions are refunded pro rata",
        "14 days' notice",
        "Book at least 24 hours ahead and up to 60 days ahead.",
    ):
        assert text in boundaries
    offers = html[html.index('id="offers"') : html.index('id="slots"')]
    assert "Discovery call" in offers and "30 minutes" in offers and "free" in offers
    assert "one follow-up e-mail" in offers and "Extra calls billed 60 EUR/h" in offers
    assert "Coaching session" in offers and "1 hour" in offers and "120 EUR" in offers


def test_hours_that_cross_midnight_for_the_client_name_the_day(client, owner):
    html = html_of(client.get("/camille?tz=Asia/Tokyo", headers=EN))
    # Paris 14:00–18:00 is 22:00–02:00 (next day) in Tokyo.
    assert "10:00 PM – Tue 2:00 AM" in html


def test_days_off_and_special_hours_coming_up(app, client):
    with app.app_context():
        create_owner(
            closed=[
                {"from": "2026-12-24", "to": "2027-01-01", "label": "Winter break"},
                {"from": "2027-01-14", "to": "2027-01-15", "label": "Training"},
            ],
            override=[{"date": "2027-01-09", "hours": ["10:00-12:00"]}],
        )
    html = html_of(client.get("/camille", headers=EN))
    assert "Winter break" not in html  # already over
    assert "Thursday, January 14, 2027 to Friday, January 15, 2027: closed — Training" in html
    assert "Saturday, January 9, 2027: special hours 10:00 AM – 12:00 PM" in html
    html = html_of(client.get(f"/camille?tz={NY}", headers=EN))
    assert "Saturday, January 9, 2027: special hours 4:00 AM – 6:00 AM" in html  # client's time


def test_slots_are_exactly_what_the_guard_offers(client, owner):
    html = html_of(client.get(f"/camille?tz={NY}&from=2027-01-04", headers=EN))
    starts = slot_starts(html)
    assert starts[0] == TUE_0900_NY  # Monday is inside the 24h notice
    assert starts == api_starts(client, "2027-01-04", "2027-01-10")
    assert all(s.endswith("-05:00") for s in starts)


def test_offer_choice_and_week_navigation(client, owner):
    html = html_of(client.get(f"/camille?offer=session&tz={NY}&from=2027-01-11", headers=EN))
    starts = slot_starts(html)
    assert starts == api_starts(client, "2027-01-11", "2027-01-17", offer="session")
    assert starts[0] == "2027-01-11T03:00:00-05:00"
    assert "from=2027-01-04" in html  # "Earlier" goes back to this week
    assert "from=2027-01-18" in html


def test_an_empty_week_points_to_the_next_free_time(app, client):
    with app.app_context():
        create_owner(closed=[{"from": "2027-01-04", "to": "2027-01-17", "label": "Away"}])
    html = html_of(client.get("/camille", headers=EN))
    assert slot_starts(html) == []
    assert "No free time this week." in element_text(html, "no-slots")
    assert "Next free time: Monday, January 18, 2027 at 9:00 AM" in html


def test_a_stale_calendar_lists_nothing_and_says_why(app, client):
    with app.app_context():
        create_owner(calendars=[{"name": "Perso", "ics": "https://calendar.example.org/a.ics"}])
    html = html_of(client.get("/camille", headers=EN))
    assert slot_starts(html) == []
    assert "Availability is being refreshed" in element_text(html, "refreshing")
    assert 'name="accept_terms"' not in html  # no booking form without slots to book


def test_busy_time_only_shows_as_missing_slots(app, client, clock):
    with app.app_context():
        owner = create_owner(
            calendars=[{"name": "Therapy", "ics": "https://calendar.example.org/private.ics"}]
        )
        source = db.session.scalar(
            select(CalendarSource).where(CalendarSource.owner_id == owner.id)
        )
        source.last_success_at = clock()
        db.session.add(
            BusyBlock(
                owner_id=owner.id,
                source_id=source.id,
                start=datetime(2027, 1, 5, 9, 0, tzinfo=UTC),  # 10:00–11:00 in Paris
                end=datetime(2027, 1, 5, 10, 0, tzinfo=UTC),
            )
        )
        assert source.kind is SourceKind.ICS
        db.session.commit()
    html = html_of(client.get("/camille?tz=Europe/Paris", headers=EN))
    starts = slot_starts(html)
    assert "2027-01-05T09:00:00+01:00" in starts
    assert "2027-01-05T09:30:00+01:00" not in starts  # its 15-minute buffer meets the block
    assert "2027-01-05T10:00:00+01:00" not in starts
    assert "2027-01-05T10:30:00+01:00" not in starts
    assert "2027-01-05T11:00:00+01:00" in starts
    for secret in ("Therapy", "private.ics", "busy", "Busy"):
        assert secret not in html


def test_the_no_js_zone_field_and_the_detection_hooks(client, owner):
    html = html_of(client.get("/camille", headers=EN))
    assert 'data-zone="Europe/Paris"' in html
    assert 'data-zone-explicit="false"' in html  # the script may switch to the browser's zone
    html = html_of(client.get("/camille?tz=Asia/Tokyo", headers=EN))
    assert '<option value="Asia/Tokyo" selected>' in html
    assert 'data-zone-explicit="true"' in html
    assert 'name="timezone" value="Asia/Tokyo"' in html
    # An unknown zone falls back to the owner's and is not followed again by the script.
    html = html_of(client.get("/camille?tz=Mars/Base", headers=EN))
    assert 'data-zone="Europe/Paris" data-zone-explicit="true"' in html


# --- booking through the form ----------------------------------------------------------


def test_a_form_without_its_csrf_token_is_refused(app, client, owner):
    response = client.post(
        "/camille/discovery/book",
        data={"start": TUE_0900_NY, "name": "A", "email": "a@example.com", "accept_terms": "y"},
        headers=EN,
    )
    assert response.status_code == 400
    assert "This form has expired" in html_of(response)
    assert count_bookings(app) == 0


def test_booking_through_the_form_confirms_in_both_zones(app, client, owner):
    response = book_form(client, TUE_0900_NY, message="Looking forward")
    assert response.status_code == 303
    confirmation = client.get(response.headers["Location"], headers=EN)
    html = html_of(confirmation)
    assert confirmation.status_code == 200
    assert element_text(html, "confirmation") == "You’re booked"
    assert attribute(html, "booking-start", "datetime") == TUE_0900_NY
    assert "Tuesday, January 5, 2027 at 3:00 AM" in html
    assert "Tuesday, January 5, 2027 at 9:00 AM" in html  # Paris time noted
    assert "Free cancellation until Sunday, January 3, 2027 at 3:00 AM" in html
    link = element_text(html, "manage-link")
    assert link.startswith("http://cadre.test/manage/")
    assert confirmation.headers["Referrer-Policy"] == "no-referrer"
    # The "Add to calendar" file.
    ics = client.get(manage_path(response) + "/booking.ics")
    assert ics.mimetype == "text/calendar"
    event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2027, 1, 5, 8, 0, tzinfo=UTC)
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert booking.client_timezone == NY
        assert booking.message == "Looking forward"


def test_a_refusal_keeps_the_form_and_offers_fresh_alternatives(app, client, owner):
    taken = client.post(
        "/api/v1/camille/discovery/bookings",
        json={
            "start": TUE_0900_NY,
            "name": "First",
            "email": "f@example.com",
            "accept_terms": True,
        },
    )
    assert taken.status_code == 201
    response = book_form(
        client, TUE_0900_NY, name="Béa Second", email="bea@example.com", message="Hello there"
    )
    assert response.status_code == 409
    html = html_of(response)
    refusal = element_text(html, "refusal")
    assert "Tuesday, January 5, 2027 at 3:00 AM" in refusal  # the chosen slot, kept
    assert "This time has just been booked by someone else." in refusal
    assert input_value(html, "name") == "Béa Second"
    assert input_value(html, "email") == "bea@example.com"
    assert input_value(html, "message") == "Hello there"
    alternatives = slot_starts(html)
    assert 0 < len(alternatives) <= 6
    assert TUE_0900_NY not in alternatives
    assert "2027-01-05T04:00:00-05:00" in alternatives  # 10:00 Paris, after the buffer
    assert set(alternatives) <= set(api_starts(client, "2027-01-02", "2027-01-08"))
    assert count_bookings(app) == 1
    # The zone form and the language switch lead back to the page, not to the POST address.
    assert '<form class="zone-form" method="get" action="/camille#slots">' in html
    assert 'href="/camille?offer=discovery&amp;tz=America%2FNew_York&amp;lang=fr"' in html


@pytest.mark.parametrize(
    ("start", "status", "words"),
    [
        ("2027-01-04T10:00:00-05:00", 422, "This time is too soon"),
        ("2027-01-05T03:10:00-05:00", 422, "Appointments start at set times"),
        ("2027-01-09T04:00:00-05:00", 422, "No appointments on this day."),
    ],
)
def test_rule_refusals_are_in_plain_words(app, client, owner, start, status, words):
    response = book_form(client, start)
    assert response.status_code == status
    html = html_of(response)
    assert words in element_text(html, "refusal")
    assert count_bookings(app) == 0


def test_invalid_fields_are_named_and_the_chosen_slot_stays_checked(app, client, owner):
    response = book_form(client, TUE_0900_NY, email="not-an-email", accept_terms="")
    assert response.status_code == 400
    html = html_of(response)
    assert element_text(html, "email-error") == "this is not a valid e-mail address"
    assert element_text(html, "accept_terms-error") == "the terms must be accepted"
    assert input_value(html, "name") == "Ana Client"
    assert re.search(rf'value="{re.escape(TUE_0900_NY)}"[^>]*checked', html)
    assert count_bookings(app) == 0
    response = book_form(client, "")
    assert element_text(html_of(response), "start-error") == (
        "Please choose one of the free times."
    )


# --- languages -------------------------------------------------------------------------


def test_a_french_owner_page_is_french_by_default(client, owner):
    response = client.get("/camille")
    html = html_of(response)
    assert '<html lang="fr">' in html
    assert "Comment nous travaillons ensemble" in html
    assert "mardi 5 janvier 2027 à 09:30" == element_text(html, "reply-due")
    assert "Écrivez maintenant" in html
    english = client.get("/camille?lang=en")
    assert '<html lang="en">' in html_of(english)
    assert "cadre_lang=en" in english.headers["Set-Cookie"]
    assert '<html lang="en">' in html_of(client.get("/camille"))  # remembered


def test_no_english_is_left_on_the_french_pages(client, owner):
    english = (
        "How we work together",
        "Working hours",
        "Your name",
        "Book this time",
        "Write to me",
        "Free times from",
        "Cancellation",
        "minutes ahead",
        " at ",
    )
    html = html_of(client.get("/camille?tz=America/New_York"))
    path = manage_path(book_form(client, FRI_0900_NY, headers={}))
    pages = [html] + [html_of(client.get(path + end)) for end in ("/booked", "", "/cancel")]
    for page in pages:
        text = re.sub(r"<[^>]+>", " ", page)
        assert [word for word in english if word in text] == []


def test_the_browser_language_wins_over_the_owner_default(client, owner):
    html = html_of(client.get("/camille", headers={"Accept-Language": "en-US,en;q=0.9"}))
    assert "How we work together" in html
    assert 'href="/camille?lang=fr" lang="fr"' in html  # the switcher keeps the address


# --- managing a booking ----------------------------------------------------------------


def test_late_cancellation_shows_the_fee_before_confirming(app, client, owner, clock):
    path = manage_path(book_form(client, FRI_0900_NY))
    clock.set(datetime(2027, 1, 7, 12, 0, tzinfo=UTC))  # 20h before the start
    manage = html_of(client.get(path, headers=EN))
    assert "Cancelling now is late: 50 EUR." in element_text(manage, "policy")
    confirm = html_of(client.get(path + "/cancel", headers=EN))
    assert element_text(confirm, "late-fee") == "If you cancel now: 50 EUR."
    with app.app_context():
        assert db.session.scalars(select(Booking)).one().active  # nothing happened yet
    response = client.post(path + "/cancel", data={"csrf_token": csrf_token(confirm)}, headers=EN)
    assert response.status_code == 303
    done = html_of(client.get(path, headers=EN))
    assert element_text(done, "late-fee") == "Cancelled late. Late cancellation fee: 50 EUR."
    assert "Late cancellation fee: 50 EUR." in done  # the flashed confirmation
    with app.app_context():
        booking = db.session.scalars(select(Booking)).one()
        assert not booking.active and booking.late_cancellation and booking.late_fee == "50 EUR"


def test_free_cancellation_says_so_and_frees_the_slot(app, client, owner):
    path = manage_path(book_form(client, FRI_0900_NY))
    confirm = html_of(client.get(path + "/cancel", headers=EN))
    assert "free of charge" in element_text(confirm, "free-cancellation")
    client.post(path + "/cancel", data={"csrf_token": csrf_token(confirm)}, headers=EN)
    assert element_text(html_of(client.get(path, headers=EN)), "booking-status") == ("Cancelled.")
    assert FRI_0900_NY in api_starts(client, "2027-01-08", "2027-01-08")
    # The confirmation page of a cancelled booking sends to its current state.
    assert client.get(path + "/booked").headers["Location"].endswith(path)


def test_reschedule_through_the_page(app, client, owner, clock):
    path = manage_path(book_form(client, FRI_0900_NY))
    page = html_of(client.get(path + "/reschedule?from=2027-01-07", headers=EN))
    assert "Moving is free until" in element_text(page, "policy")
    assert slot_starts(page) == api_starts(client, "2027-01-07", "2027-01-13")
    token = csrf_token(page)
    refused = client.post(
        path + "/reschedule",
        data={"csrf_token": token, "start": "2027-01-07T06:30:00-05:00"},
        headers=EN,
    )
    assert refused.status_code == 422
    assert "outside working hours" in element_text(html_of(refused), "refusal")
    moved = client.post(
        path + "/reschedule",
        data={"csrf_token": token, "start": "2027-01-07T05:00:00-05:00"},
        headers=EN,
    )
    assert moved.status_code == 303
    html = html_of(client.get(path, headers=EN))
    assert attribute(html, "booking-start", "datetime") == "2027-01-07T05:00:00-05:00"
    assert "Your booking has been moved." in html
    clock.set(datetime(2027, 1, 6, 12, 0, tzinfo=UTC))  # inside the 48h before Thursday 11:00
    late = html_of(client.get(path + "/reschedule", headers=EN))
    assert "can no longer be moved" in element_text(late, "cannot-move")
    assert slot_starts(late) == []


def test_unknown_manage_link_is_404(client, owner):
    assert client.get("/manage/not-a-token", headers=EN).status_code == 404
    token = csrf_token(html_of(client.get("/camille", headers=EN)))
    response = client.post("/manage/not-a-token/cancel", data={"csrf_token": token})
    assert response.status_code == 404


def test_pages_carry_security_headers(client, owner):
    response = client.get("/camille", headers=EN)
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_server_error_is_a_friendly_page(app, client, owner, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("app.public.picker.slots_for", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/camille", headers=EN)
    assert response.status_code == 500
    html = html_of(response)
    assert "Something went wrong" in html and "boom" not in html


def test_booking_and_message_posts_are_rate_limited_per_address(tmp_path):
    config = base_config(tmp_path, "sqlite")
    config.update(RATELIMIT_ENABLED=True, BOOKING_RATE_LIMIT="2 per minute")
    app = create_app(config)
    with app.app_context():
        db.create_all()
        create_owner()
    client = app.test_client()
    statuses = [book_form(client, "2027-01-05T03:10:00-05:00").status_code for _ in range(3)]
    assert statuses == [422, 422, 429]
    response = book_form(client, TUE_0900_NY)
    assert response.status_code == 429
    html = html_of(response)
    assert "Too many attempts" in html and "wait a minute" in html
    other = app.test_client()
    response = book_form(other, TUE_0900_NY, headers={**EN, "X-Forwarded-For": "10.0.0.9"})
    assert response.status_code == 429  # no proxy configured: the header changes nothing
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
        db.session.remove()
        db.engine.dispose()
