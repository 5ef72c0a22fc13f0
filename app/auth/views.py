"""Sign-up, sign-in and sign-out pages. Thin: read the form, call ``accounts``, render."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app import display
from app.clock import now as clock_now

from . import accounts
from .forms import ConfirmForm, LoginForm, SignupForm
from .session import current_account, login_user, logout_user, safe_next

HOME = "dashboard.home"


def login() -> Any:
    if current_account() is not None and request.method == "GET":
        return redirect(safe_next(request.args.get("next")) or url_for(HOME))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        return render_template("auth/login.html", form=form)
    if not form.validate():
        raise CSRFError()
    result = accounts.authenticate(
        form.email.data or "", form.password.data or "", request.remote_addr, clock_now()
    )
    if result.account is None:
        form.password.data = ""
        if result.locked_until is not None:
            form.form_errors.append(_locked_text(result))
            return render_template("auth/login.html", form=form), 429
        form.form_errors.append(_("This e-mail address and password do not match."))
        return render_template("auth/login.html", form=form), 401
    login_user(result.account)
    return redirect(safe_next(form.next.data) or url_for(HOME), 303)


def _locked_text(result: accounts.SignIn) -> str:
    assert result.locked_until is not None
    minutes = max(1, round((result.locked_until - clock_now()).total_seconds() / 60))
    return _(
        "Too many failed sign-ins for this address. For your safety, sign-in is paused "
        "until %(time)s (about %(minutes)d minutes). Nothing is wrong with your page.",
        time=format_time(result.locked_until, "short"),
        minutes=minutes,
    )


def signup() -> Any:
    if not current_app.config.get("SIGNUP_ENABLED", True):
        abort(404)
    form = SignupForm()
    zones = [(z, z.replace("_", " ")) for z in display.zone_choices("Europe/Paris", "UTC")]
    if request.method == "GET":
        form.timezone.data = "Europe/Paris"
        form.locale.data = "fr" if str(get_locale()) == "fr" else "en"
        return render_template("auth/signup.html", form=form, zones=zones)
    if not form.validate():
        raise CSRFError()
    data = accounts.SignupInput(
        name=form.name.data or "",
        email=form.email.data or "",
        password=form.password.data or "",
        slug=(form.slug.data or "").strip().lower(),
        timezone=form.timezone.data or "",
        locale=form.locale.data or "en",
    )
    try:
        account = accounts.signup(data, clock_now())
    except accounts.AccountError as exc:
        form.password.data = ""
        form.attach(exc.fields)
        return render_template("auth/signup.html", form=form, zones=zones), 400
    login_user(account)
    flash(_("Welcome! These are starting hours and limits: make them yours."), "success")
    return redirect(url_for("dashboard.boundaries", section="hours"), 303)


def logout() -> Any:
    form = ConfirmForm()
    if request.method == "GET":
        if current_account() is None:
            return redirect(url_for("auth.login"))
        return render_template("auth/logout.html", form=form)
    if not form.validate():
        raise CSRFError()
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"), 303)
