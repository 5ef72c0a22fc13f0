"""Plain-language text for each refusal code (public contract codes, translated)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

REFUSAL_TEXT = {
    "too_soon": _l("This time is too soon: bookings need more notice."),
    "too_far": _l("This time is too far ahead: bookings open a limited number of days in advance."),
    "closed_day": _l("No appointments on this day."),
    "outside_working_hours": _l("This time is outside working hours."),
    "not_a_slot": _l("Appointments start at set times; please pick one of the listed slots."),
    "slot_taken": _l("This time has just been booked by someone else."),
    "busy": _l("This time is no longer available."),
    "daily_limit": _l("This day is fully booked."),
    "weekly_limit": _l("This week is fully booked."),
    "quota_exceeded": _l(
        "Your package includes no more bookings in this period; please choose a date in another."
    ),
    "calendar_stale": _l("Availability is being refreshed; please try again in a few minutes."),
    "too_late_to_reschedule": _l(
        "Free cancellation has ended for this booking, so it can no longer be moved."
    ),
    "cancelled": _l("This booking has been cancelled."),
}


def refusal_text(code: str) -> str:
    return str(REFUSAL_TEXT.get(code, code))


def extra_charge_text(price: str) -> str:
    """Why a booking beyond the client's package waits for their agreement, with the price."""
    return gettext(
        "This booking goes beyond what your package includes for this period: it would be "
        "billed as an extra, %(price)s. Please confirm that you accept this charge.",
        price=price,
    )
