"""Outgoing mail: composed from templates (plain text + HTML) and kept in the outbox.

Mail is composed when the event happens — inside the request that booked, cancelled or
moved, so links are absolute and texts are in the reader's language — and stored as an
``OutboxMail``. ``outbox.send_due_mail`` (a job, also run periodically and by
``flask outbox send``) delivers what is due through SMTP when ``SMTP_URL`` is set;
otherwise mail waits in the outbox. Nothing here may fail a booking: the ``notify_*``
entry points run after the booking's own transaction has committed, and log and
swallow their own errors.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import update

from app import display
from app.clock import now as clock_now
from app.extensions import db
from app.jobs import enqueue
from app.models import Booking, Message, OutboxMail, Owner, OwnerAccount
from schedules import cancellation_deadline, parse_duration

from .invite import booking_ics
from .outbox import begin_write, send_due_mail
from .owners import owner_boundaries
from .side_effects import never_raises

log = logging.getLogger(__name__)

REMINDER = "cancellation_reminder"


_never_raises = never_raises("mail")


@dataclass
class Draft:
    kind: str
    to: str
    subject: str
    text: str
    html: str
    owner_id: int | None = None
    booking_id: str | None = None
    send_after: datetime | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)

    def row(self) -> OutboxMail:
        return OutboxMail(
            kind=self.kind,
            to=self.to,
            subject=self.subject,
            text_body=self.text,
            html_body=self.html,
            owner_id=self.owner_id,
            booking_id=self.booking_id,
            send_after=self.send_after,
            attachments=self.attachments or None,
            created_at=clock_now(),
        )


def _render(template: str, subject: str, **context: Any) -> tuple[str, str, str]:
    text = render_template(f"mail/{template}.txt", subject=subject, **context)
    html = render_template(f"mail/{template}.html", subject=subject, **context)
    return subject, text, html


def _ics_attachment(data: bytes, method: str) -> dict[str, Any]:
    return {
        "filename": "invite.ics" if method == "REQUEST" else "cancel.ics",
        "content_type": f"text/calendar; method={method}; charset=UTF-8",
        "data": base64.b64encode(data).decode("ascii"),
    }


# --- who reads, in which language and zone ----------------------------------------------


def _client_locale(owner: Owner) -> str:
    """The language of the request that caused the mail (the owner's as the fallback)."""
    if has_request_context():
        g.setdefault("owner_locale", owner.locale)  # the booking page's default
        return str(get_locale())
    return owner.locale


@contextmanager
def _reading(locale: str) -> Iterator[None]:
    with force_locale(locale):
        yield


def _manage_url(booking: Booking, token: str | None) -> str | None:
    """The manage link, when the token is known (it is stored only as a hash).

    A move happens on the manage page (HTML or API), whose URL carries the token: it is
    reused only if it really belongs to this booking.
    """
    from .bookings import hash_token

    if token is None and has_request_context() and request.view_args:
        candidate = request.view_args.get("token")
        if isinstance(candidate, str) and hash_token(candidate) == booking.manage_token_hash:
            token = candidate
    if token is None:
        return None
    return url_for("public.manage", token=token, _external=True)


@dataclass(frozen=True)
class _Event:
    booking: Booking
    owner: Owner
    context: dict[str, Any]
    client_zone: ZoneInfo
    owner_zone: ZoneInfo


def _event(booking_id: str, token: str | None = None) -> _Event:
    booking = db.session.get(Booking, booking_id)
    if booking is None:
        raise LookupError(booking_id)
    owner = db.session.get(Owner, booking.owner_id)
    assert owner is not None
    boundaries = owner_boundaries(owner)
    client_zone = ZoneInfo(booking.client_timezone or owner.timezone)
    context = {
        "booking": booking,
        "owner": owner,
        "boundaries": boundaries,
        "manage_url": _manage_url(booking, token),
    }
    return _Event(booking, owner, context, client_zone, ZoneInfo(owner.timezone))


def _booking_mail(event: _Event, for_owner: bool) -> dict[str, Any]:
    """Template context for one reader: times in their zone, the other side's noted."""
    zone, other = (
        (event.owner_zone, event.client_zone)
        if for_owner
        else (event.client_zone, event.owner_zone)
    )
    start = event.booking.start
    return {
        **event.context,
        "times": display.booking_times(start, event.context["boundaries"], zone),
        "other_when": display.when(start, other),
        "other_city": display.zone_city(other),
        "terms": display.terms_summary(event.context["boundaries"]),
    }


def _save(drafts: list[Draft], cancel_reminders_of: str | None = None) -> None:
    begin_write()
    if cancel_reminders_of is not None:
        _cancel_reminders(cancel_reminders_of)
    db.session.add_all([d.row() for d in drafts])
    db.session.commit()
    if current_app.config.get("SMTP_URL"):
        enqueue(send_due_mail)


# --- the events ------------------------------------------------------------------------


@_never_raises
def notify_booking_created(booking_id: str, token: str) -> None:
    """Confirmation (+ .ics, manage link, terms) to the client, notice to the owner, reminder."""
    event = _event(booking_id, token)
    drafts = [*_confirmation(event, moved=False), _owner_notice(event, "booking_new")]
    _save(drafts)


@_never_raises
def notify_booking_rescheduled(booking_id: str) -> None:
    """The updated invitation to the client, a notice to the owner, the reminder re-timed."""
    event = _event(booking_id)
    drafts = [*_confirmation(event, moved=True), _owner_notice(event, "booking_moved")]
    _save(drafts, cancel_reminders_of=booking_id)


@_never_raises
def notify_booking_cancelled(booking_id: str, note: str | None = None) -> None:
    """Cancellation notices both ways (with the late fee when it applies); no more reminder.

    ``note`` is the owner's message to the client when the owner cancels (dashboard).
    That request is the owner's, so the client reads the booking page's language then.
    """
    event = _event(booking_id)
    booking, owner = event.booking, event.owner
    by_owner = booking.cancelled_by == "owner"
    with _reading(owner.locale if by_owner else _client_locale(owner)):
        context = {**_booking_mail(event, for_owner=False), "note": note}
        subject = _(
            "Cancelled: %(offer)s with %(owner)s, %(when)s",
            offer=booking.offer_title,
            owner=owner.name,
            when=context["times"].when,
        )
        subject, text, html = _render("booking_cancelled", subject, **context)
        summary = _("Cancelled: %(offer)s", offer=booking.offer_title)
        ics = booking_ics(booking, owner, "CANCEL", clock_now(), summary=summary)
    client = Draft(
        "booking_cancelled",
        booking.client_email,
        subject,
        text,
        html,
        owner.id,
        booking.id,
        attachments=[_ics_attachment(ics, "CANCEL")],
    )
    _save([client, _owner_notice(event, "booking_cancelled_owner")], cancel_reminders_of=booking.id)


def _confirmation(event: _Event, moved: bool) -> list[Draft]:
    booking, owner = event.booking, event.owner
    now = clock_now()
    drafts = []
    with _reading(_client_locale(owner)):
        context = _booking_mail(event, for_owner=False)
        when = context["times"].when
        if moved:
            subject = _(
                "Moved: %(offer)s with %(owner)s, now %(when)s",
                offer=booking.offer_title,
                owner=owner.name,
                when=when,
            )
        else:
            subject = _(
                "Booked: %(offer)s with %(owner)s, %(when)s",
                offer=booking.offer_title,
                owner=owner.name,
                when=when,
            )
        subject, text, html = _render("booking_confirmed", subject, moved=moved, **context)
        description = (
            _("Manage or cancel: %(url)s", url=context["manage_url"])
            if context["manage_url"]
            else ""
        )
        ics = booking_ics(booking, owner, "REQUEST", now, description=description)
        drafts.append(
            Draft(
                "booking_moved" if moved else "booking_confirmed",
                booking.client_email,
                subject,
                text,
                html,
                owner.id,
                booking.id,
                attachments=[_ics_attachment(ics, "REQUEST")],
            )
        )
        reminder = _reminder(event, context, now)
        if reminder is not None:
            drafts.append(reminder)
    return drafts


def reminder_lead() -> timedelta:
    return parse_duration(str(current_app.config.get("CANCELLATION_REMINDER_LEAD", "12h")))


def _reminder(event: _Event, context: dict[str, Any], now: datetime) -> Draft | None:
    """ "Free cancellation ends soon", ``reminder_lead`` before the deadline.

    Not queued when that moment has already passed: the confirmation just sent says it.
    """
    booking, owner = event.booking, event.owner
    deadline = cancellation_deadline(context["boundaries"].policy, booking.start)
    send_after = deadline - reminder_lead()
    if send_after <= now:
        return None
    subject = _(
        "Free cancellation ends %(when)s: %(offer)s with %(owner)s",
        when=context["times"].deadline_when,
        offer=booking.offer_title,
        owner=owner.name,
    )
    subject, text, html = _render("cancellation_reminder", subject, **context)
    return Draft(
        REMINDER,
        booking.client_email,
        subject,
        text,
        html,
        owner.id,
        booking.id,
        send_after=send_after,
    )


def _owner_notice(event: _Event, kind: str) -> Draft:
    booking, owner = event.booking, event.owner
    with _reading(owner.locale):
        context = _booking_mail(event, for_owner=True)
        names = {
            "offer": booking.offer_title,
            "client": booking.client_name,
            "when": context["times"].when,
        }
        if kind == "booking_new":
            subject = _("New booking: %(offer)s with %(client)s, %(when)s", **names)
        elif kind == "booking_moved":
            subject = _("Moved by %(client)s: %(offer)s, now %(when)s", **names)
        else:
            subject = _("Cancelled: %(offer)s with %(client)s, %(when)s", **names)
        subject, text, html = _render("owner_notice", subject, kind=kind, **context)
    return Draft(kind, owner.email, subject, text, html, owner.id, booking.id)


def _cancel_reminders(booking_id: str) -> None:
    db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.booking_id == booking_id,
            OutboxMail.kind == REMINDER,
            OutboxMail.sent_at.is_(None),
            OutboxMail.cancelled_at.is_(None),
        )
        .values(cancelled_at=clock_now())
    )


