"""The slots cache never outlives its data: every change to bookings or busy time — even
one made behind the application's back — and every change of boundaries shows at once,
and the notice is cut at the real ``now`` on each request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, text

from app.extensions import db
from app.models import BusyBlock, CalendarSource, Owner, SourceKind
from app.services.availability import _compute, slots_for
from app.services.owners import owner_boundaries, save_boundaries
from schedules import parse_boundaries
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
