"""With REDIS_URL, rate limits are shared by every web process (Flask-Limiter on Redis)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from app import create_app
from app.extensions import db
from tests.conftest import base_config
from tests.factories import create_owner

REDIS_URL = os.environ.get("TEST_REDIS_URL")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL is not set")


def test_two_processes_share_one_budget(tmp_path: Path) -> None:
    prefix = f"cadre-test-{uuid.uuid4().hex[:8]}"
    config = {
        **base_config(tmp_path, "sqlite"),
        "REDIS_URL": REDIS_URL,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": prefix,
        "BOOKING_RATE_LIMIT": "2 per minute",
    }
    first = create_app(config)
    with first.app_context():
        db.create_all()
        create_owner()
    assert first.config["RATELIMIT_STORAGE_URI"] == REDIS_URL
    second = create_app(config)  # another web process on the same database and Redis
    url = "/api/v1/camille/discovery/bookings"
    answers = [
        first.test_client().post(url, json={}).status_code,
        second.test_client().post(url, json={}).status_code,
        first.test_client().post(url, json={}).status_code,
        second.test_client().post(url, json={}).status_code,
    ]
    # Two requests allowed in all (both 400: empty bodies), then 429 from either process.
    assert answers == [400, 400, 429, 429]
    body = second.test_client().post(url, json={}).get_json()
    assert body["error"] == "rate_limited"
    # The count lives in Redis (not in a process's memory), where every process sees it.
    from redis import Redis

    redis = Redis.from_url(REDIS_URL)
    keys = list(redis.scan_iter(f"*{prefix}*"))
    assert keys
    redis.delete(*keys)
    redis.close()
