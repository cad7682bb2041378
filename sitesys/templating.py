"""Template filters and globals: times shown in the site's zone, roles in the navigation."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, match_skeleton
from flask import Flask, g, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from sitesys.auth.permissions import can, can_open
from sitesys.clock import utcnow
from sitesys.i18n import DEFAULT_LOCALE

DEFAULT_ZONE = ZoneInfo("Europe/London")


def site_zone() -> ZoneInfo:
    site = g.get("site")
    return site.zone if site is not None else DEFAULT_ZONE


#: strftime's directives as SiteSys writes them, and what each is in a Babel (CLDR) pattern as
#: en_GB shows it, and in a skeleton that lets each other locale order and spell it its own way.
_DIRECTIVES: dict[str, tuple[str, str]] = {
    "%d": ("dd", "d"),
    "%-d": ("d", "d"),
    "%b": ("MMM", "MMM"),
    "%B": ("MMMM", "MMMM"),
    "%m": ("MM", "M"),
    "%Y": ("y", "y"),
    "%a": ("EEE", "E"),
    "%A": ("EEEE", "EEEE"),
    "%H": ("HH", "H"),
    "%M": ("mm", "m"),
    "%S": ("ss", "s"),
}
_DIRECTIVE = re.compile(r"%-?[a-zA-Z]")
_TIME_FIELDS = frozenset("Hms")


@lru_cache(maxsize=512)
def _patterns(locale_code: str, fmt: str) -> tuple[str, ...]:
    """The Babel patterns that show ``fmt`` in a locale: (pattern,) or (date, time, glue).

    en_GB keeps SiteSys's own layout exactly (06 Dec 2026 14:30); every other locale gets its
    own order, words and punctuation for the same fields (fr_CA: 6 déc. 2026, 14 h 30).
    """
    if locale_code == DEFAULT_LOCALE:
        pieces, position = [], 0
        for directive in _DIRECTIVE.finditer(fmt):
            literal = fmt[position : directive.start()]
            pieces.append(f"'{literal}'" if any(c.isalpha() for c in literal) else literal)
            pieces.append(_DIRECTIVES[directive.group(0)][0])
            position = directive.end()
        pieces.append(fmt[position:])
        return ("".join(pieces),)
    locale = Locale.parse(locale_code)
    skeleton = "".join(_DIRECTIVES[d][1] for d in _DIRECTIVE.findall(fmt))
    day = "".join(c for c in skeleton if c not in _TIME_FIELDS)
    clock = "".join(c for c in skeleton if c in _TIME_FIELDS)

    def best(part: str) -> str:
        found = match_skeleton(part, locale.datetime_skeletons) or part
        return str(locale.datetime_skeletons[found].pattern)

    if day and clock:
        glue = str(locale.datetime_formats["medium"]).replace("'", "")
        return (best(day), best(clock), glue)
    return (best(day or clock),)


def format_local(value: datetime | date, fmt: str) -> str:
    """A moment (already in the site's zone) or a day, in the request's language; ``fmt`` names
    its fields as strftime would (``%d %b %Y %H:%M``).
    """
    locale = get_locale() or Locale.parse(DEFAULT_LOCALE)
    patterns = _patterns(str(locale), fmt)
    if not isinstance(value, datetime):
        return str(format_date(value, patterns[0], locale=locale))
    if len(patterns) == 1:
        return str(format_datetime(value, patterns[0], locale=locale))
    day, clock, glue = patterns
    return glue.replace("{1}", str(format_datetime(value, day, locale=locale))).replace(
        "{0}", str(format_datetime(value, clock, locale=locale))
    )


def local_time(value: datetime | None, fmt: str = "%H:%M") -> str:
    """A UTC timestamp shown in the current site's zone, in the request's language."""
    if value is None:
        return ""
    return format_local(value.astimezone(site_zone()), fmt)


def local_datetime(value: datetime | None) -> str:
    return local_time(value, "%d %b %Y %H:%M")


def local_day(value: date | None, fmt: str = "%-d %B %Y") -> str:
    """A day (a date, no zone) in the request's language: 6 December 2026, 6 décembre 2026."""
    if value is None:
        return ""
    return format_local(value, fmt)


def minutes_since(value: datetime | None, now: datetime | None = None) -> int:
    if value is None:
        return 0
    return max(0, int(((now or utcnow()) - value).total_seconds() // 60))


def url_with(**changes: Any) -> str:
    """The current list URL with some query arguments changed (filters keep across pages)."""
    args: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict()}
    args.update({key: str(value) for key, value in changes.items()})
    return url_for(request.endpoint or "home.index", **args)


#: The header navigation: (endpoint, label), in the order staff use them. Each link shows to
#: those who may open its view (the view's own capability, see auth/permissions.py); a feature
#: not installed is skipped.
NAVIGATION: tuple[tuple[str, Any], ...] = (
    ("home.index", _l("Home")),
    ("checkin.new", _l("Check in")),
    ("board.index", _l("Board")),
    ("incidents.index", _l("Incidents")),
    ("handovers.index", _l("Handover")),
    ("drugchecks.index", _l("Drug checks")),
    ("alerts.index", _l("Drug alerts")),
    ("care.worklist_page", _l("Referrals")),
    ("supplies.stock", _l("Stock")),
    ("staff.index", _l("Staff")),
    ("sites.index", _l("Sites and booths")),
    ("board.displays", _l("Displays")),
    ("reports.index", _l("Reports")),
    ("audit.index", _l("Audit log")),
)


def _navigation() -> list[tuple[str, str]]:
    """Links in the header for the signed-in member of staff, in the request's language."""
    return [(endpoint, str(label)) for endpoint, label in NAVIGATION if can_open(endpoint)]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["local_day"] = local_day
    app.jinja_env.filters["minutes_since"] = minutes_since
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["can_open"] = can_open

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"navigation": _navigation(), "current_site": g.get("site")}
