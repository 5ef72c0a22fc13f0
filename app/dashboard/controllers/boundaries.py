"""The boundaries editor: one page per section, import and export of the boundaries file.

A section page posts every field under its path in the file (see ``forms.editor``).
``action`` says what to do: ``save`` (validate, store, redirect), ``preview`` (validate
and show the public panel for the draft, store nothing), or add/remove a row (store
nothing). Whatever happens, the page comes back with exactly what was typed.
"""

from __future__ import annotations

from typing import Any

from babel.dates import get_day_names
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app import display
from app.auth import current_owner
from app.clock import now as clock_now
from app.services.owners import owner_boundaries
from schedules import BoundariesError

from ..forms.editor import SECTIONS, Section
from ..forms.paths import Placed, field_id, place
from ..forms.simple import CsrfForm, ImportForm
from ..operations import boundaries as ops


def index() -> Any:
    return redirect(url_for("dashboard.boundaries", section="hours"))


def _render(
    section: Section,
    raw: dict[str, Any],
    *,
    errors: Placed | None = None,
    draft: Any = None,
    unsaved: bool = False,
    status: int = 200,
) -> Any:
    owner = current_owner()
    now = clock_now()
    shown = draft or owner_boundaries(owner)
    return render_template(
        f"dashboard/boundaries/{section.name}.html",
        section=section,
        sections=SECTIONS,
        raw=raw,
        errors=errors or Placed(),
        field_id=field_id,
        form=CsrfForm(),
        preview=ops.preview(shown, now),
        draft=draft is not None,
        unsaved=unsaved,
        zones=display.zone_choices(raw.get("owner.timezone") or owner.timezone, owner.timezone),
        day_names=_day_names(),
    ), status


def _day_names() -> list[str]:
    """Monday first, in the page's language (Babel keys days 0 = Monday … 6 = Sunday)."""
    names = get_day_names("wide", locale=get_locale())
    return [str(names[day]).capitalize() for day in range(7)]


def editor(section: str) -> Any:
    spec = SECTIONS.get(section)
    if spec is None:
        abort(404)
    owner = current_owner()
    if request.method == "GET":
        return _render(spec, spec.from_document(owner.boundaries))
    if not CsrfForm().validate():
        raise CSRFError()
    raw = spec.from_form(request.form)
    action = request.form.get("action", "save")
    if action not in ("save", "preview"):
        if not spec.apply(raw, action):
            abort(400)
        return _render(spec, raw, unsaved=True)
    raw = spec.compact(raw)
    doc = spec.to_document(owner.boundaries, raw)
    try:
        if action == "preview":
            return _render(spec, raw, draft=ops.validate(owner, doc), unsaved=True)
        ops.save(owner, doc)
    except BoundariesError as exc:
        return _render(spec, raw, errors=place(exc.errors, spec.fields(raw)), status=400)
    flash(_("Saved. Your booking page now follows these boundaries."), "success")
    return redirect(url_for("dashboard.boundaries", section=spec.name), 303)


def file_page() -> Any:
    owner = current_owner()
    form = ImportForm()
    if request.method == "GET":
        return render_template("dashboard/boundaries/file.html", form=form, sections=SECTIONS)
    if not form.validate():
        raise CSRFError()
    upload = form.file.data
    text = form.text.data or ""
    if upload is not None and getattr(upload, "filename", ""):
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            form.file.errors = [_("This file is not UTF-8 text.")]
            return render_template(
                "dashboard/boundaries/file.html", form=form, sections=SECTIONS
            ), 400
    if not text.strip():
        form.file.errors = [_("Choose a file or paste its text.")]
        return render_template("dashboard/boundaries/file.html", form=form, sections=SECTIONS), 400
    try:
        ops.import_file(owner, text)
    except BoundariesError as exc:
        form.text.data = text  # nothing is lost: the file comes back to be fixed in place
        return render_template(
            "dashboard/boundaries/file.html", form=form, sections=SECTIONS, errors=exc.errors
        ), 400
    flash(_("Imported. Your booking page now follows this file."), "success")
    return redirect(url_for("dashboard.boundaries", section="hours"), 303)


def export() -> Any:
    owner = current_owner()
    response = Response(ops.export_file(owner), mimetype="application/toml")
    response.headers["Content-Disposition"] = f'attachment; filename="{owner.slug}-boundaries.toml"'
    return response
