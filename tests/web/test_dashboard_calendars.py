"""Calendars: status, "sync now", ICS feeds added and removed, the private feed address.

Feeds are served by a real HTTP server on loopback (tests/integration/ics_server.py);
sync jobs run inline. Clock: Monday 2027-01-04 09:00 in Paris.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import BusyBlock, CalendarSource, Owner
from tests.integration.ics_server import IcsServer, Static, Status, corpus
from tests.web.dashboard_helpers import (
    EN,
    html,
    post,
    setup_owners,
    sign_in,
    stored_boundaries,
)


@pytest.fixture(scope="module")
def server():
    with IcsServer() as running:
        yield running


@pytest.fixture
def owner(app, client):
    owners = setup_owners(app)
    app.config.update(CADRE_ALLOW_LOOPBACK_FEEDS=True, ICS_DEADLINE_S=2)
    sign_in(client)
    return owners


def sources(app, owner_id):
    with app.app_context():
        rows = db.session.scalars(
            select(CalendarSource).where(CalendarSource.owner_id == owner_id)
        ).all()
        db.session.expunge_all()
        return list(rows)


def add_feed(client, name, url, csrf=True):
    return post(client, "/dashboard/calendars/feeds", {"name": name, "ics": url}, csrf=csrf)


def test_a_new_feed_is_stored_in_the_boundaries_and_synced_at_once(app, client, owner, server):
    url = server.route("/week.ics", Static(corpus("sync_week.ics")))
    assert "No calendar yet" in html(client.get("/dashboard/calendars", headers=EN))
    response = add_feed(client, "Personal", url)
    assert response.status_code == 303
    assert stored_boundaries(app)["calendars"] == [{"name": "Personal", "ics": url}]
    [source] = sources(app, owner.a_id)
    assert source.last_success_at is not None  # the job ran (inline under test)
    with app.app_context():
        blocks = db.session.scalars(select(BusyBlock).where(BusyBlock.source_id == source.id))
        assert len(list(blocks)) > 0
    page = html(client.get("/dashboard/calendars", headers=EN))
    assert "Personal" in page and "ICS feed" in page
    assert "Monday, January 4, 2027 at 9:00 AM" in page  # last successful sync
    assert "out of date" not in page


BAD_FEEDS = [
    ("Work", "ftp://example.org/cal.ics", "ics", "expected an http, https or webcal URL"),
    ("", "https://example.org/cal.ics", "name", "must not be empty"),
]


def test_a_bad_feed_is_refused_with_the_files_words(app, client, owner):
    for name, url, field, reason in BAD_FEEDS:
        response = add_feed(client, name, url)
        page = html(response)
        assert response.status_code == 400
        error = page.split(f'id="feed-{field}-error">', 1)[1].split("</p>", 1)[0]
        assert reason in error.replace("&#34;", '"')
        assert f'value="{url}"' in page  # kept as typed
    assert sources(app, owner.a_id) == []


def test_a_feed_name_is_used_once(app, client, owner, server):
    add_feed(client, "Personal", server.route("/a.ics", Static(corpus("sync_week.ics"))))
    response = add_feed(client, "Personal", server.url("/b.ics"))
    assert response.status_code == 400
    assert "&#34;Personal&#34; is used twice" in html(response)


def test_a_failing_feed_shows_its_error_in_plain_words_and_closes_the_page(
    app, client, owner, server, clock
):
    url = server.route("/gone.ics", Status(404))
    add_feed(client, "Old", url)
    page = html(client.get("/dashboard/calendars", headers=EN))
    assert "404" in page
    assert "never" in page and "out of date" in page
    assert "Your booking page offers no times right now." in page
    # Fixed on the other side: "sync now" brings it back.
    server.route("/gone.ics", Static(corpus("sync_week.ics")))
    clock.set(clock.moment + timedelta(minutes=3))  # a failed attempt holds its claim 2 minutes
    [source] = sources(app, owner.a_id)
    assert post(client, f"/dashboard/calendars/{source.id}/sync").status_code == 303
    page = html(client.get("/dashboard/calendars", headers=EN))
    assert "out of date" not in page
    assert "Your booking page offers no times right now." not in page


def test_sync_all_runs_every_feed_again(app, client, owner, server, clock):
    add_feed(client, "Personal", server.route("/all.ics", Static(corpus("sync_week.ics"))))
    clock.set(clock.moment + timedelta(hours=7))  # stale_after is 6h
    assert "out of date" in html(client.get("/dashboard/calendars", headers=EN))
    assert post(client, "/dashboard/calendars/sync").status_code == 303
    [source] = sources(app, owner.a_id)
    assert source.last_success_at == clock.moment
    assert post(client, "/dashboard/calendars/sync", csrf=False).status_code == 400


def test_removing_a_feed_removes_it_from_the_boundaries_with_its_busy_time(
    app, client, owner, server
):
    add_feed(client, "Personal", server.route("/rm.ics", Static(corpus("sync_week.ics"))))
    [source] = sources(app, owner.a_id)
    assert post(client, f"/dashboard/calendars/{source.id}/remove", csrf=False).status_code == 400
    assert post(client, f"/dashboard/calendars/{source.id}/remove").status_code == 303
    assert sources(app, owner.a_id) == []
    assert stored_boundaries(app)["calendars"] == []
    with app.app_context():
        assert (
            db.session.scalars(select(BusyBlock).where(BusyBlock.owner_id == owner.a_id)).all()
            == []
        )


def test_the_private_feed_address_can_be_replaced(app, client, owner):
    with app.app_context():
        old = db.session.get(Owner, owner.a_id).feed_token
    page = html(client.get("/dashboard/calendars", headers=EN))
    assert f"http://cadre.test/feeds/{old}.ics" in page
    assert client.get(f"/feeds/{old}.ics").status_code == 200
    assert post(client, "/dashboard/calendars/bookings-feed/rotate", csrf=False).status_code == 400
    assert post(client, "/dashboard/calendars/bookings-feed/rotate").status_code == 303
    with app.app_context():
        new = db.session.get(Owner, owner.a_id).feed_token
    assert new != old
    assert client.get(f"/feeds/{old}.ics").status_code == 404
    assert f"/feeds/{new}.ics" in html(client.get("/dashboard/calendars", headers=EN))


def test_the_google_pages_are_one_click_away(client, owner):
    page = html(client.get("/dashboard/calendars", headers=EN))
    assert 'href="/oauth/google" id="google-link"' in page
