"""The check-in desk and the visit page."""

from __future__ import annotations

import hashlib
import hmac
import uuid

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms.fields.choices import SelectChoice

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, can, requires
from sitesys.checkin.forms import (
    WAITING_LIST,
    CheckInForm,
    MoveToBoothForm,
    ServicesForm,
    VisitStepForm,
)
from sitesys.checkin.lifecycle import VisitChanged, check_out, move_to_aftercare, move_to_booth
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.checkin.models import DrugChecked, Route, ServiceGiven, VisitStatus
from sitesys.checkin.services import (
    BoothNotFree,
    CheckInError,
    CheckInRequest,
    ClientAlreadyIn,
    ClientRestricted,
    FormAlreadyUsed,
    active_substance_codes,
    add_services,
    booths_suiting,
    check_in,
    free_booths,
    substance_labels,
)
from sitesys.checkin.whereabouts import client_and_whereabouts, whereabouts
from sitesys.clients.codes import code_digest, code_problem, normalise_code
from sitesys.clients.models import AgeBand, Gender
from sitesys.clients.services import ClientSummary, active_flags, summarise
from sitesys.clock import utcnow
from sitesys.db import begin_writing, get_session, reads_first
from sitesys.forms import choices
from sitesys.incidents.floor import may_start_response
from sitesys.observations.chart import render_chart
from sitesys.observations.forms import QuickCheckForm, ScaleForm, StrikeForm
from sitesys.observations.record import clinical_record
from sitesys.record_ids import record_id
from sitesys.sites.models import Booth, Site

bp = Blueprint("checkin", __name__)

# Where the client is now, beside their tag: a walk-in's tag alone does not say which person.
bp.add_app_template_filter(whereabouts, "whereabouts")
bp.add_app_template_filter(client_and_whereabouts, "client_and_whereabouts")


