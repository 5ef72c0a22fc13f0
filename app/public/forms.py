"""The public HTML forms (Flask-WTF: CSRF token in every form).

The fields are checked by the same functions as the JSON API (``validation.py``), so a
name, an e-mail or a start time means the same thing on both sides; errors land on the
form's fields and the typed values stay in place.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, StringField, TextAreaField

from .validation import (
    MESSAGE_MAX,
    NAME_MAX,
    BookingInput,
    InvalidInput,
    booking_input,
    clean_email,
    parse_zone,
)


class _Form(FlaskForm):
    def attach(self, errors: dict[str, str]) -> None:
        """Show ``errors`` (field name → reason) on the fields; unknown names go to ``form``."""
        for name, reason in errors.items():
            field = self._fields.get(name)
            if field is None:
                self.form_errors.append(reason)
            else:
                field.errors = [*field.errors, reason]

    def problems(self) -> bool:
        return bool(self.form_errors) or any(f.errors for f in self)


class BookingForm(_Form):
    start = StringField()  # rendered as the slot picker's radio buttons
    name = StringField(_l("Your name"))
    email = EmailField(_l("Your e-mail"))
    message = TextAreaField(_l("Anything I should know? (optional)"))
    accept_terms = BooleanField(_l("I accept these terms"))
    timezone = HiddenField()
    # A checkbox whose value is the extra price shown (beyond the client's package).
    accept_extra_charge = StringField()

    def booking_input(self) -> BookingInput | None:
        """The validated booking, or None with the errors attached to the fields."""
        try:
            return booking_input(
                {
                    "start": self.start.data or None,
                    "name": self.name.data or "",
                    "email": self.email.data or "",
                    "message": self.message.data or None,
                    "accept_terms": bool(self.accept_terms.data),
                    "timezone": self.timezone.data or None,
                    "accept_extra_charge": self.accept_extra_charge.data or None,
                }
            )
        except InvalidInput as exc:
            fields = dict(exc.fields)
            if "start" in fields:
                fields["start"] = _("Please choose one of the free times.")
            self.attach(fields)
            return None


@dataclass(frozen=True)
class MessageInput:
    name: str
    email: str
    body: str
    timezone: str | None


class MessageForm(_Form):
    # Same field names as the booking form, other ids: both forms share the owner's page.
    name = StringField(_l("Your name"), id="write-name")
    email = EmailField(_l("Your e-mail"), id="write-email")
    message = TextAreaField(_l("Your message"), id="write-message")
    timezone = HiddenField(id="write-timezone")

    def message_input(self) -> MessageInput | None:
        errors: dict[str, str] = {}
        name = (self.name.data or "").strip()
        if not name:
            errors["name"] = _("a name is required")
        elif len(name) > NAME_MAX:
            errors["name"] = _("at most %(n)d characters", n=NAME_MAX)
        email, email_error = clean_email(self.email.data)
        if email_error:
            errors["email"] = email_error
        body = (self.message.data or "").strip()
        if not body:
            errors["message"] = _("please write your message")
        elif len(body) > MESSAGE_MAX:
            errors["message"] = _("at most %(n)d characters", n=MESSAGE_MAX)
        if errors:
            self.attach(errors)
            return None
        assert email is not None
        zone = parse_zone(self.timezone.data)
        return MessageInput(name, email, body, zone.key if zone else None)
