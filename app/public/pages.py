"""Server-rendered public pages: the index, an owner's booking page, managing a booking."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from app.extensions import db
from app.models import Owner
from app.services.bookings import find_by_token

public_bp = Blueprint("public", __name__)


@public_bp.get("/")
def index():  # type: ignore[no-untyped-def]
    owners = db.session.scalars(select(Owner).order_by(Owner.name)).all()
    return render_template("public/index.html", owners=owners)


@public_bp.get("/manage/<token>")
def manage(token: str):  # type: ignore[no-untyped-def]
    booking = find_by_token(token)
    if booking is None:
        abort(404)
    return render_template("public/manage.html", booking=booking, token=token)
