"""Mail end to end: a real SMTP server on loopback (aiosmtpd) receives what Cadre sends.

Bookings go through the public JSON API and the HTML manage pages; with ``SMTP_URL``
set and jobs inline, mail is delivered during the request. The clock is Monday
2027-01-04 09:00 in Paris; cancellation is free until 48h before the start.
"""

from __future__ import annotations

import email
import socket
import threading
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from icalendar import Calendar
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMail
from app.services.outbox import send_due_mail
from integrations.smtp import SmtpConfigError, SmtpSender, SmtpSettings, parse_smtp_url
from tests.factories import create_owner
from tests.web.pages_helpers import EN, csrf_token, html_of

FRI_0900 = "2027-01-08T09:00:00+01:00"


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it by name
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self.lock:
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def mail_app(app, smtp):
    """The app on each database, sending through the loopback server during the request."""
    _inbox, port = smtp
    app.config.update(
        SMTP_URL=f"smtp://127.0.0.1:{port}",
        JOBS_MODE="inline",
        MAIL_FROM="Cadre <bookings@cadre.test>",
    )
    with app.app_context():
        create_owner()
    return app


def book(client, start=FRI_0900, **extra):
    body = {
        "start": start,
        "name": "Ana Client",
        "email": "ana@example.com",
        "accept_terms": True,
        "timezone": "America/New_York",
        **extra,
    }
    response = client.post(
        "/api/v1/camille/discovery/bookings", json=body, headers={"Accept-Language": "en"}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def parts(message: EmailMessage) -> tuple[str, str, list[EmailMessage]]:
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html, list(message.iter_attachments())


def test_booking_sends_the_confirmation_with_an_ics_request_and_notifies_the_owner(mail_app, smtp):
    inbox, _port = smtp
    body = book(mail_app.test_client(), message="Looking forward")
    [confirmation] = inbox.to("ana@example.com")
    assert confirmation["Subject"] == (
        "Booked: Discovery call with Camille Martin, Friday, January 8, 2027 at 3:00\u202fAM"
    )
    assert confirmation["From"] == "Cadre <bookings@cadre.test>"
    assert confirmation["Reply-To"] == "Camille Martin <camille@example.org>"
    text, html, attachments = parts(confirmation)
    assert body["manage_url"] in text and f'href="{body["manage_url"]}"' in html
    assert "Friday, January 8, 2027 at 9:00\u202fAM (Paris time)" in text  # owner's zone noted
    assert "Free cancellation until Wednesday, January 6, 2027 at 3:00\u202fAM." in text
    assert "Invoice payable within 30 days" in text and "Invoice payable within 30 days" in html
    [invite] = attachments
    assert invite.get_content_type() == "text/calendar"
    assert invite.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(invite.get_content())
    assert str(calendar["METHOD"]) == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2027, 1, 8, 8, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2027, 1, 8, 8, 30, tzinfo=UTC)
    assert str(event["organizer"]) == "mailto:camille@example.org"
    assert body["manage_url"] in str(event["description"])
    [notice] = inbox.to("camille@example.org")
    # The owner reads in French and in Paris time, with the client's time noted.
    assert notice["Subject"] == (
        "Nouvelle réservation : Discovery call avec Ana Client, vendredi 8 janvier 2027 à 09:00"
    )
    assert notice["Reply-To"] == "Ana Client <ana@example.com>"
    text, html, _attachments = parts(notice)
    assert "Looking forward" in text and "New York" in text
    with mail_app.app_context():
        rows = db.session.scalars(select(OutboxMail).order_by(OutboxMail.id)).all()
        sent = [r.kind for r in rows if r.sent_at is not None]
        waiting = [r for r in rows if r.sent_at is None]
    assert sorted(sent) == ["booking_confirmed", "booking_new"]
    # The reminder waits for its moment: 12 hours before free cancellation ends.
    [reminder] = waiting
    assert reminder.kind == "cancellation_reminder"
    assert reminder.send_after == datetime(2027, 1, 5, 20, 0, tzinfo=UTC)


