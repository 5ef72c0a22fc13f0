"""Factories for app-level tests: ``create_owner(slug="ana", limits={...})``."""

from __future__ import annotations

import copy
from typing import Any

from app.models import Owner
from app.services.owners import save_boundaries
from schedules import parse_boundaries


def boundaries_doc(**sections: Any) -> dict[str, Any]:
    """A valid boundaries document (TOML structure); each keyword replaces or merges a section.

    Dict sections are merged key by key (``limits={"max_bookings_per_day": 1}``);
    list sections (``offers``, ``closed``, ``override``, ``calendars``) are replaced.
    """
    doc: dict[str, Any] = {
        "owner": {
            "slug": "camille",
            "name": "Camille Martin",
            "email": "camille@example.org",
            "timezone": "Europe/Paris",
            "locale": "fr",
        },
        "hours": {
            "mon": ["09:00-12:30", "14:00-18:00"],
            "tue": ["09:00-12:30", "14:00-18:00"],
            "wed": ["09:00-12:30"],
            "thu": ["09:00-12:30", "14:00-18:00"],
            "fri": ["09:00-12:30"],
        },
        "limits": {
            "min_notice": "24h",
            "max_days_ahead": 60,
            "buffer_before": "0m",
            "buffer_after": "15m",
            "slot_step": "30m",
            "max_bookings_per_day": 4,
            "max_booked_per_day": "5h",
            "max_bookings_per_week": 12,
            "stale_after": "6h",
            "on_stale_calendar": "block",
        },
        "response": {
            "reply_within": "8h",
            "channels": ["email", "booking page"],
            "after_hours": "Messages after hours are answered the next working day.",
        },
        "cancellation": {"free_until": "48h", "late_fee": "50 EUR"},
        "terms": {
            "payment": "Invoice payable within 30 days",
            "late_payment_fee": "40 EUR fixed fee",
            "refund": "Unused sessions are refunded pro rata",
            "termination": "Either side may end the engagement with 14 days' notice",
        },
        "offers": [
            {
                "slug": "discovery",
                "title": "Discovery call",
                "duration": "30m",
                "price": "free",
                "includes": ["one follow-up e-mail"],
                "extras": "Extra calls billed 60 EUR/h",
            },
            {
                "slug": "session",
                "title": "Coaching session",
                "duration": "60m",
                "price": "120 EUR",
                "includes": ["session notes"],
                "extras": "",
            },
        ],
    }
    for name, value in sections.items():
        if isinstance(value, dict) and isinstance(doc.get(name), dict):
            doc[name] = {**doc[name], **copy.deepcopy(value)}
        else:
            doc[name] = copy.deepcopy(value)
    return doc


def create_owner(**sections: Any) -> Owner:
    """Create (or update) an owner through the same service the CLI uses. Needs an app context."""
    return save_boundaries(parse_boundaries(boundaries_doc(**sections))).owner
