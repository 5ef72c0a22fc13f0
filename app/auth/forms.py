"""Sign-up, sign-in and password forms (Flask-WTF: a CSRF token in each).

Fields only carry text; the rules (addresses, password length, slugs, time zones) are
checked by ``accounts`` so the CLI and the pages refuse the same things the same way.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, StringField


class FieldErrors(FlaskForm):
    """A form whose errors can be attached from outside (field name → reason)."""

    def attach(self, errors: dict[str, str]) -> None:
        for name, reason in errors.items():
            field = self._fields.get(name)
            if field is None or name == "csrf_token":
                self.form_errors.append(reason)
            else:
                field.errors = [*field.errors, reason]


class LoginForm(FieldErrors):
    email = EmailField(_l("E-mail"))
    password = PasswordField(_l("Password"))
    next = HiddenField()


class SignupForm(FieldErrors):
    name = StringField(_l("Your name, as clients will see it"))
    email = EmailField(_l("E-mail (to sign in and to receive bookings)"))
    password = PasswordField(_l("Password (at least 10 characters)"))
    slug = StringField(_l("Your public link"))
    # Rendered as <select> by the template (choices are data, not the form's concern).
    timezone = StringField(_l("Your time zone"))
    locale = StringField(_l("Language of your booking page"))


class ForgotForm(FieldErrors):
    email = EmailField(_l("E-mail"))


class ResetForm(FieldErrors):
    new_password = PasswordField(_l("New password (at least 10 characters)"))


class EmailForm(FieldErrors):
    new_email = EmailField(_l("New sign-in address"))
    email_password = PasswordField(_l("Current password"))


class PasswordForm(FieldErrors):
    current_password = PasswordField(_l("Current password"))
    new_password = PasswordField(_l("New password (at least 10 characters)"))


class ConfirmForm(FlaskForm):
    """A form with nothing but its CSRF token (sign out, buttons that change one thing)."""
