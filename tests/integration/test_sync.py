"""Calendar sync through the real app and database (SQLite, and PostgreSQL when configured).

The clock is Monday 2027-01-04 09:00 in Paris. The owner works Tue 09:00–12:30 and
14:00–18:00; ``sync_week.ics`` has a dentist on Tuesday 09:00–10:00 (Paris), so the
Tuesday discovery slots at 09:00 and 09:30 disappear once the feed is synced.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from app import jobs
from app.extensions import db
from app.models import BusyBlock, CalendarSource
from app.services.sync import (
    LEASE,
    claim,
    sync_all,
    sync_due,
    sync_owner,
    sync_phase,
    sync_round,
    sync_source,
)
from tests.factories import create_owner

from .ics_server import (
    CutShort,
    Dribble,
    GzipBomb,
    Huge,
    IcsServer,
    Redirect,
    Slow,
    Static,
    Status,
    corpus,
    html_page,
)

TUESDAY, WEDNESDAY = "2027-01-05", "2027-01-06"
DENTIST = (datetime(2027, 1, 5, 8, 0, tzinfo=UTC), datetime(2027, 1, 5, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def server():
    with IcsServer() as running:
        yield running


@pytest.fixture
def feed_app(app):
    app.config.update(CADRE_ALLOW_LOOPBACK_FEEDS=True, ICS_DEADLINE_S=0.5, JOBS_MODE="inline")
    return app


def make_source(app, server, behaviour=None, **sections):
    path = f"/feeds/{uuid.uuid4().hex}.ics"
    url = server.route(path, behaviour or Static(corpus("sync_week.ics")))
    with app.app_context():
        create_owner(calendars=[{"name": "Personal", "ics": url}], **sections)
        source_id = db.session.scalar(select(CalendarSource.id).where(CalendarSource.url == url))
    return SimpleNamespace(id=source_id, path=path, url=url)


@pytest.fixture
def source(feed_app, server):
    return make_source(feed_app, server)


def run_sync(app, source_id):
    with app.app_context():
        return sync_source(source_id)


def stored(app, source_id):
    """The source row's sync columns and its blocks (with row ids), as plain values."""
    with app.app_context():
        row = db.session.get(CalendarSource, source_id)
        blocks = db.session.execute(
            select(BusyBlock.id, BusyBlock.start, BusyBlock.end, BusyBlock.external_id)
            .where(BusyBlock.source_id == source_id)
            .order_by(BusyBlock.start)
        ).all()
        return SimpleNamespace(
            last_success_at=row.last_success_at,
            last_attempt_at=row.last_attempt_at,
            last_error=row.last_error,
            warnings=row.warnings,
            etag=row.etag,
            content_hash=row.content_hash,
            blocks=[tuple(b) for b in blocks],
        )


def slot_times(client, day, offer="discovery"):
    body = client.get(f"/api/v1/camille/{offer}/slots?from={day}&to={day}").get_json()
    return [slot["start"][11:16] for slot in body["slots"]]


def book(client, start):
    body = {"start": start, "name": "Ana", "email": "ana@example.com", "accept_terms": True}
    return client.post("/api/v1/camille/discovery/bookings", json=body)


def test_sync_stores_utc_busy_blocks_and_the_sync_state(feed_app, source, clock):
    outcome = run_sync(feed_app, source.id)
    assert (outcome.status, outcome.error) == ("synced", None)
    after = stored(feed_app, source.id)
    assert after.blocks[1][1:] == (*DENTIST, None)  # no upstream identity, no titles
    assert all(start.tzinfo is not None for _, start, _, _ in after.blocks)
    assert after.last_success_at == clock.moment
    assert after.last_error is None and after.etag and len(after.content_hash) == 64
    assert outcome.busy_blocks == len(after.blocks) and outcome.events >= outcome.busy_blocks


def test_only_the_booking_window_is_stored(feed_app, source, clock):
    run_sync(feed_app, source.id)
    last_end = max(end for _, _, end, _ in stored(feed_app, source.id).blocks)
    # max_days_ahead = 60: [now − 1 day, now + 61 days], plus one day kept in reserve.
    assert clock.moment + timedelta(days=55) < last_end <= clock.moment + timedelta(days=63)


