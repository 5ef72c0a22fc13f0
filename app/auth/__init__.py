"""Owner accounts: sign-up, sign-in (password; lockout after repeated failures), sessions.

``init_auth(app)`` installs the session cookie rules and the settings below (each can be
given as ``CADRE_<NAME>``); ``require_owner`` guards every owner page.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from .blueprint import auth_bp
from .guard import current_owner, private_headers, require_owner
from .session import SessionInterface, current_account

DEFAULTS = {
    "LOGIN_MAX_FAILURES": 5,  # failed sign-ins in a row for one address ...
    "LOGIN_LOCKOUT_S": 15 * 60,  # ... pause sign-in for it this long
    "LOGIN_RATE_LIMIT": "10 per minute;60 per hour",  # per client address
    "SIGNUP_RATE_LIMIT": "5 per hour",
    "SIGNUP_ENABLED": True,
    "PASSWORD_HASH_METHOD": None,  # werkzeug's scrypt (see passwords.DEFAULT_METHOD)
}

__all__ = [
    "auth_bp",
    "current_account",
    "current_owner",
    "init_auth",
    "private_headers",
    "require_owner",
]


def init_auth(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if app.config.get("PERMANENT_SESSION_LIFETIME") == timedelta(days=31):  # Flask's default
        app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=14)
    app.session_interface = SessionInterface()
    app.register_blueprint(auth_bp)
