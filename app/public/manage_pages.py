"""A client's own booking, reached through its unguessable link ``/manage/<token>``.

Cancelling and moving both show the policy first (free until when, the late fee if it
applies now) and act only on a second, explicit POST.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError

from app import display
from app.clock import now as clock_now
from app.extensions import db, limiter
from app.models import Booking, Owner
from app.services.bookings import (
    cancel_booking,
    find_by_token,
    refusal_status,
    reschedule_booking,
)
from app.services.invite import booking_ics
from app.services.owners import NotFound, find_offer, owner_boundaries
from app.services.packages import moving_quota
from schedules import Boundaries, is_late_cancellation

from .forms import BookingForm
from .pages import booking_rate_limit, public_bp
from .picker import build_picker
from .validation import parse_aware, parse_day, parse_zone

PRIVATE_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


def _load(token: str) -> tuple[Booking, Owner, Boundaries, ZoneInfo]:
    booking = find_by_token(token)
    if booking is None:
        abort(404)
    owner = db.session.get(Owner, booking.owner_id)
    assert owner is not None
    g.owner_locale = owner.locale
    zone = parse_zone(request.args.get("tz")) or ZoneInfo(booking.client_timezone or owner.timezone)
    return booking, owner, owner_boundaries(owner), zone


def _context(
    token: str, booking: Booking, owner: Owner, boundaries: Boundaries, zone: ZoneInfo
) -> dict[str, Any]:
    now = clock_now()
    late = booking.active and is_late_cancellation(boundaries.policy, booking.start, now)
    try:
        offer = find_offer(boundaries, booking.offer_slug)
    except NotFound:
        offer = None
    return {
        "token": token,
        "booking": booking,
        "owner": owner,
        "offer": offer,
        "zone": zone,
        "times": display.booking_times(booking.start, boundaries, zone),
        "terms": display.terms_summary(boundaries),
        "late": late,
        "late_fee": boundaries.policy.cancellation.late_fee,
        "can_move": booking.active and not late and offer is not None,
        "manage_url": url_for("public.manage", token=token, _external=True),
        "page_url": request.path,
    }


def _private(body: str, status: int = 200) -> Response:
    response = Response(body, status, mimetype="text/html")
    response.headers.update(PRIVATE_HEADERS)
    return response


@public_bp.get("/manage/<token>")
def manage(token: str):  # type: ignore[no-untyped-def]
    booking, owner, boundaries, zone = _load(token)
    context = _context(token, booking, owner, boundaries, zone)
    return _private(render_template("public/manage.html", **context))


@public_bp.get("/manage/<token>/booked")
def booked(token: str):  # type: ignore[no-untyped-def]
    """The confirmation page, right after booking."""
    booking, owner, boundaries, zone = _load(token)
    if not booking.active:
        return redirect(url_for("public.manage", token=token))
    context = _context(token, booking, owner, boundaries, zone)
    return _private(render_template("public/booked.html", **context))


@public_bp.get("/manage/<token>/booking.ics")
def booking_file(token: str):  # type: ignore[no-untyped-def]
    booking, owner, _boundaries, _zone = _load(token)
    data = booking_ics(booking, owner, "PUBLISH", clock_now())
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'attachment; filename="booking.ics"'
    response.headers.update(PRIVATE_HEADERS)
    return response


@public_bp.route("/manage/<token>/cancel", methods=["GET", "POST"])
@limiter.limit(booking_rate_limit, methods=["POST"])
def cancel(token: str):  # type: ignore[no-untyped-def]
    booking, owner, boundaries, zone = _load(token)
    form = FlaskForm()
    if request.method == "POST" and booking.active:
        if not form.validate():
            raise CSRFError()
        result = cancel_booking(booking, boundaries, clock_now())
        if result.late and result.booking.late_fee:
            flash(
                _(
                    "Your booking is cancelled. Late cancellation fee: %(fee)s.",
                    fee=result.booking.late_fee,
                ),
                "warning",
            )
        else:
            flash(_("Your booking is cancelled, free of charge."), "success")
        return redirect(url_for("public.manage", token=token), 303)
    context = _context(token, booking, owner, boundaries, zone)
    return _private(render_template("public/cancel.html", form=form, **context))


@public_bp.route("/manage/<token>/reschedule", methods=["GET", "POST"])
@limiter.limit(booking_rate_limit, methods=["POST"])
def reschedule(token: str):  # type: ignore[no-untyped-def]
    booking, owner, boundaries, zone = _load(token)
    context = _context(token, booking, owner, boundaries, zone)
    offer = context["offer"]
    now = clock_now()
    form = BookingForm(formdata=None, timezone=zone.key)
    chosen = refusal = None
    status = 200
    if request.method == "POST" and context["can_move"]:
        form = BookingForm()
        if not form.validate():
            raise CSRFError()
        chosen = parse_aware(form.start.data)
        if chosen is None:
            form.attach({"start": _("Please choose one of the free times.")})
            status = 400
        else:
            refusal = reschedule_booking(booking, owner, boundaries, offer, chosen, now)
            if refusal is None:
                flash(_("Your booking has been moved."), "success")
                return redirect(url_for("public.manage", token=token), 303)
            status = refusal_status(refusal)
    picker = None
    if context["can_move"]:
        first = parse_day(request.args.get("from"))
        # Only the times this booking may move to: its client's package counts (see moving_quota).
        quota = moving_quota(booking, offer.slug, ZoneInfo(owner.timezone), since=now)
        picker = build_picker(owner, boundaries, offer, zone, first, now, chosen, refusal, quota)
    body = render_template(
        "public/reschedule.html",
        form=form,
        picker=picker,
        zones=display.zone_choices(zone.key, owner.timezone),
        **context,
    )
    return _private(body, status)