def test_synced_busy_time_closes_slots_and_a_new_version_replaces_it(
    feed_app, client, server, source
):
    run_sync(feed_app, source.id)
    tuesday = slot_times(client, TUESDAY)
    assert tuesday[0] == "10:00" and "09:30" not in tuesday and "14:00" in tuesday
    assert book(client, "2027-01-05T09:00:00+01:00").get_json()["error"] == "busy"

    server.route(source.path, Static(corpus("sync_week_v2.ics")))
    assert run_sync(feed_app, source.id).status == "synced"
    tuesday = slot_times(client, TUESDAY)
    assert tuesday[:2] == ["09:00", "09:30"] and "14:00" not in tuesday and "14:30" not in tuesday
    assert len(stored(feed_app, source.id).blocks) == 1  # the old blocks are gone


def test_an_unchanged_feed_is_a_cheap_success(feed_app, server, source, clock):
    run_sync(feed_app, source.id)
    before = stored(feed_app, source.id)
    clock.set(clock.moment + timedelta(minutes=10))
    outcome = run_sync(feed_app, source.id)
    assert outcome.status == "unchanged"
    assert server.hits(source.path)[-1]["If-None-Match"] == before.etag
    after = stored(feed_app, source.id)
    assert after.blocks == before.blocks  # same rows: nothing was rewritten
    assert after.last_success_at == clock.moment
    assert outcome.busy_blocks == len(before.blocks)


def test_same_content_without_validators_is_unchanged(feed_app, server, clock):
    body = corpus("sync_week.ics")
    source = make_source(feed_app, server, Static(body, validators=False))
    run_sync(feed_app, source.id)
    before = stored(feed_app, source.id)
    restamped = body.replace(b"DTSTAMP:20270101T120000Z", b"DTSTAMP:20270104T080000Z")
    server.route(source.path, Static(restamped, validators=False))
    clock.set(clock.moment + timedelta(minutes=10))
    assert run_sync(feed_app, source.id).status == "unchanged"
    assert stored(feed_app, source.id).blocks == before.blocks


MALFORMED = {
    "html-page": (html_page(), "web page"),
    "truncated-file": (Static(corpus("truncated.ics")), "incomplete"),
    "cut-connection": (CutShort(corpus("sync_week.ics"), keep=200), "before the whole feed"),
    "garbage": (Static(corpus("garbage.ics")), "not an iCalendar file"),
    "bad-rrule": (Static(corpus("bad_rrule.ics")), "recurrence rule"),
    "bad-date": (Static(corpus("bad_date.ics")), "cannot be read"),
    "50MB": (Huge(), "larger than 10 MB"),
    "gzip-bomb": (GzipBomb(), "larger than 10 MB"),
    "dribble": (Dribble(interval_s=0.02), "longer than 0.5 s"),
    "redirect-private": (Redirect("http://10.0.0.1/cal.ics"), "private, local or reserved"),
    "redirect-metadata": (Redirect("http://169.254.169.254/latest/"), "private, local or reserved"),
    "404": (Status(404), "HTTP 404"),
    "500": (Status(500), "HTTP 500"),
}


@pytest.mark.parametrize(("behaviour", "reason"), MALFORMED.values(), ids=list(MALFORMED))
def test_a_failed_sync_keeps_the_previous_blocks_and_records_why(
    feed_app, client, server, source, clock, behaviour, reason
):
    if not isinstance(behaviour, Dribble):
        # Only the dribbling feed is about the deadline: the others must fail for their own
        # reason even when a loaded machine takes over 0.5 s to inflate 10 MB of gzip.
        feed_app.config["ICS_DEADLINE_S"] = 10
    run_sync(feed_app, source.id)
    good = stored(feed_app, source.id)
    clock.set(clock.moment + timedelta(minutes=10))
    server.route(source.path, behaviour)

    outcome = run_sync(feed_app, source.id)

    assert outcome.failed and reason in outcome.error
    after = stored(feed_app, source.id)
    assert after.blocks == good.blocks
    assert reason in after.last_error and after.last_error[0].isupper()
    assert after.last_success_at == good.last_success_at
    assert after.last_attempt_at == clock.moment
    assert (after.etag, after.content_hash) == (good.etag, good.content_hash)
    assert "09:00" not in slot_times(client, TUESDAY)  # the dentist still blocks


def test_the_next_success_clears_the_error(feed_app, server, source, clock):
    server.route(source.path, html_page())
    assert run_sync(feed_app, source.id).failed
    server.route(source.path, Static(corpus("sync_week.ics")))
    # The failed attempt has finished: "sync now" runs at once, it is not skipped...
    assert run_sync(feed_app, source.id).status == "synced"
    assert stored(feed_app, source.id).last_error is None


