"""Google busy time through the real app, Authlib, google-api-python-client and the fake Google.

The clock is Monday 2027-01-04 09:00 in Paris. The owner (Europe/Paris) works Tuesday
09:00–12:30 and 14:00–18:00 and books 60 days ahead, so a sync covers 2027-01-03 to
about 2027-03-13. Every test connects Ana's account through the OAuth pages, marks her
main calendar as busy (which runs the first, full sync at once) and looks at the blocks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.database import guarded_write
from app.extensions import db
from app.models import BusyBlock, CalendarSource, OutboxMail, SourceKind
from app.models.google import AccountStatus, GoogleAccount
from app.services import google_tokens
from app.services.sync import FAILED, SYNCED, UNCHANGED, store_keyed, sync_source
from integrations.base import KeyedBusy
from schedules import Interval
from tests.factories import create_owner
from tests.fake_google import FakeGoogle, fixtures
from tests.fake_google.fixtures import choose, connect, make_owner, owner_login, source_of
from tests.live import free_port

google, gapp = fixtures.google, fixtures.gapp  # the fake (per test) and the app pointed at it

PARIS = ZoneInfo("Europe/Paris")
ANA = "ana@example.com"


def paris(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=PARIS)


def utc(day: int, hour: int, minute: int = 0, month: int = 1) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def ana(google: FakeGoogle):
    return google.add_user(ANA)


@pytest.fixture
def linked(gapp, google, ana, client):
    """Ana's account connected, her main calendar busy. Returns a sync helper."""
    make_owner(gapp)
    owner_login(gapp, client)

    def start(busy: tuple[str, ...] = (ANA,)) -> int:
        connect(client, google, ana)
        choose(client, gapp, busy=list(busy))
        return source_of(gapp, busy[0]).id

    return start


def blocks(app, source_id: int) -> dict[str, tuple[datetime, datetime, int]]:
    with app.app_context():
        rows = db.session.scalars(select(BusyBlock).where(BusyBlock.source_id == source_id))
        return {b.external_id: (b.start, b.end, b.id) for b in rows}


def sync(app, source_id: int):
    with app.app_context():
        return sync_source(source_id)


def slot_starts(client, day: str) -> list[str]:
    body = client.get(f"/api/v1/camille/discovery/slots?from={day}&to={day}").get_json()
    return [slot["start"][11:16] for slot in body["slots"]]


def test_full_then_incremental_sync_touches_only_what_changed(gapp, google, ana, linked, client):
    dentist = google.add_event(ana, paris(5, 9), paris(5, 10), summary="Dentist")
    lunch = google.add_event(ana, paris(5, 12), paris(5, 13))
    meeting = google.add_event(ana, paris(6, 9), paris(6, 11))
    google.add_event(ana, paris(20, 9, month=6), paris(20, 10, month=6))  # beyond the window

    source_id = linked()  # choosing the calendar ran the full sync
    assert google.count("events.list") == 1
    [(_op, _method, first)] = [e for e in google.log if e[0] == "events.list"]
    assert first["singleEvents"] == ["true"] and "timeMin" in first and "timeMax" in first
    before = blocks(gapp, source_id)
    assert set(before) == {dentist["id"], lunch["id"], meeting["id"]}
    assert before[dentist["id"]][:2] == (utc(5, 8), utc(5, 9))
    assert "09:00" not in slot_starts(client, "2027-01-05")

    google.change_event(ana, dentist["id"], start=paris(5, 15), end=paris(5, 16))
    google.reset_counts()
    outcome = sync(gapp, source_id)

    assert outcome.status == SYNCED and outcome.events == 1
    assert google.count("events.list") == 1
    [(_op, _method, query)] = google.log
    assert "syncToken" in query and "timeMin" not in query and "timeMax" not in query
    after = blocks(gapp, source_id)
    assert after[dentist["id"]] == (utc(5, 14), utc(5, 15), before[dentist["id"]][2])
    assert {k: v for k, v in after.items() if k != dentist["id"]} == {
        k: v for k, v in before.items() if k != dentist["id"]
    }
    assert "09:00" in slot_starts(client, "2027-01-05")
    assert "15:00" not in slot_starts(client, "2027-01-05")

    google.cancel_event(ana, lunch["id"])
    assert sync(gapp, source_id).status == SYNCED
    assert lunch["id"] not in blocks(gapp, source_id)

    google.reset_counts()
    assert sync(gapp, source_id).status == UNCHANGED
    assert google.count("events.list") == 1


