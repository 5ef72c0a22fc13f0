"""Every owner page requires a login and shows only the signed-in owner's data.

The tests walk the whole URL map: every rule of the ``dashboard``, ``oauth`` and ``auth``
blueprints, with sample arguments that point at owner B's objects (booking, message,
calendar, Google account). A page added later is walked too; an argument this file does
not know gets a neutral value (and the rule is still walked).
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Booking, BookingStatus, CalendarSource, Message, Owner
from tests.web.dashboard_helpers import (
    EN,
    SECRET_CLIENT,
    SECRET_FEED,
    SECRET_MESSAGE,
    SECRET_NAME,
    SECRET_OFFER,
    SECRET_TERMS,
    add_busy,
    html,
    insert_booking,
    setup_owners,
    sign_in,
    token,
)

GUARDED = ("dashboard", "oauth")
WALKED = (*GUARDED, "auth")


@pytest.fixture
def owners(app):
    return setup_owners(app)


def sample_args(rule: Any, owners: Any) -> dict[str, Any]:
    """Arguments aimed at owner B's objects wherever a rule takes an id."""
    known = {
        "booking_id": owners.b_booking,
        "message_id": owners.b_message,
        "source_id": owners.b_source,
        "section": "hours",
        "account_id": owners.b_source,  # whatever B has; A must get nothing for it
        "token": owners.b_feed_token,
        "slug": owners.b_slug,
        "owner_slug": owners.b_slug,
    }
    args = {}
    for name in rule.arguments:
        if name in known:
            args[name] = known[name]
        else:
            converter = rule._converters.get(name)
            args[name] = 999999 if type(converter).__name__ == "IntegerConverter" else "x1"
    return args


def rules_of(app: Any, blueprints: tuple[str, ...]) -> list[Any]:
    found = [rule for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in blueprints]
    assert found, "no rules found"
    return sorted(found, key=lambda rule: rule.rule)


def url_of(app: Any, rule: Any, owners: Any) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **sample_args(rule, owners))


SECRETS = (
    SECRET_NAME,
    SECRET_CLIENT,
    SECRET_MESSAGE,
    SECRET_FEED,
    SECRET_OFFER,
    SECRET_TERMS,
    "B-private sync error",
    "zed@b-client.example",
    "bruno-contact@example.org",
    "bruno@login",
)


def assert_nothing_of_b(page: str, owners: Any, where: str, url: str = "") -> None:
    if url:
        page = page.replace(url.split("?")[0], "")  # links to the page asked for echo its URL
    for secret in (*SECRETS, owners.b_feed_token, owners.b_booking):
        assert secret not in page, f"{where} shows owner B's {secret!r}"


def b_state(app: Any, owners: Any) -> tuple[Any, ...]:
    with app.app_context():
        b = db.session.get(Owner, owners.b_id)
        booking = db.session.get(Booking, owners.b_booking)
        message = db.session.get(Message, owners.b_message)
        sources = db.session.scalars(
            select(CalendarSource.id).where(CalendarSource.owner_id == owners.b_id)
        ).all()
        return (
            b.feed_token,
            b.boundaries,
            booking.status,
            message.answered_at,
            list(sources),
        )


def test_anonymous_visitors_are_sent_to_sign_in_from_every_owner_page(app, client, owners):
    anonymous_token = token(client)  # a valid CSRF token, so only the login guard can refuse
    walked = 0
    for rule in rules_of(app, GUARDED):
        url = url_of(app, rule, owners)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                response = client.get(url, headers=EN)
            else:
                response = client.open(
                    url, method=method, data={"csrf_token": anonymous_token}, headers=EN
                )
            where = f"{method} {rule.rule}"
            assert response.status_code == 302, f"{where} answered {response.status_code}"
            assert response.headers["Location"].startswith("/login"), where
            walked += 1
    assert walked >= 20
    with app.test_request_context():
        assert client.get("/dashboard/week?week=2027-01-04").headers["Location"] == (
            "/login?next=/dashboard/week?week%3D2027-01-04"
        )


def test_owner_a_sees_nothing_of_owner_b_on_any_page(app, client, owners):
    before = b_state(app, owners)
    assert sign_in(client).status_code == 303
    csrf = token(client, "/dashboard/")
    for rule in rules_of(app, WALKED):
        url = url_of(app, rule, owners)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            where = f"{method} {url}"
            if method == "GET":
                response = client.get(url, headers=EN)
            elif rule.endpoint.startswith("auth."):
                continue  # posting sign-in/sign-up/sign-out forms is the auth tests' job
            else:
                response = client.open(url, method=method, data={"csrf_token": csrf}, headers=EN)
            assert response.status_code < 500, f"{where} failed: {response.status_code}"
            assert_nothing_of_b(html(response), owners, where, url)
            if response.status_code in (301, 302, 303):
                follow = client.get(response.headers["Location"], headers=EN)
                assert_nothing_of_b(html(follow), owners, f"{where} → redirect")
    assert b_state(app, owners) == before, "owner A changed something of owner B"
    # And A is still signed in as A, looking at A's own page.
    assert "Camille Martin" in html(client.get("/dashboard/", headers=EN))


