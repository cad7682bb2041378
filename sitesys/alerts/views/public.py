"""A site's drug alerts for clients: a public page, reached from the QR code on a poster.

The page is named by the site's opaque public id, not its name or number: a poster's QR code
leads to its own site's alerts, the page says nothing of which site it is, and the sites cannot
be listed or counted by trying addresses. A site that turned the page off and an id that does not
exist get the same answer. Only what an alert says for clients is shown (never who published it,
the drug check it came from or anything about a visit), and free text is escaped like all else.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from sqlalchemy import select

from sitesys.alerts.services import active_alerts
from sitesys.db import get_session
from sitesys.extensions import limiter
from sitesys.sites.models import Site, SubstanceOption

bp = Blueprint("public_alerts", __name__, url_prefix="/alerts")

#: Page views per address: far more than a client reading alerts needs, far too few to try ids.
VIEW_LIMIT = "60 per minute"


def too_many(_limit: RequestLimit) -> Response:
    return make_response(render_template("drugchecks/public_busy.html"), 429)


@bp.get("")
@limiter.limit(VIEW_LIMIT, on_breach=too_many)
def about() -> ResponseReturnValue:
    """Without a site's link: where to find it (nothing of any site is listed)."""
    return render_template("alerts/public_about.html")


@bp.get("/<public_id>")
@limiter.limit(VIEW_LIMIT, on_breach=too_many)
def site(public_id: str) -> ResponseReturnValue:
    db = get_session()
    found = None
    if 0 < len(public_id) <= 24:
        found = db.scalar(
            select(Site).where(
                Site.public_id == public_id,
                Site.public_alerts_enabled.is_(True),
                Site.is_active.is_(True),
            )
        )
    if found is None:
        return render_template("alerts/public_missing.html"), 404
    labels: dict[str, str] = dict(
        db.execute(  # type: ignore[arg-type]
            select(SubstanceOption.code, SubstanceOption.label).where(
                SubstanceOption.site_id == found.id
            )
        ).all()
    )
    return render_template(
        "alerts/public_site.html", alerts=active_alerts(db, found), labels=labels, zone=found.zone
    )
