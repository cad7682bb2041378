"""Languages: which locale and time zone a request is shown in, and where catalogues live.

Every string a person reads goes through Flask-Babel: ``_("…")`` in templates, ``gettext`` at
request time and ``lazy_gettext`` at import time (form labels, enum labels) in Python.
Catalogues live in ``sitesys/translations/``; ``make translations`` extracts and updates them.

Outside production a pseudo-locale, ``en_XA``, is offered (``?lang=en_XA`` on any page): every
translated string is shown as ``⟦Ćhéçk îñ⟧``, so text that never went through a catalogue
stands out on the page. It formats dates and numbers as en_GB (Babel has no data for it).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, cast

from babel import support
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import Domain, get_locale

from sitesys.extensions import babel

TRANSLATIONS = Path(__file__).resolve().parent / "translations"

#: The locale used when neither the staff member nor the site has chosen one.
DEFAULT_LOCALE = "en_GB"
#: The pseudo-locale: en_GB formatting, every translated string marked and accented.
PSEUDO_LOCALE = "en_XA"
#: Every language SiteSys has (staff screens in en_GB and fr_CA; client-facing pages in all).
KNOWN_LOCALES = ("en_GB", "fr_CA", "es", "pt", "ar")


def pseudo_allowed() -> bool:
    """The pseudo-locale is for development and tests, never offered in production."""
    return not current_app.config["SITESYS"].is_production


#: The query argument that chooses a language (?lang=fr_CA) and the cookie that remembers it.
#: The cookie holds the language code and nothing else: it tells nobody who is reading.
LANGUAGE_ARG = "lang"
LANGUAGE_COOKIE = "sitesys_lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


def asked_language() -> str | None:
    """The language asked for by ``?lang=`` or remembered in the language cookie, if it is one
    SiteSys knows (the pseudo-locale only outside production).
    """
    if not has_request_context():
        return None
    if "sitesys_asked_language" not in g:
        asked = None
        for candidate in (request.args.get(LANGUAGE_ARG), request.cookies.get(LANGUAGE_COOKIE)):
            if candidate in KNOWN_LOCALES or (candidate == PSEUDO_LOCALE and pseudo_allowed()):
                asked = candidate
                break
        g.sitesys_asked_language = asked
    return cast("str | None", g.sitesys_asked_language)


def pseudo_selected() -> bool:
    """Whether this request is shown in the pseudo-locale."""
    return asked_language() == PSEUDO_LOCALE


# -- The pseudo-locale ------------------------------------------------------------------------

PSEUDO_OPEN = "⟦"
PSEUDO_CLOSE = "⟧"
_ACCENTED = str.maketrans(
    "AaCcEeGgIiLlNnOoSsUuYyZz",
    "ÅåĆćÉéĜĝÎîĹĺÑñÖöŠšÛûÝýŽž",
)
#: Left exactly as written: printf placeholders (%(name)s, %d, %%), HTML tags, character
#: references and str.format fields, which code fills in or a browser reads.
_UNTOUCHED = re.compile(
    r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]"
    r"|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]"
    r"|<[^>]*>"
    r"|&#?\w+;"
    r"|\{[^{}]*\}"
)


def pseudo(text: str) -> str:
    """``text`` in the pseudo-locale: accented and wrapped in ⟦…⟧, placeholders and markup kept."""
    if not text:
        return text
    pieces: list[str] = []
    position = 0
    for kept in _UNTOUCHED.finditer(text):
        pieces.append(text[position : kept.start()].translate(_ACCENTED))
        pieces.append(kept.group(0))
        position = kept.end()
    pieces.append(text[position:].translate(_ACCENTED))
    return PSEUDO_OPEN + "".join(pieces) + PSEUDO_CLOSE


class PseudoTranslations(support.NullTranslations):
    """Translations into the pseudo-locale, made at run time from the English source."""

    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(message)

    def npgettext(self, context: str, singular: str, plural: str, num: int) -> str:
        return pseudo(singular if num == 1 else plural)

    # Flask-Babel and Jinja call the u- names, which NullTranslations binds to its own methods.
    ugettext = gettext
    ungettext = ngettext
    upgettext = pgettext
    unpgettext = npgettext


class SiteSysDomain(Domain):  # type: ignore[misc]
    """The catalogues in sitesys/translations, or the pseudo-locale when it is chosen."""

    _pseudo = PseudoTranslations()

    def get_translations(self) -> Any:
        if pseudo_selected():
            return self._pseudo
        return super().get_translations()


# -- Choosing the locale ----------------------------------------------------------------------


def select_locale() -> str:
    """The language this request is shown in."""
    if pseudo_selected():
        return DEFAULT_LOCALE
    return DEFAULT_LOCALE


def select_timezone() -> str | None:
    """The current site's zone: times are shown where the site is."""
    site = g.get("site")
    return site.time_zone if site is not None else None


def current_locale() -> str:
    """The locale code of this request as SiteSys names it (en_XA for the pseudo-locale)."""
    if pseudo_selected():
        return PSEUDO_LOCALE
    return str(get_locale() or DEFAULT_LOCALE)


#: Locales written right to left.
RIGHT_TO_LEFT = frozenset({"ar"})


def html_lang() -> str:
    """The page's ``lang`` attribute: a BCP 47 tag (en-GB, fr-CA, ar)."""
    return current_locale().replace("_", "-")


def html_dir() -> str:
    """The page's ``dir`` attribute: rtl for Arabic, ltr otherwise."""
    return "rtl" if current_locale().split("_")[0] in RIGHT_TO_LEFT else "ltr"


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        default_locale=DEFAULT_LOCALE,
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=select_locale,
        timezone_selector=select_timezone,
    )
    babel.domain_instance = SiteSysDomain()
    app.after_request(_remember_language)

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {
            "html_lang": html_lang(),
            "html_dir": html_dir(),
            "current_locale": current_locale(),
        }


def _remember_language(response: Response) -> Response:
    """A language chosen with ?lang= is kept in a cookie holding only its code."""
    chosen = request.args.get(LANGUAGE_ARG)
    if chosen and chosen == asked_language() and chosen != request.cookies.get(LANGUAGE_COOKIE):
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=LANGUAGE_COOKIE_AGE,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response
