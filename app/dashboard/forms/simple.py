"""The dashboard's small forms (Flask-WTF: each carries its CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField


class CsrfForm(FlaskForm):
    """Nothing but the CSRF token: buttons that change one thing, and the editor's pages
    (whose fields are named by their path in the boundaries file, see ``editor``)."""


class FeedForm(FlaskForm):
    name = StringField(_l("Name"))
    ics = StringField(_l("Address of the ICS feed (https://…)"))


class CancelForm(FlaskForm):
    note = TextAreaField(_l("Message to the client (added to the cancellation e-mail)"))


class ImportForm(FlaskForm):
    file = FileField(_l("A boundaries file (.toml)"))
    text = TextAreaField(_l("Or paste the file's text"))