def test_a_moved_and_a_deleted_instance_of_a_recurring_series(gapp, google, ana, linked, client):
    instances = google.add_series(
        ana, "weekly", paris(5, 10), timedelta(hours=1), "FREQ=WEEKLY;COUNT=6"
    )
    source_id = linked()
    ids = [i["id"] for i in instances]
    assert ids[0] == "weekly_20270105T090000Z"
    assert set(blocks(gapp, source_id)) == set(ids)  # instances, not the master
    assert "10:00" not in slot_starts(client, "2027-01-12")

    google.change_event(ana, ids[1], start=paris(13, 15), end=paris(13, 16))  # Tue → Wed
    google.cancel_event(ana, ids[2])
    google.reset_counts()
    outcome = sync(gapp, source_id)

    assert google.count("events.list") == 1 and outcome.events == 2
    after = blocks(gapp, source_id)
    assert set(after) == set(ids) - {ids[2]}
    assert after[ids[1]][:2] == (utc(13, 14), utc(13, 15))
    assert after[ids[3]][:2] == (utc(26, 9), utc(26, 10))
    assert "10:00" in slot_starts(client, "2027-01-12")  # moved away
    assert "10:00" in slot_starts(client, "2027-01-19")  # deleted
    assert "10:00" not in slot_starts(client, "2027-01-26")


def test_an_expired_sync_token_gets_a_full_resync(gapp, google, ana, linked):
    first = google.add_event(ana, paris(5, 9), paris(5, 10))
    source_id = linked()
    google.expire_sync_tokens(ana)
    google.cancel_event(ana, first["id"])
    second = google.add_event(ana, paris(7, 9), paris(7, 10))
    google.reset_counts()

    outcome = sync(gapp, source_id)

    assert outcome.status == SYNCED
    assert [query.get("syncToken") is not None for op, _m, query in google.log] == [True, False]
    assert set(blocks(gapp, source_id)) == {second["id"]}
    assert any("full resync" in w for w in outcome.warnings)
    assert sync(gapp, source_id).status == UNCHANGED  # and incremental again


def test_pages_are_followed_both_ways(gapp, google, ana, linked):
    gapp.config["GOOGLE_PAGE_SIZE"] = 2
    events = [google.add_event(ana, paris(5 + i, 9), paris(5 + i, 10)) for i in range(5)]
    source_id = linked()
    assert google.count("events.list") == 3
    assert set(blocks(gapp, source_id)) == {e["id"] for e in events}
    for event in events[:3]:
        google.cancel_event(ana, event["id"])
    google.reset_counts()
    sync(gapp, source_id)
    assert google.count("events.list") == 2
    assert set(blocks(gapp, source_id)) == {e["id"] for e in events[3:]}


def test_free_events_and_all_day_events_in_the_calendars_zone(gapp, google, ana, linked):
    google.add_calendar(ana, "ny", "New York office", time_zone="America/New_York")
    add = google.add_event
    add(ana, paris(5, 9), paris(5, 10), calendar_id="ny", transparency="transparent")
    add(ana, paris(5, 9), paris(5, 10), calendar_id="ny", eventType="workingLocation")
    add(ana, date(2027, 1, 6), date(2027, 1, 7), calendar_id="ny", eventType="birthday")
    add(
        ana,
        paris(5, 11),
        paris(5, 12),
        calendar_id="ny",
        attendees=[{"email": ANA, "self": True, "responseStatus": "declined"}],
    )
    add(
        ana,
        paris(5, 14),
        paris(5, 15),
        calendar_id="ny",
        extendedProperties={"private": {"cadreBooking": "b1"}},
    )
    accepted = add(
        ana,
        paris(5, 16),
        paris(5, 17),
        calendar_id="ny",
        attendees=[{"email": ANA, "self": True, "responseStatus": "accepted"}],
    )
    holiday = add(ana, date(2027, 1, 8), date(2027, 1, 9), calendar_id="ny")

    source_id = linked(busy=("ny",))

    found = blocks(gapp, source_id)
    assert set(found) == {accepted["id"], holiday["id"]}
    # All day in New York: midnight to midnight Eastern time (UTC−5 in January).
    assert found[holiday["id"]][:2] == (utc(8, 5), utc(9, 5))


