"""The OpenAPI 3.1 description of the public JSON API, served at ``/api/v1/openapi.json``.

Kept by hand next to the routes; ``tests/web/test_openapi.py`` checks that the document
is valid and that its paths and methods are exactly the API blueprint's routes.
"""

from __future__ import annotations

from typing import Any

REFUSALS_409 = ["slot_taken", "busy"]
REFUSALS_422 = [
    "outside_working_hours",
    "closed_day",
    "not_a_slot",
    "too_soon",
    "too_far",
    "daily_limit",
    "weekly_limit",
    "quota_exceeded",
    "calendar_stale",
]
EXTRA_CHARGE = "extra_charge_requires_consent"


def _error(codes: list[str], description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Error"},
                        {"properties": {"error": {"enum": codes}}},
                    ]
                }
            }
        },
    }


def _booking_422() -> dict[str, Any]:
    """A refusal by the rules, or a booking beyond a billing package waiting for consent."""
    refusal = _error(REFUSALS_422, "")["content"]["application/json"]["schema"]
    return {
        "description": (
            "The boundaries do not allow this booking; or it goes beyond the client's "
            "package and is billed as an extra at `price`: send it again with "
            "`accept_extra_charge` (and a new `Idempotency-Key`) to book it."
        ),
        "content": {
            "application/json": {
                "schema": {"oneOf": [refusal, {"$ref": "#/components/schemas/ExtraChargeRequired"}]}
            }
        },
    }


def _json(ref: str, description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}},
    }


OWNER = {"name": "owner", "in": "path", "required": True, "schema": {"type": "string"}}
OFFER = {"name": "offer", "in": "path", "required": True, "schema": {"type": "string"}}
TOKEN = {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}
TZ = {
    "name": "tz",
    "in": "query",
    "required": False,
    "description": "IANA time zone for dates and offsets (default: the owner's).",
    "schema": {"type": "string", "example": "America/New_York"},
}
NOT_FOUND = _error(["not_found"], "No such owner, offer or booking.")
INVALID = _error(["invalid_input"], "Bad input; `fields` names each bad field.")
RATE_LIMITED = _error(["rate_limited"], "Too many requests from this address.")

