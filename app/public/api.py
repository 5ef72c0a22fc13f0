"""The public JSON API, ``/api/v1`` (contract in ARCHITECTURE.md). No login, no CSRF:
it takes JSON only, sets no cookies, and its writes are rate-limited per client address."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _

from app.clock import now as clock_now
from app.extensions import db, limiter
from app.messages import refusal_text
from app.models import Booking, Owner
from app.services.availability import is_stale, local_today, public_owner, slots_for
from app.services.bookings import (
    ClientDetails,
    IdempotencyMismatch,
    cancel_booking,
    create_booking,
    find_by_token,
    refusal_status,
    reschedule_booking,
)
from app.services.owners import NotFound, find_offer, get_owner, owner_boundaries
from schedules import Boundaries, is_late_cancellation, reply_due

from .openapi import document as openapi_document
from .serialize import (
    booking_body,
    error,
    public_boundaries,
    render_outcome,
    slot_item,
)
from .validation import InvalidInput, booking_input, parse_aware, parse_day, parse_zone

api_bp = Blueprint("api", __name__, url_prefix="/api/v1")

IDEMPOTENCY_KEY_MAX = 200


def booking_rate_limit() -> str:
    return str(current_app.config["BOOKING_RATE_LIMIT"])


@api_bp.errorhandler(NotFound)
def _not_found(_exc: NotFound):  # type: ignore[no-untyped-def]
    return error("not_found", _("No such page."), 404)


@api_bp.errorhandler(InvalidInput)
def _invalid(exc: InvalidInput):  # type: ignore[no-untyped-def]
    return error("invalid_input", _("Some fields need attention."), 400, exc.fields)


@api_bp.errorhandler(429)
def _rate_limited(_exc: Any):  # type: ignore[no-untyped-def]
    return error("rate_limited", _("Too many requests; please wait a minute and try again."), 429)


@api_bp.get("/openapi.json")
def openapi():  # type: ignore[no-untyped-def]
    return jsonify(openapi_document())


@api_bp.get("/<owner_slug>")
def owner_detail(owner_slug: str):  # type: ignore[no-untyped-def]
    owner, successes = public_owner(owner_slug)
    boundaries = owner_boundaries(owner)
    zone = _zone_arg(default=owner.timezone)
    now = clock_now()
    body = public_boundaries(
        owner,
        boundaries,
        local_today(now, owner.timezone),
        reply_due(boundaries.policy, now),
        is_stale(owner, boundaries, now, successes),
        zone,
    )
    return jsonify(body)


@api_bp.get("/<owner_slug>/<offer_slug>/slots")
def slots(owner_slug: str, offer_slug: str):  # type: ignore[no-untyped-def]
    owner, successes = public_owner(owner_slug)
    boundaries = owner_boundaries(owner)
    offer = find_offer(boundaries, offer_slug)
    zone = _zone_arg(default=owner.timezone)
    now = clock_now()
    today = local_today(now, zone.key)
    errors: dict[str, str] = {}
    first = parse_day(request.args["from"]) if "from" in request.args else today
    last = (
        parse_day(request.args["to"])
        if "to" in request.args
        else (first or today) + timedelta(days=6)
    )
    if first is None:
        errors["from"] = _("expected a date like 2027-01-04")
    if last is None:
        errors["to"] = _("expected a date like 2027-01-04")
    if first and last:
        span = (last - first).days
        if span < 0:
            errors["to"] = _("must not be before 'from'")
        elif span >= current_app.config["SLOTS_MAX_DAYS"]:
            errors["to"] = _(
                "at most %(n)d days per request", n=current_app.config["SLOTS_MAX_DAYS"]
            )
    if errors:
        raise InvalidInput(errors)
    assert first is not None and last is not None
    found = slots_for(owner, boundaries, offer, first, last, zone.key, now, None, successes)
    return jsonify(
        timezone=zone.key,
        slots=[slot_item(slot, zone) for slot in found],
    )


@api_bp.post("/<owner_slug>/<offer_slug>/bookings")
@limiter.limit(booking_rate_limit, methods=["POST"])
def book(owner_slug: str, offer_slug: str):  # type: ignore[no-untyped-def]
    owner = get_owner(owner_slug)
    boundaries = owner_boundaries(owner)
    offer = find_offer(boundaries, offer_slug)
    data = request.get_json(silent=True)
    fields = booking_input(data)
    idempotency = _idempotency(owner_slug, offer_slug, data)
    zone = ZoneInfo(fields.timezone) if fields.timezone else fields.start.tzinfo
    assert zone is not None
    try:
        outcome = create_booking(
            owner,
            boundaries,
            offer,
            fields.start,
            ClientDetails(fields.name, fields.email, fields.message, fields.timezone),
            clock_now(),
            idempotency=idempotency,
            render=lambda o: render_outcome(o, boundaries, zone),  # type: ignore[arg-type]
            accept_extra_charge=fields.accept_extra_charge,
        )
    except IdempotencyMismatch:
        raise InvalidInput(
            {"Idempotency-Key": _("this key was already used for a different request")}
        ) from None
    status, body = render_outcome(outcome, boundaries, zone)  # type: ignore[arg-type]
    return jsonify(body), status


def _idempotency(owner_slug: str, offer_slug: str, data: Any) -> tuple[str, str] | None:
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not key.strip() or len(key) > IDEMPOTENCY_KEY_MAX:
        raise InvalidInput(
            {"Idempotency-Key": _("at most %(n)d characters", n=IDEMPOTENCY_KEY_MAX)}
        )
    canonical = json.dumps([owner_slug, offer_slug, data], sort_keys=True)
    return key, hashlib.sha256(canonical.encode()).hexdigest()


def _zone_arg(default: str) -> ZoneInfo:
    value = request.args.get("tz")
    if value is None:
        return ZoneInfo(default)
    zone = parse_zone(value)
    if zone is None:
        raise InvalidInput({"tz": _("unknown time zone")})
    return zone


# --- managing a booking through its unguessable token -------------------------------


def _booking_for(token: str) -> tuple[Booking, Owner, Boundaries]:
    booking = find_by_token(token)
    if booking is None:
        raise NotFound(token)
    owner = db.session.get(Owner, booking.owner_id)
    return booking, owner, owner_boundaries(owner)


def _booking_zone(booking: Booking, owner: Owner) -> ZoneInfo:
    return ZoneInfo(booking.client_timezone or owner.timezone)


@api_bp.get("/manage/<token>")
def manage_detail(token: str):  # type: ignore[no-untyped-def]
    booking, owner, boundaries = _booking_for(token)
    zone = _booking_zone(booking, owner)
    body = booking_body(booking, boundaries, zone)
    body["cancellation_would_be_late"] = booking.active and is_late_cancellation(
        boundaries.policy, booking.start, clock_now()
    )
    body["late_fee_if_cancelled_now"] = (
        boundaries.policy.cancellation.late_fee or None
        if body["cancellation_would_be_late"]
        else None
    )
    return jsonify(body)


@api_bp.post("/manage/<token>/cancel")
@limiter.limit(booking_rate_limit, methods=["POST"])
def manage_cancel(token: str):  # type: ignore[no-untyped-def]
    booking, owner, boundaries = _booking_for(token)
    result = cancel_booking(booking, boundaries, clock_now())
    return jsonify(booking_body(result.booking, boundaries, _booking_zone(booking, owner)))


@api_bp.post("/manage/<token>/reschedule")
@limiter.limit(booking_rate_limit, methods=["POST"])
def manage_reschedule(token: str):  # type: ignore[no-untyped-def]
    booking, owner, boundaries = _booking_for(token)
    data = request.get_json(silent=True)
    start = parse_aware(data.get("start")) if isinstance(data, dict) else None
    if start is None:
        raise InvalidInput({"start": _("expected an ISO 8601 date-time with its UTC offset")})
    now = clock_now()
    if not booking.active:
        return error("cancelled", refusal_text("cancelled"), 409)
    if is_late_cancellation(boundaries.policy, booking.start, now):
        return error("too_late_to_reschedule", refusal_text("too_late_to_reschedule"), 422)
    offer = find_offer(boundaries, booking.offer_slug)
    refusal = reschedule_booking(booking, owner, boundaries, offer, start, now)
    if refusal is not None:
        return error(refusal.value, refusal_text(refusal.value), refusal_status(refusal))
    fresh = db.session.get(Booking, booking.id)
    return jsonify(booking_body(fresh, boundaries, _booking_zone(fresh, owner)))
