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
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from babel import Locale, support
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import Domain, get_locale, refresh
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from sitesys.extensions import babel

if TYPE_CHECKING:
    from sitesys.sites.models import Site

TRANSLATIONS = Path(__file__).resolve().parent / "translations"

#: The locale used when neither the staff member nor the site has chosen one.
DEFAULT_LOCALE = "en_GB"
#: The pseudo-locale: en_GB formatting, every translated string marked and accented.
PSEUDO_LOCALE = "en_XA"
#: Every language SiteSys has (staff screens in en_GB and fr_CA; client-facing pages in all).
#: The languages SiteSys ships (English is the source; the others have catalogues).
SHIPPED_LOCALES = ("en_GB", "fr_CA", "es", "pt", "ar")


def catalogued_locales() -> tuple[str, ...]:
    """The languages with a catalogue in sitesys/translations/ (docs/translations.md: a new
    language is offered to clients as soon as its catalogue is there).
    """
    return tuple(sorted(po.parents[1].name for po in TRANSLATIONS.glob("*/LC_MESSAGES/*.po")))


#: Every language SiteSys has: those it ships and any other with a catalogue.
KNOWN_LOCALES = tuple(dict.fromkeys((*SHIPPED_LOCALES, *catalogued_locales())))


def pseudo_allowed() -> bool:
    """The pseudo-locale is for development and tests, never offered in production."""
    return not current_app.config["SITESYS"].is_production


#: The query argument that chooses a language (?lang=fr_CA). A client-facing page carries it
#: on to the next client-facing page's links; no cookie remembers it, so a phone keeps no trace
#: of a visit beyond its history. Only the pseudo-locale, outside production, is remembered in a
#: cookie (holding the code en_XA and nothing else), so that a developer can click through.
LANGUAGE_ARG = "lang"
LANGUAGE_COOKIE = "sitesys_lang"
LANGUAGE_COOKIE_AGE = 24 * 3600


def asked_language() -> str | None:
    """The language asked for with ``?lang=``, if SiteSys has it."""
    if not has_request_context():
        return None
    asked = request.args.get(LANGUAGE_ARG)
    return asked if asked in KNOWN_LOCALES else None


def pseudo_selected() -> bool:
    """Whether this request is shown in the pseudo-locale: asked for with ?lang=en_XA (or its
    cookie), or a member of staff's own choice, and never in production.
    """
    if not has_request_context():
        return False
    if "sitesys_pseudo" not in g:
        g.sitesys_pseudo = pseudo_allowed() and (
            request.args.get(LANGUAGE_ARG) == PSEUDO_LOCALE
            or (
                LANGUAGE_ARG not in request.args
                and (
                    request.cookies.get(LANGUAGE_COOKIE) == PSEUDO_LOCALE
                    or getattr(_staff(), "language", None) == PSEUDO_LOCALE
                )
            )
        )
    return bool(g.sitesys_pseudo)


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


#: Set on `g` while words are written in the source language (sitesys/source_language.py).
SOURCE_FLAG = "sitesys_source_language"


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

    _source = support.NullTranslations()

    def get_translations(self) -> Any:
        if has_request_context() and g.get(SOURCE_FLAG, False):
            return self._source  # sitesys.source_language: the words as written in the source
        if pseudo_selected():
            return self._pseudo
        return super().get_translations()


# -- Choosing the locale ----------------------------------------------------------------------

#: The languages staff screens are complete in; a member of staff or a site chooses among them.
STAFF_LOCALES = ("en_GB", "fr_CA")
#: Every language is offered to clients; a site chooses which of them its pages offer.
CLIENT_LOCALES = KNOWN_LOCALES
#: Each language named in itself, as a link to it reads (never translated).
LANGUAGE_NAMES = {
    "en_GB": "English",
    "fr_CA": "Français",
    "es": "Español",
    "pt": "Português",
    "ar": "العربية",
    PSEUDO_LOCALE: "Pseudo-locale (en_XA)",
}
for _code in KNOWN_LOCALES:  # a language added since: named in itself by Babel
    _name = Locale.parse(_code).get_display_name(_code) or _code
    LANGUAGE_NAMES.setdefault(_code, _name[:1].upper() + _name[1:])
#: The pages shown to clients: in the language the client picks among the site's client
#: languages (?lang=), whoever opens them. The poster is printed by staff for clients to read.
CLIENT_FACING_ENDPOINTS = frozenset(
    {
        "results.lookup",
        "public_alerts.about",
        "public_alerts.site",
        "privacy.notice",
        "privacy.site",
        "alerts.poster",
        "code_recipe.show",
    }
)


def is_client_facing() -> bool:
    return has_request_context() and request.endpoint in CLIENT_FACING_ENDPOINTS


def _staff() -> Any:
    """The signed-in member of staff, or None (loading them if the guard has not yet)."""
    if request.endpoint in CLIENT_FACING_ENDPOINTS - {"alerts.poster"}:
        return None
    if "_login_user" not in g and g.get("sitesys_loading_staff"):
        return None  # asked while the member of staff is being loaded
    g.sitesys_loading_staff = True
    try:
        user = current_user
        return user if user.is_authenticated else None
    except SQLAlchemyError:
        return None  # the database is down: its 503 page is drawn for nobody in particular
    finally:
        g.sitesys_loading_staff = False


