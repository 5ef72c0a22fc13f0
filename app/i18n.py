"""Languages: French and English, chosen per request.

Order: an explicit ``?lang=`` (remembered in a cookie), the cookie, the browser's
Accept-Language, then the owner's locale on their pages, then English.
"""

from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel

LANG_COOKIE = "cadre_lang"


def select_locale() -> str:
    from flask import current_app

    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if asked in languages:
        return str(asked)
    best = request.accept_languages.best_match(languages) if request.accept_languages else None
    if best:
        return str(best)
    owner_locale = getattr(g, "owner_locale", None)
    if owner_locale in languages:
        return str(owner_locale)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def init_i18n(app: Flask, babel: Babel) -> None:
    babel.init_app(app, locale_selector=select_locale)

    @app.after_request
    def _remember_language(response):  # type: ignore[no-untyped-def]
        asked = request.args.get("lang")
        if asked in app.config["LANGUAGES"] and request.cookies.get(LANG_COOKIE) != asked:
            response.set_cookie(
                LANG_COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
            )
        return response
