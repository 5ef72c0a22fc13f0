"""Cadre: a booking page that makes a solopreneur's boundaries real."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import config as config_module
from .database import engine_options, install_engine_events
from .extensions import babel, csrf, db, limiter, migrate


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: ``create_app()`` reads the environment; tests pass a mapping."""
    app = Flask(__name__, instance_relative_config=True)
    config_module.load(app, config)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # answers keep the contract's order
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **engine_options(app.config["SQLALCHEMY_DATABASE_URI"]),
        **app.config["SQLALCHEMY_ENGINE_OPTIONS"],
    }
    if app.config.get("PROXY_FIX_X_FOR"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(app.config["PROXY_FIX_X_FOR"]))  # type: ignore[method-assign]

    from .logging_setup import init_logging

    init_logging(app)
    db.init_app(app)
    install_engine_events(app)
    migrate.init_app(
        app,
        db,
        directory=str(_migrations_dir()),
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        compare_type=True,
        user_module_prefix="app.models.types.",
    )
    csrf.init_app(app)
    limiter.init_app(app)
    from .i18n import init_i18n

    init_i18n(app, babel)

    from .public import api_bp, health_bp, public_bp

    app.register_blueprint(health_bp)
    app.register_blueprint(public_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)

    from .feeds import feeds_bp

    app.register_blueprint(feeds_bp)
    from .auth import init_auth
    from .dashboard import dashboard_bp

    init_auth(app)
    app.register_blueprint(dashboard_bp)

    from .oauth import oauth_bp
    from .services.google_sync import init_google

    app.register_blueprint(oauth_bp)
    init_google(app)
    from .services.sync import init_sync

    init_sync(app)

    from .services.mail import init_mail

    init_mail(app)

    from .cli import register_cli

    register_cli(app)
    return app


def _migrations_dir() -> Any:
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"
