"""URL rules of the ``auth`` blueprint (sign-up, sign-in, sign-out)."""

from __future__ import annotations

from flask import Blueprint, current_app

from app.extensions import limiter

from . import views
from .guard import private_headers

auth_bp = Blueprint("auth", __name__)
auth_bp.after_request(private_headers)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _signup_limit() -> str:
    return str(current_app.config["SIGNUP_RATE_LIMIT"])


auth_bp.add_url_rule(
    "/login",
    view_func=limiter.limit(_login_limit, methods=["POST"])(views.login),
    methods=["GET", "POST"],
)
auth_bp.add_url_rule(
    "/signup",
    view_func=limiter.limit(_signup_limit, methods=["POST"])(views.signup),
    methods=["GET", "POST"],
)
auth_bp.add_url_rule("/logout", view_func=views.logout, methods=["GET", "POST"])
auth_bp.add_url_rule(
    "/login/forgot",
    "forgot",
    view_func=limiter.limit(_login_limit, methods=["POST"])(views.forgot),
    methods=["GET", "POST"],
)
auth_bp.add_url_rule(
    "/login/reset/<token>",
    "reset",
    view_func=limiter.limit(_login_limit, methods=["POST"])(views.reset),
    methods=["GET", "POST"],
)
auth_bp.add_url_rule(
    "/login/google",
    "google_login",
    view_func=limiter.limit(_login_limit)(views.google_start),
    methods=["POST"],
)
auth_bp.add_url_rule(
    "/login/google/callback", "google_callback", view_func=views.google_callback, methods=["GET"]
)
