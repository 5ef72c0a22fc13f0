"""JSON shapes of the public API (the contract in ARCHITECTURE.md)."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from flask import url_for

from app.messages import extra_charge_text, refusal_text
from app.models import Booking, Owner
from app.services.bookings import Outcome, refusal_status
from schedules import Boundaries, Slot, boundaries_to_dict, cancellation_deadline

PUBLIC_SECTIONS = ("hours", "limits", "response", "cancellation", "terms")
PRIVATE_LIMITS = ("stale_after", "on_stale_calendar")
# Beyond a billing package: send the request again with ``accept_extra_charge``.
EXTRA_CHARGE_CODE = "extra_charge_requires_consent"


def local_iso(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat()


@lru_cache(maxsize=32768)
def slot_item(slot: Slot, zone: ZoneInfo) -> dict[str, str]:
    """One slot as the API shows it (read-only: the dict is shared between answers).

    Formatting is most of a cached slots answer (two zone conversions per slot, hundreds
    of slots for 60 days); the same slots are asked for again and again. An entry costs
    about 480 bytes: at most about 16 MB per process.
    """
    return {"start": local_iso(slot.start, zone), "end": local_iso(slot.end, zone)}


def public_boundaries(
    owner: Owner,
    boundaries: Boundaries,
    today: Any,
    reply_due: datetime | None,
    stale: bool,
    zone: ZoneInfo,
) -> dict[str, Any]:
    """The owner's boundaries as clients may see them: no calendars, no busy detail."""
    document = boundaries_to_dict(boundaries)
    body: dict[str, Any] = {
        "owner": {
            "slug": owner.slug,
            "name": owner.name,
            "timezone": owner.timezone,
            "locale": owner.locale,
        },
    }
    for section in PUBLIC_SECTIONS:
        body[section] = dict(document.get(section, {}))
    for key in PRIVATE_LIMITS:
        body["limits"].pop(key, None)
    body["closed"] = [c for c in document.get("closed", []) if c["to"] >= today.isoformat()]
    body["override"] = [o for o in document.get("override", []) if o["date"] >= today.isoformat()]
    body["offers"] = document.get("offers", [])
    body["reply_due_if_sent_now"] = local_iso(reply_due, zone) if reply_due else None
    body["availability_refreshing"] = stale
    return body


def booking_body(booking: Booking, boundaries: Boundaries, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "id": booking.id,
        "offer": booking.offer_slug,
        "start": local_iso(booking.start, zone),
        "end": local_iso(booking.end, zone),
        "status": booking.status.value,
        "free_cancellation_until": local_iso(
            cancellation_deadline(boundaries.policy, booking.start), zone
        ),
        "late_cancellation": booking.late_cancellation,
        "late_fee": booking.late_fee,
        # Beyond the client's package: billed on top, at the price they agreed to.
        "billable_extra": {"price": booking.extra_price} if booking.billable_extra else None,
    }


def render_outcome(
    outcome: Outcome, boundaries: Boundaries, zone: ZoneInfo
) -> tuple[int, dict[str, Any]]:
    if outcome.replayed is not None and outcome.replayed_status is not None:
        return outcome.replayed_status, outcome.replayed
    if outcome.refusal is not None:
        code = outcome.refusal.value
        return refusal_status(outcome.refusal), {"error": code, "message": refusal_text(code)}
    if outcome.extra_charge is not None:
        return 422, {
            "error": EXTRA_CHARGE_CODE,
            "message": extra_charge_text(outcome.extra_charge),
            "price": outcome.extra_charge,
        }
    assert outcome.booking is not None and outcome.token is not None
    body = booking_body(outcome.booking, boundaries, zone)
    body["manage_url"] = url_for("public.manage", token=outcome.token, _external=True)
    return 201, body


def error(code: str, message: str, status: int, fields: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    from flask import jsonify

    body: dict[str, Any] = {"error": code, "message": message}
    if fields:
        body["fields"] = fields
    return jsonify(body), status
