"""The slots cache never outlives its data: every change to bookings or busy time — even
one made behind the application's back — and every change of boundaries shows at once,
and the notice is cut at the real ``now`` on each request."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy import inspect as sa_inspect

from app.extensions import db
from app.models import BusyBlock, CalendarSource, Owner, SourceKind
from app.services.availability import SlotCache, _compute, is_stale, public_owner, slots_for
from app.services.owners import owner_boundaries, save_boundaries
from schedules import Slot, parse_boundaries
from tests.factories import boundaries_doc, create_owner

DAY = "?from=2027-01-05&to=2027-01-05"
SLOTS = "/api/v1/camille/discovery/slots" + DAY


def starts(client) -> list[str]:
    return [s["start"][11:16] for s in client.get(SLOTS).get_json()["slots"]]


def version(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Owner.availability_version))


def test_a_booking_and_its_cancellation_show_at_once(app, client):
    with app.app_context():
        create_owner()
    before = starts(client)
    assert "09:00" in before
    v0 = version(app)
    booked = client.post(
        "/api/v1/camille/discovery/bookings",
        json={"start": "2027-01-05T09:00:00+01:00", "name": "A", "email": "a@example.com",
              "accept_terms": True},
    )  # fmt: skip
    assert version(app) > v0
    assert "09:00" not in starts(client)
    token = booked.get_json()["manage_url"].rsplit("/", 1)[1]
    client.post(f"/api/v1/manage/{token}/cancel")
    assert starts(client) == before


def test_busy_time_written_behind_the_app_is_seen(app, client):
    """A bulk insert and a raw SQL delete bump the version through the triggers."""
    with app.app_context():
        owner = create_owner(limits={"on_stale_calendar": "allow"})
        source = CalendarSource(
            owner_id=owner.id, kind=SourceKind.ICS, name="x", url="https://e.org/x.ics"
        )
        db.session.add(source)
        db.session.commit()
        owner_id, source_id = owner.id, source.id
    assert "10:00" in starts(client)
    with app.app_context():
        db.session.execute(
            insert(BusyBlock),
            [{"owner_id": owner_id, "source_id": source_id,
              "start": datetime(2027, 1, 5, 9, 0, tzinfo=UTC),
              "end": datetime(2027, 1, 5, 9, 30, tzinfo=UTC)}],
        )  # fmt: skip
        db.session.commit()
    assert "10:00" not in starts(client)  # 10:00 Paris is 09:00 UTC
    with app.app_context():
        db.session.execute(text("DELETE FROM busy_blocks"))
        db.session.commit()
    assert "10:00" in starts(client)


def test_edited_boundaries_show_at_once(app, client):
    with app.app_context():
        create_owner()
    assert starts(client)[0] == "09:00"
    with app.app_context():
        save_boundaries(parse_boundaries(boundaries_doc(hours={"tue": ["10:00-12:00"]})))
    assert starts(client)[0] == "10:00"


def test_boundaries_rewritten_behind_the_app_show_at_once(app, client):
    """Public answers parse the document once per ``availability_version`` without reading
    it; a raw UPDATE of the document bumps the version (trigger), so the next answer reads
    and parses the new one."""
    with app.app_context():
        create_owner()
    assert starts(client)[0] == "09:00"
    assert client.get("/api/v1/camille").get_json()["hours"]["tue"] == [
        "09:00-12:30",
        "14:00-18:00",
    ]
    document = json.dumps(boundaries_doc(hours={"tue": ["11:00-12:00"]}))
    with app.app_context():
        db.session.execute(text("UPDATE owners SET boundaries = :doc"), {"doc": document})
        db.session.commit()
    assert starts(client)[0] == "11:00"
    assert client.get("/api/v1/camille").get_json()["hours"]["tue"] == ["11:00-12:00"]


def test_an_owner_edited_in_the_session_uses_its_own_document(app):
    """Before a commit the version has not moved: an owner whose document is loaded or
    edited is parsed from that document, never from what the version cached."""
    with app.app_context():
        create_owner()
        stored = parse_boundaries(boundaries_doc())
        first, _ = public_owner("camille")
        assert "boundaries" not in sa_inspect(first).dict
        assert owner_boundaries(first) == stored  # read once, parsed, kept by version
        db.session.expunge_all()
        deferred, _ = public_owner("camille")
        assert owner_boundaries(deferred) == stored
        assert "boundaries" not in sa_inspect(deferred).dict  # the version answered
        edited = boundaries_doc(hours={"tue": ["15:00-16:00"]})
        deferred.boundaries = edited
        assert owner_boundaries(deferred) == parse_boundaries(edited)
        db.session.rollback()
        assert owner_boundaries(deferred) == stored


@pytest.mark.parametrize(
    "successes_ago",
    [(), (None,), (1,), (1, 30), (None, 1), (30,), (1, None, 30)],
    ids=["no-source", "never", "fresh", "one-old", "never-and-fresh", "old", "mixed"],
)
def test_public_owner_judges_staleness_as_the_full_list_does(app, clock, successes_ago):
    """One query reads the oldest success and the sources never synced; the verdict equals
    the one from every source's last success, at several moments."""
    with app.app_context():
        owner = create_owner(limits={"stale_after": "2h", "on_stale_calendar": "block"})
        for n, ago in enumerate(successes_ago):
            db.session.add(
                CalendarSource(
                    owner_id=owner.id, kind=SourceKind.ICS, name=f"s{n}",
                    url=f"https://e.org/{n}.ics",
                    last_success_at=None if ago is None else clock.moment - timedelta(minutes=ago),
                )
            )  # fmt: skip
        db.session.commit()
        for later in (0, 60, 125):
            now = clock.moment + timedelta(minutes=later)
            loaded, successes = public_owner("camille")
            boundaries = owner_boundaries(loaded)
            assert is_stale(loaded, boundaries, now, successes) == is_stale(
                loaded, boundaries, now
            ), (later, successes)


