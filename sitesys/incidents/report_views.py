"""The report pages: complete a draft, file an incident without a visit, read, print, amend."""

from __future__ import annotations

import uuid

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, can, requires
from sitesys.checkin.services import active_substance_codes, substance_labels
from sitesys.clock import utcnow
from sitesys.db import get_session
from sitesys.forms import ConfirmForm, choices
from sitesys.incidents.forms import (
    AmendForm,
    NewReportForm,
    ReopenForm,
    ReportForm,
    ReviewActionForm,
    ReviewForm,
    StrikeForm,
)
from sitesys.incidents.kinds import (
    IncidentStatus,
    IncidentType,
    Outcome,
    PhysicalHarm,
    PsychologicalHarm,
)
from sitesys.incidents.loading import get_incident_or_404, with_actions
from sitesys.incidents.models import Incident
from sitesys.incidents.reports import (
    FIELD_LABELS,
    ReportChanged,
    ReportIncomplete,
    ReportInput,
    amend_report,
    file_report,
    may_amend,
    report_version,
    save_draft,
    submit_report,
)
from sitesys.incidents.review import REVIEW_FIELDS, ReviewInput, review_version
from sitesys.incidents.services import IncidentError
from sitesys.record_ids import record_id
from sitesys.refusals import NotAllowed
from sitesys.sites.models import Site, staff_sites

#: The "Staff involved" list is bounded: a site has about 50 accounts.
STAFF_LIMIT = 300


def site_staff_choices(session: Session, site: Site, also: list[Staff]) -> list[Staff]:
    """Active staff of the site, and anyone already named on the incident."""
    people = list(
        session.scalars(
            select(Staff)
            .join(staff_sites, staff_sites.c.staff_id == Staff.id)
            .where(staff_sites.c.site_id == site.id, Staff.is_active.is_(True))
            .order_by(Staff.display_name)
            .limit(STAFF_LIMIT)
        )
    )
    known = {person.id for person in people}
    return people + [person for person in also if person.id not in known]


def _prepare(form: ReportForm, session: Session, site: Site, incident: Incident | None) -> None:
    """Offer the site's substances shown at the desk, and the staff of the site; anything the
    incident already names stays offered even if it has since been hidden or deactivated.
    """
    labels = substance_labels(session, site.id)
    active = active_substance_codes(session, site)
    current = {item.code for item in incident.substances} if incident else set()
    form.substances.choices = choices(
        (code, label) for code, label in labels.items() if code in active or code in current
    )
    named = list(incident.staff_involved) if incident else []
    form.staff_involved.choices = choices(
        (str(person.id), person.display_name) for person in site_staff_choices(session, site, named)
    )


def _fill(form: ReportForm, incident: Incident) -> None:
    """Put an incident's report into the form (for a GET)."""
    form.types.data = [entry.type.value for entry in incident.types]
    form.substances.data = [item.code for item in incident.substances]
    form.narrative.data = incident.narrative
    form.outcome.data = incident.outcome.value if incident.outcome else None
    form.physical_harm.data = incident.physical_harm.value if incident.physical_harm else None
    form.psychological_harm.data = (
        incident.psychological_harm.value if incident.psychological_harm else None
    )
    form.staff_involved.data = [str(person.id) for person in incident.staff_involved]


def report_input(form: ReportForm) -> ReportInput:
    return ReportInput(
        types=[IncidentType(value) for value in form.types.data or []],
        substances=list(form.substances.data or []),
        narrative=form.narrative.data or "",
        outcome=Outcome(form.outcome.data) if form.outcome.data else None,
        physical_harm=PhysicalHarm(form.physical_harm.data) if form.physical_harm.data else None,
        psychological_harm=(
            PsychologicalHarm(form.psychological_harm.data)
            if form.psychological_harm.data
            else None
        ),
        staff_ids=[
            number
            for number in (record_id(value) for value in form.staff_involved.data or [])
            if number is not None
        ],
    )


def _show_problems(form: ReportForm, error: ReportIncomplete) -> None:
    for name, message in error.problems.items():
        getattr(form, name).errors = [*getattr(form, name).errors, message]


