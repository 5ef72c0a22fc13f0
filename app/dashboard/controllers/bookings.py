"""Bookings: the filtered list, and cancelling on the owner's side with a message."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.auth import current_owner
from app.clock import now as clock_now
from app.services.owners import owner_boundaries
from schedules import cancellation_deadline

from ..forms.simple import CancelForm
from ..operations import bookings as ops


def index() -> Any:
    owner = current_owner()
    now = clock_now()
    chosen = ops.BookingFilter.from_args(request.args.to_dict())
    policy = owner_boundaries(owner).policy
    return render_template(
        "dashboard/bookings.html",
        bookings=ops.list_bookings(owner, chosen, now),
        chosen=chosen,
        offers=ops.offer_choices(owner),
        limit=ops.LIST_LIMIT,
        cancellable=lambda booking: ops.cancellable(booking, now),
        deadline=lambda booking: cancellation_deadline(policy, booking.start),
        now=now,
    )


def cancel(booking_id: str) -> Any:
    owner = current_owner()
    booking = ops.get_booking(owner, booking_id)
    if booking is None:
        abort(404)
    now = clock_now()
    form = CancelForm()
    if request.method == "POST":
        if not form.validate():
            raise CSRFError()
        note = (form.note.data or "").strip()
        if len(note) > ops.NOTE_MAX:
            form.note.errors = [_("at most %(n)d characters", n=ops.NOTE_MAX)]
        elif not ops.cancellable(booking, now):
            flash(_("This booking can no longer be cancelled."), "error")
            return redirect(url_for("dashboard.bookings"), 303)
        else:
            ops.cancel(owner, booking, note, now)
            flash(
                _("Booking cancelled. %(name)s has been told by e-mail.", name=booking.client_name),
                "success",
            )
            return redirect(url_for("dashboard.bookings"), 303)
    return render_template(
        "dashboard/cancel.html",
        booking=booking,
        form=form,
        can_cancel=ops.cancellable(booking, now),
    ), (400 if form.errors else 200)
