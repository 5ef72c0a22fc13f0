from __future__ import annotations

import os

import pytest

from app import create_app
from tests.conftest import base_config


def test_readyz_checks_the_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_request_id_is_echoed_or_made(client):
    given = client.get("/healthz", headers={"X-Request-ID": "abc12345-from-proxy"})
    assert given.headers["X-Request-ID"] == "abc12345-from-proxy"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id; with spaces"})
    assert made.headers["X-Request-ID"] != "bad id; with spaces"
    assert len(made.headers["X-Request-ID"]) == 16


def test_readyz_reports_redis_down(tmp_path):
    app = create_app({**base_config(tmp_path, "sqlite"), "REDIS_URL": "redis://127.0.0.1:1/0"})
    with app.app_context():
        from app.extensions import db

        db.create_all()
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["redis"] == "unreachable"


@pytest.mark.skipif(not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set")
def test_readyz_with_a_live_redis(tmp_path):
    config = {**base_config(tmp_path, "sqlite"), "REDIS_URL": os.environ["TEST_REDIS_URL"]}
    app = create_app(config)
    with app.app_context():
        from app.extensions import db

        db.create_all()
    assert app.test_client().get("/readyz").get_json()["redis"] == "ok"
