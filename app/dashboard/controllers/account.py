"""The owner's account: sign-in address and password."""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.auth.accounts import AccountError, change_password
from app.auth.forms import PasswordForm
from app.auth.session import current_account, login_user
from app.clock import now as clock_now


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
            return render_template("dashboard/account.html", account=account, form=form), 400
        login_user(account)  # this browser stays signed in; the others are signed out
        g.owner = account.owner
        flash(_("Password changed. Other browsers have been signed out."), "success")
        return redirect(url_for("dashboard.account"), 303)
    return render_template("dashboard/account.html", account=account, form=form)
