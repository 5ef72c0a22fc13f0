"""Probes for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from app.extensions import db

health_bp = Blueprint("health", __name__)


def _database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        db.session.rollback()
        return False


def _redis_ok(url: str) -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2).ping())
    except RedisError:
        return False


@health_bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """Liveness that also proves the database answers."""
    if not _database_ok():
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok")


@health_bp.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
    """Readiness: the database and, when configured, Redis answer."""
    checks = {"database": "ok" if _database_ok() else "unreachable"}
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        checks["redis"] = "ok" if _redis_ok(redis_url) else "unreachable"
    ready = all(value == "ok" for value in checks.values())
    return jsonify(status="ok" if ready else "error", **checks), 200 if ready else 503
