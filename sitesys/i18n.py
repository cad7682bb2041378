"""Languages: which locale and time zone a request is shown in, and where catalogues live.

Every string a person reads goes through Flask-Babel: ``_("…")`` in templates, ``gettext`` at
request time and ``lazy_gettext`` at import time (form labels, enum labels) in Python.
Catalogues live in ``sitesys/translations/``; ``make translations`` extracts and updates them.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, g

from sitesys.extensions import babel

TRANSLATIONS = Path(__file__).resolve().parent / "translations"

#: The locale used when neither the staff member nor the site has chosen one.
DEFAULT_LOCALE = "en_GB"


def select_locale() -> str:
    """The language this request is shown in."""
    return DEFAULT_LOCALE


def select_timezone() -> str | None:
    """The current site's zone: times are shown where the site is."""
    site = g.get("site")
    return site.time_zone if site is not None else None


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        default_locale=DEFAULT_LOCALE,
        default_translation_directories=str(TRANSLATIONS),
        locale_selector=select_locale,
        timezone_selector=select_timezone,
    )
