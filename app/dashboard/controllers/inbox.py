"""The inbox: messages by reply-by time; mark answered (or not yet)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.auth import current_owner
from app.clock import now as clock_now

from ..forms.simple import CsrfForm
from ..operations import inbox as ops


def index() -> Any:
    owner = current_owner()
    now = clock_now()
    return render_template(
        "dashboard/inbox.html",
        waiting=ops.waiting(owner),
        answered=ops.answered(owner),
        overdue=lambda message: ops.overdue(message, now),
        mailto=lambda message: ops.mailto(
            message, _("Re: your message to %(name)s", name=owner.name)
        ),
        form=CsrfForm(),
        now=now,
    )


def _message(message_id: int) -> Any:
    if not CsrfForm().validate():
        raise CSRFError()
    message = ops.get_message(current_owner(), message_id)
    if message is None:
        abort(404)
    return message


def answered(message_id: int) -> Any:
    message = _message(message_id)
    ops.mark_answered(message, clock_now())
    flash(_("Marked as answered."), "success")
    return redirect(url_for("dashboard.inbox"), 303)


def reopen(message_id: int) -> Any:
    message = _message(message_id)
    ops.reopen(message)
    flash(_("Back in the list of messages to answer."), "success")
    return redirect(url_for("dashboard.inbox"), 303)
