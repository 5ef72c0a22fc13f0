"""Helpers for the owner-side tests: two owners with logins, signing in, posting forms.

Owner A is the factory's ``camille`` (Paris); owner B, ``bruno`` (New York), carries
distinctive text everywhere (``SECRET_*``) so a test can prove none of it reaches A.
Passwords are hashed with cheap scrypt parameters here (``PASSWORD_HASH_METHOD``); the
default ones are tested once, in ``test_auth``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from types import SimpleNamespace
from typing import Any, ClassVar

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import select

from app.auth.accounts import attach_login
from app.extensions import db
from app.models import BusyBlock, CalendarSource, Message, Owner, SourceKind
from tests.factories import boundaries_doc, create_owner

CHEAP_HASH = "scrypt:1024:8:1"
PASSWORD = "correct horse battery"
A_LOGIN = "camille@login.example.org"
B_LOGIN = "bruno@login.example.org"
EN = {"Accept-Language": "en"}

SECRET_NAME = "Bruno Secretowner"
SECRET_CLIENT = "Zed Bclientonly"
SECRET_MESSAGE = "B-private-message-body"
SECRET_FEED = "https://b-private.example/secret-feed.ics"
SECRET_OFFER = "B-only offer title"
SECRET_TERMS = "B-private payment terms"


class _SharedBytecode(BytecodeCache):
    """Compiled templates shared by the many apps of a test run (keyed by name and source).

    Each test builds a new app, and compiling the templates again costs most of a page.
    """

    store: ClassVar[dict[str, bytes]] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


SHARED_BYTECODE = _SharedBytecode()


def fast_app(app: Any) -> Any:
    """Cheap password hashes, inline jobs, shared compiled templates."""
    app.config.update(PASSWORD_HASH_METHOD=CHEAP_HASH, JOBS_MODE="inline")
    app.jinja_env.bytecode_cache = SHARED_BYTECODE
    return app


def b_document() -> dict[str, Any]:
    return boundaries_doc(
        owner={
            "slug": "bruno",
            "name": SECRET_NAME,
            "email": "bruno-contact@example.org",
            "timezone": "America/New_York",
            "locale": "en",
        },
        terms={"payment": SECRET_TERMS},
        offers=[{"slug": "b-offer", "title": SECRET_OFFER, "duration": "60m"}],
        calendars=[{"name": "B personal", "ics": SECRET_FEED}],
    )


def setup_owners(app: Any) -> SimpleNamespace:
    """Owners A (camille) and B (bruno) with logins; B has a booking, a message, a source."""
    fast_app(app)
    with app.app_context():
        from app.clock import now

        moment = now()
        a = create_owner()
        from app.services.owners import save_boundaries
        from schedules import parse_boundaries

        b = save_boundaries(parse_boundaries(b_document())).owner
        attach_login("camille", A_LOGIN, PASSWORD, moment)
        attach_login("bruno", B_LOGIN, PASSWORD, moment)
        b_source = db.session.scalar(select(CalendarSource).where(CalendarSource.owner_id == b.id))
        b_source.last_success_at = moment
        b_source.last_error = "B-private sync error"
        db.session.commit()
        b_booking = insert_booking(b.id, moment + timedelta(days=3), client=SECRET_CLIENT)
        b_message = Message(
            owner_id=b.id,
            name="Zed",
            email="zed@b-client.example",
            body=SECRET_MESSAGE,
            received_at=moment,
            reply_due_at=moment + timedelta(hours=8),
        )
        db.session.add(b_message)
        db.session.commit()
        return SimpleNamespace(
            a_id=a.id,
            b_id=b.id,
            b_slug="bruno",
            b_booking=b_booking,
            b_message=b_message.id,
            b_source=b_source.id,
            b_feed_token=b.feed_token,
        )


def insert_booking(
    owner_id: int,
    start: datetime,
    *,
    offer: str = "discovery",
    title: str = "Discovery call",
    minutes: int = 30,
    client: str = "Ana Client",
    email: str = "ana@example.com",
    **fields: Any,
) -> str:
    """A confirmed booking written straight to the table (the dashboard only reads it)."""
    from app.models import Booking
    from app.services.bookings import hash_token

    booking = Booking(
        owner_id=owner_id,
        offer_slug=offer,
        offer_title=title,
        start=start,
        end=start + timedelta(minutes=minutes),
        occupied_start=start,
        occupied_end=start + timedelta(minutes=minutes),
        client_name=client,
        client_email=email,
        manage_token_hash=hash_token(f"{owner_id}-{start.isoformat()}-{client}"),
        created_at=start - timedelta(days=7),
        **fields,
    )
    db.session.add(booking)
    db.session.commit()
    return str(booking.id)


def add_busy(owner_id: int, start: datetime, end: datetime, synced: datetime) -> None:
    """A synced ICS source with one busy block."""
    source = CalendarSource(
        owner_id=owner_id,
        kind=SourceKind.ICS,
        name="Busy test",
        url="https://example.org/busy.ics",
        last_success_at=synced,
    )
    db.session.add(source)
    db.session.flush()
    db.session.add(BusyBlock(owner_id=owner_id, source_id=source.id, start=start, end=end))
    db.session.commit()


def html(response: Any) -> str:
    return response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def token(client: Any, url: str = "/login") -> str:
    return csrf_of(html(client.get(url, headers=EN)))


def sign_in(client: Any, email: str = A_LOGIN, password: str = PASSWORD, **extra: str) -> Any:
    data = {"csrf_token": token(client), "email": email, "password": password, **extra}
    return client.post("/login", data=data, headers=EN)


def post(client: Any, url: str, data: dict[str, Any] | None = None, *, csrf: bool = True) -> Any:
    """POST like a browser: with the session's CSRF token (from a light dashboard page)."""
    body = dict(data or {})
    if csrf:
        body["csrf_token"] = token(client, "/dashboard/account")
    return client.post(url, data=body, headers=EN)


def field_error(page: str, path: str) -> str | None:
    """The error shown beside editor field ``path`` (see forms/paths.field_id)."""
    ident = "f-" + re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
    match = re.search(
        rf'<p class="field-error" id="{re.escape(ident)}-error">(.*?)</p>', page, re.S
    )
    return unescape(match.group(1)) if match else None


def input_value(page: str, name: str) -> str | None:
    for tag in re.findall(r"<(?:input|textarea)[^>]*>(?:[^<]*</textarea>)?", page):
        if f'name="{name}"' in tag and 'type="hidden"' not in tag:
            if tag.startswith("<textarea"):
                return unescape(re.sub(r"^<textarea[^>]*>|</textarea>$", "", tag))
            value = re.search(r'value="([^"]*)"', tag)
            return unescape(value.group(1)) if value else ""
    return None


def stored_boundaries(app: Any, slug: str = "camille") -> dict[str, Any]:
    with app.app_context():
        owner = db.session.scalar(select(Owner).where(Owner.slug == slug))
        return dict(owner.boundaries)


def messages_of(app: Any, owner_id: int) -> list[Message]:
    with app.app_context():
        rows = db.session.scalars(select(Message).where(Message.owner_id == owner_id)).all()
        db.session.expunge_all()
        return list(rows)


MONDAY_0900_PARIS = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