@_never_raises
def notify_message_received(message_id: int) -> None:
    """The promised reply time to the writer; the message itself to the owner."""
    message = db.session.get(Message, message_id)
    assert message is not None
    owner = db.session.get(Owner, message.owner_id)
    assert owner is not None
    boundaries = owner_boundaries(owner)
    drafts = []
    for reader_is_owner in (False, True):
        locale = owner.locale if reader_is_owner else _client_locale(owner)
        zone = ZoneInfo(
            owner.timezone if reader_is_owner else (message.client_timezone or owner.timezone)
        )
        with _reading(locale):
            due = display.when(message.reply_due_at, zone) if message.reply_due_at else ""
            context = {
                "message": message,
                "owner": owner,
                "due": due,
                "terms": display.terms_summary(boundaries),
                "received": display.when(message.received_at, zone),
            }
            if reader_is_owner:
                subject = _(
                    "New message from %(name)s: reply by %(when)s", name=message.name, when=due
                )
                kind, to, template = "message_new", owner.email, "message_owner"
            else:
                subject = _(
                    "Your message to %(owner)s: answer by %(when)s", owner=owner.name, when=due
                )
                kind, to, template = "message_received", message.email, "message_received"
            subject, text, html = _render(template, subject, **context)
        drafts.append(Draft(kind, to, subject, text, html, owner.id))
    _save(drafts)


