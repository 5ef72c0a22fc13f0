"""The "Sign in with Google" option against the fake Google over real HTTP.

Only the Google account an owner connected on their Calendars page signs that owner in;
any other Google account signs in no one.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from tests.fake_google import fixtures
from tests.fake_google.fixtures import connect, make_owner, owner_login
from tests.web.dashboard_helpers import EN, html, token

google, gapp = fixtures.google, fixtures.gapp


def google_sign_in(client, fake, user, next_value=""):
    """Press "Sign in with Google", choose ``user`` at the fake, come back. The final answer."""
    fake.consenting = user
    data = {"csrf_token": token(client), "next": next_value}
    start = client.post("/login/google", data=data, headers=EN)
    assert start.status_code == 302, start.data
    location = start.headers["Location"]
    asked = parse_qs(urlsplit(location).query)
    assert asked["scope"] == ["openid email"]  # no calendar access to sign in
    assert "access_type" not in asked
    at_google = requests.get(location, allow_redirects=False, timeout=5)
    assert at_google.status_code == 302, at_google.text
    back = urlsplit(at_google.headers["Location"])
    return client.get(f"{back.path}?{back.query}", headers=EN)


def test_the_connected_google_account_signs_its_owner_in(gapp, google, client):
    ana = google.add_user("ana@example.com")
    make_owner(gapp)
    owner_login(gapp, client)
    connect(client, google, ana)
    client.post("/logout", data={"csrf_token": token(client, "/logout")})
    assert client.get("/dashboard/").status_code == 302

    assert "Sign in with Google" in html(client.get("/login", headers=EN))
    answer = google_sign_in(client, google, ana, next_value="/dashboard/calendars")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/dashboard/calendars"
    assert "Camille Martin" in html(client.get("/dashboard/", headers=EN))


def test_a_google_account_nobody_connected_signs_in_no_one(gapp, google, client):
    stranger = google.add_user("stranger@example.com")
    make_owner(gapp)
    answer = google_sign_in(client, google, stranger)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login"
    assert "No Cadre page is linked to this Google account" in html(
        client.get("/login", headers=EN)
    )
    assert client.get("/dashboard/").status_code == 302


def test_without_a_google_client_there_is_no_google_button(app, client):
    assert "Sign in with Google" not in html(client.get("/login", headers=EN))
    assert client.post("/login/google", data={"csrf_token": token(client)}).status_code == 404