def _confirm_token(digest: str) -> str:
    """Proof that the desk was shown this client's details (reveals nothing about the code)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"confirm-client:{digest}".encode(), hashlib.sha256).hexdigest()


def _booth_label(booth: Booth) -> str:
    return f"Booth {booth.label}" + (" (smoking)" if booth.kind.value == "smoking" else "")


def _booth_choices(booths: list[Booth]) -> list[SelectChoice]:
    return choices(
        [(WAITING_LIST, "Waiting list")] + [(str(b.id), _booth_label(b)) for b in booths]
    )


def _prepare(
    form: CheckInForm, session: Session, site: Site, *, accepting: bool = False
) -> dict[str, str]:
    """Fill the form's choices: the free booths to show, or, when accepting a submission, the
    booth it names if that is one of the site's, free or not, so that one taken meanwhile is
    answered "just taken", not "not a choice". Returns the pick-list it offered (code to label).
    """
    labels = active_substance_codes(session, site)
    form.substances.choices = choices(labels.items())
    if accepting:
        chosen = record_id(form.booth.data)
        booths = []
        if chosen is not None:
            booths = list(
                session.scalars(
                    select(Booth).where(
                        Booth.id == chosen,
                        Booth.site_id == site.id,
                        Booth.is_retired.is_(False),
                    )
                )
            )
    else:
        booths = free_booths(session, site)
    form.booth.choices = _booth_choices(booths)
    if not form.submission_key.data:
        form.submission_key.data = str(uuid.uuid4())
    return labels


def _request(form: CheckInForm, digest: str | None) -> CheckInRequest:
    booth = form.booth.data
    return CheckInRequest(
        submission_key=form.submission_key.data,
        route=Route(form.route.data),
        drug_checked=DrugChecked(form.drug_checked.data),
        substances=list(form.substances.data or []),
        code_digest=digest,
        booth_id=None if booth == WAITING_LIST else int(booth),
        services=[ServiceGiven(s) for s in form.services.data or []],
        age_band=AgeBand(form.age_band.data) if form.age_band.data else None,
        gender=Gender(form.gender.data) if form.gender.data else None,
        override_reason=form.override_reason.data or None,
    )


WALK_IN_WITH_CODE = "Clear the client code or untick Anonymous walk-in."


def _read_code(form: CheckInForm, site: Site) -> tuple[str | None, str | None]:
    """The client's code digest, or why the code cannot be used; (None, None) for a walk-in.

    A code typed with "Anonymous walk-in" ticked is refused, not dropped: the desk meant one or
    the other, and guessing would either lose a client's visit or record a walk-in by name.
    """
    normalised = normalise_code(form.client_code.data or "")
    if form.walk_in.data:
        return None, WALK_IN_WITH_CODE if normalised else None
    problem = code_problem(normalised, site.code_pattern)
    if problem is not None:
        return None, problem
    return code_digest(normalised, current_app.config["SITESYS_CLIENT_CODE_KEY"]), None


@bp.route("/checkin", methods=["GET", "POST"])
@requires(Capability.CHECK_IN)
@reads_first
def new() -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    staff = current_staff()
    form = CheckInForm()
    labels = _prepare(form, db, site, accepting=request.method == "POST")
    if request.method == "GET" and request.args.get("booth", "").isdigit():
        form.booth.data = request.args["booth"]
    summary: ClientSummary | None = None
    digest: str | None = None
    if request.method == "POST":
        digest, code_error = _read_code(form, site)
        if digest is not None:
            summary = summarise(db, site, digest)
        if form.find.data:
            # Looking a client up changes nothing; the desk then confirms with "Check in".
            form.client_code.errors = [code_error] if code_error else []
            if digest:
                form.confirmed.data = _confirm_token(digest)
            return _render(form, site, staff, summary)
        valid = form.validate()
        if code_error:
            form.client_code.errors = [*form.client_code.errors, code_error]
            valid = False
        if valid and digest and form.confirmed.data != _confirm_token(digest):
            form.confirmed.data = _confirm_token(digest)
            flash("Check the client's details below, then press Check in again.", "warning")
            return _render(form, site, staff, summary)
        if valid:
            # Everything above only read; the check-in's writes (and on SQLite its lock) begin
            # here, and the service reads afresh what another desk could have changed meanwhile.
            begin_writing(db)
            try:
                result = check_in(db, staff, site, _request(form, digest), labels=labels)
            except ClientAlreadyIn as already:
                db.rollback()
                flash(str(already), "warning")
                return redirect(url_for("checkin.visit", visit_id=already.visit.id))
            except CheckInError as error:
                db.rollback()
                if isinstance(error, BoothNotFree):
                    form.booth.data = None
                if isinstance(error, FormAlreadyUsed):
                    form.submission_key.data = str(uuid.uuid4())
                if isinstance(error, ClientRestricted) and can(Capability.OVERRIDE_RESTRICTION):
                    # Only a blank reason gets here for a manager: say so on the field.
                    form.override_reason.errors = [
                        "Write the reason for overriding the restriction."
                    ]
                return _render(form, site, staff, summary, error=str(error), status=409)
            db.commit()
            visit = result.visit
            where = f"Booth {visit.booth.label}" if visit.booth else "the waiting list"
            if result.replayed:
                flash(f"Already checked in: {visit.display_tag}, {where}.", "info")
            else:
                new = " (new client)" if result.new_client else ""
                flash(f"Checked in {visit.display_tag}{new}: {where}.", "success")
            return redirect(url_for("checkin.new"))
    return _render(form, site, staff, summary)


def _render(
    form: CheckInForm,
    site: Site,
    staff: Staff,
    summary: ClientSummary | None,
    error: str | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    # Whatever was accepted, the form offers only the booths free now.
    form.booth.choices = _booth_choices(free_booths(get_session(), site))
    status = status if status != 200 or not any(f.errors for f in form) else 422
    return (
        render_template(
            "checkin/new.html",
            form=form,
            site=site,
            summary=summary,
            error=error,
            can_override=can(Capability.OVERRIDE_RESTRICTION),
        ),
        status,
    )


@bp.get("/visits/<uuid:visit_id>")
@requires(Capability.WORK_FLOOR)
def visit(visit_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    found = get_visit_or_404(db, visit_id, site)
    move_form = MoveToBoothForm()
    booths = free_booths(db, site)
    move_form.booth.choices = choices((str(b.id), _booth_label(b)) for b in booths)
    # Offer first a booth that suits the visit's route; with none free, offer nothing chosen,
    # so that a hurried tap cannot send a smoker to an injecting booth (or the reverse).
    waiting = found.status is VisitStatus.WAITING and bool(booths)
    suiting = booths_suiting(db, site, found.route, booths) if waiting else []
    if suiting:
        move_form.booth.data = str(suiting[0].id)
    elif waiting:
        move_form.booth.choices.insert(0, SelectChoice("", "Choose a booth"))
        move_form.booth.data = ""
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
    return render_template(
        "checkin/visit.html",
        visit=found,
        substances=[labels.get(s.code, s.code) for s in found.substances],
        flags=active_flags(found.client, site) if found.client else [],
        step_form=VisitStepForm(),
        move_form=move_form,
        services_form=ServicesForm(),
        clinical=clinical,
        # On the floor, or left within the hour: someone may collapse just outside.
        may_respond=may_start_response(found, utcnow()),
    )


def _step(visit_id: uuid.UUID, action: str) -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    found = get_visit_or_404(db, visit_id, site, for_update=True)
    form = MoveToBoothForm() if action == "booth" else VisitStepForm()
    if action == "booth":
        form.booth.choices = choices((str(b.id), _booth_label(b)) for b in free_booths(db, site))
        form.booth.pre_validate = lambda _form: None  # a taken booth gets its own message below
    if not form.validate_on_submit():
        booth_errors = form.booth.errors if isinstance(form, MoveToBoothForm) else []
        flash(
            f"{booth_errors[0]} Nothing was changed."
            if booth_errors and not form.expected_status.errors
            else "That form was incomplete or out of date; nothing was changed.",
            "error",
        )
        return redirect(url_for("checkin.visit", visit_id=found.id))
    expected = VisitStatus(form.expected_status.data)
    staff = current_staff()
    try:
        if action == "booth":
            booth_id = record_id(form.booth.data)
            if booth_id is None:
                raise CheckInError("Choose a free booth.")
            booth = move_to_booth(db, staff, found, booth_id, expected)
            message = f"{found.display_tag} is in Booth {booth.label}."
        elif action == "aftercare":
            move_to_aftercare(db, staff, found, expected)
            message = f"{found.display_tag} moved to aftercare."
        else:
            check_out(db, staff, found, expected)
            message = f"{found.display_tag} checked out."
    except (CheckInError, VisitChanged) as error:
        db.rollback()
        flash(str(error), "error")
        return redirect(url_for("checkin.visit", visit_id=visit_id))
    db.commit()
    flash(message, "success")
    if action == "check-out":
        return redirect(url_for("board.index"))
    return redirect(url_for("checkin.visit", visit_id=found.id))


@bp.post("/visits/<uuid:visit_id>/booth")
@requires(Capability.WORK_FLOOR)
def to_booth(visit_id: uuid.UUID) -> ResponseReturnValue:
    return _step(visit_id, "booth")


@bp.post("/visits/<uuid:visit_id>/aftercare")
@requires(Capability.WORK_FLOOR)
def to_aftercare(visit_id: uuid.UUID) -> ResponseReturnValue:
    return _step(visit_id, "aftercare")


@bp.post("/visits/<uuid:visit_id>/check-out")
@requires(Capability.WORK_FLOOR)
def checkout(visit_id: uuid.UUID) -> ResponseReturnValue:
    return _step(visit_id, "check-out")


@bp.post("/visits/<uuid:visit_id>/services")
@requires(Capability.WORK_FLOOR)
def services(visit_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    found = get_visit_or_404(db, visit_id, current_site(), for_update=True)
    form = ServicesForm()
    if not form.validate_on_submit():
        flash("Tick at least one service.", "error")
        return redirect(url_for("checkin.visit", visit_id=found.id))
    db.refresh(found, ["services"])
    try:
        added = add_services(
            db, current_staff(), found, [ServiceGiven(s) for s in form.services.data]
        )
    except CheckInError as error:
        db.rollback()
        flash(str(error), "error")
        return redirect(url_for("checkin.visit", visit_id=found.id))
    db.commit()
    if added:
        flash("Recorded: " + ", ".join(s.label for s in added) + ".", "success")
    else:
        flash("Those services were already recorded.", "info")
    return redirect(url_for("checkin.visit", visit_id=found.id))