def test_the_notice_is_cut_at_the_real_now(app, clock):
    """Same day, later clock: the cached list, cut at now + notice, equals a fresh one."""
    with app.app_context():
        create_owner(limits={"min_notice": "2h"})
    day = datetime(2027, 1, 5).date()
    for hour in (6, 8, 9, 12, 15):  # UTC; Paris is +1
        clock.set(datetime(2027, 1, 5, hour, 7, tzinfo=UTC))
        with app.app_context():
            owner = db.session.scalar(select(Owner))
            boundaries = owner_boundaries(owner)
            offer = boundaries.offers[0]
            cached = slots_for(owner, boundaries, offer, day, day, "Europe/Paris", clock.moment)
            fresh = _compute(owner, boundaries, offer, day, day, "Europe/Paris", clock.moment)
        assert cached == fresh
        assert all(s.start >= clock.moment + timedelta(hours=2) for s in cached)


def test_the_cache_is_bounded_by_the_slots_it_holds():
    """A 60-day list weighs a hundred one-day lists: the budget counts slots, oldest out."""
    base = datetime(2027, 1, 4, 8, tzinfo=UTC)

    def slots(n: int) -> list[Slot]:
        return [
            Slot(base + timedelta(hours=i), base + timedelta(hours=i, minutes=30)) for i in range(n)
        ]

    cache = SlotCache(max_slots=100)
    cache.put(("a",), slots(40))
    cache.put(("b",), slots(40))
    assert cache.get(("a",)) is not None  # "a" is now the most recently used
    cache.put(("c",), slots(40))  # 120 > 100: the least recently used, "b", goes
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is not None and cache.get(("c",)) is not None
    assert (len(cache), cache.slots) == (2, 80)
    cache.put(("a",), slots(10))  # replacing a list counts only the new one
    assert cache.slots == 50
    cache.put(("huge",), slots(101))  # larger than the whole budget: not kept
    assert cache.get(("huge",)) is None and cache.slots == 50
