"""The client page: display tag, visit history and safety flags (nurses and managers)."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from sitesys.audit.reads import audit_read
from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.checkin.history import incidents_of_visits, what_happened
from sitesys.checkin.models import Visit
from sitesys.checkin.services import substance_labels
from sitesys.clients.forms import FlagForm, RemoveFlagForm
from sitesys.clients.loaders import get_client_or_404, get_flag_or_404
from sitesys.clients.models import Client, FlagKind
from sitesys.clients.services import add_flag, remove_flag, site_today
from sitesys.db import committing, get_session
from sitesys.pagination import paginate

bp = Blueprint("clients", __name__, url_prefix="/clients")

#: Visits a page of the client page lists, newest first.
VISITS_PER_PAGE = 20


def _page(client: Client, form: FlagForm, status: int = 200) -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    # The id breaks ties between visits stamped at the same instant, so no page repeats or
    # skips one.
    visits = paginate(
        db,
        select(Visit)
        .where(Visit.client_id == client.id)
        .order_by(Visit.checked_in_at.desc(), Visit.id.desc())
        .options(selectinload(Visit.substances)),
        per_page=VISITS_PER_PAGE,
    )
    count = db.scalar(select(func.count()).select_from(Visit).where(Visit.client_id == client.id))
    return (
        render_template(
            "clients/show.html",
            client=client,
            visits=visits,
            visit_count=count,
            form=form,
            remove_form=RemoveFlagForm(),
            today=site_today(site),
            labels=substance_labels(db, site.id),
            incidents=incidents_of_visits(db, visits.items),
            what_happened=what_happened,
        ),
        status,
    )


@bp.get("/<uuid:client_id>")
@requires(Capability.READ_CLINICAL)
def show(client_id: uuid.UUID) -> ResponseReturnValue:
    client = get_client_or_404(get_session(), client_id, current_site())
    audit_read("client.page_read", client)
    return _page(client, FlagForm())


@bp.post("/<uuid:client_id>/flags")
@requires(Capability.FLAG_CLIENTS)
def add(client_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    client = get_client_or_404(db, client_id, current_site())
    form = FlagForm()
    if form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            add_flag(
                db,
                current_staff(),
                client,
                kind=FlagKind(form.kind.data),
                note=form.note.data or "",
                ends_on=form.ends_on.data,
            )
            outcome.say(_("Flag added to %(tag)s.", tag=client.display_tag))
        if not outcome.refused:
            return redirect(url_for("clients.show", client_id=client_id))
        form.ends_on.errors = [str(outcome.refusal)]
    return _page(client, form, 422)


@bp.post("/flags/<int:flag_id>/remove")
@requires(Capability.FLAG_CLIENTS)
def remove(flag_id: int) -> ResponseReturnValue:
    db = get_session()
    flag = get_flag_or_404(db, flag_id, current_site(), for_update=True)
    client_id = flag.client_id
    form = RemoveFlagForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for removing the flag."), "error")
        return redirect(url_for("clients.show", client_id=client_id))
    with committing(db) as outcome:
        remove_flag(db, current_staff(), flag, form.reason.data or "")
        outcome.say(_("Flag removed; it stays in the history."))
    return redirect(url_for("clients.show", client_id=client_id))