B_OBJECT_URLS = [
    ("GET", "/dashboard/bookings/{booking}/cancel"),
    ("POST", "/dashboard/bookings/{booking}/cancel"),
    ("POST", "/dashboard/inbox/{message}/answered"),
    ("POST", "/dashboard/inbox/{message}/reopen"),
    ("POST", "/dashboard/calendars/{source}/sync"),
    ("POST", "/dashboard/calendars/{source}/remove"),
]


def test_owner_b_objects_are_not_found_for_owner_a(app, client, owners):
    sign_in(client)
    data = {"csrf_token": token(client, "/dashboard/"), "note": "x"}
    for method, path in B_OBJECT_URLS:
        url = path.format(
            booking=owners.b_booking, message=owners.b_message, source=owners.b_source
        )
        response = client.open(url, method=method, data=data, headers=EN)
        assert response.status_code == 404, (method, url)
    with app.app_context():
        assert db.session.get(Booking, owners.b_booking).status is BookingStatus.CONFIRMED
        assert db.session.get(Message, owners.b_message).answered_at is None
        assert db.session.get(CalendarSource, owners.b_source) is not None


def test_each_owner_sees_their_own_data(app, owners):
    a, b = app.test_client(), app.test_client()
    sign_in(a)
    sign_in(b, email="bruno@login.example.org")
    b_inbox = html(b.get("/dashboard/inbox", headers=EN))
    assert SECRET_MESSAGE in b_inbox
    assert SECRET_MESSAGE not in html(a.get("/dashboard/inbox", headers=EN))
    assert SECRET_CLIENT in html(b.get("/dashboard/bookings", headers=EN))
    assert SECRET_FEED in html(b.get("/dashboard/calendars", headers=EN))


def test_owner_pages_are_private_and_cannot_be_framed(client, owners):
    sign_in(client)
    response = client.get("/dashboard/", headers=EN)
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_the_owner_pages_speak_french(client, owners):
    fr = {"Accept-Language": "fr"}
    assert "Se connecter" in html(client.get("/login", headers=fr))
    sign_in(client)
    page = html(client.get("/dashboard/week?week=2027-01-04", headers=fr))
    assert "Semaine du lundi 4 janvier 2027" in page
    assert "Vue d’ensemble" in page and "Messages reçus" in page
    editor = html(client.get("/dashboard/boundaries/hours", headers=fr))
    assert "<legend>Lundi</legend>" in editor
    assert "Un message envoyé maintenant reçoit une réponse d’ici" in editor


def test_every_form_refuses_a_post_without_its_csrf_token(app, client, owners, clock):
    """Each POST rule, aimed at owner A's own objects: only the missing token stops it."""
    with app.app_context():
        a_booking = insert_booking(owners.a_id, clock.moment + timedelta(days=2))
        add_busy(owners.a_id, clock.moment, clock.moment + timedelta(hours=1), clock.moment)
        a_source = db.session.scalar(
            select(CalendarSource.id).where(CalendarSource.owner_id == owners.a_id)
        )
        message = Message(owner_id=owners.a_id, name="M", email="m@example.com", body="hi")
        db.session.add(message)
        db.session.commit()
        a_message = message.id
    mine = SimpleNamespace(
        **{**vars(owners), "b_booking": a_booking, "b_message": a_message, "b_source": a_source}
    )
    sign_in(client)
    before = a_state(app, owners.a_id)
    posted = 0
    for rule in rules_of(app, WALKED):
        if "POST" not in rule.methods:
            continue
        url = url_of(app, rule, mine)
        data = {"note": "x", "name": "N", "ics": "https://example.org/a.ics", "action": "save"}
        response = client.post(url, data=data, headers=EN)
        assert response.status_code == 400, f"POST {url} without a token: {response.status_code}"
        posted += 1
    assert posted >= 15
    assert a_state(app, owners.a_id) == before
    assert client.get("/dashboard/").status_code == 200  # not even signed out


def a_state(app: Any, owner_id: int) -> tuple[Any, ...]:
    with app.app_context():
        owner = db.session.get(Owner, owner_id)
        return (
            owner.feed_token,
            owner.boundaries,
            sorted(
                (b.id, b.status)
                for b in db.session.scalars(select(Booking).where(Booking.owner_id == owner_id))
            ),
            sorted(
                (m.id, m.answered_at)
                for m in db.session.scalars(select(Message).where(Message.owner_id == owner_id))
            ),
            sorted(
                db.session.scalars(
                    select(CalendarSource.id).where(CalendarSource.owner_id == owner_id)
                ).all()
            ),
        )