@requires(Capability.REPORT_INCIDENTS)
def report(incident_id: uuid.UUID) -> ResponseReturnValue:
    """Complete a draft report; save it as it stands, or submit it when it is complete."""
    db = get_session()
    site = current_site()
    incident = get_incident_or_404(db, incident_id, site, for_update=request.method == "POST")
    if incident.status is IncidentStatus.OPEN:
        flash("The response is still running: end it before writing the report.", "warning")
        return redirect(url_for("incidents.respond", incident_id=incident.id))
    if incident.status is not IncidentStatus.DRAFT:
        flash("This report has been submitted; changes are made by amendment.", "info")
        return redirect(url_for("incidents.show", incident_id=incident.id))
    form = ReportForm()
    _prepare(form, db, site, incident)
    if request.method == "GET":
        _fill(form, incident)
    elif form.validate_on_submit():
        staff = current_staff()
        try:
            if form.submit.data:
                submit_report(db, staff, incident, report_input(form))
            else:
                save_draft(db, staff, incident, report_input(form))
        except NotAllowed:
            abort(403)
        except ReportIncomplete as incomplete:
            db.rollback()
            _show_problems(form, incomplete)
        except IncidentError as error:
            db.rollback()
            flash(str(error), "error")
        else:
            db.commit()
            if form.submit.data:
                flash("Report submitted to the managers. Thank you.", "success")
                return redirect(url_for("incidents.show", incident_id=incident.id))
            flash("Draft saved. Submit it when it is complete.", "success")
            return redirect(url_for("incidents.report", incident_id=incident.id))
    return _render_report(form, incident)


def _render_report(form: ReportForm, incident: Incident) -> ResponseReturnValue:
    status = 422 if any(field.errors for field in form) else 200
    return (
        render_template(
            "incidents/report.html",
            form=form,
            incident=with_actions(get_session(), incident),
            labels=substance_labels(get_session(), incident.site_id),
        ),
        status,
    )


@requires(Capability.REPORT_INCIDENTS)
def new_report() -> ResponseReturnValue:
    """The "Report incident" page: an incident without an emergency response on a visit."""
    db = get_session()
    site = current_site()
    form = NewReportForm()
    _prepare(form, db, site, None)
    staff = current_staff()
    if request.method == "GET":
        form.submission_key.data = str(uuid.uuid4())
        form.staff_involved.data = [str(staff.id)]
    elif form.validate_on_submit():
        try:
            filed = file_report(
                db,
                staff,
                site,
                report_input(form),
                submission_key=form.submission_key.data,
                submit=bool(form.submit.data),
            )
        except NotAllowed:
            abort(403)
        except ReportIncomplete as incomplete:
            db.rollback()
            _show_problems(form, incomplete)
        except IncidentError as error:
            db.rollback()
            flash(str(error), "error")
        else:
            db.commit()
            incident = filed.incident
            if filed.replayed:
                flash("That report had already been saved.", "info")
            elif incident.status is IncidentStatus.SUBMITTED:
                flash("Report submitted to the managers. Thank you.", "success")
            else:
                flash("Draft saved. Submit it when it is complete.", "success")
            if incident.status is IncidentStatus.DRAFT:
                return redirect(url_for("incidents.report", incident_id=incident.id))
            return redirect(url_for("incidents.show", incident_id=incident.id))
    status = 422 if any(field.errors for field in form) else 200
    return render_template("incidents/new.html", form=form), status


def _record(incident: Incident) -> dict[str, object]:
    """What the incident page and its printable view both show."""
    db = get_session()
    return {
        "incident": with_actions(db, incident),
        "labels": substance_labels(db, incident.site_id),
        "field_labels": FIELD_LABELS,
    }


