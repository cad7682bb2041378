"""The check-in desk and the visit page."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from sitesys.alerts.services import (
    alerts_shown_at,
    matching_alerts,
    record_alerts_shown,
    shown_proof,
)
from sitesys.audit.reads import audit_read
from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, can, requires
from sitesys.checkin.desk import DeskKeys, Lookup, last_choices, look_up
from sitesys.checkin.forms import (
    WAITING_LIST,
    CheckInForm,
    CheckoutForm,
    MoveToBoothForm,
    OverrideDecisionForm,
    ServicesForm,
    VisitStepForm,
)
from sitesys.checkin.history import recent_events
from sitesys.checkin.lifecycle import check_out, move_to_aftercare, move_to_booth
from sitesys.checkin.loaders import get_override_request_or_404, get_visit_or_404
from sitesys.checkin.models import (
    Departure,
    DrugChecked,
    OverrideStatus,
    Route,
    ServiceGiven,
    Visit,
    VisitKind,
    VisitStatus,
)
from sitesys.checkin.overrides import (
    count_waiting,
    decide_override,
    latest_for_client,
    recently_decided,
    request_override,
    waiting_requests,
)
from sitesys.checkin.services import (
    BoothNotFree,
    CheckInRequest,
    CheckInResult,
    ClientAlreadyIn,
    FormAlreadyUsed,
    OverrideReasonNeeded,
    active_substance_codes,
    add_services,
    booth_named,
    check_in,
    free_booths,
    routes_by_booth,
    substance_labels,
    suggested_booth,
)
from sitesys.checkin.whereabouts import client_and_whereabouts, whereabouts
from sitesys.clients.codes import code_key_id
from sitesys.clients.keys import rekey_client, usable_old_keys
from sitesys.clients.models import AgeBand, Client, Gender
from sitesys.clients.services import ClientSummary, active_flags
from sitesys.clock import utcnow
from sitesys.db import begin_writing, committing, get_session, reads_first
from sitesys.drugchecks.forms import VisitSampleForm
from sitesys.drugchecks.models import Sample
from sitesys.drugchecks.samples import (
    link_sample,
    samples_of_visit,
    samples_to_link,
    todays_samples_of_client,
)
from sitesys.extensions import limiter
from sitesys.forms import choices
from sitesys.incidents.floor import may_start_response
from sitesys.observations.chart import render_chart
from sitesys.observations.forms import QuickCheckForm, ScaleForm, StrikeForm
from sitesys.observations.record import clinical_record
from sitesys.record_ids import record_id
from sitesys.refusals import Refused
from sitesys.sites.models import Booth, Site
from sitesys.supplies.services import give_ticked_supplies
from sitesys.templating import local_time

bp = Blueprint("checkin", __name__)

# Where the client is now, beside their tag: a walk-in's tag alone does not say which person.
bp.add_app_template_filter(whereabouts, "whereabouts")
bp.add_app_template_filter(client_and_whereabouts, "client_and_whereabouts")


def _booth_label(booth: Booth) -> str:
    if booth.kind.value == "smoking":
        return str(_("Booth %(booth)s (smoking)", booth=booth.label))
    return str(_("Booth %(booth)s", booth=booth.label))


def _booth_choices(booths: list[Booth]) -> list[SelectChoice]:
    return choices(
        [(WAITING_LIST, _("Waiting list"))] + [(str(b.id), _booth_label(b)) for b in booths]
    )


def _desk_keys() -> DeskKeys:
    config = current_app.config
    return DeskKeys(
        client_code=config["SITESYS_CLIENT_CODE_KEY"],
        confirmation=config["SECRET_KEY"],
        old_client_codes=usable_old_keys(get_session(), config["SITESYS_CLIENT_CODE_OLD_KEYS"]),
    )


def _current_key_id() -> str:
    return code_key_id(current_app.config["SITESYS_CLIENT_CODE_KEY"])


def client_lookup_limit() -> str:
    """Client-code look-ups per address (config.py): a desk never comes near it; a script
    trying codes does.
    """
    return str(current_app.config["SITESYS"].client_lookup_limit)


@bp.route("/checkin", methods=["GET", "POST"])
@limiter.limit(client_lookup_limit, methods=["POST"])
@requires(Capability.CHECK_IN)
@reads_first
def new() -> ResponseReturnValue:
    """The desk: "Find client" looks the code up and saves nothing; "Check in" saves."""
    db = get_session()
    site = current_site()
    form = CheckInForm()
    labels = _accept_choices(form, db, site)
    if request.method == "GET":
        # "Check someone in to booth 3" on the booth page chooses that booth.
        if request.args.get("booth", "").isdigit():
            form.booth.data = request.args["booth"]
        return _render(form, site)
    lookup = look_up(db, site, _desk_keys(), code=form.client_code.data, walk_in=form.walk_in.data)
    _audit_look_up(site, lookup)
    samples = _offer_samples(form, db, site, lookup, labels)
    if form.find.data:
        return _show_client(form, db, site, lookup, labels)
    if form.ask_override.data:
        return _ask_override(form, db, site, lookup)
    return _check_in(form, site, lookup, labels, samples)


def _audit_look_up(site: Site, lookup: Lookup) -> None:
    """Every look-up of a client's code is audited: who looked, and whether it named a client
    (never the code). A client found under an old key is re-digested under the current one.
    """
    if lookup.summary is None or lookup.digest is None:
        return  # a walk-in, or a code refused before any look-up
    client = lookup.summary.client
    if client is not None:
        db = get_session()
        begin_writing(db)
        with committing(db):
            rekey_client(db, current_staff(), client, lookup.digest, _current_key_id())
        audit_read("client.code_looked_up", client, found=True)
    else:
        audit_read("client.code_looked_up", Client, site_id=site.id, found=False)


def _offer_samples(
    form: CheckInForm, session: Session, site: Site, lookup: Lookup, labels: dict[str, str]
) -> dict[str, Sample]:
    """The samples checked today for this client's earlier visit, offered as "Drug checked"
    (a walk-in or a new client has none). Returns them by id, as the form names them.
    """
    client = lookup.summary.client if lookup.summary is not None else None
    if client is None:
        return {}
    offered = {
        str(sample.id): sample for sample in todays_samples_of_client(session, site, client.id)
    }
    no_result = _("no result yet")
    form.samples.choices = choices(
        (
            key,
            f"{sample.reference} · {local_time(sample.received_at)} · "
            f"{labels.get(sample.expected_substance, sample.expected_substance)} · "
            f"{sample.outcome.label if sample.outcome else no_result}",
        )
        for key, sample in offered.items()
    )
    return offered


def _accept_choices(form: CheckInForm, session: Session, site: Site) -> dict[str, str]:
    """The choices a submission is checked against: the site's pick-list, and the booth the
    form names when it is one of the site's, free or not (one taken meanwhile is then answered
    "just taken", not "not a choice"). The desk is shown only the free booths (`_render`).
    Returns the pick-list, code to label.
    """
    labels = active_substance_codes(session, site)
    form.substances.choices = choices(labels.items())
    named = booth_named(session, site, record_id(form.booth.data))
    form.booth.choices = _booth_choices([named] if named is not None else [])
    if not form.submission_key.data:
        form.submission_key.data = str(uuid.uuid4())
    return labels


def _show_client(
    form: CheckInForm, session: Session, site: Site, lookup: Lookup, labels: dict[str, str]
) -> ResponseReturnValue:
    """After "Find client": who the code names (or why it cannot be used), and the proof the
    form carries to "Check in". A returning client's substances and route of their last visit
    are ticked, unless the desk has already chosen some. Nothing is saved.
    """
    form.client_code.errors = [lookup.problem] if lookup.problem else []
    if lookup.confirmation is not None:
        form.confirmed.data = lookup.confirmation
    last = last_choices(session, lookup.summary, labels)
    preselected = last is not None and not form.substances.data and not form.route.data
    if last is not None and preselected:
        form.substances.data = last.substances
        form.route.data = last.route.value
    return _render(form, site, lookup.summary, code_read_as=lookup.read_as, preselected=preselected)


def _ask_override(
    form: CheckInForm, session: Session, site: Site, lookup: Lookup
) -> ResponseReturnValue:
    """Ask a manager to override: the request goes to every manager signed in at the site, and
    the desk's page follows it (`override_status`). The rest of the form is kept as it was.
    """
    client = lookup.summary.client if lookup.summary is not None else None
    if client is None or not lookup.confirmed_by(form.confirmed.data):
        return _show_client(form, session, site, lookup, {})
    begin_writing(session)
    with committing(session) as outcome:
        request = request_override(session, current_staff(), site, client)
        outcome.say(_("Asked the managers on site: this page shows their answer."), "info")
    if not outcome.refused:
        form.override_request.data = str(request.id)
    return _render(form, site, lookup.summary, code_read_as=lookup.read_as)


def _check_in(
    form: CheckInForm,
    site: Site,
    lookup: Lookup,
    labels: dict[str, str],
    samples: dict[str, Sample],
) -> ResponseReturnValue:
    """After "Check in": the check-in saved, or the form again with what stopped it."""
    valid = form.validate()
    if lookup.problem:
        form.client_code.errors = [*form.client_code.errors, lookup.problem]
        valid = False
    if not valid:
        return _render(form, site, lookup.summary, code_read_as=lookup.read_as)
    if not lookup.confirmed_by(form.confirmed.data):
        form.confirmed.data = lookup.confirmation
        flash(_("Check the client's details below, then press Check in again."), "warning")
        return _render(form, site, lookup.summary, code_read_as=lookup.read_as)
    db = get_session()
    # The drug alerts about what the client named are shown to the desk before the check-in is
    # saved, so that the client can be warned; the visit then records that they were.
    alerts = matching_alerts(db, site, form.substances.data or [])
    if alerts and form.alerts_shown.data != shown_proof(alerts, _desk_keys().confirmation):
        flash(
            _("Warn the client about the drug alert below, then press Check in again."), "warning"
        )
        return _render(form, site, lookup.summary, code_read_as=lookup.read_as)
    # Everything above only read; the check-in's writes (and on SQLite its lock) begin here, and
    # the service reads afresh what another desk could have changed meanwhile.
    begin_writing(db)
    staff = current_staff()
    with committing(db, show_refusal=False) as outcome:
        result = check_in(
            db, staff, site, _request(form, lookup.digest, lookup.earlier_digest), labels=labels
        )
        if not result.replayed:
            record_alerts_shown(db, staff, result.visit, alerts)
            for key in form.samples.data or []:
                link_sample(db, staff, samples[key], result.visit)
            # Kits ticked at the desk are given as a quantity of one (supplies/).
            give_ticked_supplies(db, staff, site, result.visit)
        outcome.say(*_checked_in(result))
        if alerts and not result.replayed:
            outcome.say(
                _("Alert shown: %(alerts)s.", alerts="; ".join(alert.title for alert in alerts)),
                "info",
            )
    refusal = outcome.refusal
    if refusal is None:
        return redirect(url_for("checkin.new"))
    if isinstance(refusal, ClientAlreadyIn):
        flash(str(refusal), refusal.category)
        return redirect(url_for("checkin.visit", visit_id=refusal.visit.id))
    _ready_for_another_go(form, refusal)
    return _render(
        form, site, lookup.summary, code_read_as=lookup.read_as, error=str(refusal), status=409
    )


def _request(
    form: CheckInForm, digest: str | None, earlier_digest: str | None = None
) -> CheckInRequest:
    booth = form.booth.data
    # A services-only visit: nobody uses, so no substances, route or booth (forms.py).
    services_only = form.services_only
    return CheckInRequest(
        override_request_id=_uuid_or_none(form.override_request.data),
        code_key_id=_current_key_id() if digest is not None else None,
        submission_key=form.submission_key.data,
        kind=VisitKind.SERVICES_ONLY if services_only else VisitKind.CONSUMPTION,
        route=None if services_only else Route(form.route.data),
        drug_checked=DrugChecked(form.drug_checked.data),
        substances=list(form.substances.data or []),
        code_digest=digest,
        booth_id=None if services_only or booth == WAITING_LIST else int(booth),
        services=[ServiceGiven(s) for s in form.services.data or []],
        age_band=AgeBand(form.age_band.data) if form.age_band.data else None,
        gender=Gender(form.gender.data) if form.gender.data else None,
        override_reason=form.override_reason.data or None,
        earlier_digest=earlier_digest,
    )


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def _checked_in(result: CheckInResult) -> tuple[str, str]:
    """What the desk is told once the check-in is saved (or was already, by a double tap)."""
    visit = result.visit
    tag = visit.display_tag
    where = _("Booth %(booth)s", booth=visit.booth.label) if visit.booth else _("the waiting list")
    if visit.is_services_only:
        where = _("services only, no booth")
    if result.replayed:
        return str(_("Already checked in: %(tag)s, %(where)s.", tag=tag, where=where)), "info"
    if result.new_client:
        return str(
            _("Checked in %(tag)s (new client): %(where)s.", tag=tag, where=where)
        ), "success"
    return str(_("Checked in %(tag)s: %(where)s.", tag=tag, where=where)), "success"


def _ready_for_another_go(form: CheckInForm, refusal: Refused) -> None:
    """The refused form, as the desk needs it to try again."""
    if isinstance(refusal, BoothNotFree):
        form.booth.data = None  # that booth cannot be used now: choose another
    if isinstance(refusal, FormAlreadyUsed):
        form.submission_key.data = str(uuid.uuid4())  # this client's check-in is a new one
    if isinstance(refusal, OverrideReasonNeeded):
        form.override_reason.errors = [str(refusal.field_message)]


def _render(
    form: CheckInForm,
    site: Site,
    summary: ClientSummary | None = None,
    error: str | None = None,
    status: int = 200,
    *,
    preselected: bool = False,
    code_read_as: str | None = None,
) -> ResponseReturnValue:
    db = get_session()
    # Whatever was accepted, the form offers only the booths free now, each marked with the
    # routes it suits so that the page shows those that suit the route chosen.
    free = free_booths(db, site)
    form.booth.choices = _booth_choices(free)
    booth_routes = {
        str(booth_id): [route.value for route in routes]
        for booth_id, routes in routes_by_booth(db, site, free).items()
    }
    status = status if status != 200 or not any(f.errors for f in form) else 422
    # The alerts about the substances ticked are drawn with the form: the desk has been shown
    # them, and the form carries the proof to "Check in".
    alerts = matching_alerts(db, site, form.substances.data or []) if form.substances.data else []
    form.alerts_shown.data = shown_proof(alerts, _desk_keys().confirmation)
    # A restricted client's override request, asked here or from another desk.
    override = None
    if summary is not None and summary.client is not None and summary.restriction is not None:
        override = latest_for_client(
            db, site, summary.client, _uuid_or_none(form.override_request.data)
        )
        form.override_request.data = str(override.id) if override is not None else ""
    # The emergencies of the last 30 days, beside the flags: what the desk must know today.
    events = (
        recent_events(db, summary.client.id, utcnow(), site.zone)
        if summary is not None and summary.client is not None
        else []
    )
    return (
        render_template(
            "checkin/new.html",
            form=form,
            site=site,
            summary=summary,
            error=error,
            can_override=can(Capability.OVERRIDE_RESTRICTION),
            alerts=alerts,
            booth_routes=booth_routes,
            preselected=preselected,
            code_read_as=code_read_as,
            events=events,
            override=override,
        ),
        status,
    )


@bp.get("/visits/<uuid:visit_id>")
@requires(Capability.WORK_FLOOR)
def visit(visit_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    found = get_visit_or_404(db, visit_id, site)
    audit_read("visit.page_read", found)
    move_form = _move_form(db, site, found)
    labels = substance_labels(db, site.id)  # hidden ones too: this visit may name one
    clinical = None
    if can(Capability.READ_CLINICAL):
        # Observations and scores are clinical detail: nurses and managers only.
        record = clinical_record(db, found)
        clinical = {
            "record": record,
            "chart": render_chart(record.observations, site.zone),
            "quick_form": QuickCheckForm(submission_key=str(uuid.uuid4())),
            "strike_form": StrikeForm(),
            "scale_form": ScaleForm(),
        }
    sample_form = VisitSampleForm()
    if can(Capability.LINK_SAMPLES):
        # The day's samples not yet tied to this visit, by the reference on their bag.
        sample_form.sample.choices = choices(
            (str(sample.id), f"{sample.reference} · {local_time(sample.received_at)}")
            for sample in samples_to_link(db, site, found)
        )
    return render_template(
        "checkin/visit.html",
        visit=found,
        substances=[labels.get(s.code, s.code) for s in found.substances],
        flags=active_flags(found.client, site) if found.client else [],
        step_form=VisitStepForm(),
        checkout_form=CheckoutForm(formdata=None),
        move_form=move_form,
        services_form=ServicesForm(),
        clinical=clinical,
        # On the floor, or left within the hour: someone may collapse just outside.
        may_respond=may_start_response(found, utcnow()),
        samples=samples_of_visit(db, found),
        sample_form=sample_form,
        alerts_shown=alerts_shown_at(db, found),
    )


def _move_form(session: Session, site: Site, visit: Visit) -> MoveToBoothForm:
    """The free booths to move a waiting client to, one that suits their route chosen first;
    with none suiting, nothing chosen ("Choose a booth").
    """
    form = MoveToBoothForm()
    free = free_booths(session, site)
    form.booth.choices = choices((str(b.id), _booth_label(b)) for b in free)
    if visit.status is VisitStatus.WAITING and free:
        suggested = suggested_booth(session, site, visit, free)
        if suggested is not None:
            form.booth.data = str(suggested.id)
        else:
            form.booth.choices.insert(0, SelectChoice("", _("Choose a booth")))
            form.booth.data = ""
    return form


#: A step sent from a page with a field missing or a status that is not one.
STEP_FORM_BROKEN = _l("That form was incomplete or out of date; nothing was changed.")


@bp.post("/visits/<uuid:visit_id>/booth")
@requires(Capability.WORK_FLOOR)
def to_booth(visit_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site(), for_update=True)
    form = MoveToBoothForm()
    if not form.validate_on_submit():
        missing_booth = form.booth.errors and not form.expected_status.errors
        flash(
            _("%(problem)s Nothing was changed.", problem=form.booth.errors[0])
            if missing_booth
            else str(STEP_FORM_BROKEN),
            "error",
        )
        return redirect(url_for("checkin.visit", visit_id=visit_id))
    with committing(db) as outcome:
        booth = move_to_booth(
            db,
            current_staff(),
            visit,
            record_id(form.booth.data),
            VisitStatus(form.expected_status.data),
        )
        outcome.say(_("%(tag)s is in Booth %(booth)s.", tag=visit.display_tag, booth=booth.label))
    return redirect(url_for("checkin.visit", visit_id=visit_id))


@bp.post("/visits/<uuid:visit_id>/aftercare")
@requires(Capability.WORK_FLOOR)
def to_aftercare(visit_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site(), for_update=True)
    form = VisitStepForm()
    if not form.validate_on_submit():
        flash(str(STEP_FORM_BROKEN), "error")
        return redirect(url_for("checkin.visit", visit_id=visit_id))
    with committing(db) as outcome:
        move_to_aftercare(db, current_staff(), visit, VisitStatus(form.expected_status.data))
        outcome.say(_("%(tag)s moved to aftercare.", tag=visit.display_tag))
    return redirect(url_for("checkin.visit", visit_id=visit_id))


@bp.post("/visits/<uuid:visit_id>/check-out")
@requires(Capability.WORK_FLOOR)
def checkout(visit_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site(), for_update=True)
    form = CheckoutForm()
    if not form.validate_on_submit():
        flash(str(form.departure.errors[0] if form.departure.errors else STEP_FORM_BROKEN), "error")
        return redirect(url_for("checkin.visit", visit_id=visit_id))
    departure = Departure(form.departure.data or Departure.PLANNED.value)
    with committing(db) as outcome:
        check_out(db, current_staff(), visit, VisitStatus(form.expected_status.data), departure)
        if departure is Departure.PLANNED:
            outcome.say(_("%(tag)s checked out.", tag=visit.display_tag))
        else:
            outcome.say(
                _(
                    "%(tag)s checked out: %(how)s.",
                    tag=visit.display_tag,
                    how=visit.ended_as.lower(),
                )
            )
    if outcome.refused:
        return redirect(url_for("checkin.visit", visit_id=visit_id))
    return redirect(url_for("board.index"))


@bp.post("/visits/<uuid:visit_id>/services")
@requires(Capability.WORK_FLOOR)
def services(visit_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site(), for_update=True)
    form = ServicesForm()
    if not form.validate_on_submit():
        flash(_("Tick at least one service."), "error")
        return redirect(url_for("checkin.visit", visit_id=visit_id))
    db.refresh(visit, ["services"])
    with committing(db) as outcome:
        added = add_services(
            db, current_staff(), visit, [ServiceGiven(s) for s in form.services.data]
        )
        if added:
            outcome.say(_("Recorded: %(services)s.", services=", ".join(s.label for s in added)))
        else:
            outcome.say(_("Those services were already recorded."), "info")
    return redirect(url_for("checkin.visit", visit_id=visit_id))


@bp.get("/checkin/overrides/<uuid:request_id>")
@requires(Capability.CHECK_IN)
def override_status(request_id: uuid.UUID) -> ResponseReturnValue:
    """The desk's view of its override request, polled by the check-in page until answered."""
    request = get_override_request_or_404(get_session(), request_id, current_site())
    return render_template("checkin/_override_status.html", override=request)


