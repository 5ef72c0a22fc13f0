"""Accounts: sign-up, sign-in, lockout, safe ``next``, session cookies, password change, CLI.

Clock: Monday 2027-01-04 09:00 in Paris (08:00 UTC).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from app.auth.session import safe_next
from app.extensions import db
from app.models import LoginAttempt, Owner, OwnerAccount
from tests.conftest import base_config
from tests.web.dashboard_helpers import (
    A_LOGIN,
    CHEAP_HASH,
    EN,
    PASSWORD,
    fast_app,
    html,
    post,
    setup_owners,
    sign_in,
    token,
)


@pytest.fixture
def owners(app):
    return setup_owners(app)


@pytest.fixture
def client(app):
    return fast_app(app).test_client()


def signup(client, **fields):
    data = {
        "csrf_token": token(client, "/signup"),
        "name": "Dana Doe",
        "email": "Dana@Example.org",
        "password": "a long enough password",
        "slug": "dana",
        "timezone": "Europe/Paris",
        "locale": "en",
        **fields,
    }
    return client.post("/signup", data=data, headers=EN)


# --- sign-up ---------------------------------------------------------------------------


def test_signup_creates_an_owner_with_starter_boundaries_and_signs_in(app, client):
    app.config["PASSWORD_HASH_METHOD"] = CHEAP_HASH
    response = signup(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard/boundaries/hours"
    with app.app_context():
        account = db.session.scalars(select(OwnerAccount)).one()
        assert account.email == "dana@example.org"  # sign-in addresses are lowercased
        assert account.password_hash.startswith("scrypt:")
        owner = db.session.get(Owner, account.owner_id)
        assert (owner.slug, owner.timezone, owner.locale) == ("dana", "Europe/Paris", "en")
        assert owner.boundaries["hours"]["mon"] == ["09:00-12:00", "14:00-17:00"]
    assert client.get("/dashboard/", headers=EN).status_code == 200
    assert client.get("/dana", headers=EN).status_code == 200  # the public page exists


SIGNUP_REFUSALS = [
    ({"slug": "Not A Slug"}, "slug", 'expected 2 to 40 characters among a-z, 0-9 and "-"'),
    ({"slug": "dashboard"}, "slug", '"dashboard" is reserved'),
    ({"email": "not-an-address"}, "email", "this is not a valid e-mail address"),
    ({"password": "short"}, "password", "at least 10 characters"),
    ({"name": "   "}, "name", "must not be empty"),
    ({"timezone": "Mars/Olympus"}, "timezone", 'unknown time zone "Mars/Olympus"'),
]


def test_signup_refuses_bad_fields_with_the_files_words_and_keeps_the_rest(app, client):
    for fields, field, message in SIGNUP_REFUSALS:
        response = signup(client, **fields)
        page = html(response)
        assert response.status_code == 400, fields
        error = page.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
        assert message in error.replace("&#34;", '"').replace("&quot;", '"'), fields
        assert 'value="Dana Doe"' in page or field == "name"
        assert "a long enough password" not in page  # a password is never echoed back
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Owner)) == 0


def test_signup_refuses_a_taken_link_and_a_taken_address(app, client, owners):
    response = signup(client, slug="camille")
    assert response.status_code == 400
    assert "This link is taken" in html(response)
    response = signup(client, email=A_LOGIN.upper())
    assert response.status_code == 400
    assert "An account with this e-mail address exists" in html(response)


def test_signup_can_be_switched_off(app, client):
    app.config["SIGNUP_ENABLED"] = False
    assert client.get("/signup").status_code == 404


# --- sign-in ---------------------------------------------------------------------------


def test_sign_in_with_the_right_password_opens_the_dashboard(client, owners):
    response = sign_in(client, email="  Camille@LOGIN.example.org ")
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard/"
    assert "Camille Martin" in html(client.get("/dashboard/", headers=EN))


def test_wrong_password_and_unknown_address_get_the_same_answer(client, owners):
    wrong = sign_in(client, password="not the password")
    unknown = sign_in(client, email="nobody@login.example.org")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "This e-mail address and password do not match." in html(response)
    assert client.get("/dashboard/").status_code == 302


def test_five_failures_lock_the_address_even_for_the_right_password(app, client, owners, clock):
    for _ in range(5):
        assert sign_in(client, password="wrong password").status_code in (401, 429)
    locked = sign_in(client)
    assert locked.status_code == 429
    assert "Too many failed sign-ins for this address" in html(locked)
    assert client.get("/dashboard/").status_code == 302
    # Another address is not affected, and the lock ends after 15 minutes.
    other = app.test_client()
    assert sign_in(other, email="bruno@login.example.org").status_code == 303
    clock.set(clock.moment + timedelta(minutes=15, seconds=1))
    assert sign_in(client).status_code == 303
    # Unknown addresses lock the same way, so the lockout tells nothing about accounts.
    stranger = app.test_client()
    for _ in range(5):
        sign_in(stranger, email="nobody@login.example.org", password="guess")
    assert "Too many failed" in html(sign_in(stranger, email="nobody@login.example.org"))


def test_a_success_resets_the_failure_count(app, client, owners, clock):
    for _ in range(4):
        sign_in(client, password="wrong password")
    assert sign_in(client).status_code == 303
    client.post("/logout", data={"csrf_token": token(client, "/logout")})
    for _ in range(4):
        assert sign_in(client, password="wrong password").status_code == 401
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 9


def test_login_is_rate_limited_per_client_address(tmp_path, clock):
    config = base_config(tmp_path, "sqlite")
    config.update(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", CLOCK=clock)
    limited = create_app(config)
    with limited.app_context():
        db.create_all()
    client = limited.test_client()
    codes = [sign_in(client, password="wrong").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    with limited.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("next_value", "expected"),
    [
        ("/dashboard/bookings?offer=discovery", "/dashboard/bookings?offer=discovery"),
        ("/", "/"),
        ("https://evil.example/", None),
        ("//evil.example/", None),
        ("/\\evil.example/", None),
        ("/dashboard/\\..\\x", None),
        ("javascript:alert(1)", None),
        ("/dashboard/\r\nSet-Cookie: x=1", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_next_keeps_only_paths_of_this_site(next_value, expected):
    assert safe_next(next_value) == expected


def test_next_only_ever_leads_to_a_page_of_this_site(client, owners):
    assert sign_in(client, next="//evil.example/").headers["Location"] == "/dashboard/"
    client.post("/logout", data={"csrf_token": token(client, "/logout")})
    assert sign_in(client, next="/dashboard/inbox").headers["Location"] == "/dashboard/inbox"


def test_an_anonymous_visit_comes_back_to_its_page_after_sign_in(client, owners):
    response = client.get("/dashboard/bookings?period=past")
    assert response.status_code == 302
    login_page = html(client.get(response.headers["Location"], headers=EN))
    assert 'value="/dashboard/bookings?period=past"' in login_page
    assert (
        sign_in(client, next="/dashboard/bookings?period=past").headers["Location"]
        == "/dashboard/bookings?period=past"
    )


def test_sign_out_needs_a_post_with_csrf_token(client, owners):
    sign_in(client)
    assert client.get("/logout").status_code == 200  # a confirmation page, not a sign-out
    assert client.get("/dashboard/").status_code == 200
    assert client.post("/logout").status_code == 400
    assert client.get("/dashboard/").status_code == 200
    response = post(client, "/logout")
    assert response.status_code == 303
    assert client.get("/dashboard/").status_code == 302


# --- the session cookie ----------------------------------------------------------------


def session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "no session cookie set"
    return cookies[-1]


def test_session_cookie_is_httponly_samesite_lax_and_secure_on_https(app, owners):
    app.testing = False  # "auto" is off in testing; this is how a server answers
    client = app.test_client()
    page = client.get("/login", base_url="https://cadre.test")
    data = {"csrf_token": token(client), "email": A_LOGIN, "password": PASSWORD}
    secure_post = client.post(
        "/login",
        data=data,
        base_url="https://cadre.test",
        headers={"Referer": "https://cadre.test/login"},  # CSRF checks the origin on HTTPS
    )
    cookie = session_cookie(secure_post)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
    assert page.status_code == 200
    # The setting decides outright when given.
    app.config["SESSION_COOKIE_SECURE"] = False
    response = app.test_client().get("/login", base_url="https://cadre.test")
    assert "Secure" not in session_cookie(response)


def test_auto_secure_flag_spares_only_plain_http_on_loopback(tmp_path):
    config = base_config(tmp_path, "sqlite")
    config.pop("SERVER_NAME")
    config["TESTING"] = False
    server = create_app(config)
    with server.app_context():
        db.create_all()
    cases = [
        ("127.0.0.1:5000", {}, False),  # make run, straight from this machine
        ("localhost:5000", {}, False),
        ("[::1]:5000", {}, False),
        ("cadre.example", {}, True),  # any real host name
        ("127.0.0.1:5000", {"X-Forwarded-Proto": "https"}, True),  # behind a proxy
    ]
    for host, headers, secure in cases:
        response = server.test_client().get("/login", base_url=f"http://{host}", headers=headers)
        assert ("Secure" in session_cookie(response)) is secure, (host, headers)
    with server.app_context():
        db.engine.dispose()


# --- password change, hashing ----------------------------------------------------------


def test_changing_the_password_signs_out_other_browsers(app, client, owners):
    other = app.test_client()
    sign_in(client)
    sign_in(other)
    bad = post(client, "/dashboard/account", {"current_password": "nope", "new_password": "x" * 12})
    assert bad.status_code == 400
    assert "This is not your current password." in html(bad)
    short = post(client, "/dashboard/account", {"current_password": PASSWORD, "new_password": "x"})
    assert "at least 10 characters" in html(short)
    no_csrf = post(
        client,
        "/dashboard/account",
        {"current_password": PASSWORD, "new_password": "a new password"},
        csrf=False,
    )
    assert no_csrf.status_code == 400
    done = post(
        client, "/dashboard/account", {"current_password": PASSWORD, "new_password": "a new pass!"}
    )
    assert done.status_code == 303
    assert client.get("/dashboard/").status_code == 200  # this browser stays in
    assert other.get("/dashboard/").status_code == 302  # the other one is out
    assert sign_in(app.test_client(), password="a new pass!").status_code == 303


def test_default_hashing_is_scrypt_and_old_parameters_are_upgraded_at_sign_in(app, client, owners):
    app.config["PASSWORD_HASH_METHOD"] = None  # werkzeug's full-strength scrypt
    assert sign_in(client).status_code == 303
    with app.app_context():
        account = db.session.scalar(select(OwnerAccount).where(OwnerAccount.email == A_LOGIN))
        assert account.password_hash.startswith("scrypt:32768:8:1$")


# --- flask owner create ------------------------------------------------------------------


def test_owner_create_attaches_a_login_to_an_owner_loaded_from_a_file(app, runner, owners):
    app.config["PASSWORD_HASH_METHOD"] = CHEAP_HASH
    with app.app_context():
        db.session.execute(db.delete(OwnerAccount))
        db.session.commit()
    result = runner.invoke(
        args=[
            "owner",
            "create",
            "--slug",
            "camille",
            "--email",
            "C@Login.example.org",
            "--password-stdin",
        ],
        input="from stdin 123\n",
    )
    assert result.exit_code == 0, result.output
    assert "owner camille can now sign in as c@login.example.org" in result.output
    assert (
        sign_in(
            app.test_client(), email="c@login.example.org", password="from stdin 123"
        ).status_code
        == 303
    )


def test_owner_create_makes_a_new_owner_and_resets_a_password(app, runner, owners):
    args = [
        "owner",
        "create",
        "--slug",
        "new-one",
        "--email",
        "n@login.example.org",
        "--password-stdin",
    ]
    result = runner.invoke(args=[*args, "--timezone", "Europe/Paris"], input="first password\n")
    assert result.exit_code == 0, result.output
    assert "created owner new-one" in result.output
    with app.app_context():
        owner = db.session.scalar(select(Owner).where(Owner.slug == "new-one"))
        assert owner.timezone == "Europe/Paris"
    result = runner.invoke(args=args, input="second password\n")
    assert "updated the login of owner new-one" in result.output
    client = app.test_client()
    assert (
        sign_in(client, email="n@login.example.org", password="first password").status_code == 401
    )
    assert (
        sign_in(client, email="n@login.example.org", password="second password").status_code == 303
    )


def test_owner_create_prompts_when_no_stdin_flag_and_refuses_bad_input(app, runner, owners):
    args = ["owner", "create", "--slug", "camille", "--email", "x@login.example.org"]
    prompted = runner.invoke(args=args, input="typed password\ntyped password\n")
    assert prompted.exit_code == 0, prompted.output
    taken = runner.invoke(
        args=[
            "owner",
            "create",
            "--slug",
            "camille",
            "--email",
            "bruno@login.example.org",
            "--password-stdin",
        ],
        input="whatever password\n",
    )
    assert taken.exit_code == 1
    assert "already signs in to another owner" in taken.output
    short = runner.invoke(args=[*args, "--password-stdin"], input="short\n")
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    bad_slug = runner.invoke(
        args=[
            "owner",
            "create",
            "--slug",
            "api",
            "--email",
            "y@login.example.org",
            "--password-stdin",
        ],
        input="long enough pw\n",
    )
    assert bad_slug.exit_code == 1
    assert '"api" is reserved' in bad_slug.output


def test_changing_the_sign_in_address_asks_the_password_and_tells_the_old_one(app, client, owners):
    from app.models import OutboxMail

    sign_in(client)
    url = "/dashboard/account/email"
    new = "camille.new@login.example.org"
    wrong = post(client, url, {"new_email": new, "email_password": "nope"})
    assert wrong.status_code == 400 and "This is not your current password." in html(wrong)
    taken = post(client, url, {"new_email": "BRUNO@login.example.org", "email_password": PASSWORD})
    assert "Another account signs in with this address." in html(taken)
    same = post(client, url, {"new_email": A_LOGIN, "email_password": PASSWORD})
    assert "already the address you sign in with" in html(same)
    bad = post(client, url, {"new_email": "not an address", "email_password": PASSWORD})
    assert bad.status_code == 400
    no_csrf = post(client, url, {"new_email": new, "email_password": PASSWORD}, csrf=False)
    assert no_csrf.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OwnerAccount).where(
            OwnerAccount.email == A_LOGIN)) == 1  # nothing changed yet  # fmt: skip
        assert db.session.scalar(select(func.count()).select_from(OutboxMail)) == 0

    done = post(client, url, {"new_email": new.upper(), "email_password": PASSWORD})
    assert done.status_code == 303
    page = html(client.get("/dashboard/account", headers=EN))
    assert f"You sign in as {new}" in page
    assert sign_in(app.test_client()).status_code == 401  # the old address no longer works
    assert sign_in(app.test_client(), email=new).status_code == 303
    with app.app_context():
        (notice,) = db.session.scalars(select(OutboxMail)).all()
        assert notice.to == A_LOGIN and new in notice.text_body  # told at the old address
