"""The owner's account: sign-in address and password."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.auth.accounts import AccountError, change_email, change_password
from app.auth.forms import EmailForm, PasswordForm
from app.auth.session import current_account, login_user
from app.clock import now as clock_now
from app.extensions import db
from app.models import OwnerAccount
from app.services import mail


def _page(account: OwnerAccount, status: int = 200, **forms: Any) -> Any:
    context = {"form": PasswordForm(), "email_form": EmailForm(), **forms}
    return render_template("dashboard/account.html", account=account, **context), status


def index() -> Any:
    account = current_account()
    assert account is not None  # the blueprint's guard let us in
    form = PasswordForm()
    if request.method == "POST":
        if not form.validate():
            raise CSRFError()
        try:
            change_password(
                account, form.current_password.data or "", form.new_password.data or "", clock_now()
            )
        except AccountError as exc:
            form.attach(exc.fields)
            return _page(account, 400, form=form)
        login_user(account)  # this browser stays signed in; the others are signed out
        g.owner = account.owner
        flash(_("Password changed. Other browsers have been signed out."), "success")
        return redirect(url_for("dashboard.account"), 303)
    return _page(account)


def change_address() -> Any:
    """A new sign-in address; the previous one is told, in case it was not the owner."""
    account = current_account()
    assert account is not None
    form = EmailForm()
    if not form.validate():
        raise CSRFError()
    try:
        previous = change_email(account, form.email_password.data or "", form.new_email.data or "")
    except AccountError as exc:
        db.session.rollback()
        form.attach(exc.fields)
        return _page(account, 400, email_form=form)
    mail.send_address_changed(account.id, previous)
    flash(_("From now on you sign in as %(email)s.", email=account.email), "success")
    return redirect(url_for("dashboard.account"), 303)