ISO = {"type": "string", "format": "date-time"}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string"},
            "message": {"type": "string"},
            "fields": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
    "Slot": {
        "type": "object",
        "required": ["start", "end"],
        "properties": {"start": ISO, "end": ISO},
    },
    "Slots": {
        "type": "object",
        "required": ["timezone", "slots"],
        "properties": {
            "timezone": {"type": "string"},
            "slots": {"type": "array", "items": {"$ref": "#/components/schemas/Slot"}},
        },
    },
    "BookingRequest": {
        "type": "object",
        "required": ["start", "name", "email", "accept_terms"],
        "additionalProperties": False,
        "properties": {
            "start": {**ISO, "description": "ISO 8601 with its UTC offset."},
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "email": {"type": "string", "format": "email", "maxLength": 320},
            "message": {"type": "string", "maxLength": 5000},
            "accept_terms": {"const": True},
            "timezone": {
                "type": "string",
                "description": "The client's IANA zone; times in answers use it.",
            },
            "accept_extra_charge": {
                "description": (
                    "Agreement to pay for a booking beyond the client's package: `true` "
                    "accepts the package's current extra price, a string accepts only that "
                    "exact price (as returned in `price`). Ignored when nothing is billed."
                ),
                "oneOf": [
                    {"type": "boolean"},
                    {"type": "string", "minLength": 1, "maxLength": 200},
                ],
            },
        },
    },
    "ExtraChargeRequired": {
        "type": "object",
        "required": ["error", "message", "price"],
        "properties": {
            "error": {"const": EXTRA_CHARGE},
            "message": {"type": "string"},
            "price": {"type": "string", "description": "The extra's price, e.g. `60 EUR`."},
        },
    },
    "Booking": {
        "type": "object",
        "required": ["id", "start", "end", "status"],
        "properties": {
            "id": {"type": "string"},
            "offer": {"type": "string"},
            "start": ISO,
            "end": ISO,
            "status": {"enum": ["confirmed", "cancelled"]},
            "manage_url": {"type": "string", "format": "uri"},
            "free_cancellation_until": ISO,
            "late_cancellation": {"type": "boolean"},
            "late_fee": {"type": ["string", "null"]},
            "cancellation_would_be_late": {"type": "boolean"},
            "late_fee_if_cancelled_now": {"type": ["string", "null"]},
            "billable_extra": {
                "description": "Set when booked beyond the client's package, as a billed extra.",
                "type": ["object", "null"],
                "required": ["price"],
                "properties": {"price": {"type": "string"}},
            },
        },
    },
    "Boundaries": {
        "type": "object",
        "required": ["owner", "hours", "offers", "reply_due_if_sent_now"],
        "properties": {
            "owner": {"type": "object"},
            "hours": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
            "closed": {"type": "array", "items": {"type": "object"}},
            "override": {"type": "array", "items": {"type": "object"}},
            "limits": {"type": "object"},
            "response": {"type": "object"},
            "cancellation": {"type": "object"},
            "terms": {"type": "object"},
            "offers": {"type": "array", "items": {"type": "object"}},
            "reply_due_if_sent_now": {"type": ["string", "null"], "format": "date-time"},
            "availability_refreshing": {"type": "boolean"},
        },
    },
}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cadre public API",
            "version": "1",
            "description": "Boundaries, free slots and bookings of Cadre owners. No login.",
        },
        "paths": {
            "/api/v1/{owner}": {
                "get": {
                    "summary": "An owner's public boundaries and offers",
                    "parameters": [OWNER, TZ],
                    "responses": {"200": _json("Boundaries", "Boundaries"), "404": NOT_FOUND},
                }
            },
            "/api/v1/{owner}/{offer}/slots": {
                "get": {
                    "summary": "Free slots of an offer between two dates (inclusive, in `tz`)",
                    "parameters": [
                        OWNER,
                        OFFER,
                        {
                            "name": "from",
                            "in": "query",
                            "schema": {"type": "string", "format": "date"},
                        },
                        {
                            "name": "to",
                            "in": "query",
                            "schema": {"type": "string", "format": "date"},
                        },
                        TZ,
                    ],
                    "responses": {
                        "200": _json("Slots", "Free slots"),
                        "400": INVALID,
                        "404": NOT_FOUND,
                    },
                }
            },
            "/api/v1/{owner}/{offer}/bookings": {
                "post": {
                    "summary": "Book a slot",
                    "parameters": [
                        OWNER,
                        OFFER,
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": "Retries with the same key return the first answer.",
                            "schema": {"type": "string", "maxLength": 200},
                        },
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/BookingRequest"}
                            }
                        },
                    },
                    "responses": {
                        "201": _json("Booking", "Booked; `manage_url` is the client's link"),
                        "400": INVALID,
                        "404": NOT_FOUND,
                        "409": _error(REFUSALS_409, "The time is held by a booking or calendar"),
                        "422": _booking_422(),
                        "429": RATE_LIMITED,
                    },
                }
            },
            "/api/v1/manage/{token}": {
                "get": {
                    "summary": "A booking, through its manage token",
                    "parameters": [TOKEN],
                    "responses": {"200": _json("Booking", "The booking"), "404": NOT_FOUND},
                }
            },
            "/api/v1/manage/{token}/cancel": {
                "post": {
                    "summary": "Cancel (late after `free_cancellation_until`, with the fee)",
                    "parameters": [TOKEN],
                    "responses": {
                        "200": _json("Booking", "Cancelled"),
                        "404": NOT_FOUND,
                        "429": RATE_LIMITED,
                    },
                }
            },
            "/api/v1/manage/{token}/reschedule": {
                "post": {
                    "summary": "Move to another valid slot (until free cancellation ends)",
                    "parameters": [TOKEN],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["start"],
                                    "properties": {"start": ISO},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json("Booking", "Moved"),
                        "400": INVALID,
                        "404": NOT_FOUND,
                        "409": _error([*REFUSALS_409, "cancelled"], "Time held, or cancelled"),
                        "422": _error([*REFUSALS_422, "too_late_to_reschedule"], "Not allowed"),
                        "429": RATE_LIMITED,
                    },
                }
            },
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "responses": {"200": {"description": "OpenAPI document"}},
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