def client_site() -> Site | None:
    """The site a client-facing page belongs to: the one named by its public id, or the
    member of staff's (a poster); None for the pages of no site.
    """
    if "sitesys_client_site" not in g:
        from sitesys.db import get_session
        from sitesys.sites.models import Site

        site = None
        public_id = (request.view_args or {}).get("public_id")
        if isinstance(public_id, str) and 0 < len(public_id) <= 24:
            # Only a site the page shows: a closed site, or one whose alerts page is off, must
            # offer exactly what an id that does not exist does.
            shown = [Site.public_id == public_id, Site.is_active.is_(True)]
            if request.endpoint == "public_alerts.site":
                shown.append(Site.public_alerts_enabled.is_(True))
            site = get_session().scalar(select(Site).where(*shown))
        elif request.endpoint == "alerts.poster":
            site = g.get("site")
        g.sitesys_client_site = site
    return cast("Site | None", g.sitesys_client_site)


def offered_client_languages() -> list[str]:
    """The languages a client-facing page offers: its site's, or all for a page of no site."""
    site = client_site()
    return site.client_language_codes if site is not None else list(CLIENT_LOCALES)


def select_locale() -> str:
    """The language this request is shown in.

    A client-facing page: the language asked for with ?lang= among those the page offers, else
    the site's default if offered, else the first offered. A staff page: the member of staff's
    own choice, else their site's default, else en_GB.
    """
    if not has_request_context():
        # A command or a scheduled job (the reports' kept days, reminders): the source language.
        return DEFAULT_LOCALE
    try:
        return _choose_locale()
    except SQLAlchemyError:
        # The database is down (its 503 page is being drawn): English, asking nothing more.
        return DEFAULT_LOCALE


def _choose_locale() -> str:
    if pseudo_selected():
        return DEFAULT_LOCALE
    if is_client_facing():
        offered = offered_client_languages()
        asked = asked_language()
        if asked is not None and asked in offered:
            return asked
        site = client_site()
        if site is not None and site.default_language in offered:
            return site.default_language
        return offered[0] if offered else DEFAULT_LOCALE
    staff = _staff()
    site = g.get("site")
    for choice in (
        getattr(staff, "language", None),
        site.default_language if site is not None else None,
        asked_language() if staff is None else None,
    ):
        if choice in STAFF_LOCALES:
            return cast(str, choice)
    return DEFAULT_LOCALE


def staff_language_choices() -> list[tuple[str, str]]:
    """(code, name) of the languages a member of staff may choose for their own screens."""
    codes = [*STAFF_LOCALES, *([PSEUDO_LOCALE] if pseudo_allowed() else [])]
    return [(code, LANGUAGE_NAMES[code]) for code in codes]


def language_links() -> list[dict[str, Any]]:
    """The links of a client-facing page to itself in each of its languages (none when it has
    only one).
    """
    if not is_client_facing():
        return []
    offered = offered_client_languages()
    if len(offered) < 2:
        return []
    now = current_locale()
    # Links relative to the page itself (?lang=es): the same whatever address the page was
    # reached by, so a page of no site and a missing one stay alike to the letter.
    return [
        {
            "code": code,
            "lang": code.replace("_", "-"),
            "name": LANGUAGE_NAMES[code],
            "url": "?" + urlencode({LANGUAGE_ARG: code}),
            "current": code == now,
        }
        for code in offered
    ]


def forget_choice() -> None:
    """Choose this request's language again (after a member of staff changed theirs)."""
    g.pop("sitesys_pseudo", None)
    refresh()


def select_timezone() -> str | None:
    """The current site's zone: times are shown where the site is."""
    site = g.get("site")
    return site.time_zone if site is not None else None


def current_locale() -> str:
    """The locale code of this request as SiteSys names it (en_XA for the pseudo-locale)."""
    if pseudo_selected():
        return PSEUDO_LOCALE
    return str(get_locale() or DEFAULT_LOCALE)


#: Locales written right to left (Arabic, and any other Babel says is).
RIGHT_TO_LEFT = frozenset(
    code for code in KNOWN_LOCALES if Locale.parse(code).character_order == "right-to-left"
)


def html_lang() -> str:
    """The page's ``lang`` attribute: a BCP 47 tag (en-GB, fr-CA, ar)."""
    return current_locale().replace("_", "-")


def html_dir() -> str:
    """The page's ``dir`` attribute: rtl for Arabic, ltr otherwise."""
    return "rtl" if current_locale() in RIGHT_TO_LEFT else "ltr"


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
    app.url_defaults(_carry_language)

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {
            "html_lang": html_lang(),
            "html_dir": html_dir(),
            "current_locale": current_locale(),
            "language_links": language_links,
        }


def _carry_language(endpoint: str, values: dict[str, Any]) -> None:
    """A link from a client-facing page to another keeps the language the client picked."""
    if endpoint in CLIENT_FACING_ENDPOINTS and LANGUAGE_ARG not in values and is_client_facing():
        asked = asked_language()
        if asked is not None and asked in offered_client_languages():
            values[LANGUAGE_ARG] = asked


def _remember_language(response: Response) -> Response:
    """Only the pseudo-locale is remembered in a cookie (the code en_XA, nothing else); asking
    for any other language forgets it.
    """
    chosen = request.args.get(LANGUAGE_ARG)
    remembered = request.cookies.get(LANGUAGE_COOKIE)
    if remembered is not None and chosen and chosen != PSEUDO_LOCALE:
        response.delete_cookie(LANGUAGE_COOKIE)
    elif chosen == PSEUDO_LOCALE and pseudo_allowed() and remembered != PSEUDO_LOCALE:
        response.set_cookie(
            LANGUAGE_COOKIE,
            PSEUDO_LOCALE,
            max_age=LANGUAGE_COOKIE_AGE,
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
    return response
