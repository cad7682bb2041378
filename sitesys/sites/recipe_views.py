"""A site's client code recipe for clients to read, in the site's client languages: the desk
opens it on the tablet (or a client on their phone) when a client makes up their code.

Public like the drug alerts page, named by the site's opaque public id, showing nothing of the
site but its recipe; an id that does not exist and a closed site get the same answer.
"""

from __future__ import annotations

from flask import Blueprint, Response, make_response, render_template
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit
from sqlalchemy import select

from sitesys.db import get_session
from sitesys.extensions import limiter
from sitesys.i18n import current_locale
from sitesys.sites.models import Site

bp = Blueprint("code_recipe", __name__, url_prefix="/code-recipe")

VIEW_LIMIT = "60 per minute"


def too_many(_limit: RequestLimit) -> Response:
    return make_response(render_template("drugchecks/public_busy.html"), 429)


@bp.get("/<public_id>")
@limiter.limit(VIEW_LIMIT, on_breach=too_many)
def show(public_id: str) -> ResponseReturnValue:
    found = None
    if 0 < len(public_id) <= 24:
        found = get_session().scalar(
            select(Site).where(Site.public_id == public_id, Site.is_active.is_(True))
        )
    if found is None:
        return render_template("sites/code_recipe.html", recipe=None), 404
    return render_template("sites/code_recipe.html", recipe=found.code_recipe(current_locale()))