def test_a_failed_feed_is_not_retried_by_the_periodic_sync_before_its_gap(
    feed_app, server, source, clock
):
    server.route(source.path, html_page())
    assert run_sync(feed_app, source.id).failed
    # ...but the periodic task still waits its gap, so a broken feed is not hammered.
    with feed_app.app_context():
        from app.services.sync import periodic_gap, sync_source

        gap = periodic_gap(feed_app)
        assert sync_source(source.id, min_gap=gap).status == "skipped"
        clock.set(clock.moment + gap + timedelta(seconds=1))
        assert sync_source(source.id, min_gap=gap).failed


def test_staleness_closes_slots_and_a_successful_sync_reopens_them(
    feed_app, client, server, source, clock
):
    assert slot_times(client, WEDNESDAY) == []  # never synced: nothing is offered
    assert book(client, "2027-01-06T09:00:00+01:00").get_json()["error"] == "calendar_stale"

    run_sync(feed_app, source.id)
    assert len(slot_times(client, WEDNESDAY)) == 7

    clock.set(clock.moment + timedelta(hours=6, minutes=1))  # stale_after = 6h
    assert slot_times(client, WEDNESDAY) == []
    response = book(client, "2027-01-06T09:00:00+01:00")
    assert (response.status_code, response.get_json()["error"]) == (422, "calendar_stale")

    server.route(source.path, Status(503))
    assert run_sync(feed_app, source.id).failed
    assert slot_times(client, WEDNESDAY) == []

    server.route(source.path, Static(corpus("sync_week.ics")))
    clock.set(clock.moment + LEASE + timedelta(seconds=1))
    assert run_sync(feed_app, source.id).status == "unchanged"
    assert len(slot_times(client, WEDNESDAY)) == 7
    assert book(client, "2027-01-06T09:00:00+01:00").status_code == 201


def test_owners_who_allow_stale_calendars_keep_their_slots(feed_app, client, server):
    make_source(feed_app, server, html_page(), limits={"on_stale_calendar": "allow"})
    assert len(slot_times(client, WEDNESDAY)) == 7


@pytest.mark.parametrize(
    "url_of",
    [
        lambda server, path: server.url(path),
        lambda server, path: server.url(path).replace("127.0.0.1", "localhost"),
        lambda server, path: "http://169.254.169.254/latest/meta-data/",
        lambda server, path: "webcal://10.1.2.3/cal.ics",
    ],
    ids=["loopback", "localhost", "metadata", "webcal-private"],
)
def test_ssrf_attempts_are_refused_when_loopback_is_not_allowed(feed_app, server, url_of):
    feed_app.config["CADRE_ALLOW_LOOPBACK_FEEDS"] = False
    path = f"/ssrf/{uuid.uuid4().hex}.ics"
    server.route(path, Static(corpus("sync_week.ics")))
    url = url_of(server, path)
    with feed_app.app_context():
        create_owner(calendars=[{"name": "Sneaky", "ics": url}])
        source_id = db.session.scalar(select(CalendarSource.id))
    outcome = run_sync(feed_app, source_id)
    assert outcome.failed and "private, local or reserved" in outcome.error
    assert server.hits(path) == []  # refused before any connection
    assert stored(feed_app, source_id).blocks == []


def test_unknown_time_zones_are_recorded_as_warnings(feed_app, server):
    source = make_source(feed_app, server, Static(corpus("unknown_tzid.ics")))
    outcome = run_sync(feed_app, source.id)
    assert outcome.status == "synced"
    (warning,) = stored(feed_app, source.id).warnings
    assert "Mars/Olympus_Mons" in warning and "Europe/Paris" in warning


def test_a_claimed_source_is_not_claimed_again_until_it_finishes(feed_app, source, clock):
    now = clock.moment
    with feed_app.app_context():
        assert claim(source.id, now)
        assert not claim(source.id, now + timedelta(seconds=30))
        assert claim(source.id, now + LEASE + timedelta(seconds=1))  # the first one died


def test_two_processes_syncing_at_once_fetch_the_feed_once(feed_app, server, source):
    server.route(source.path, Slow(Static(corpus("sync_week.ics")), 0.3))
    outcomes = []

    def worker():
        outcomes.append(run_sync(feed_app, source.id))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.status for o in outcomes) == ["skipped", "skipped", "synced"]
    assert len(server.hits(source.path)) == 1


def test_periodic_task_is_registered_and_syncs_due_sources_once(feed_app, server, source, clock):
    task = {p.name: p for p in jobs._periodic}["sync-calendars"]
    assert feed_app.config["SYNC_INTERVAL_S"] == 600  # each source's round
    assert task.interval_s == 30  # how often the scheduler looks for moments that came
    with feed_app.app_context():
        assert sync_due() == 1
        assert sync_due() == 0  # just attempted: not due again
    assert stored(feed_app, source.id).last_success_at == clock.moment
    clock.set(clock.moment + timedelta(minutes=5))
    with feed_app.app_context():
        assert sync_due() == 0
    clock.set(clock.moment + timedelta(minutes=6))
    with feed_app.app_context():
        assert sync_due() == 1
    assert stored(feed_app, source.id).last_success_at == clock.moment


