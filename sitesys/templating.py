"""Template filters and globals: times shown in the site's zone, roles in the navigation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, g, request, url_for
from flask_babel import lazy_gettext as _l

from sitesys.auth.permissions import can, can_open
from sitesys.clock import utcnow, written

DEFAULT_ZONE = ZoneInfo("Europe/London")


def site_zone() -> ZoneInfo:
    site = g.get("site")
    return site.zone if site is not None else DEFAULT_ZONE


def local_time(value: datetime | None, fmt: str = "%H:%M") -> str:
    """A UTC timestamp shown in the current site's zone, in the request's language."""
    if value is None:
        return ""
    return written(value.astimezone(site_zone()), fmt)


def local_datetime(value: datetime | None) -> str:
    return local_time(value, "%d %b %Y %H:%M")


def local_day(value: date | None, fmt: str = "%-d %B %Y") -> str:
    """A day (a date, no zone) in the request's language: 6 December 2026, 6 décembre 2026."""
    if value is None:
        return ""
    return written(value, fmt)


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
