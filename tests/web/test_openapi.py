"""The OpenAPI document is valid, matches the routes, and describes real answers."""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.factories import create_owner


def normalized(path: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", path)


def test_document_is_valid_openapi(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc)


def test_document_paths_are_exactly_the_api_routes(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (normalized(path), method.upper()) for path, item in doc["paths"].items() for method in item
    }
    routed = {
        (normalized(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed


def check(doc, path, method, status, body):
    schema = doc["paths"][path][method]["responses"][str(status)]["content"]["application/json"][
        "schema"
    ]
    Draft202012Validator({**schema, "components": doc["components"]}).validate(body)


def test_real_answers_match_their_schemas(app, client):
    with app.app_context():
        create_owner()
    doc = client.get("/api/v1/openapi.json").get_json()
    check(doc, "/api/v1/{owner}", "get", 200, client.get("/api/v1/camille").get_json())
    slots = client.get("/api/v1/camille/discovery/slots?from=2027-01-05&to=2027-01-06")
    check(doc, "/api/v1/{owner}/{offer}/slots", "get", 200, slots.get_json())
    body = {"start": "2027-01-05T09:00:00+01:00", "name": "Ana", "email": "a@example.com",
            "accept_terms": True}  # fmt: skip
    created = client.post("/api/v1/camille/discovery/bookings", json=body)
    check(doc, "/api/v1/{owner}/{offer}/bookings", "post", 201, created.get_json())
    taken = client.post("/api/v1/camille/discovery/bookings", json=body)
    check(doc, "/api/v1/{owner}/{offer}/bookings", "post", 409, taken.get_json())
    closed = client.post(
        "/api/v1/camille/discovery/bookings", json={**body, "start": "2027-01-09T09:00:00+01:00"}
    )
    check(doc, "/api/v1/{owner}/{offer}/bookings", "post", 422, closed.get_json())
    invalid = client.post("/api/v1/camille/discovery/bookings", json={"start": "soon"})
    check(doc, "/api/v1/{owner}/{offer}/bookings", "post", 400, invalid.get_json())
    token = created.get_json()["manage_url"].rsplit("/", 1)[1]
    check(
        doc, "/api/v1/manage/{token}", "get", 200, client.get(f"/api/v1/manage/{token}").get_json()
    )
