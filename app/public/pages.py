"""Server-rendered public pages: the index, an owner's booking page, the "Write to me" form.

Views read the request, call a service, render or redirect. Managing a booking
(``/manage/<token>``…) lives in ``manage_pages.py`` on the same blueprint; error pages
in ``errors.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from app import display
from app.clock import now as clock_now
from app.extensions import db, limiter
from app.messages import extra_charge_text
from app.models import Owner
from app.services.availability import is_stale, local_today
from app.services.bookings import ClientDetails, create_booking, refusal_status
from app.services.inbox import Writer, receive_message
from app.services.owners import NotFound, find_offer, get_owner, owner_boundaries
from app.services.packages import client_quota
from schedules import Boundaries, Offer, Quota, Refusal, reply_due

from .forms import BookingForm, MessageForm
from .picker import build_picker
from .validation import parse_aware, parse_day, parse_zone

public_bp = Blueprint("public", __name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def booking_rate_limit() -> str:
    return str(current_app.config["BOOKING_RATE_LIMIT"])


@public_bp.after_request
def _headers(response):  # type: ignore[no-untyped-def]
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def link_to(endpoint: str, *arg_sets: dict[str, Any], **changes: Any) -> str:
    """A URL to ``endpoint`` from merged argument sets and ``changes`` (None drops one).

    Arguments that are not part of the route become the query string. ``start_day``
    stands for the ``from`` parameter (a reserved word in templates).
    """
    if "start_day" in changes:
        day = changes.pop("start_day")
        changes["from"] = day.isoformat() if day else None
    args: dict[str, Any] = {}
    for arg_set in arg_sets:
        args.update(arg_set)
    args.update(changes)
    return url_for(endpoint, **{k: v for k, v in args.items() if v is not None})


def lang_url(code: str, page_url: str | None = None) -> str:
    """This page in another language (``?lang=`` is remembered in a cookie by ``app.i18n``)."""
    if page_url is None:
        page_url = request.full_path if request.method == "GET" else url_for("public.index")
    parts = urlsplit(page_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"] + [("lang", code)]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))


@public_bp.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"display": display, "link_to": link_to, "lang_url": lang_url, "get_locale": get_locale}


@public_bp.get("/")
def index():  # type: ignore[no-untyped-def]
    owners = db.session.scalars(select(Owner).order_by(Owner.name)).all()
    return render_template("public/index.html", owners=owners)


def load_owner(slug: str) -> tuple[Owner, Boundaries]:
    """The owner and their boundaries; their language becomes this page's default."""
    owner = get_owner(slug)
    g.owner_locale = owner.locale
    return owner, owner_boundaries(owner)


def _chosen_offer(boundaries: Boundaries, slug: str | None) -> Offer | None:
    if slug:
        return find_offer(boundaries, slug)
    return boundaries.offers[0] if boundaries.offers else None


def _zone(value: str | None, owner: Owner) -> ZoneInfo:
    return parse_zone(value) or ZoneInfo(owner.timezone)


@public_bp.get("/<owner_slug>")
def owner_page(owner_slug: str):  # type: ignore[no-untyped-def]
    owner, boundaries = load_owner(owner_slug)
    offer = _chosen_offer(boundaries, request.args.get("offer"))
    zone = _zone(request.args.get("tz"), owner)
    return render_owner_page(
        owner,
        boundaries,
        offer,
        zone,
        first=parse_day(request.args.get("from")),
        zone_explicit="tz" in request.args,
    )


def render_owner_page(
    owner: Owner,
    boundaries: Boundaries,
    offer: Offer | None,
    zone: ZoneInfo,
    *,
    first: date | None = None,
    booking_form: BookingForm | None = None,
    message_form: MessageForm | None = None,
    chosen: datetime | None = None,
    refusal: Refusal | None = None,
    zone_explicit: bool = True,
    status: int = 200,
    extra_charge: str | None = None,
    quota: Quota | None = None,
) -> tuple[str, int]:
    now = clock_now()
    owner_today = local_today(now, owner.timezone)
    due = reply_due(boundaries.policy, now)
    picker = build_picker(owner, boundaries, offer, zone, first, now, chosen, refusal, quota)
    page_args = {"offer": offer.slug if offer else None, "tz": zone.key}
    context: dict[str, Any] = {
        "owner": owner,
        "policy": boundaries.policy,
        "offers": boundaries.offers,
        "offer": offer,
        "zone": zone,
        "zone_explicit": zone_explicit,
        "owner_zone": ZoneInfo(owner.timezone),
        "zones": display.zone_choices(zone.key, owner.timezone),
        "hours": display.hours_rows(boundaries, zone, owner_today),
        "days_off": display.days_off(boundaries, owner_today, zone),
        "terms": display.terms_summary(boundaries),
        "reply_due": due,
        "stale": is_stale(owner, boundaries, now),
        "picker": picker,
        # Beyond the client's package: the price to agree to before the booking is taken.
        "extra_charge": extra_charge,
        "extra_charge_text": extra_charge_text(extra_charge) if extra_charge else "",
        "page_args": page_args,
        # The language switcher links to this page; after a POST, to its GET address.
        "page_url": None
        if request.method == "GET"
        else url_for("public.owner_page", owner_slug=owner.slug, **page_args),
        "booking_form": booking_form or BookingForm(formdata=None, timezone=zone.key),
        "message_form": message_form or MessageForm(formdata=None, timezone=zone.key),
    }
    return render_template("public/owner.html", **context), status


