"""The audit log, for managers (their site) and admins (every site)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.audit.forms import AuditFilterForm
from sitesys.audit.names import detail_words, record_names, record_words
from sitesys.audit.queries import (
    TrailFilters,
    readable_site,
    readable_sites,
    trail_people,
    trail_statement,
)
from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.db import get_session
from sitesys.forms import choices
from sitesys.pagination import paginate
from sitesys.record_ids import record_id
from sitesys.templating import site_zone

bp = Blueprint("audit", __name__, url_prefix="/audit")

#: The actor filter's value for what the scheduler did.
SCHEDULER = "system"


def _filters(form: AuditFilterForm) -> TrailFilters:
    """The filters the form gives. A text filter that failed its check is ignored; a staff
    member or site not on the list still narrows the log (to nothing), beside its message.
    """
    form.validate()
    return TrailFilters(
        action=None if form.action.errors else form.action.data,
        record_type=None if form.record_type.errors else form.record_type.data,
        actor_id=record_id(form.actor.data),
        by_scheduler=form.actor.data == SCHEDULER,
        site_id=record_id(form.site.data),
        date_from=None if form.date_from.errors else form.date_from.data,
        date_to=None if form.date_to.errors else form.date_to.data,
    )


@bp.get("/")
@requires(Capability.READ_AUDIT_LOG)
def index() -> ResponseReturnValue:
    db = get_session()
    limit = readable_site(current_staff(), current_site)
    form = AuditFilterForm(request.args)
    sites = [(str(site.id), site.name) for site in readable_sites(db, limit)]
    if limit is None:
        form.site.choices = choices([("", _("All sites")), *sites])
    else:
        form.site.choices = choices(sites)
        form.site.data = str(limit.id)
    form.actor.choices = choices(
        [("", _("Anyone")), (SCHEDULER, _("SiteSys (scheduler)"))]
        + [(str(person.id), person.display_name) for person in trail_people(db, limit)]
    )
    statement = trail_statement(limit, _filters(form), site_zone())
    page = paginate(db, statement)
    # What a person knows the records by, looked up for this page only.
    names = record_names(db, page.items)
    return render_template(
        "audit/index.html",
        page=page,
        filters=form,
        names=names,
        record_words=record_words,
        detail_words=detail_words,
    )
