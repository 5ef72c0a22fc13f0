"""The form that gives a client a package (Flask-WTF: CSRF token included).

The radio buttons and offer checkboxes are drawn by the template from ``PER_CHOICES``,
``BEYOND_CHOICES`` and the owner's offers; their values are checked by the service,
which names the field and the reason.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, StringField

PER_CHOICES = (
    ("week", _l("per week (Monday to Sunday)")),
    ("month", _l("per calendar month")),
)
BEYOND_CHOICES = (
    ("refuse", _l("refuse the booking")),
    ("bill", _l("accept it as an extra, billed at the price below")),
)


class PackageForm(FlaskForm):
    email = EmailField(_l("Client's e-mail"))
    # Several checkboxes named "offers"; none ticked covers every offer.
    offers = StringField(_l("Offers included (none ticked: every offer)"))
    count = StringField(_l("Bookings included"))
    per = StringField(_l("Counted"), default="month")
    beyond = StringField(_l("Beyond that"), default="refuse")
    price = StringField(_l("Price of an extra (e.g. 60 EUR)"))

    def count_value(self) -> int | None:
        """The count as typed, or None when it is not a whole number (the service says why)."""
        text = (self.count.data or "").strip()
        return int(text) if text.isascii() and text.isdigit() else None