@public_bp.post("/<owner_slug>/<offer_slug>/book")
@limiter.limit(booking_rate_limit)
def book(owner_slug: str, offer_slug: str):  # type: ignore[no-untyped-def]
    owner, boundaries = load_owner(owner_slug)
    offer = find_offer(boundaries, offer_slug)
    form = BookingForm()
    if not form.validate():
        raise CSRFError()
    zone = _zone(form.timezone.data, owner)
    fields = form.booking_input()
    if fields is None:
        chosen = parse_aware(form.start.data)
        return render_owner_page(
            owner, boundaries, offer, zone, booking_form=form, chosen=chosen, status=400
        )
    client = ClientDetails(fields.name, fields.email, fields.message, zone.key)
    now = clock_now()
    outcome = create_booking(
        owner,
        boundaries,
        offer,
        fields.start,
        client,
        now,
        accept_extra_charge=fields.accept_extra_charge,
    )
    if outcome.refusal is not None or outcome.extra_charge is not None:
        # After quota_exceeded, the times offered instead are the ones this client may take.
        quota = (
            client_quota(owner.id, fields.email, offer.slug, ZoneInfo(owner.timezone), since=now)
            if outcome.refusal is Refusal.QUOTA_EXCEEDED
            else None
        )
        return render_owner_page(
            owner,
            boundaries,
            offer,
            zone,
            booking_form=form,
            chosen=fields.start,
            refusal=outcome.refusal,
            status=refusal_status(outcome.refusal) if outcome.refusal else 422,
            extra_charge=outcome.extra_charge,
            quota=quota,
        )
    return redirect(url_for("public.booked", token=outcome.token), 303)


@public_bp.post("/<owner_slug>/message")
@limiter.limit(booking_rate_limit)
def write(owner_slug: str):  # type: ignore[no-untyped-def]
    owner, boundaries = load_owner(owner_slug)
    form = MessageForm()
    if not form.validate():
        raise CSRFError()
    zone = _zone(form.timezone.data, owner)
    fields = form.message_input()
    offer = _chosen_offer(boundaries, None)
    if fields is None:
        return render_owner_page(owner, boundaries, offer, zone, message_form=form, status=400)
    writer = Writer(fields.name, fields.email, fields.body, zone.key)
    message = receive_message(owner, boundaries, writer, clock_now())
    due = message.reply_due_at
    session["message_sent"] = {
        "owner": owner.slug,
        "due": due.isoformat() if due else None,
        "tz": zone.key,
    }
    return redirect(url_for("public.message_sent", owner_slug=owner.slug), 303)


@public_bp.get("/<owner_slug>/message/sent")
def message_sent(owner_slug: str):  # type: ignore[no-untyped-def]
    owner, boundaries = load_owner(owner_slug)
    sent = session.get("message_sent")
    if not isinstance(sent, dict) or sent.get("owner") != owner.slug:
        return redirect(url_for("public.owner_page", owner_slug=owner.slug))
    zone = _zone(sent.get("tz"), owner)
    due = parse_aware(sent.get("due"))
    return render_template(
        "public/message_sent.html",
        owner=owner,
        zone=zone,
        due=due,
        terms=display.terms_summary(boundaries),
        page_url=url_for("public.message_sent", owner_slug=owner.slug),
    )


@public_bp.errorhandler(NotFound)
def _not_found(_exc: NotFound):  # type: ignore[no-untyped-def]
    from .errors import error_page

    return error_page(404)


from . import errors, manage_pages  # noqa: E402,F401  (routes and handlers on public_bp)
