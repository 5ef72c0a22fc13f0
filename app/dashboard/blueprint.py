"""URL rules of the owner's dashboard (``/dashboard``). Every rule requires a signed-in owner.

The login guard is a ``before_request`` of the whole blueprint, so no page can be added
without it; controllers read only ``current_owner()``'s data.
"""

from __future__ import annotations

from flask import Blueprint

from app.auth import private_headers, require_owner

from .controllers import (
    account,
    bookings,
    boundaries,
    calendars,
    clients,
    context,
    home,
    inbox,
    week,
)

dashboard_bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")
dashboard_bp.before_request(require_owner)
dashboard_bp.after_request(private_headers)
dashboard_bp.context_processor(context.template_context)

SECTIONS = "any(hours, 'days-off', limits, policies, offers, profile)"

rules = [
    ("/", "home", home.home, ["GET"]),
    ("/week", "week", week.week, ["GET"]),
    ("/bookings", "bookings", bookings.index, ["GET"]),
    ("/bookings/<booking_id>/cancel", "cancel_booking", bookings.cancel, ["GET", "POST"]),
    ("/inbox", "inbox", inbox.index, ["GET"]),
    ("/inbox/<int:message_id>/answered", "message_answered", inbox.answered, ["POST"]),
    ("/inbox/<int:message_id>/reopen", "message_reopen", inbox.reopen, ["POST"]),
    ("/calendars", "calendars", calendars.index, ["GET"]),
    ("/calendars/sync", "sync_all", calendars.sync_all, ["POST"]),
    ("/calendars/<int:source_id>/sync", "sync_source", calendars.sync_source, ["POST"]),
    ("/calendars/feeds", "add_feed", calendars.add_feed, ["POST"]),
    ("/calendars/<int:source_id>/remove", "remove_feed", calendars.remove_feed, ["POST"]),
    ("/calendars/bookings-feed/rotate", "rotate_feed", calendars.rotate_feed, ["POST"]),
    ("/boundaries", "boundaries_index", boundaries.index, ["GET"]),
    (f"/boundaries/<{SECTIONS}:section>", "boundaries", boundaries.editor, ["GET", "POST"]),
    ("/boundaries/file", "boundaries_file", boundaries.file_page, ["GET", "POST"]),
    ("/boundaries/export.toml", "export_boundaries", boundaries.export, ["GET"]),
    ("/account", "account", account.index, ["GET", "POST"]),
    ("/account/email", "account_email", account.change_address, ["POST"]),
    ("/clients", "clients", clients.index, ["GET"]),
    ("/clients/packages", "add_package", clients.add, ["POST"]),
    ("/clients/packages/<int:package_id>/remove", "remove_package", clients.remove, ["POST"]),
]
for path, endpoint, view, methods in rules:
    dashboard_bp.add_url_rule(path, endpoint, view, methods=methods)
