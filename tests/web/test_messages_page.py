"""The "Write to me" form, the promised reply time, and the inbox/outbox commands.

Clock: Monday 2027-01-04 09:00 in Paris. The owner answers within 8 hours of working
time (Mon 09:00–12:30 + 14:00–18:00 = 7h30), so a message now is due Tuesday 09:30.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Message, OutboxMail
from tests.conftest import base_config
from tests.factories import create_owner
from tests.web.pages_helpers import (
    EN,
    NY,
    attribute,
    csrf_token,
    element_text,
    html_of,
    input_value,
)


@pytest.fixture
def owner(app):
    with app.app_context():
        return create_owner().slug


def write(client, headers=EN, tz=NY, **fields):
    page = html_of(client.get(f"/camille?tz={tz}", headers=headers))
    data = {
        "csrf_token": csrf_token(page, "write-csrf"),
        "name": "Ana Client",
        "email": "ana@example.com",
        "message": "Do you work with teams?",
        "timezone": tz,
        **fields,
    }
    return client.post("/camille/message", data=data, headers=headers)


def test_a_message_is_stored_with_its_promise_and_both_sides_are_told(app, client, owner):
    response = write(client)
    assert response.status_code == 303
    sent = html_of(client.get(response.headers["Location"], headers=EN))
    assert attribute(sent, "reply-due", "datetime") == "2027-01-05T03:30:00-05:00"
    assert element_text(sent, "reply-due") == "Tuesday, January 5, 2027 at 3:30 AM"
    with app.app_context():
        message = db.session.scalars(select(Message)).one()
        assert message.reply_due_at == datetime(2027, 1, 5, 8, 30, tzinfo=UTC)
        assert message.client_timezone == NY
        assert message.body == "Do you work with teams?"
        mails = {m.kind: m for m in db.session.scalars(select(OutboxMail))}
    assert set(mails) == {"message_received", "message_new"}
    to_client = mails["message_received"]
    assert to_client.to == "ana@example.com"
    assert "Tuesday, January 5, 2027 at 3:30 AM" in to_client.subject.replace("\u202f", " ")
    assert "Do you work with teams?" in to_client.text_body
    to_owner = mails["message_new"]
    assert to_owner.to == "camille@example.org"
    # The owner reads in French, in Paris time.
    assert "mardi 5 janvier 2027 à 09:30" in to_owner.subject
    assert "Ana Client" in to_owner.text_body and "Do you work with teams?" in to_owner.html_body


def test_after_hours_the_promise_counts_working_time_only(app, client, owner, clock):
    clock.set(datetime(2027, 1, 8, 18, 30, tzinfo=UTC))  # Friday 19:30 in Paris
    response = write(client, tz="Europe/Paris")
    sent = html_of(client.get(response.headers["Location"], headers=EN))
    # Counting starts Monday 09:00; Monday gives 7h30, the last 30 minutes fall on Tuesday.
    assert attribute(sent, "reply-due", "datetime") == "2027-01-12T09:30:00+01:00"


def test_an_invalid_message_names_the_fields_and_keeps_the_text(app, client, owner):
    response = write(client, email="nope", message="   ", name="Béa")
    assert response.status_code == 400
    html = html_of(response)
    assert element_text(html, "write-email-error") == "this is not a valid e-mail address"
    assert element_text(html, "write-message-error") == "please write your message"
    assert 'id="write-name" name="name" type="text" value="Béa"' in html
    assert input_value(html, "name") == ""  # the booking form is not filled from this post
    with app.app_context():
        assert db.session.scalars(select(Message)).all() == []


def test_the_sent_page_needs_a_message(client, owner):
    response = client.get("/camille/message/sent", headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/camille")


def test_the_message_page_and_mail_in_french(app, client, owner):
    response = write(client, headers={}, tz="Europe/Paris")
    sent = html_of(client.get(response.headers["Location"]))
    assert element_text(sent, "reply-due") == "mardi 5 janvier 2027 à 09:30"
    assert "Message envoyé" in sent
    with app.app_context():
        mail = db.session.scalars(
            select(OutboxMail).where(OutboxMail.kind == "message_received")
        ).one()
    assert mail.subject == (
        "Votre message à Camille Martin : réponse d’ici le mardi 5 janvier 2027 à 09:30"
    )
    assert "Bonjour Ana Client," in mail.text_body


def test_inbox_lists_messages_by_promised_time(app, client, runner, clock):
    with app.app_context():
        create_owner()
        create_owner(
            owner={
                "slug": "jordan",
                "name": "Jordan",
                "email": "j@example.org",
                "timezone": "America/New_York",
                "locale": "en",
            }
        )
    clock.set(datetime(2027, 1, 4, 15, 0, tzinfo=UTC))  # Monday 16:00 Paris: due Tue 16:30
    write(client, name="Later Writer")
    clock.set(datetime(2027, 1, 4, 8, 0, tzinfo=UTC))  # due Tue 09:30
    write(client, name="Early Writer")
    result = runner.invoke(args=["inbox", "list", "--owner", "camille"])
    assert result.exit_code == 0, result.output
    assert result.output.index("Early Writer") < result.output.index("Later Writer")
    assert "reply by 2027-01-05T08:30+00:00" in result.output
    assert "Do you work with teams?" in result.output
    assert runner.invoke(args=["inbox", "list", "--owner", "jordan"]).output == "no messages\n"
    clock.set(datetime(2027, 1, 6, 8, 0, tzinfo=UTC))
    assert "OVERDUE" in runner.invoke(args=["inbox", "list"]).output


def test_outbox_commands_without_smtp(app, client, runner, owner):
    assert runner.invoke(args=["outbox", "list"]).output == "outbox is empty\n"
    write(client)
    result = runner.invoke(args=["outbox", "list", "--body"])
    assert result.exit_code == 0
    assert "message_received to ana@example.com" in result.output
    assert "message_new to camille@example.org" in result.output
    assert "[pending]" in result.output
    assert "Do you work with teams?" in result.output
    send = runner.invoke(args=["outbox", "send"])
    assert send.exit_code == 1
    assert "SMTP_URL is not set" in send.output


def test_message_posts_are_rate_limited(tmp_path):
    config = base_config(tmp_path, "sqlite")
    config.update(RATELIMIT_ENABLED=True, BOOKING_RATE_LIMIT="1 per minute")
    app = create_app(config)
    with app.app_context():
        db.create_all()
        create_owner()
    client = app.test_client()
    assert write(client).status_code == 303
    limited = write(client)
    assert limited.status_code == 429
    assert "Too many attempts" in html_of(limited)
    with app.app_context():
        assert len(db.session.scalars(select(Message)).all()) == 1
        db.session.remove()
        db.engine.dispose()
