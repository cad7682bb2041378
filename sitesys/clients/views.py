"""The client page: display tag, visit history and safety flags (nurses and managers)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.checkin.models import Visit
from sitesys.clients.forms import FlagForm, RemoveFlagForm
from sitesys.clients.models import Client, ClientFlag, FlagKind
from sitesys.clients.services import ClientError, add_flag, remove_flag, site_today
from sitesys.db import get_session
from sitesys.pagination import paginate
from sitesys.sites.models import Site

bp = Blueprint("clients", __name__, url_prefix="/clients")

#: Visits a page of the client page lists, newest first.
VISITS_PER_PAGE = 20


def get_client_or_404(session: Session, client_id: uuid.UUID, site: Site) -> Client:
    client = session.scalar(select(Client).where(Client.id == client_id, Client.site_id == site.id))
    if client is None:
        abort(404)
    return client


def _page(client: Client, form: FlagForm, status: int = 200) -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    # The id breaks ties between visits stamped at the same instant, so no page repeats or
    # skips one.
    visits = paginate(
        db,
        select(Visit)
        .where(Visit.client_id == client.id)
        .order_by(Visit.checked_in_at.desc(), Visit.id.desc()),
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
        ),
        status,
    )


@bp.get("/<uuid:client_id>")
@requires(Capability.READ_CLINICAL)
def show(client_id: uuid.UUID) -> ResponseReturnValue:
    client = get_client_or_404(get_session(), client_id, current_site())
    return _page(client, FlagForm())


@bp.post("/<uuid:client_id>/flags")
@requires(Capability.FLAG_CLIENTS)
def add(client_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    client = get_client_or_404(db, client_id, current_site())
    form = FlagForm()
    if form.validate_on_submit():
        try:
            add_flag(
                db,
                current_staff(),
                client,
                kind=FlagKind(form.kind.data),
                note=form.note.data or "",
                ends_on=form.ends_on.data,
            )
        except ClientError as error:
            db.rollback()
            form.ends_on.errors = [str(error)]
        else:
            db.commit()
            flash(f"Flag added to {client.display_tag}.", "success")
            return redirect(url_for("clients.show", client_id=client.id))
    return _page(client, form, 422)


@bp.post("/flags/<int:flag_id>/remove")
@requires(Capability.FLAG_CLIENTS)
def remove(flag_id: int) -> ResponseReturnValue:
    db = get_session()
    flag = db.get(ClientFlag, flag_id)
    if flag is None or flag.client.site_id != current_site().id:
        abort(404)
    form = RemoveFlagForm()
    if not form.validate_on_submit():
        flash("Give a reason for removing the flag.", "error")
        return redirect(url_for("clients.show", client_id=flag.client_id))
    try:
        remove_flag(db, current_staff(), flag, form.reason.data or "")
    except ClientError as error:
        db.rollback()
        flash(str(error), "error")
    else:
        db.commit()
        flash("Flag removed; it stays in the history.", "success")
    return redirect(url_for("clients.show", client_id=flag.client_id))