@pytest.mark.parametrize(
    ("status", "reason", "sent"),
    [
        (429, "rateLimitExceeded", 3),
        (500, "backendError", 3),
        (503, "backendError", 3),
        (403, "userRateLimitExceeded", 3),
        (None, None, 3),  # timeouts
    ],
)
def test_transient_failures_are_retried(gapp, google, ana, linked, status, reason, sent):
    google.add_event(ana, paris(5, 9), paris(5, 10))
    source_id = linked()
    google.add_event(ana, paris(6, 9), paris(6, 10))
    google.fail("events.list", status, times=2, reason=reason)
    google.reset_counts()
    outcome = sync(gapp, source_id)
    assert outcome.status == SYNCED
    assert google.count("events.list") == sent
    assert len(blocks(gapp, source_id)) == 2


@pytest.mark.parametrize(
    ("status", "reason", "message"),
    [
        (403, "forbidden", "refused access"),
        (404, "notFound", "no longer has this calendar"),
        (400, "invalid", "HTTP 400"),
    ],
)
def test_other_client_errors_are_not_retried(gapp, google, ana, linked, status, reason, message):
    google.add_event(ana, paris(5, 9), paris(5, 10))
    source_id = linked()
    google.fail("events.list", status, times=5, reason=reason)
    google.reset_counts()
    outcome = sync(gapp, source_id)
    assert outcome.status == FAILED and message in (outcome.error or "")
    assert google.count("events.list") == 1
    assert len(blocks(gapp, source_id)) == 1  # the last good blocks stay


def test_retries_give_up_and_keep_the_last_good_blocks(gapp, google, ana, linked):
    google.add_event(ana, paris(5, 9), paris(5, 10))
    source_id = linked()
    google.fail("events.list", 503, times=99)
    google.reset_counts()
    outcome = sync(gapp, source_id)
    assert outcome.status == FAILED and "unavailable" in (outcome.error or "")
    assert google.count("events.list") == 5  # GOOGLE_RETRY_ATTEMPTS
    assert len(blocks(gapp, source_id)) == 1
    assert source_of(gapp, ANA).last_error == outcome.error


def test_an_expired_access_token_is_refreshed_and_stored_through_the_update_hook(
    gapp, google, ana, linked
):
    source_id = linked()
    with gapp.app_context():
        account = db.session.scalar(select(GoogleAccount))
        before = google_tokens.decrypt(account.token_ciphertext)
        stored_before = account.token_ciphertext
    google.expire_access_tokens()
    google.reset_counts()

    assert sync(gapp, source_id).status == UNCHANGED
    assert google.count("token.refresh") == 1
    assert google.count("events.list") == 2  # a 401, then the retry with the new token
    with gapp.app_context():
        account = db.session.scalar(select(GoogleAccount))
        after = google_tokens.decrypt(account.token_ciphertext)
    assert account.token_ciphertext != stored_before
    assert after["access_token"] != before["access_token"]
    assert after["refresh_token"] == before["refresh_token"]  # Google sends none on refresh

    google.reset_counts()
    sync(gapp, source_id)
    assert google.count("token.refresh") == 0  # the stored token is used as it is


