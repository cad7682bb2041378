"""The home page: what this role needs first."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue

from sitesys.auth.forms import SwitchSiteForm
from sitesys.auth.guard import current_staff

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    staff = current_staff()
    return render_template(
        "home/index.html",
        staff=staff,
        site=g.get("site"),
        switch_form=SwitchSiteForm(),
    )