@bp.get("/overrides")
@requires(Capability.OVERRIDE_RESTRICTION)
def overrides() -> ResponseReturnValue:
    """The managers' queue: the desk's requests waiting for an answer, and the day's answers."""
    db = get_session()
    site = current_site()
    return render_template(
        "checkin/overrides.html",
        waiting=waiting_requests(db, site),
        decided=recently_decided(db, site),
        form=OverrideDecisionForm(),
    )


@bp.get("/overrides/waiting")
@requires(Capability.OVERRIDE_RESTRICTION)
def overrides_waiting() -> ResponseReturnValue:
    """The small indicator every manager's page polls: how many requests wait."""
    return render_template(
        "checkin/_override_indicator.html", waiting=count_waiting(get_session(), current_site())
    )


@bp.post("/overrides/<uuid:request_id>")
@requires(Capability.OVERRIDE_RESTRICTION)
def decide(request_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    request_row = get_override_request_or_404(db, request_id, current_site(), for_update=True)
    form = OverrideDecisionForm()
    if not form.validate_on_submit() or not (form.approve.data or form.refuse.data):
        flash(
            _(
                "Write the reason, then approve or refuse. Nothing was changed. (%(tag)s)",
                tag=request_row.client.display_tag,
            ),
            "error",
        )
        return redirect(url_for("checkin.overrides"))
    with committing(db) as outcome:
        decide_override(
            db,
            current_staff(),
            request_row,
            approve=bool(form.approve.data),
            reason=form.reason.data or "",
        )
        tag = request_row.client.display_tag
        if request_row.status is OverrideStatus.APPROVED:
            outcome.say(_("Override for %(tag)s approved: the desk can see it.", tag=tag))
        else:
            outcome.say(_("Override for %(tag)s refused: the desk can see it.", tag=tag))
    return redirect(url_for("checkin.overrides"))
