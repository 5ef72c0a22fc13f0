"""Calendars: sync status, "sync now", ICS feeds, and the private bookings feed address."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.auth import current_owner
from app.clock import now as clock_now
from app.services.failed_jobs import failed_jobs
from schedules import BoundariesError

from ..forms.simple import CsrfForm, FeedForm
from ..operations import calendars as ops

_FEED_FIELD = re.compile(r"^calendars\[[0-9]+\]\.(name|ics)$")


def _page(feed_form: FeedForm | None = None, status: int = 200) -> Any:
    owner = current_owner()
    now = clock_now()
    sources = ops.statuses(owner, now)
    return render_template(
        "dashboard/calendars.html",
        sources=sources,
        page_closed=ops.booking_page_closed(owner, sources, now),
        feed_form=feed_form or FeedForm(formdata=None),
        form=CsrfForm(),
        feed_url=url_for("feeds.feed", token=owner.feed_token, _external=True),
        failed_jobs=failed_jobs(owner.id),
        now=now,
    ), status


def index() -> Any:
    return _page()


def _checked() -> None:
    if not CsrfForm().validate():
        raise CSRFError()


def sync_all() -> Any:
    _checked()
    count = ops.queue_sync(current_owner())
    if count:
        flash(_("Sync started. The status below updates within a minute."), "success")
    else:
        flash(_("There is no calendar to sync yet."), "info")
    return redirect(url_for("dashboard.calendars"), 303)


def sync_source(source_id: int) -> Any:
    _checked()
    if not ops.queue_sync(current_owner(), source_id):
        abort(404)
    flash(_("Sync started. The status below updates within a minute."), "success")
    return redirect(url_for("dashboard.calendars"), 303)


def add_feed() -> Any:
    form = FeedForm()
    if not form.validate():
        raise CSRFError()
    name, url = (form.name.data or "").strip(), (form.ics.data or "").strip()
    try:
        ops.add_feed(current_owner(), name, url)
    except BoundariesError as exc:
        for error in exc.errors:
            match = _FEED_FIELD.match(error.field)
            field = getattr(form, match[1]) if match else None
            if field is not None:
                field.errors = [*field.errors, error.reason]
            else:
                form.form_errors.append(f"{error.field}: {error.reason}")
        return _page(form, 400)
    flash(_("Calendar added. Its first sync has started."), "success")
    return redirect(url_for("dashboard.calendars"), 303)


def remove_feed(source_id: int) -> Any:
    _checked()
    if not ops.remove_feed(current_owner(), source_id):
        abort(404)
    flash(_("Calendar removed, with its busy time."), "success")
    return redirect(url_for("dashboard.calendars"), 303)


def rotate_feed() -> Any:
    _checked()
    ops.rotate_feed(current_owner())
    flash(_("New address made. The old one no longer works: update your calendar app."), "success")
    return redirect(url_for("dashboard.calendars") + "#bookings-feed", 303)
