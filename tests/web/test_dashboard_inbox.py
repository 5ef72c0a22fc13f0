"""Inbox: messages by reply-by time, overdue flags, mark answered, reply by mailto.

Clock: Monday 2027-01-04 09:00 in Paris; replies are due within 8h of working time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from app.extensions import db
from app.models import Message, Owner
from app.services.inbox import Writer, receive_message
from app.services.owners import owner_boundaries
from tests.web.dashboard_helpers import EN, html, messages_of, post, setup_owners, sign_in

MONDAY_NOON = datetime(2027, 1, 4, 11, 0, tzinfo=UTC)


def receive(app, clock, moment, name, body):
    clock.set(moment)
    with app.app_context():
        owner = db.session.scalar(db.select(Owner).where(Owner.slug == "camille"))
        message = receive_message(
            owner,
            owner_boundaries(owner),
            Writer(name, f"{name.lower()}@example.com", body),
            moment,
        )
        return message.id


@pytest.fixture
def owner(app, client, clock):
    owners = setup_owners(app)
    # Mona writes now, Monday 12:00 (due Tuesday 12:30: 30m + 4h on Monday, 3h30 on
    # Tuesday); Fred wrote on Friday at 17:00, after hours (due Tuesday 09:30): Fred first.
    owners.monday = receive(app, clock, MONDAY_NOON, "Mona", "Monday question")
    owners.friday = receive(
        app, clock, datetime(2027, 1, 1, 16, 0, tzinfo=UTC), "Fred", "Friday question\nline 2"
    )
    clock.set(MONDAY_NOON)
    sign_in(client)
    return owners


def order(page):
    return re.findall(r'data-message="(\d+)"', page)


def test_messages_are_sorted_by_their_reply_by_time(app, client, owner):
    page = html(client.get("/dashboard/inbox", headers=EN))
    assert order(page) == [str(owner.friday), str(owner.monday)]
    words = re.sub(r"<[^>]+>", "", page)
    assert "Reply by Tuesday, January 5, 2027 at 9:30 AM" in words
    assert "Reply by Tuesday, January 5, 2027 at 12:30 PM" in words
    assert "Overdue" not in page


def test_overdue_messages_are_flagged(client, owner, clock):
    clock.set(datetime(2027, 1, 5, 9, 0, tzinfo=UTC))  # Tuesday 10:00 in Paris
    page = html(client.get("/dashboard/inbox", headers=EN))
    fred = page.split(f'data-message="{owner.friday}"', 1)[1].split("</li>", 1)[0]
    mona = page.split(f'data-message="{owner.monday}"', 1)[1].split("</li>", 1)[0]
    assert "Overdue" in fred
    assert "Overdue" not in mona
    assert "1 overdue" in html(client.get("/dashboard/", headers=EN))


def test_marking_answered_and_back(app, client, owner, clock):
    url = f"/dashboard/inbox/{owner.friday}/answered"
    assert post(client, url, csrf=False).status_code == 400
    assert post(client, url).status_code == 303
    answered = {m.id: m.answered_at for m in messages_of(app, owner.a_id)}
    assert answered[owner.friday] == clock.moment
    page = html(client.get("/dashboard/inbox", headers=EN))
    waiting = page.split('id="waiting"', 1)[1].split("</ol>", 1)[0]
    assert f'data-message="{owner.friday}"' not in waiting
    assert f'data-message="{owner.friday}"' in page.split('id="answered"', 1)[1]
    assert post(client, f"/dashboard/inbox/{owner.friday}/reopen").status_code == 303
    with app.app_context():
        assert db.session.get(Message, owner.friday).answered_at is None


def test_reply_opens_the_owners_own_mail_program(client, owner):
    page = html(client.get("/dashboard/inbox", headers=EN))
    links = [unescape(link) for link in re.findall(r'href="(mailto:[^"]+)"', page)]
    fred = next(link for link in links if link.startswith("mailto:fred@example.com"))
    query = parse_qs(urlsplit(fred).query)
    assert query["subject"] == ["Re: your message to Camille Martin"]
    assert unquote(query["body"][0]).endswith("> Friday question\n> line 2")