def test_each_source_has_its_own_moment_in_the_round(feed_app, server, source, clock):
    """A synced source is due again exactly when its moment of the next round comes."""
    interval = timedelta(minutes=10)
    number, began = sync_round(source.id, interval, clock.moment)
    moment = began + 2 * interval  # the source's moment, two rounds later
    assert sync_round(source.id, interval, moment) == (number + 2, moment)
    assert sync_round(source.id, interval, moment - timedelta(microseconds=1))[0] == number + 1
    with feed_app.app_context():
        db.session.execute(
            update(CalendarSource)
            .where(CalendarSource.id == source.id)
            .values(last_attempt_at=moment - timedelta(seconds=400))
        )
        db.session.commit()
    clock.set(moment - timedelta(seconds=1))  # this round began 599 s ago: attempted in it
    with feed_app.app_context():
        assert sync_due() == 0
    clock.set(moment)  # the source's moment: a new round
    with feed_app.app_context():
        assert sync_due() == 1
    assert stored(feed_app, source.id).last_attempt_at == moment


def test_after_a_mass_catch_up_the_next_rounds_are_spread(feed_app, server, clock):
    """40 calendars synced together (a restart, an import) are not fetched together again:
    over the next rounds, looked at every 30 s, each is synced once per round, a few at
    a time."""
    calendars = []
    for n in range(40):
        path = f"/feeds/spread-{n}.ics"
        calendars.append(
            {"name": f"c{n}", "ics": server.route(path, Static(corpus("sync_week.ics")))}
        )
    with feed_app.app_context():
        create_owner(calendars=calendars)
        assert sync_due() == 40  # never synced: all at once
        per_tick = []
        for _ in range(40):  # 20 minutes, two rounds
            clock.set(clock.moment + timedelta(seconds=30))
            per_tick.append(sync_due())
        attempts = db.session.scalars(select(CalendarSource.last_attempt_at)).all()
    # Each calendar once per round; one whose moment came within half a round of the
    # catch-up waits for the next round, so 1 or 2 syncs each in these 20 minutes.
    assert 40 < sum(per_tick) < 80, per_tick
    assert max(per_tick) <= 8, per_tick  # never the 40 at one tick
    assert sum(1 for n in per_tick if n) >= 15, per_tick  # spread over many ticks
    assert all(clock.moment - a <= timedelta(minutes=15) for a in attempts)  # none starved


@pytest.mark.parametrize("interval_s", [120, 300, 600])
def test_a_source_is_synced_once_in_every_round(feed_app, server, source, clock, interval_s):
    """Short rounds too: the rule that defers a source attempted just before its moment
    (half a round) never skips a round of a source synced on time."""
    feed_app.config["SYNC_INTERVAL_S"] = interval_s
    attempts = []
    with feed_app.app_context():
        for _ in range(4 * interval_s // 30):  # four rounds, looked at every 30 s
            if sync_due():
                attempts.append(clock.moment)
            clock.set(clock.moment + timedelta(seconds=30))
    assert len(attempts) in (4, 5), attempts  # the first at once, then one per round
    gaps = {(b - a).total_seconds() for a, b in itertools.pairwise(attempts[1:])}
    assert gaps <= {interval_s - 30, interval_s, interval_s + 30}, gaps


def test_moments_are_spread_over_the_interval():
    """3,000 consecutive source ids fall evenly into the ten minutes of a round."""
    round_ = timedelta(minutes=10)
    per_minute = Counter(sync_phase(i, round_) // timedelta(minutes=1) for i in range(1, 3001))
    assert sorted(per_minute) == list(range(10))
    assert all(270 <= n <= 330 for n in per_minute.values()), per_minute


def test_sync_owner_and_sync_all_cover_their_sources(feed_app, server):
    mine = make_source(feed_app, server)
    other = make_source(feed_app, server, owner={"slug": "bob", "name": "Bob"})
    with feed_app.app_context():
        assert [o.source_id for o in sync_owner("camille")] == [mine.id]
        assert stored(feed_app, other.id).last_attempt_at is None
        assert sorted(o.owner_slug for o in sync_all()) == ["bob", "camille"]
    assert stored(feed_app, other.id).last_success_at is not None
