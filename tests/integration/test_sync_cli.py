"""``flask sync`` and ``flask feed rotate`` through the CLI runner, against a loopback server."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import BusyBlock, Owner
from tests.factories import create_owner

from .ics_server import IcsServer, Static, corpus, html_page


@pytest.fixture(scope="module")
def server():
    with IcsServer() as running:
        yield running


@pytest.fixture
def feed_app(app):
    app.config.update(CADRE_ALLOW_LOOPBACK_FEEDS=True, ICS_DEADLINE_S=1)
    return app


def owner_with(app, server, *feeds, slug="camille"):
    calendars = []
    for name, behaviour in feeds:
        url = server.route(f"/cli/{uuid.uuid4().hex}.ics", behaviour)
        calendars.append({"name": name, "ics": url})
    with app.app_context():
        create_owner(owner={"slug": slug, "name": slug.title()}, calendars=calendars)


def test_sync_prints_a_summary_and_exits_0(feed_app, runner, server):
    owner_with(feed_app, server, ("Personal", Static(corpus("sync_week.ics"))))
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = next(line for line in lines if line.startswith("source"))
    assert header.split() == ["source", "events", "busy", "blocks", "duration", "status"]
    row = next(line for line in lines if line.startswith("camille/Personal"))
    with feed_app.app_context():
        blocks = len(db.session.scalars(select(BusyBlock)).all())
    assert row.split()[2] == str(blocks) and row.split()[-1] == "synced"
    assert "1 source(s), 0 failed" in result.output

    again = runner.invoke(args=["sync"])
    assert again.exit_code == 0
    assert "unchanged" in again.output


def test_a_failed_source_makes_the_exit_code_1(feed_app, runner, server):
    owner_with(
        feed_app,
        server,
        ("Good", Static(corpus("sync_week.ics"))),
        ("Revoked", html_page()),
    )
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1
    assert "camille/Revoked: The link returned a web page" in result.output
    assert "2 source(s), 1 failed" in result.output


def test_warnings_are_listed(feed_app, runner, server):
    owner_with(feed_app, server, ("Odd", Static(corpus("unknown_tzid.ics"))))
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0
    assert "camille/Odd: warning: unknown time zone Mars/Olympus_Mons" in result.output


def test_owner_option_limits_the_sync(feed_app, runner, server):
    owner_with(feed_app, server, ("Mine", Static(corpus("sync_week.ics"))))
    owner_with(feed_app, server, ("Theirs", html_page()), slug="bob")
    result = runner.invoke(args=["sync", "--owner", "camille"])
    assert result.exit_code == 0
    assert "camille/Mine" in result.output and "bob/" not in result.output


def test_unknown_owner_exits_1(feed_app, runner):
    result = runner.invoke(args=["sync", "--owner", "nobody"])
    assert result.exit_code == 1
    assert "no owner with slug 'nobody'" in result.output


def test_nothing_to_sync(feed_app, runner):
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0 and "no calendars to sync" in result.output


def test_feed_rotate_prints_the_new_private_url(app, runner, client):
    with app.app_context():
        old = create_owner().feed_token
    result = runner.invoke(args=["feed", "rotate", "camille"])
    assert result.exit_code == 0, result.output
    url = result.output.strip()
    with app.app_context():
        new = db.session.scalar(select(Owner.feed_token))
    assert new != old
    assert url == f"http://cadre.test/feeds/{new}.ics"
    assert client.get(f"/feeds/{new}.ics").status_code == 200
    assert client.get(f"/feeds/{old}.ics").status_code == 404


def test_feed_rotate_unknown_owner_exits_1(app, runner):
    result = runner.invoke(args=["feed", "rotate", "nobody"])
    assert result.exit_code == 1
