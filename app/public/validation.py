"""Input validation at the edge: every bad field is named with a reason; nothing is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

NAME_MAX = 200
EMAIL_MAX = 320
MESSAGE_MAX = 5000
BOOKING_FIELDS = frozenset(
    {"start", "name", "email", "message", "accept_terms", "timezone", "accept_extra_charge"}
)
PRICE_MAX = 200


class InvalidInput(ValueError):
    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = fields


def parse_zone(value: str | None) -> ZoneInfo | None:
    if not value or len(value) > 64 or ".." in value or value.startswith("/"):
        return None
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_aware(value: Any) -> datetime | None:
    """An ISO 8601 date-time that carries its UTC offset (``Z`` accepted)."""
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    return moment


def parse_day(value: str | None) -> date | None:
    if value is None or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def clean_email(value: Any) -> tuple[str | None, str | None]:
    if not isinstance(value, str) or not value.strip():
        return None, _("an e-mail address is required")
    if len(value) > EMAIL_MAX:
        return None, _("at most %(n)d characters", n=EMAIL_MAX)
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized, None
    except EmailNotValidError:
        return None, _("this is not a valid e-mail address")


@dataclass(frozen=True)
class BookingInput:
    start: datetime
    name: str
    email: str
    message: str | None
    timezone: str | None
    # Agreement to pay for a booking beyond the client's package: True (the current price)
    # or the price as it was shown (only that price); None or False: not agreed.
    accept_extra_charge: bool | str | None = None


def booking_input(data: Any) -> BookingInput:
    """Validate a booking request body; raise ``InvalidInput`` naming every bad field."""
    if not isinstance(data, dict):
        raise InvalidInput({"body": _("expected a JSON object")})
    errors: dict[str, str] = {}
    for key in data:
        if key not in BOOKING_FIELDS:
            errors[str(key)[:50]] = _("unknown field")
    start = parse_aware(data.get("start"))
    if start is None:
        errors["start"] = _("expected an ISO 8601 date-time with its UTC offset")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = _("a name is required")
    elif len(name) > NAME_MAX:
        errors["name"] = _("at most %(n)d characters", n=NAME_MAX)
    email, email_error = clean_email(data.get("email"))
    if email_error:
        errors["email"] = email_error
    message = data.get("message")
    if message is not None and not isinstance(message, str):
        errors["message"] = _("expected text")
    elif message is not None and len(message) > MESSAGE_MAX:
        errors["message"] = _("at most %(n)d characters", n=MESSAGE_MAX)
    if data.get("accept_terms") is not True:
        errors["accept_terms"] = _("the terms must be accepted")
    timezone = data.get("timezone")
    if timezone is not None and (not isinstance(timezone, str) or parse_zone(timezone) is None):
        errors["timezone"] = _("unknown time zone")
    accept_extra = data.get("accept_extra_charge")
    if accept_extra is not None and not (
        isinstance(accept_extra, bool)
        or (isinstance(accept_extra, str) and 0 < len(accept_extra) <= PRICE_MAX)
    ):
        errors["accept_extra_charge"] = _("expected true or the price shown")
    if errors:
        raise InvalidInput(errors)
    assert start is not None and email is not None and isinstance(name, str)
    return BookingInput(
        start=start,
        name=name.strip(),
        email=email,
        message=message.strip() if isinstance(message, str) and message.strip() else None,
        timezone=timezone,
        accept_extra_charge=accept_extra,
    )
