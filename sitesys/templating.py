"""Template filters and globals: times shown in the site's zone, roles in the navigation."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, request, url_for
from flask_login import current_user

from sitesys.auth.roles import Role
from sitesys.db import utcnow

DEFAULT_ZONE = ZoneInfo("Europe/London")


def site_zone() -> ZoneInfo:
    site = g.get("site")
    return site.zone if site is not None else DEFAULT_ZONE


def local_time(value: datetime | None, fmt: str = "%H:%M") -> str:
    """A UTC timestamp shown in the current site's zone."""
    if value is None:
        return ""
    return value.astimezone(site_zone()).strftime(fmt)


def local_datetime(value: datetime | None) -> str:
    return local_time(value, "%d %b %Y %H:%M")


def minutes_since(value: datetime | None, now: datetime | None = None) -> int:
    if value is None:
        return 0
    return max(0, int(((now or utcnow()) - value).total_seconds() // 60))


def url_with(**changes: Any) -> str:
    """The current list URL with some query arguments changed (filters keep across pages)."""
    args: dict[str, Any] = {**(request.view_args or {}), **request.args.to_dict()}
    args.update({key: str(value) for key, value in changes.items()})
    return url_for(request.endpoint or "home.index", **args)


_ALL = tuple(Role)
_FLOOR = (Role.FRONT_DESK, Role.NURSE, Role.MANAGER)
_CLINICAL = (Role.NURSE, Role.MANAGER)

#: The header navigation: (endpoint, label, roles). Entries whose feature is not installed are
#: skipped, so a feature only has to register its blueprint.
NAVIGATION: tuple[tuple[str, str, tuple[Role, ...]], ...] = (
    ("home.index", "Home", _ALL),
    ("checkin.new", "Check in", (Role.FRONT_DESK, Role.NURSE, Role.MANAGER)),
    ("board.index", "Board", _FLOOR),
    ("incidents.index", "Incidents", _CLINICAL),
    ("handovers.index", "Handover", _CLINICAL),
    ("staff.index", "Staff", (Role.ADMIN,)),
    ("sites.index", "Sites and booths", (Role.ADMIN,)),
    ("audit.index", "Audit log", (Role.MANAGER, Role.ADMIN)),
)


def _navigation() -> list[tuple[str, str]]:
    """Links in the header for the signed-in role, in the order staff use them."""
    if not current_user.is_authenticated:
        return []
    role = current_user.role
    return [
        (endpoint, label)
        for endpoint, label, roles in NAVIGATION
        if role in roles and endpoint in current_app.view_functions
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_datetime"] = local_datetime
    app.jinja_env.filters["minutes_since"] = minutes_since
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["Role"] = Role

    @app.context_processor
    def _inject() -> dict[str, Any]:
        return {"navigation": _navigation(), "current_site": g.get("site")}
