"""Fixtures and helpers for tests against the fake Google (import them in the test module).

The browser's part of the OAuth dance is played by hand: the app's redirect to the fake's
consent page is followed with ``requests`` (real HTTP), the fake's redirect back is
replayed into the Flask test client. Everything the app itself sends to Google — token
exchange, id_token check against the JWKS, refresh, revoke, Calendar API calls — is
real HTTP from the real Authlib and google-api-python-client to the fake.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.accounts import attach_login
from app.clock import now as clock_now
from app.extensions import db
from app.models import CalendarSource
from app.models.google import GoogleAccount, GoogleCalendar
from tests.factories import create_owner

from .server import FakeGoogle
from .state import User

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    with FakeGoogle() as fake:
        fake.timeout_s = 1.0
        yield fake


@pytest.fixture
def gapp(app: Flask, google: FakeGoogle) -> Flask:
    """The test app pointed at the fake, jobs inline, retries fast."""
    app.config.update(
        google.app_config(),
        JOBS_MODE="inline",
        GOOGLE_RETRY_BASE_S=0.001,
        GOOGLE_RETRY_CAP_S=0.005,
        GOOGLE_HTTP_TIMEOUT_S=0.5,
    )
    return app


def make_owner(app: Flask, **sections: Any) -> SimpleNamespace:
    with app.app_context():
        owner = create_owner(**sections)
        return SimpleNamespace(id=owner.id, slug=owner.slug, email=owner.email)


def owner_login(app: Flask, client: FlaskClient, slug: str = "camille") -> None:
    """Give owner ``slug`` a login and sign in with it, like the owner in a browser."""
    email, password = f"{slug}@login.example.org", "owner password 123"
    app.config["PASSWORD_HASH_METHOD"] = "scrypt:1024:8:1"  # cheap hashes for tests
    with app.app_context():
        attach_login(slug, email, password, clock_now())
    page = client.get("/login").get_data(as_text=True)
    match = CSRF.search(page)
    assert match is not None
    data = {"csrf_token": match.group(1), "email": email, "password": password}
    response = client.post("/login", data=data)
    assert response.status_code == 303, response.data


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/oauth/google")
    assert page.status_code == 200, page.status_code
    match = CSRF.search(page.get_data(as_text=True))
    assert match is not None
    return match.group(1)


def post(client: FlaskClient, path: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})})


def consent(client: FlaskClient, google: FakeGoogle, user: User, hint: str = "") -> Any:
    """Press "Connect", let ``user`` consent at the fake, come back. The final response."""
    google.consenting = user
    start = post(client, "/oauth/google/connect", {"login_hint": hint} if hint else None)
    assert start.status_code == 302, start.data
    assert start.headers["Location"].startswith(google.base_url)
    at_google = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    assert at_google.status_code == 302, at_google.text
    back = urlsplit(at_google.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def connect(client: FlaskClient, google: FakeGoogle, user: User) -> Any:
    answer = consent(client, google, user)
    assert answer.status_code == 302
    assert answer.headers["Location"].endswith("/oauth/google")
    return answer


def calendar_rows(app: Flask) -> dict[str, int]:
    """Google calendar id → GoogleCalendar row id."""
    with app.app_context():
        return {c.calendar_id: c.id for c in db.session.scalars(select(GoogleCalendar))}


def choose(
    client: FlaskClient,
    app: Flask,
    busy: list[str] = (),  # type: ignore[assignment]
    booking: str | None = None,
    invite: list[str] = (),  # type: ignore[assignment]
) -> Any:
    rows = calendar_rows(app)
    accounts = account_ids(app)
    data: dict[str, Any] = {
        "busy": [str(rows[c]) for c in busy],
        "booking_calendar": str(rows[booking]) if booking else "none",
        "invite_client": [str(accounts[e]) for e in invite],
    }
    return post(client, "/oauth/google/calendars", data)


def account_ids(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {a.email: a.id for a in db.session.scalars(select(GoogleAccount))}


def source_of(app: Flask, calendar_id: str) -> CalendarSource:
    with app.app_context():
        cal = db.session.scalar(
            select(GoogleCalendar).where(GoogleCalendar.calendar_id == calendar_id)
        )
        assert cal is not None and cal.source_id is not None
        source = db.session.get(CalendarSource, cal.source_id)
        assert source is not None
        db.session.expunge(source)
        return source
