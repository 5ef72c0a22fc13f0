"""Friendly error pages for the whole site (JSON under ``/api/`` for API clients)."""

from __future__ import annotations

import logging
from typing import Any

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.extensions import db

from .pages import public_bp

log = logging.getLogger(__name__)


def _texts(code: int) -> tuple[str, str]:
    if code == 404:
        return _("Page not found"), _(
            "There is no page at this address. Check the link you were given."
        )
    if code == 429:
        return _("Too many attempts"), _(
            "You have sent this form many times in a short while. Please wait a minute and try "
            "again; nothing you typed has been booked twice."
        )
    if code == 400:
        return _("This form has expired"), _(
            "For your safety, forms are valid for one visit. Please go back, reload the page and "
            "send it again."
        )
    if code == 405:
        return _("Page not found"), _("This address cannot be used this way.")
    return _("Something went wrong"), _(
        "Sorry, we could not complete this request. Nothing was booked. Please try again in a "
        "moment."
    )


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_page(code: int) -> tuple[Any, int]:
    title, text = _texts(code)
    if _wants_json():
        names = {404: "not_found", 429: "rate_limited", 400: "invalid_input", 405: "not_allowed"}
        return jsonify(error=names.get(code, "server_error"), message=text), code
    return render_template("errors/error.html", code=code, title=title, text=text), code


@public_bp.app_errorhandler(404)
def not_found(_exc: Any):  # type: ignore[no-untyped-def]
    return error_page(404)


@public_bp.app_errorhandler(405)
def not_allowed(_exc: Any):  # type: ignore[no-untyped-def]
    return error_page(405)


@public_bp.app_errorhandler(429)
def rate_limited(_exc: Any):  # type: ignore[no-untyped-def]
    return error_page(429)


@public_bp.app_errorhandler(CSRFError)
def csrf_failed(_exc: CSRFError):  # type: ignore[no-untyped-def]
    return error_page(400)


@public_bp.app_errorhandler(500)
def server_error(_exc: Any):  # type: ignore[no-untyped-def]
    db.session.rollback()
    return error_page(500)
