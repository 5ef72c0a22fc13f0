"""Helpers for the HTML page tests: CSRF tokens, hooks, and posting the booking form."""

from __future__ import annotations

import re
from html import unescape

EN = {"Accept-Language": "en"}
NY = "America/New_York"


def html_of(response) -> str:
    """The page's HTML with CLDR's narrow and no-break spaces (``3:30\u202fAM``) made plain."""
    return response.get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")


def csrf_token(html: str, form_id: str = "csrf_token") -> str:
    match = re.search(rf'id="{form_id}" name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def slot_starts(html: str) -> list[str]:
    return re.findall(r'data-slot-start="([^"]+)"', html)


def element_text(html: str, element_id: str) -> str:
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element #{element_id}"
    return unescape(re.sub(r"<[^>]+>", "", match.group(2))).strip()


def attribute(html: str, element_id: str, name: str) -> str:
    match = re.search(rf'<[^>]*\bid="{element_id}"[^>]*>', html)
    assert match, f"no element #{element_id}"
    value = re.search(rf'\b{name}="([^"]*)"', match.group(0))
    assert value, f"#{element_id} has no {name}"
    return unescape(value.group(1))


def input_value(html: str, name: str) -> str | None:
    for tag in re.findall(r"<(?:input|textarea)[^>]*>(?:[^<]*</textarea>)?", html):
        if f'name="{name}"' in tag and 'type="hidden"' not in tag:
            if tag.startswith("<textarea"):
                return unescape(re.sub(r"^<textarea[^>]*>(\r?\n)?|</textarea>$", "", tag))
            value = re.search(r'value="([^"]*)"', tag)
            return unescape(value.group(1)) if value else ""
    return None


def book_form(
    client,
    start: str,
    *,
    owner: str = "camille",
    offer: str = "discovery",
    tz: str = NY,
    headers: dict[str, str] | None = None,
    **fields: str,
):
    """Load the booking page (for its CSRF token) and post the form like a browser without JS."""
    page = client.get(f"/{owner}?offer={offer}&tz={tz}", headers=headers or EN)
    data = {
        "csrf_token": csrf_token(page.get_data(as_text=True)),
        "start": start,
        "name": "Ana Client",
        "email": "ana@example.com",
        "message": "",
        "accept_terms": "y",
        "timezone": tz,
        **fields,
    }
    return client.post(f"/{owner}/{offer}/book", data=data, headers=headers or EN)
