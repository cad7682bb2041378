"""The home page: what this role needs first."""

from __future__ import annotations

from flask import Blueprint, g, render_template
from flask.typing import ResponseReturnValue

from sitesys.auth.forms import SwitchSiteForm
from sitesys.auth.guard import current_staff
from sitesys.db import get_session
from sitesys.incidents.tasks import reminders_for

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    staff = current_staff()
    site = g.get("site")
    return render_template(
        "home/index.html",
        staff=staff,
        site=site,
        switch_form=SwitchSiteForm(),
        report_reminders=reminders_for(get_session(), staff, site) if site else [],
    )
