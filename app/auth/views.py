"""Sign-up, sign-in and sign-out pages. Thin: read the form, call ``accounts``, render."""

from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app import display
from app.clock import now as clock_now
from app.extensions import db
from app.services import mail

from . import accounts, google
from .forms import ConfirmForm, ForgotForm, LoginForm, ResetForm, SignupForm
from .session import current_account, login_user, logout_user, safe_next

HOME = "dashboard.home"


def login() -> Any:
    if current_account() is not None and request.method == "GET":
        return redirect(safe_next(request.args.get("next")) or url_for(HOME))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        return render_template("auth/login.html", form=form, google=google.available())
    if not form.validate():
        raise CSRFError()
    result = accounts.authenticate(
        form.email.data or "", form.password.data or "", request.remote_addr, clock_now()
    )
    if result.account is None:
        form.password.data = ""
        if result.locked_until is not None:
            form.form_errors.append(_locked_text(result))
            return render_template("auth/login.html", form=form, google=google.available()), 429
        form.form_errors.append(_("This e-mail address and password do not match."))
        return render_template("auth/login.html", form=form, google=google.available()), 401
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


def forgot() -> Any:
    """Ask for a link to choose a new password. The answer is the same whether or not the
    address has an account, so the page cannot be used to find out who signs in here."""
    form = ForgotForm()
    if request.method == "GET":
        return render_template("auth/forgot.html", form=form, sent=False)
    if not form.validate():
        raise CSRFError()
    try:
        email = accounts.check_email(form.email.data or "")
    except accounts.AccountError as exc:
        form.attach(exc.fields)
        return render_template("auth/forgot.html", form=form, sent=False), 400
    account = accounts.account_by_email(email)
    if account is not None:
        url = url_for("auth.reset", token=accounts.reset_token(account), _external=True)
        mail.send_password_reset(account.id, url)
    return render_template("auth/forgot.html", form=form, sent=True)


def reset(token: str) -> Any:
    """Choose a new password from the link (once, within the hour), then go in."""
    account = accounts.account_for_reset(token)
    if account is None:
        return render_template("auth/reset.html", form=None, token=token), 410
    form = ResetForm()
    if request.method == "GET":
        return render_template("auth/reset.html", form=form, token=token)
    if not form.validate():
        raise CSRFError()
    try:
        accounts.reset_password(
            account, form.new_password.data or "", request.remote_addr, clock_now()
        )
    except accounts.AccountError as exc:
        db.session.rollback()
        form.attach(exc.fields)
        return render_template("auth/reset.html", form=form, token=token), 400
    login_user(account)
    flash(_("Your new password is set. Other browsers were signed out."), "success")
    return redirect(url_for(HOME), 303)


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


GOOGLE_NEXT = "google_signin_next"


def google_start() -> Any:
    """POST: off to Google's account chooser (``next`` kept for the way back)."""
    if not google.available():
        abort(404)
    form = LoginForm()
    if not form.validate():
        raise CSRFError()
    session[GOOGLE_NEXT] = safe_next(form.next.data) or ""
    try:
        return google.signin_client().authorize_redirect(
            url_for("auth.google_callback", _external=True)
        )
    except requests.RequestException:
        flash(_("Google could not be reached. Please try again in a moment."), "error")
        return redirect(url_for("auth.login"), 303)


def google_callback() -> Any:
    """Google's answer: sign in the owner who connected this Google account."""
    if not google.available():
        abort(404)
    target = safe_next(session.pop(GOOGLE_NEXT, None))
    try:
        token = google.signin_client().authorize_access_token()
    except (OAuthError, MismatchingStateError, requests.RequestException):
        flash(_("Signing in with Google did not work. Please try again."), "error")
        return redirect(url_for("auth.login"))
    subject = str((token.get("userinfo") or {}).get("sub") or "")
    account = google.account_for_subject(subject)
    if account is None:
        flash(
            _(
                "No Cadre page is linked to this Google account. Sign in with your password, "
                "then connect Google Calendar on your Calendars page."
            ),
            "error",
        )
        return redirect(url_for("auth.login"))
    login_user(account)
    return redirect(target or url_for(HOME), 303)
