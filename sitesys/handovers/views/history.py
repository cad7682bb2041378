"""The handover page: the shifts to hand over now, and the history of handovers."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from sitesys.auth.guard import current_site
from sitesys.auth.permissions import Capability, requires
from sitesys.clock import utcnow
from sitesys.db import get_session
from sitesys.handovers.choices import handover_choices
from sitesys.handovers.forms import HistoryFilterForm
from sitesys.handovers.queries import HistoryFilters, flagged_shift_keys, history_statement
from sitesys.handovers.setup import shift_after
from sitesys.handovers.views import bp
from sitesys.pagination import paginate


def _filters(form: HistoryFilterForm) -> HistoryFilters:
    """The filters that passed validation; a refused one is ignored (and marked on the form)."""
    form.validate()
    return HistoryFilters(
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data,
        shift=None if form.shift.errors else form.shift.data,
    )


@bp.get("/")
@requires(Capability.HAND_OVER)
def index() -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    filters = HistoryFilterForm(request.args)
    now = utcnow()
    return render_template(
        "handovers/index.html",
        page=paginate(db, history_statement(site, _filters(filters))),
        filters=filters,
        flagged=flagged_shift_keys(db, site),
        choices=handover_choices(db, site, now),
        upcoming=shift_after(db, site, now),
    )
