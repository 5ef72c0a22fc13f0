"""Clients: who books, their packages and this period's use; give or remove a package."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.auth import current_owner
from app.clock import now as clock_now
from app.services.owners import owner_boundaries
from app.services.packages import PackageError, add_package, remove_package

from ..forms.packages import BEYOND_CHOICES, PER_CHOICES, PackageForm
from ..forms.simple import CsrfForm
from ..operations import clients as ops


def _page(form: PackageForm, offers: list[str] | None = None, status: int = 200) -> Any:
    owner = current_owner()
    choices = [(offer.slug, offer.title) for offer in owner_boundaries(owner).offers]
    return render_template(
        "dashboard/clients.html",
        clients=ops.clients_overview(owner, clock_now()),
        offer_titles=dict(choices),
        form=form,
        offer_choices=choices,
        chosen_offers=offers or [],
        per_choices=PER_CHOICES,
        beyond_choices=BEYOND_CHOICES,
        limit=ops.CLIENTS_LIMIT,
    ), status


def index() -> Any:
    email = (request.args.get("email") or "").strip()[:320]
    return _page(PackageForm(formdata=None, email=email))


def add() -> Any:
    owner = current_owner()
    form = PackageForm()
    if not form.validate():
        raise CSRFError()
    offers = [slug for slug in request.form.getlist("offers") if slug][:50]
    try:
        row = add_package(
            owner,
            owner_boundaries(owner),
            form.email.data,
            per=form.per.data,
            count=form.count_value(),
            offers=offers or None,
            beyond=form.beyond.data,
            price=form.price.data,
        )
    except PackageError as exc:
        for name, reason in exc.fields.items():
            field = form._fields.get(name)
            if field is None:
                form.form_errors.append(reason)
            else:
                field.errors = [*field.errors, reason]
        return _page(form, offers, 400)
    flash(_("Package added for %(email)s.", email=row.client_email), "success")
    return redirect(url_for("dashboard.clients"), 303)


def remove(package_id: int) -> Any:
    if not CsrfForm().validate():
        raise CSRFError()
    email = remove_package(package_id, owner_id=current_owner().id)
    if email is None:
        abort(404)
    flash(_("The package of %(email)s is removed.", email=email), "success")
    return redirect(url_for("dashboard.clients"), 303)
