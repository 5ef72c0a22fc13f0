"""The owner's Google pages through the test client: who gets in, CSRF, and life without Google.

``owner_login`` signs the owner in the way the app offers (see ``tests/fake_google``);
these tests hold whatever that mechanism is: strangers and other owners never reach an
owner's Google accounts, and every form needs its CSRF token.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models.google import GoogleAccount, GoogleCalendar
from tests.fake_google import fixtures
from tests.fake_google.fixtures import (
    account_ids,
    calendar_rows,
    choose,
    connect,
    make_owner,
    owner_login,
    post,
)

google, gapp = fixtures.google, fixtures.gapp

ANA = "ana@example.com"
OTHER = {
    "slug": "dora",
    "name": "Dora Owner",
    "email": "dora@example.org",
    "timezone": "Europe/Paris",
    "locale": "en",
}


def count(app, model) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_strangers_do_not_reach_the_pages(gapp, google, client):
    make_owner(gapp)
    for path in ("/oauth/google", "/oauth/google/callback?code=x&state=y"):
        response = client.get(path)
        assert response.status_code in (302, 303, 401, 403), path
        assert ANA not in response.text
    assert google.count("token") == 0


def test_another_owner_cannot_see_or_touch_my_accounts(gapp, google, client):
    ana = google.add_user(ANA)
    make_owner(gapp)
    make_owner(gapp, owner=OTHER)
    owner_login(gapp, client)
    connect(client, google, ana)
    mine = account_ids(gapp)[ANA]
    calendar = calendar_rows(gapp)[ANA]

    other = gapp.test_client()
    owner_login(gapp, other, slug="dora")
    page = other.get("/oauth/google")
    assert page.status_code == 200 and ANA not in page.text
    assert post(other, f"/oauth/google/{mine}/disconnect").status_code == 404
    post(other, f"/oauth/google/{mine}/refresh")
    saved = post(other, "/oauth/google/calendars", {"busy": [str(calendar)]})
    assert saved.status_code == 303
    assert count(gapp, GoogleAccount) == 1
    with gapp.app_context():
        assert db.session.scalar(select(GoogleCalendar.source_id)) is None  # untouched
    assert google.count("revoke") == 0


def test_every_owner_form_needs_its_csrf_token(gapp, google, client):
    ana = google.add_user(ANA)
    make_owner(gapp)
    owner_login(gapp, client)
    connect(client, google, ana)
    account, calendar = account_ids(gapp)[ANA], calendar_rows(gapp)[ANA]
    google.reset_counts()

    forms = {
        "/oauth/google/connect": {},
        "/oauth/google/calendars": {"busy": [str(calendar)], "booking_calendar": str(calendar)},
        f"/oauth/google/{account}/refresh": {},
        f"/oauth/google/{account}/disconnect": {},
    }
    for path, data in forms.items():
        assert client.post(path, data=data).status_code == 400, path
        forged = client.post(path, data={**data, "csrf_token": "forged"})
        assert forged.status_code == 400, path

    assert count(gapp, GoogleAccount) == 1
    with gapp.app_context():
        row = db.session.get(GoogleCalendar, calendar)
        assert row is not None and row.source_id is None and not row.receives_bookings
    assert sum(google.counts.values()) == 0  # nothing reached Google


def test_the_pages_are_private_and_uncached(gapp, client):
    make_owner(gapp)
    owner_login(gapp, client)
    response = client.get("/oauth/google")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_without_a_google_client_the_page_explains_and_cadre_still_books(app, client):
    app.config.update(GOOGLE_CLIENT_ID=None, GOOGLE_CLIENT_SECRET=None)
    make_owner(app)
    owner_login(app, client)

    page = client.get("/oauth/google").text
    assert "first create an OAuth client" in page
    assert "http://cadre.test/oauth/google/callback" in page  # the redirect URI to register
    assert "GOOGLE_CLIENT_ID" in page and "Connect a Google account" not in page
    booking = client.post(
        "/api/v1/camille/discovery/bookings",
        json={
            "start": "2027-01-05T10:00:00+01:00",
            "name": "Bea Client",
            "email": "bea@example.net",
            "accept_terms": True,
        },
    )
    assert booking.status_code == 201
    assert client.get("/camille").status_code == 200


def test_choosing_calendars_is_saved_and_shown(gapp, google, client):
    ana = google.add_user(ANA)
    google.add_calendar(ana, "holidays@group.example", "Holidays", access_role="reader")
    make_owner(gapp)
    owner_login(gapp, client)
    connect(client, google, ana)

    saved = choose(client, gapp, busy=[ANA, "holidays@group.example"], booking=ANA, invite=[ANA])
    assert saved.status_code == 303
    page = client.get("/oauth/google").text
    rows = calendar_rows(gapp)
    assert f'id="busy-{rows[ANA]}" name="busy" value="{rows[ANA]}" checked' in page
    assert f'name="booking_calendar" value="{rows[ANA]}"' in page
    assert "read-only" in page  # the holidays calendar cannot receive bookings
    assert "Monday, January 4, 2027 at 9:00" in page  # last sync, in the owner's zone

    assert choose(client, gapp, busy=[ANA], booking=None).status_code == 303
    with gapp.app_context():
        sources = {c.calendar_id: c.source_id for c in db.session.scalars(select(GoogleCalendar))}
        account = db.session.scalar(select(GoogleAccount))
        assert account is not None and not account.invite_client
    assert sources[ANA] is not None and sources["holidays@group.example"] is None