def test_a_revoked_account_needs_reconnecting_keeps_its_blocks_and_staleness_decides(
    gapp, google, ana, linked, client, clock
):
    google.add_event(ana, paris(5, 9), paris(5, 10))
    source_id = linked()
    google.revoke_access(ana)  # Ana removes Cadre at myaccount.google.com
    google.reset_counts()

    outcome = sync(gapp, source_id)

    assert outcome.status == FAILED and "reconnect" in (outcome.error or "")
    assert google.count("token.refresh") == 1
    assert len(blocks(gapp, source_id)) == 1  # busy data kept
    with gapp.app_context():
        account = db.session.scalar(select(GoogleAccount))
        assert account.status is AccountStatus.RECONNECT_NEEDED
        mails = db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "google_reconnect"))
        [mail] = list(mails)
    assert mail.to == "camille@example.org" and ANA in mail.subject
    assert ANA in mail.text_body and ANA in (mail.html_body or "")  # in the owner's language
    page = client.get("/oauth/google").get_data(as_text=True)
    assert "Reconnect needed." in page

    # Later syncs fail fast (no call to Google) and do not mail again.
    google.reset_counts()
    assert sync(gapp, source_id).status == FAILED
    assert google.count("token.refresh") == 0 and google.count("events.list") == 0
    with gapp.app_context():
        count = len(list(db.session.scalars(select(OutboxMail))))
    assert count == 1

    # Within stale_after (6h) the known busy time still guards the page; after it, nothing.
    assert "10:00" in slot_starts(client, "2027-01-05")
    clock.set(clock.moment + timedelta(hours=7))
    assert slot_starts(client, "2027-01-06") == []

    # Reconnecting the same Google account brings everything back.
    google.add_event(ana, paris(6, 11), paris(6, 12))
    connect(client, google, ana)
    with gapp.app_context():
        account = db.session.scalar(select(GoogleAccount))
        assert account.status is AccountStatus.ACTIVE and account.reconnect_mailed_at is None
        assert len(list(db.session.scalars(select(GoogleAccount)))) == 1
        source = db.session.get(CalendarSource, source_id)
        assert source.last_error is None and source.last_success_at == clock.moment
    assert len(blocks(gapp, source_id)) == 2
    assert "09:00" in slot_starts(client, "2027-01-06")
    assert "11:00" not in slot_starts(client, "2027-01-06")


def test_the_reconnect_mail_goes_out_through_smtp_when_configured(gapp, google, ana, linked):
    source_id = linked()
    gapp.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"  # nobody listens: it waits
    google.revoke_access(ana)
    google.expire_access_tokens()
    outcome = sync(gapp, source_id)
    assert outcome.status == FAILED and "reconnect" in (outcome.error or "")
    with gapp.app_context():
        [mail] = db.session.scalars(select(OutboxMail)).all()
    assert mail.kind == "google_reconnect" and mail.sent_at is None and mail.attempts == 1


def test_the_keyed_store_updates_inserts_and_deletes_one_row_per_key(app):
    """``store_keyed`` on its own: what the sync's delta mode does to the rows."""

    def hour(h: int) -> Interval:
        return Interval(utc(5, h), utc(5, h + 1))

    with app.app_context():
        owner = create_owner()
        source = CalendarSource(owner_id=owner.id, kind=SourceKind.GOOGLE, name="G")
        db.session.add(source)
        db.session.commit()
        owner_id, source_id = owner.id, source.id

        def write(changes, replace):
            with guarded_write(owner_id):
                return store_keyed(source_id, owner_id, changes, replace=replace)

        def rows():
            found = db.session.scalars(select(BusyBlock).where(BusyBlock.source_id == source_id))
            result = {b.external_id: (b.id, b.start.hour) for b in found}
            db.session.rollback()
            return result

        full = [KeyedBusy("a", hour(8)), KeyedBusy("b", hour(9)), KeyedBusy("free", None)]
        assert write(full, replace=True) == 2
        before = rows()
        assert {k: h for k, (_i, h) in before.items()} == {"a": 8, "b": 9}

        delta = [
            KeyedBusy("a", hour(10)),  # moved: the same row, new times
            KeyedBusy("b", None),  # cancelled
            KeyedBusy("c", hour(11)),  # new
            KeyedBusy("gone", None),  # never stored: nothing to do
            KeyedBusy("c", hour(12)),  # seen twice in one listing: the last one wins
        ]
        assert write(delta, replace=False) == 3
        after = rows()
        assert after["a"] == (before["a"][0], 10)
        assert set(after) == {"a", "c"} and after["c"][1] == 12

        assert write([KeyedBusy("z", hour(14))], replace=True) == 1  # a resync drops the rest
        assert set(rows()) == {"z"}
