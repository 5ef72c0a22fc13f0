"""What every dashboard template can use: the owner, their zone, and which pages exist."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, g, request, url_for

from app.auth import current_owner


def google_pages_url() -> str | None:
    """The Google Calendar pages (``oauth`` blueprint), once they exist."""
    rules = sorted(
        (rule for rule in current_app.url_map.iter_rules() if rule.endpoint.startswith("oauth.")),
        key=lambda rule: (len(rule.rule), rule.rule),
    )
    for rule in rules:
        if "GET" in (rule.methods or ()) and not rule.arguments and "callback" not in rule.rule:
            return url_for(rule.endpoint)
    return None


def template_context() -> dict[str, Any]:
    if "owner" not in g:
        return {}  # an error page before the login guard ran (e.g. a failed CSRF check)
    owner = current_owner()
    return {
        "owner": owner,
        "owner_zone": ZoneInfo(owner.timezone),
        # Pages other engineers add to this blueprint (e.g. dashboard.clients) appear in
        # the menu as soon as their rule exists.
        "url_map_endpoints": current_app.view_functions,
        "google_pages_url": google_pages_url,
        "page_url": request.full_path.rstrip("?") if request.method == "GET" else request.path,
    }
