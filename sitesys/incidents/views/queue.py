"""The incidents page: responses running, drafts, clients on site, and the managers' queue
with its CSV export.
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, can, requires
from sitesys.checkin.models import Visit
from sitesys.checkin.services import open_visits
from sitesys.clock import utcnow
from sitesys.db import get_session
from sitesys.forms import ConfirmForm
from sitesys.incidents.floor import active_emergency_visit_ids, open_responses, recently_left
from sitesys.incidents.forms import ExportForm, QueueFilterForm
from sitesys.incidents.kinds import IncidentType, PhysicalHarm
from sitesys.incidents.queue import (
    ACTIVE,
    QueueFilters,
    export_csv,
    queue_statement,
    reports_by_statement,
    unsubmitted_reports,
    urgent_ids,
)
from sitesys.incidents.views import bp, committing_or_403
from sitesys.pagination import page_number, paginate

#: Clients on site offered for "Start emergency response" (a site holds far fewer).
ON_SITE_LIMIT = 200
#: A nurse's own submitted reports per page, below her drafts and the clients on site.
MINE_PER_PAGE = 20


def _filters(form: QueueFilterForm) -> QueueFilters:
    """The filters that passed validation; a refused one is ignored (and marked on the form)."""
    form.validate()
    state = form.state.data if not form.state.errors and form.state.data else ACTIVE
    return QueueFilters(
        date_from=form.date_from.data if not form.date_from.errors else None,
        date_to=form.date_to.data if not form.date_to.errors else None,
        type=IncidentType(form.type.data) if form.type.data and not form.type.errors else None,
        harm=PhysicalHarm(form.harm.data) if form.harm.data and not form.harm.errors else None,
        state=state,
    )


@bp.get("/")
@requires(Capability.REPORT_INCIDENTS)
def index() -> ResponseReturnValue:
    """Everyone's page for responses and reports; those who review also get the queue."""
    db = get_session()
    site = current_site()
    staff = current_staff()
    reviewing = can(Capability.REVIEW_INCIDENTS)
    now = utcnow()
    on_site = open_visits(
        db, site, joinedload(Visit.client), joinedload(Visit.booth), limit=ON_SITE_LIMIT
    )
    left = recently_left(db, site.id, now, limit=ON_SITE_LIMIT)
    context: dict[str, object] = {
        "responses": open_responses(db, site.id),
        "drafts": unsubmitted_reports(db, site, None if reviewing else staff),
        "on_site": on_site,
        "recently_left": left,
        "running": active_emergency_visit_ids(db, site.id, [v.id for v in on_site + left]),
        "confirm": ConfirmForm(),
        "now": now,
    }
    if reviewing:
        filters = QueueFilterForm(request.args)
        page = paginate(db, queue_statement(site, _filters(filters)))
        context.update(
            filters=filters,
            page=page,
            urgent=urgent_ids(db, (incident.id for incident in page.items)),
            export_form=ExportForm(formdata=None),
        )
    else:
        # Each index is read as far down as this page (and one more row, for "Next page").
        reach = page_number() * MINE_PER_PAGE + 1
        context["mine"] = paginate(
            db, reports_by_statement(site, staff, reach), per_page=MINE_PER_PAGE
        )
    return render_template("incidents/index.html", **context)


@bp.post("/export")
@requires(Capability.REVIEW_INCIDENTS)
def export() -> ResponseReturnValue:
    """The filtered queue as a CSV download; narratives only when asked for. Audited."""
    db = get_session()
    site = current_site()
    form = ExportForm()
    if not form.validate_on_submit():
        problems = "; ".join(str(e) for f in form for e in f.errors)
        flash(_("Check the filters: %(problems)s", problems=problems), "error")
        return redirect(url_for("incidents.index"))
    with committing_or_403(db) as outcome:
        text, _count = export_csv(
            db,
            current_staff(),
            site,
            _filters(form),
            include_narratives=bool(form.include_narratives.data),
        )
    if outcome.refused:
        return redirect(url_for("incidents.index"))
    stamp = utcnow().astimezone(site.zone).strftime("%Y%m%d-%H%M")
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="incidents-{stamp}.csv"'},
    )