def _account_mail(
    account_id: int, kind: str, subject: Any, to: str | None = None, **context: Any
) -> None:
    """A mail about an owner's login, in the owner's language, to their sign-in address
    (or ``to``). ``subject`` is a lazy text, translated here; the template is ``kind``."""
    account = db.session.get(OwnerAccount, account_id)
    assert account is not None
    owner = account.owner
    with _reading(owner.locale):
        rendered, text, html = _render(kind, str(subject), owner=owner, account=account, **context)
    _save([Draft(kind, to or account.email, rendered, text, html, owner.id)])


@_never_raises
def send_password_reset(account_id: int, url: str) -> None:
    """The link to choose a new password, to the sign-in address."""
    _account_mail(account_id, "password_reset", _l("Choose a new password for Cadre"), url=url)


@_never_raises
def send_address_changed(account_id: int, previous: str) -> None:
    """Tell the previous sign-in address that the account now signs in with another."""
    _account_mail(
        account_id,
        "address_changed",
        _l("Your Cadre sign-in address was changed"),
        to=previous,
        previous=previous,
    )


def init_mail(app: Any) -> None:
    """Deliver due mail (reminders wait for their moment) from the periodic scheduler."""
    from app.jobs import every

    if app.config.get("SMTP_URL"):
        every("outbox", float(app.config.get("MAIL_INTERVAL_S", 60)), send_due_mail)
