"""The privacy notice for clients, at /privacy: what SiteSys keeps about them, what it never
keeps, who sees it, how long it is kept, and that reports publish counts only.

Public, in plain words. `/privacy/<public id>` is one site's notice, reached from its posters as
its drug alerts page is: it adds the site's own retention periods and, when an admin has given
them in the site's settings, the operator's contact and the legal basis. The sites cannot be
listed from here, and a link that names no site gets the general notice.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from sqlalchemy import select

from sitesys.db import get_session
from sitesys.extensions import limiter
from sitesys.sites.models import DEFAULT_CLIENTS_YEARS, DEFAULT_NOTES_YEARS, Site
from sitesys.system.retention import AUDIT_MINIMUM_YEARS, SIGN_IN_FAILURE_DAYS

bp = Blueprint("privacy", __name__, url_prefix="/privacy")

VIEW_LIMIT = "60 per minute"


def too_many(_limit: RequestLimit) -> Response:
    return make_response(render_template("drugchecks/public_busy.html"), 429)


def _notice(site: Site | None) -> str:
    return render_template(
        "privacy/notice.html",
        site=site,
        notes_years=site.retain_notes_years if site else DEFAULT_NOTES_YEARS,
        clients_years=site.retain_clients_years if site else DEFAULT_CLIENTS_YEARS,
        audit_years=AUDIT_MINIMUM_YEARS,
        failure_days=SIGN_IN_FAILURE_DAYS,
    )


@bp.get("")
@limiter.limit(VIEW_LIMIT, on_breach=too_many)
def notice() -> ResponseReturnValue:
    return _notice(None)


@bp.get("/<public_id>")
@limiter.limit(VIEW_LIMIT, on_breach=too_many)
def site(public_id: str) -> ResponseReturnValue:
    found = None
    if 0 < len(public_id) <= 24:
        found = get_session().scalar(
            select(Site).where(Site.public_id == public_id, Site.is_active.is_(True))
        )
    if found is None:
        return _notice(None), 404
    return _notice(found)
