"""The audit log, for managers (their site) and admins (every site)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from sitesys.audit.forms import AuditFilterForm
from sitesys.audit.models import AuditEvent
from sitesys.auth.guard import current_site
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, can, requires
from sitesys.clock import day_bounds
from sitesys.db import get_session
from sitesys.forms import choices
from sitesys.pagination import paginate
from sitesys.record_ids import record_id
from sitesys.sites.models import Site, staff_sites
from sitesys.templating import site_zone

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("/")
@requires(Capability.READ_AUDIT_LOG)
def index() -> ResponseReturnValue:
    db = get_session()
    filters = AuditFilterForm(request.args)
    statement = (
        select(AuditEvent)
        .options(joinedload(AuditEvent.actor), joinedload(AuditEvent.site))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    )
    people = select(Staff).order_by(Staff.display_name).limit(500)
    if can(Capability.READ_EVERY_SITE_AUDIT):
        sites = list(db.scalars(select(Site).order_by(Site.name).limit(500)))
        filters.site.choices = choices([("", "All sites")] + [(str(s.id), s.name) for s in sites])
    else:
        # A manager sees their own site's trail only.
        site = current_site()
        filters.site.choices = choices([(str(site.id), site.name)])
        filters.site.data = str(site.id)
        people = people.join(staff_sites).where(staff_sites.c.site_id == site.id)
    filters.actor.choices = choices(
        [("", "Anyone"), ("system", "SiteSys (scheduler)")]
        + [(str(person.id), person.display_name) for person in db.scalars(people)]
    )
    filters.validate()
    site_id = record_id(filters.site.data)
    if site_id is not None:
        statement = statement.where(AuditEvent.site_id == site_id)
    if filters.action.data and not filters.action.errors:
        # autoescape: "_" and "%" typed in the filter are characters, not wildcards.
        statement = statement.where(
            AuditEvent.action.startswith(filters.action.data, autoescape=True)
        )
    if filters.record_type.data and not filters.record_type.errors:
        statement = statement.where(AuditEvent.record_type == filters.record_type.data)
    if filters.actor.data == "system":
        statement = statement.where(AuditEvent.actor_id.is_(None))
    elif (actor_id := record_id(filters.actor.data)) is not None:
        statement = statement.where(AuditEvent.actor_id == actor_id)
    start, end = day_bounds(
        None if filters.date_from.errors else filters.date_from.data,
        None if filters.date_to.errors else filters.date_to.data,
        site_zone(),
    )
    if start is not None:
        statement = statement.where(AuditEvent.occurred_at >= start)
    if end is not None:
        statement = statement.where(AuditEvent.occurred_at < end)
    return render_template("audit/index.html", page=paginate(db, statement), filters=filters)