def test_the_reminder_goes_out_when_due_and_moves_with_the_booking(mail_app, smtp, clock):
    inbox, _port = smtp
    client = mail_app.test_client()
    manage = book(client)["manage_url"].replace("http://cadre.test", "")
    clock.set(datetime(2027, 1, 4, 12, 0, tzinfo=UTC))
    page = html_of(client.get(manage + "/reschedule", headers=EN))
    moved = client.post(
        manage + "/reschedule",
        data={"csrf_token": csrf_token(page), "start": "2027-01-11T09:00:00+01:00"},
        headers=EN,
    )
    assert moved.status_code == 303
    [_confirmed, update] = inbox.to("ana@example.com")
    assert update["Subject"].startswith("Moved: Discovery call with Camille Martin, now Monday")
    text, _html, [invite] = parts(update)
    assert manage in text  # the manage link survives the move
    event = Calendar.from_ical(invite.get_content()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == datetime(2027, 1, 11, 8, 0, tzinfo=UTC)
    assert int(event["sequence"]) == 1  # same UID, newer version: calendars update it
    with mail_app.app_context():
        reminders = db.session.scalars(
            select(OutboxMail).where(OutboxMail.kind == "cancellation_reminder")
        ).all()
    old, new = sorted(reminders, key=lambda r: r.id)
    assert old.cancelled_at is not None and old.sent_at is None
    assert new.send_after == datetime(2027, 1, 8, 20, 0, tzinfo=UTC)
    # Nothing is sent before its time...
    with mail_app.app_context():
        assert send_due_mail().sent == 0
    # ...and once due, the periodic job sends it (and only the live reminder).
    clock.set(datetime(2027, 1, 8, 20, 5, tzinfo=UTC))
    with mail_app.app_context():
        report = send_due_mail()
    assert (report.sent, report.failed) == (1, 0)
    reminder = inbox.to("ana@example.com")[-1]
    assert reminder["Subject"] == (
        "Free cancellation ends Saturday, January 9, 2027 at 3:00\u202fAM: "
        "Discovery call with Camille Martin"
    )
    assert manage in parts(reminder)[0]


def test_cancellation_notices_go_both_ways_with_the_late_fee(mail_app, smtp, clock):
    inbox, _port = smtp
    client = mail_app.test_client()
    manage = book(client)["manage_url"].replace("http://cadre.test", "")
    clock.set(datetime(2027, 1, 7, 12, 0, tzinfo=UTC))  # 20h before: late
    page = html_of(client.get(manage + "/cancel", headers=EN))
    client.post(manage + "/cancel", data={"csrf_token": csrf_token(page)}, headers=EN)
    notice = inbox.to("ana@example.com")[-1]
    assert notice["Subject"].startswith("Cancelled: Discovery call with Camille Martin")
    text, html, [cancel] = parts(notice)
    assert "Late cancellation fee: 50 EUR." in text and "50 EUR" in html
    assert Calendar.from_ical(cancel.get_content())["METHOD"] == "CANCEL"
    owner_notice = inbox.to("camille@example.org")[-1]
    assert "Annulé" in owner_notice["Subject"]
    assert "50 EUR" in parts(owner_notice)[0]
    with mail_app.app_context():
        reminder = db.session.scalars(
            select(OutboxMail).where(OutboxMail.kind == "cancellation_reminder")
        ).one()
    assert reminder.cancelled_at is not None and reminder.sent_at is None


def test_a_dead_smtp_server_never_blocks_a_booking(mail_app):
    mail_app.config["SMTP_URL"] = f"smtp://127.0.0.1:{free_port()}"
    body = book(mail_app.test_client())
    assert body["status"] == "confirmed"
    with mail_app.app_context():
        rows = db.session.scalars(select(OutboxMail).where(OutboxMail.send_after.is_(None))).all()
    assert len(rows) == 2
    assert all(r.sent_at is None and r.attempts == 1 for r in rows)
    assert all("ConnectionRefusedError" in (r.last_error or "") for r in rows)


def test_a_broken_template_never_blocks_a_booking(mail_app, smtp, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr("app.services.mail.render_template", broken)
    body = book(mail_app.test_client())
    assert body["status"] == "confirmed"
    with mail_app.app_context():
        assert db.session.scalars(select(OutboxMail)).all() == []


def test_login_is_used_on_loopback_and_refused_in_clear_elsewhere(monkeypatch):
    seen = []

    def authenticator(_server, _session, _envelope, mechanism, data):
        assert isinstance(data, LoginPassword)
        seen.append((data.login, data.password))
        return AuthResult(success=True)

    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    try:
        url = f"smtp://me%40x.org:s%3Acret@127.0.0.1:{controller.port}"
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = "a@x.org", "b@x.org", "hi"
        message.set_content("hello")
        [result] = SmtpSender(parse_smtp_url(url)).send([message])
        assert result.error is None
        assert seen == [(b"me@x.org", b"s:cret")]
        # The same server seen as a remote host without TLS: the password is not sent.
        monkeypatch.setattr(SmtpSettings, "loopback", property(lambda _self: False))
        [result] = SmtpSender(parse_smtp_url(url)).send([message])
        assert "unencrypted" in (result.error or "")
        assert len(seen) == 1 and len(inbox.messages) == 1
    finally:
        controller.stop()


def test_smtp_urls():
    settings = parse_smtp_url("smtps://user:pa%2Fss@mail.example.org")
    assert (settings.host, settings.port, settings.implicit_tls) == ("mail.example.org", 465, True)
    assert (settings.username, settings.password) == ("user", "pa/ss")
    plain = parse_smtp_url("smtp://127.0.0.1:2525?timeout=3")
    assert (plain.port, plain.implicit_tls, plain.username, plain.timeout) == (2525, False, None, 3)
    assert plain.loopback
    for bad in ("http://x", "smtp://", "smtp://h:notaport", "smtp://h?timeout=soon"):
        with pytest.raises(SmtpConfigError):
            parse_smtp_url(bad)


def test_mail_waits_in_the_outbox_without_smtp(app):
    """No SMTP_URL: everything is kept, nothing is attempted (the embedded default)."""
    with app.app_context():
        create_owner()
    book(app.test_client())
    with app.app_context():
        rows = db.session.scalars(select(OutboxMail)).all()
        assert {r.kind for r in rows} == {
            "booking_confirmed",
            "booking_new",
            "cancellation_reminder",
        }
        assert all(r.attempts == 0 and r.sent_at is None for r in rows)
        assert send_due_mail().sent == 0
