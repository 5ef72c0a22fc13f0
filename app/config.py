"""Configuration: defaults for the embedded setup, overridden by the environment.

The public contract names a handful of plain variables (``DATABASE_URL``, ``REDIS_URL``,
``SECRET_KEY``, ``SMTP_URL``, ...). Anything else can be set as ``CADRE_<NAME>``
(Flask's ``from_prefixed_env``), e.g. ``CADRE_RATELIMIT_ENABLED=false``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

PLAIN_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET",
    "SMTP_URL",
    "GOOGLE_API_ENDPOINT",
    "GOOGLE_METADATA_URL",
)


def database_uri(url: str) -> str:
    """Map ``postgresql://``/``postgres://`` URLs onto the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def defaults(instance_path: str) -> dict[str, Any]:
    return {
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + str(Path(instance_path) / "cadre.sqlite"),
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "REDIS_URL": None,
        "SMTP_URL": None,
        "MAIL_FROM": "Cadre <no-reply@cadre.local>",
        "GOOGLE_CLIENT_ID": None,
        "GOOGLE_CLIENT_SECRET": None,
        "GOOGLE_API_ENDPOINT": "https://www.googleapis.com",
        "GOOGLE_METADATA_URL": "https://accounts.google.com/.well-known/openid-configuration",
        "CADRE_ALLOW_LOOPBACK_FEEDS": os.environ.get("CADRE_ALLOW_LOOPBACK_FEEDS") == "1",
        # Public writes are rate-limited per client address; storage follows REDIS_URL.
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "BOOKING_RATE_LIMIT": "10 per minute;60 per hour",
        "SLOTS_MAX_DAYS": 92,
        # Jobs: "rq" when REDIS_URL is set, else a thread pool in each web process.
        "JOBS_MODE": None,
        "BACKGROUND_JOBS": True,  # periodic syncs from the web process (embedded setup)
        "SYNC_INTERVAL_S": 600,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "LANGUAGES": ("en", "fr"),
        "WTF_CSRF_TIME_LIMIT": None,
        # "auto": Secure except in debug/testing and plain HTTP on loopback (app.auth.session).
        "SESSION_COOKIE_SECURE": "auto",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 1024 * 1024,
    }


def load(app: Any, config: dict[str, Any] | None) -> None:
    """Fill ``app.config``: defaults, then the environment, then the explicit mapping."""
    app.config.from_mapping(defaults(app.instance_path))
    for name in PLAIN_ENV:
        value = os.environ.get(name)
        if value:
            app.config[name] = value
    app.config.from_prefixed_env("CADRE")
    if config:
        app.config.from_mapping(config)
    if app.config.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app.config["DATABASE_URL"])
    else:
        app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))


def _instance_secret(instance: Path) -> str:
    """A per-installation secret kept in the instance folder (embedded default only).

    Servers set ``SECRET_KEY``; a laptop gets a random one that survives restarts so
    sessions and CSRF tokens stay valid.
    """
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
