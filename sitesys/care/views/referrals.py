"""Referrals: recording one (from a visit, a client or an incident), its page with its steps,
striking it through, and the worklist of follow-ups due.
"""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.care.forms import (
    NOT_LISTED,
    ReferralForm,
    ReferralStepForm,
    StrikeReferralForm,
)
from sitesys.care.loaders import get_referral_or_404
from sitesys.care.models import NEXT_STATES, ReferralState, ReferralType, Urgency
from sitesys.care.referrals import (
    ReferralRequest,
    directory,
    record_step,
    refer,
    strike_referral,
    worklist,
)
from sitesys.care.views import bp
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.checkin.models import Visit
from sitesys.clients.loaders import get_client_or_404
from sitesys.clients.models import Client
from sitesys.db import committing, get_session
from sitesys.forms import choices
from sitesys.incidents.loaders import get_incident_or_404
from sitesys.incidents.models import Incident
from sitesys.pagination import paginate


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        abort(404)


def _context(
    visit_id: str | None, client_id: str | None, incident_id: str | None
) -> tuple[Visit | None, Client | None, Incident | None]:
    """What the referral is made from, each of this site or 404."""
    db, site = get_session(), current_site()
    visit = client = incident = None
    if (found := _uuid(visit_id)) is not None:
        visit = get_visit_or_404(db, found, site)
        client = visit.client
    if (found := _uuid(incident_id)) is not None:
        incident = get_incident_or_404(db, found, site)
        if visit is None and incident.visit is not None:
            visit = incident.visit
            client = visit.client
    if (found := _uuid(client_id)) is not None and client is None:
        client = get_client_or_404(db, found, site)
    return visit, client, incident


@bp.route("/referrals/new", methods=["GET", "POST"])
@requires(Capability.REFER)
def new() -> ResponseReturnValue:
    """Record a referral from a visit, a client or an incident (?visit=, ?client=, ?incident=)."""
    db, site = get_session(), current_site()
    form = ReferralForm()
    services = directory(db, site)
    form.service.choices = choices(
        [(NOT_LISTED, _("Not in the directory"))]
        + [(str(s.id), f"{s.name} ({s.type.label})") for s in services]
    )
    if request.method == "GET":
        form.visit_id.data = request.args.get("visit", "")
        form.client_id.data = request.args.get("client", "")
        form.incident_id.data = request.args.get("incident", "")
        if request.args.get("type") in set(ReferralType):
            form.type.data = request.args["type"]
        if request.args.get("urgency") in set(Urgency):
            form.urgency.data = request.args["urgency"]
        form.submission_key.data = str(uuid.uuid4())
    visit, client, incident = _context(
        form.visit_id.data, form.client_id.data, form.incident_id.data
    )
    if request.method == "POST" and form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            referral, is_new = refer(
                db,
                current_staff(),
                site,
                ReferralRequest(
                    submission_key=form.submission_key.data,
                    type=ReferralType(form.type.data),
                    urgency=Urgency(form.urgency.data),
                    state=ReferralState(form.state.data),
                    service_id=int(form.service.data) if form.service.data else None,
                    service_name=form.service_name.data,
                ),
                client=client,
                visit=visit,
                incident_id=incident.id if incident is not None else None,
            )
            outcome.say(
                _(
                    "Referral to %(service)s recorded (%(state)s).",
                    service=referral.type.short,
                    state=referral.state.label.lower(),
                )
                if is_new
                else _("That referral was already recorded."),
                "success" if is_new else "info",
            )
        if outcome.refusal is None:
            return redirect(_back(visit, client, incident, referral.id))
        form.service.errors = [str(outcome.refusal)]
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "care/referral_new.html",
            form=form,
            services=services,
            visit=visit,
            client=client,
            incident=incident,
        ),
        status,
    )


def _back(
    visit: Visit | None, client: Client | None, incident: Incident | None, referral_id: uuid.UUID
) -> str:
    """Back to the page the referral was made from."""
    if incident is not None:
        return url_for("incidents.show", incident_id=incident.id)
    if visit is not None:
        return url_for("checkin.visit", visit_id=visit.id)
    if client is not None:
        return url_for("clients.show", client_id=client.id)
    return url_for("care.referral", referral_id=referral_id)


@bp.get("/referrals/<uuid:referral_id>")
@requires(Capability.REFER)
def referral(referral_id: uuid.UUID) -> ResponseReturnValue:
    found = get_referral_or_404(get_session(), referral_id, current_site())
    return render_template(
        "care/referral.html",
        referral=found,
        next_states=() if found.is_struck else NEXT_STATES.get(found.state, ()),
        step_form=ReferralStepForm(),
        strike_form=StrikeReferralForm(),
    )


@bp.post("/referrals/<uuid:referral_id>/step")
@requires(Capability.REFER)
def step(referral_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    found = get_referral_or_404(db, referral_id, current_site(), for_update=True)
    form = ReferralStepForm()
    if not form.validate_on_submit():
        flash(_("That form was incomplete or out of date; nothing was changed."), "error")
        return redirect(url_for("care.referral", referral_id=referral_id))
    state = ReferralState(form.state.data)
    with committing(db) as outcome:
        if record_step(
            db, current_staff(), found, state, expected=ReferralState(form.expected.data)
        ):
            outcome.say(_("Referral marked %(state)s.", state=state.label.lower()))
        else:
            outcome.say(
                _("The referral was already marked %(state)s.", state=state.label.lower()), "info"
            )
    return redirect(url_for("care.referral", referral_id=referral_id))


@bp.post("/referrals/<uuid:referral_id>/strike")
@requires(Capability.REFER)
def strike(referral_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    found = get_referral_or_404(db, referral_id, current_site(), for_update=True)
    form = StrikeReferralForm()
    if not form.validate_on_submit():
        flash(_("Give a reason for striking the referral through."), "error")
        return redirect(url_for("care.referral", referral_id=referral_id))
    with committing(db) as outcome:
        strike_referral(db, current_staff(), found, form.reason.data or "")
        outcome.say(_("Referral struck through; it stays on the record."))
    return redirect(url_for("care.referral", referral_id=referral_id))


@bp.get("/referrals")
@requires(Capability.REFER)
def worklist_page() -> ResponseReturnValue:
    """Follow-ups due, soonest first: the signed-in member of staff's, or the whole site's."""
    whose = "site" if request.args.get("who") == "site" else "mine"
    site, staff = current_site(), current_staff()
    page = paginate(get_session(), worklist(site, owner=staff if whose == "mine" else None))
    return render_template("care/worklist.html", page=page, whose=whose)
