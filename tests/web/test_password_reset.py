"""A forgotten password: a link by mail, once, within the hour; the answer never tells
whether an address has an account.

Clock: Monday 2027-01-04 09:00 in Paris (08:00 UTC).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMail, OwnerAccount
from tests.web import test_auth
from tests.web.dashboard_helpers import (
    A_LOGIN,
    B_LOGIN,
    EN,
    PASSWORD,
    html,
    sign_in,
    token,
)

client, owners = test_auth.client, test_auth.owners  # the same fixtures
NEW = "a brand new passphrase"


def ask(client, email: str, headers=EN):
    data = {"csrf_token": token(client, "/login/forgot"), "email": email}
    return client.post("/login/forgot", data=data, headers=headers)


def reset_mails(app) -> list[OutboxMail]:
    with app.app_context():
        mails = list(
            db.session.scalars(select(OutboxMail).where(OutboxMail.kind == "password_reset"))
        )
        db.session.expunge_all()
        return mails


def link_in(mail: OutboxMail) -> str:
    match = re.search(r"https?://[^/\s]+(/login/reset/[^\s]+)", mail.text_body)
    assert match, mail.text_body
    return match.group(1)


def choose(client, path: str, password: str = NEW):
    return client.post(
        path,
        data={"csrf_token": token(client, "/login/forgot"), "new_password": password},
        headers=EN,
    )


def test_the_sign_in_page_offers_the_way_back(client, owners):
    page = html(client.get("/login", headers=EN))
    assert 'id="forgot-link"' in page and 'href="/login/forgot"' in page


def test_a_known_and_an_unknown_address_get_the_same_answer(app, client, owners):
    known = ask(client, A_LOGIN.upper())
    unknown = ask(client, "nobody@login.example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: html(r).replace(A_LOGIN.upper(), "X").replace("nobody@login.example.org", "X")  # noqa: E731
    assert re.sub(r'value="[^"]+"', "", strip(known)) == re.sub(
        r'value="[^"]+"', "", strip(unknown)
    )
    assert 'id="reset-sent"' in html(known)
    mails = reset_mails(app)
    assert [m.to for m in mails] == [A_LOGIN]  # one mail, to the account, none for the stranger


def test_a_malformed_address_is_refused_by_field(app, client, owners):
    answer = ask(client, "not an address")
    assert answer.status_code == 400
    assert "field-error" in html(answer) and 'id="reset-sent"' not in html(answer)
    assert reset_mails(app) == []


def test_the_link_sets_a_new_password_once_and_signs_out_other_browsers(app, client, owners):
    elsewhere = app.test_client()
    assert sign_in(elsewhere).status_code == 303
    ask(client, A_LOGIN)
    (mail,) = reset_mails(app)
    path = link_in(mail)
    assert "nouveau mot de passe" in mail.subject and path in mail.html_body  # Camille: fr

    form = client.get(path, headers=EN)
    assert form.status_code == 200 and 'name="new_password"' in html(form)
    short = choose(client, path, "short")
    assert short.status_code == 400 and "at least 10 characters" in html(short)
    with app.app_context():
        assert db.session.scalar(select(OwnerAccount.password_changed_at).where(
            OwnerAccount.email == A_LOGIN)) is not None  # fmt: skip

    done = choose(client, path)
    assert done.status_code == 303 and done.headers["Location"].endswith("/dashboard/")
    assert client.get("/dashboard/", headers=EN).status_code == 200  # signed in
    assert elsewhere.get("/dashboard/", headers=EN).status_code == 302  # signed out
    # Used: the same link is dead; the old password is refused, the new one works.
    again = client.get(path, headers=EN)
    assert again.status_code == 410 and 'id="reset-invalid"' in html(again)
    assert choose(app.test_client(), path, "another long password").status_code == 410
    fresh = app.test_client()
    assert sign_in(fresh).status_code == 401
    assert sign_in(fresh, password=NEW).status_code == 303


def test_a_too_short_password_changes_nothing(app, client, owners):
    ask(client, A_LOGIN)
    path = link_in(reset_mails(app)[0])
    with app.app_context():
        before = db.session.scalar(select(OwnerAccount.password_hash).where(
            OwnerAccount.email == A_LOGIN))  # fmt: skip
    assert choose(client, path, "short").status_code == 400
    with app.app_context():
        assert db.session.scalar(select(OwnerAccount.password_hash).where(
            OwnerAccount.email == A_LOGIN)) == before  # fmt: skip
    assert client.get(path, headers=EN).status_code == 200  # the link still works


def test_the_link_lasts_an_hour(app, client, owners, clock):
    ask(client, A_LOGIN)
    path = link_in(reset_mails(app)[0])
    clock.set(clock.moment + timedelta(minutes=59))
    assert client.get(path, headers=EN).status_code == 200
    clock.set(clock.moment + timedelta(minutes=2))
    late = client.get(path, headers=EN)
    assert late.status_code == 410 and 'href="/login/forgot"' in html(late)


@pytest.mark.parametrize("change", ["cut", "edit", "other-key"])
def test_a_forged_or_damaged_link_is_refused(app, client, owners, change):
    ask(client, A_LOGIN)
    path = link_in(reset_mails(app)[0])
    if change == "cut":
        path = path[:-6]
    elif change == "edit":
        path = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    else:
        app.config["SECRET_KEY"] = "another deployment's key"
    assert client.get(path, headers=EN).status_code == 410
    assert choose(client, path).status_code == 410
    assert sign_in(app.test_client()).status_code == 303  # the password did not move


def test_a_link_for_one_owner_opens_only_that_owners_account(app, client, owners):
    ask(client, B_LOGIN)
    path = link_in(reset_mails(app)[0])
    assert choose(client, path).status_code == 303
    assert sign_in(app.test_client(), email=B_LOGIN, password=NEW).status_code == 303
    assert sign_in(app.test_client(), email=A_LOGIN, password=PASSWORD).status_code == 303


def test_a_reset_lifts_the_lockout(app, client, owners):
    for _ in range(5):
        sign_in(client, password="wrong password")
    assert sign_in(client).status_code == 429
    ask(client, A_LOGIN)
    assert choose(client, link_in(reset_mails(app)[0])).status_code == 303
    assert sign_in(app.test_client(), password=NEW).status_code == 303


def test_the_form_needs_its_csrf_token(app, client, owners):
    app.config["WTF_CSRF_ENABLED"] = True
    answer = client.post("/login/forgot", data={"email": A_LOGIN}, headers=EN)
    assert answer.status_code == 400
    assert reset_mails(app) == []


def test_the_mail_speaks_the_owners_language(app, client, owners):
    ask(client, A_LOGIN, headers=EN)  # Camille's page is in French
    ask(client, B_LOGIN, headers={"Accept-Language": "fr"})  # Bruno's in English
    french, english = reset_mails(app)
    assert french.subject == "Choisissez un nouveau mot de passe pour Cadre"
    assert "une heure" in french.text_body
    assert english.subject == "Choose a new password for Cadre"
    assert "for one hour" in english.text_body
