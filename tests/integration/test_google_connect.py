"""Connecting Google accounts through the owner pages: the real Authlib against the fake.

The fake's token endpoint checks the client secret and the PKCE verifier, its id_tokens
are RS256-signed and checked by Authlib against the fake's JWKS; nothing is mocked.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
import requests
from cryptography.fernet import Fernet
from sqlalchemy import select, text

from app.extensions import db
from app.models import BusyBlock, CalendarSource
from app.models.google import GoogleAccount, GoogleCalendar
from app.services import google_tokens
from tests.fake_google import SCOPE_CALENDAR_LIST, SCOPE_EVENTS, FakeGoogle, fixtures
from tests.fake_google.fixtures import (
    account_ids,
    calendar_rows,
    choose,
    connect,
    consent,
    make_owner,
    owner_login,
    post,
)

google, gapp = fixtures.google, fixtures.gapp

ANA, BOB = "ana@example.com", "bob@work.example"
PARIS = ZoneInfo("Europe/Paris")
TUESDAY_9_TO_10 = (datetime(2027, 1, 5, 9, tzinfo=PARIS), datetime(2027, 1, 5, 10, tzinfo=PARIS))


@pytest.fixture
def owner(gapp, client):
    make_owner(gapp)
    owner_login(gapp, client)


def accounts(app) -> list[GoogleAccount]:
    with app.app_context():
        found = list(db.session.scalars(select(GoogleAccount).order_by(GoogleAccount.id)))
        db.session.expunge_all()
        return found


def test_two_accounts_connect_with_pkce_offline_access_and_minimal_scopes(
    gapp, google: FakeGoogle, owner, client
):
    ana, bob = google.add_user(ANA), google.add_user(BOB)
    google.add_calendar(bob, "team@group.example", "Team", access_role="reader")

    start = post(client, "/oauth/google/connect")
    query = parse_qs(urlsplit(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["access_type"] == ["offline"] and query["prompt"] == ["consent"]
    assert query["scope"][0].split() == ["openid", "email", SCOPE_CALENDAR_LIST, SCOPE_EVENTS]
    assert query["state"][0] and query["nonce"][0]

    connect(client, google, ana)
    connect(client, google, bob)

    found = accounts(gapp)
    assert [a.email for a in found] == [ANA, BOB]
    assert all(a.subject and a.refresh_token_hash for a in found)
    assert set(calendar_rows(gapp)) == {ANA, BOB, "team@group.example"}
    page = client.get("/oauth/google").text
    assert ANA in page and BOB in page and "Team" in page
    assert google.count("token") == 2 and google.count("jwks") == 1

    # Both count as busy; the read-only team calendar cannot receive bookings.
    assert choose(client, gapp, busy=[ANA, "team@group.example"], booking=ANA).status_code == 303
    with gapp.app_context():
        kinds = [s.kind.value for s in db.session.scalars(select(CalendarSource))]
    assert kinds == ["google", "google"]
    refused = choose(client, gapp, busy=[ANA], booking="team@group.example")
    assert refused.status_code == 303
    assert "read-only" in client.get("/oauth/google").text
    with gapp.app_context():
        target = db.session.scalar(
            select(GoogleCalendar).where(GoogleCalendar.receives_bookings.is_(True))
        )
        assert target is not None and target.calendar_id == ANA  # unchanged


def test_tokens_are_encrypted_at_rest(gapp, google, owner, client):
    ana = google.add_user(ANA)
    connect(client, google, ana)
    [refresh_token] = google.refresh_tokens(ana)
    with gapp.app_context():
        dumped = " ".join(
            str(value)
            for row in db.session.execute(text("SELECT * FROM google_accounts"))
            for value in row
        )
        account = db.session.scalar(select(GoogleAccount))
        assert google_tokens.decrypt(account.token_ciphertext)["refresh_token"] == refresh_token
    assert refresh_token not in dumped and "ya29." not in dumped


def test_keys_rotate_without_reconnecting(gapp, google, owner, client, runner):
    ana = google.add_user(ANA)
    connect(client, google, ana)
    old_key = google_tokens.derived_key(gapp.config["SECRET_KEY"]).decode()
    new_key = Fernet.generate_key().decode()
    gapp.config["TOKEN_ENCRYPTION_KEYS"] = f"{new_key},{old_key}"
    gapp.extensions["cadre_google"].pop("fernet")  # as after a restart

    result = runner.invoke(args=["google", "rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "1 account token(s) re-encrypted" in result.output

    gapp.config["TOKEN_ENCRYPTION_KEYS"] = new_key  # the old key is gone now
    gapp.extensions["cadre_google"].pop("fernet")
    with gapp.app_context():
        account = db.session.scalar(select(GoogleAccount))
        assert google_tokens.decrypt(account.token_ciphertext)["refresh_token"]
    assert choose(client, gapp, busy=[ANA]).status_code == 303  # syncs with the rotated token
    with gapp.app_context():
        assert db.session.scalar(select(CalendarSource.last_error)) is None


def test_a_replayed_or_forged_callback_is_refused(gapp, google, owner, client):
    ana = google.add_user(ANA)
    google.consenting = ana
    start = post(client, "/oauth/google/connect")
    at_google = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    back = urlsplit(at_google.headers["Location"])
    assert client.get(f"{back.path}?{back.query}").status_code == 302
    assert len(accounts(gapp)) == 1

    replay = client.get(f"{back.path}?{back.query}", follow_redirects=True)
    assert "stale or already used" in replay.text
    forged = client.get(f"{back.path}?code=4/forged&state=not-ours", follow_redirects=True)
    assert "stale or already used" in forged.text
    assert len(accounts(gapp)) == 1


def test_a_refusal_at_google_connects_nothing(gapp, google, owner, client):
    ana = google.add_user(ANA)
    google.deny_next = True
    answer = consent(client, google, ana)
    assert "not granted" in client.get(answer.headers["Location"]).text
    assert accounts(gapp) == []


def test_unticked_calendar_permissions_are_explained(gapp, google, owner, client):
    ana = google.add_user(ANA)
    google.granted_scopes = {"openid", "email", SCOPE_CALENDAR_LIST}  # events box unticked
    answer = consent(client, google, ana)
    assert "both calendar permissions" in client.get(answer.headers["Location"]).text
    assert accounts(gapp) == []


def test_disconnect_revokes_at_google_and_deletes_tokens_and_busy_time(gapp, google, owner, client):
    ana, bob = google.add_user(ANA), google.add_user(BOB)
    google.add_event(bob, *TUESDAY_9_TO_10)
    google.add_event(ana, *TUESDAY_9_TO_10)
    connect(client, google, ana)
    connect(client, google, bob)
    choose(client, gapp, busy=[ANA, BOB], booking=BOB)
    with gapp.app_context():
        assert len(db.session.scalars(select(BusyBlock)).all()) == 2

    response = post(client, f"/oauth/google/{account_ids(gapp)[BOB]}/disconnect")
    assert response.status_code == 303
    assert "Google access revoked" in client.get("/oauth/google").text
    assert google.count("revoke") == 1
    assert all(g.revoked for g in google.state.grants if g.sub == bob.sub)
    assert not any(g.revoked for g in google.state.grants if g.sub == ana.sub)
    assert [a.email for a in accounts(gapp)] == [ANA]
    with gapp.app_context():
        assert set(calendar_rows(gapp)) == {ANA}
        assert len(db.session.scalars(select(BusyBlock)).all()) == 1  # Ana's only
        assert len(db.session.scalars(select(CalendarSource)).all()) == 1


def test_disconnect_still_deletes_when_google_is_unreachable(gapp, google, owner, client):
    ana = google.add_user(ANA)
    connect(client, google, ana)
    google.stop()  # Google unreachable: the tokens go anyway, the owner is told
    response = post(client, f"/oauth/google/{account_ids(gapp)[ANA]}/disconnect")
    assert response.status_code == 303
    assert "myaccount.google.com/permissions" in client.get("/oauth/google").text
    assert accounts(gapp) == []


def test_calendar_lists_are_read_again_every_six_hours(gapp, google, owner, client, clock):
    """A calendar added in Google shows up to be chosen, one deleted there stops counting
    as busy time; nothing is asked of Google before the list is six hours old."""
    from datetime import timedelta

    from app.services.google_accounts import calendars_due

    ana = google.add_user(ANA)
    google.add_calendar(ana, "team@group.calendar.google.com", "Team")
    connect(client, google, ana)
    choose(client, gapp, busy=[ANA, "team@group.calendar.google.com"])
    assert set(calendar_rows(gapp)) == {ANA, "team@group.calendar.google.com"}
    google.add_calendar(ana, "yoga@group.calendar.google.com", "Yoga")
    with google.lock:
        del ana.calendars["team@group.calendar.google.com"]
    google.reset_counts()
    with gapp.app_context():
        clock.set(clock.moment + timedelta(hours=5, minutes=59))
        assert calendars_due() == 0
        assert google.count("calendarList.list") == 0
        clock.set(clock.moment + timedelta(minutes=2))
        assert calendars_due() == 1  # listed inline here
        assert google.count("calendarList.list") == 1
        assert calendars_due() == 0  # just listed: not due again
    assert set(calendar_rows(gapp)) == {ANA, "yoga@group.calendar.google.com"}
    with gapp.app_context():
        names = set(db.session.scalars(select(CalendarSource.name)))
    assert not any("Team" in name for name in names)  # its source and busy time are gone