def render_show(
    incident: Incident,
    *,
    review_form: ReviewForm | None = None,
    review_action_form: ReviewActionForm | None = None,
    reopen_form: ReopenForm | None = None,
    unsaved_review: ReviewInput | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    """The incident page, with the review forms a manager may use (refused input shown, and
    review text refused because another tab had saved first, so that none of it is lost).
    """
    db = get_session()
    site = current_site()
    staff = current_staff()
    if review_action_form is None:
        review_action_form = ReviewActionForm(formdata=None, submission_key=str(uuid.uuid4()))
    review_action_form.owner.choices = choices(
        [("", "Choose the owner")]
        + [(str(p.id), p.display_name) for p in site_staff_choices(db, site, [])]
    )
    if review_form is None:
        review_form = ReviewForm(
            formdata=None,
            data={
                "findings": incident.findings,
                "contributing_factors": incident.contributing_factors,
                "learning": incident.learning,
                "version": review_version(incident),
            },
        )
    unsaved = [
        (review_form[name].label.text, getattr(unsaved_review, name).strip())
        for name in REVIEW_FIELDS
        if unsaved_review is not None
        and getattr(unsaved_review, name).strip() != getattr(incident, name)
    ]
    return (
        render_template(
            "incidents/show.html",
            **_record(incident),
            can_amend=may_amend(staff, incident),
            is_manager=can(Capability.REVIEW_INCIDENTS),
            confirm=ConfirmForm(),
            strike_form=StrikeForm(),
            review_form=review_form,
            review_action_form=review_action_form,
            reopen_form=reopen_form or ReopenForm(formdata=None),
            unsaved_review=unsaved,
        ),
        status,
    )


@requires(Capability.REPORT_INCIDENTS)
def show(incident_id: uuid.UUID) -> ResponseReturnValue:
    return render_show(get_incident_or_404(get_session(), incident_id, current_site()))


@requires(Capability.REPORT_INCIDENTS)
def printable(incident_id: uuid.UUID) -> ResponseReturnValue:
    incident = get_incident_or_404(get_session(), incident_id, current_site())
    return render_template("incidents/print.html", **_record(incident), printed_at=utcnow())


def _typed_text(typed: AmendForm, now: AmendForm) -> list[tuple[str, str]]:
    """The text fields of a refused amendment whose typing differs from the report as it is
    now, as (label, text): shown above the form so it can be written in again.
    """
    return [
        (field.label.text, field.data)
        for field in typed
        if field.type in ("StringField", "TextAreaField")
        and field.name != "reason"
        and isinstance(field.data, str)
        and field.data.strip()
        and field.data != now[field.name].data
    ]


@requires(Capability.REPORT_INCIDENTS)
def amend(incident_id: uuid.UUID) -> ResponseReturnValue:
    """Amend a submitted report: every changed field is kept with its old value and the reason."""
    db = get_session()
    site = current_site()
    incident = get_incident_or_404(db, incident_id, site, for_update=request.method == "POST")
    staff = current_staff()
    if incident.status not in IncidentStatus.after_submission():
        flash("This report is not submitted yet; edit the draft instead.", "info")
        return redirect(url_for("incidents.show", incident_id=incident.id))
    if not may_amend(staff, incident):
        abort(403)
    form = AmendForm()
    _prepare(form, db, site, incident)
    error = None
    unsaved: list[tuple[str, str]] = []
    if request.method == "GET":
        _fill(form, incident)
        form.version.data = report_version(incident)
    elif form.validate_on_submit():
        try:
            amended = amend_report(
                db,
                staff,
                incident,
                report_input(form),
                form.reason.data or "",
                version=form.version.data or "",
            )
        except NotAllowed:
            abort(403)
        except ReportChanged as changed:
            db.rollback()
            # The report as it is now, to make the change again on; the reason is kept, and
            # the text typed is shown beside it so that nothing written is lost.
            typed = form
            form = _amend_form_as_now(db, site, incident, reason=form.reason.data)
            unsaved = _typed_text(typed, form)
            error = str(changed)
        except ReportIncomplete as incomplete:
            db.rollback()
            _show_problems(form, incomplete)
        except IncidentError as refused:
            db.rollback()
            form.reason.errors = [*form.reason.errors, str(refused)]
        else:
            db.commit()
            if amended.replayed:
                flash("That amendment had already been saved.", "info")
            else:
                names = ", ".join(FIELD_LABELS[a.field].lower() for a in amended.amendments)
                flash(f"Amendment saved ({names}). The old values stay on the record.", "success")
            return redirect(url_for("incidents.show", incident_id=incident.id))
    status = 409 if error else 422 if any(field.errors for field in form) else 200
    return (
        render_template(
            "incidents/amend.html", form=form, incident=incident, error=error, unsaved=unsaved
        ),
        status,
    )


def _amend_form_as_now(
    session: Session, site: Site, incident: Incident, *, reason: str | None
) -> AmendForm:
    form = AmendForm(formdata=None)
    _prepare(form, session, site, incident)
    _fill(form, incident)
    form.version.data = report_version(incident)
    form.reason.data = reason
    return form
