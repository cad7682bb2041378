"""The report pages: complete a draft, file an incident without a visit, read, print, amend."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from sitesys.audit.reads import audit_read
from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
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
from sitesys.incidents.loaders import get_incident_or_404, site_staff_choices, with_actions
from sitesys.incidents.models import Incident
from sitesys.incidents.reports import (
    DRAFT_REPORT,
    FIELD_LABELS,
    ReportChanged,
    ReportIncomplete,
    ReportInput,
    amend_refusal,
    amend_report,
    draft_refusal,
    file_report,
    may_amend,
    report_fields,
    report_version,
    requested,
    save_draft,
    snapshot,
    submit_report,
)
from sitesys.incidents.review import (
    REVIEW,
    REVIEW_FIELDS,
    ReviewInput,
    close_missing,
    review_version,
)
from sitesys.incidents.views import bp, committing_or_403, incident_page, turn_away
from sitesys.record_ids import record_id
from sitesys.refusals import Refused
from sitesys.sites.models import Site
from sitesys.versions.queries import count_versions
from sitesys.versions.services import SavedElsewhere, typing_not_saved


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


def offer_owners(form: ReviewActionForm, session: Session, site: Site) -> None:
    """Offer the site's active staff as a review action's owner."""
    form.owner.choices = choices(
        [("", _("Choose the owner"))]
        + [(str(p.id), p.display_name) for p in site_staff_choices(session, site, [])]
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


def _show_refusal(form: ReportForm, refusal: Refused) -> None:
    """A report refused: what is missing beside each field, anything else above the form."""
    if isinstance(refusal, ReportIncomplete):
        _show_problems(form, refusal)
    else:
        flash(str(refusal), refusal.category)


@bp.route("/<uuid:incident_id>/report", methods=["GET", "POST"])
@requires(Capability.REPORT_INCIDENTS)
def report(incident_id: uuid.UUID) -> ResponseReturnValue:
    """Complete a draft report; save it as it stands, or submit it when it is complete."""
    db = get_session()
    site = current_site()
    incident = get_incident_or_404(db, incident_id, site, for_update=request.method == "POST")
    refusal = draft_refusal(incident)
    if refusal is not None:
        return turn_away(refusal, incident_page(incident))
    form = ReportForm()
    _prepare(form, db, site, incident)
    if request.method == "GET":
        _fill(form, incident)
        form.version.data = report_version(incident)
        return _render_report(form, incident)
    if not form.validate_on_submit():
        return _render_report(form, incident)
    staff = current_staff()
    submitting = bool(form.submit.data)
    typed = report_input(form)
    opened = form.version.data or ""
    with committing_or_403(db, show_refusal=False) as outcome:
        if submitting:
            submit_report(db, staff, incident, typed, opened=opened)
            outcome.say(_("Report submitted to the managers. Thank you."))
        else:
            save_draft(db, staff, incident, typed, opened=opened)
            outcome.say(_("Draft saved. Submit it when it is complete."))
    refused = outcome.refusal
    if isinstance(refused, SavedElsewhere):
        # Another nurse saved the draft first: the draft as it is now, to make the change
        # again on, and this nurse's typing beside it so that none of it is lost.
        now = _report_form_as_now(db, site, incident)
        shown = typing_not_saved(
            report_fields(db, incident, requested(typed)),
            report_fields(db, incident, snapshot(incident)),
        )
        return _render_report(now, incident, refusal=refused, typed=shown)
    if refused is not None:
        _show_refusal(form, refused)
        return _render_report(form, incident)
    page = "incidents.show" if submitting else "incidents.report"
    return redirect(url_for(page, incident_id=incident.id))


def _report_form_as_now(session: Session, site: Site, incident: Incident) -> ReportForm:
    form = ReportForm(formdata=None)
    _prepare(form, session, site, incident)
    _fill(form, incident)
    form.version.data = report_version(incident)
    return form


def _render_report(
    form: ReportForm,
    incident: Incident,
    *,
    refusal: SavedElsewhere | None = None,
    typed: list[tuple[str, str]] | None = None,
) -> ResponseReturnValue:
    """The draft report; 409 when another save came first, 422 for refused input."""
    status = 409 if refusal else 422 if any(field.errors for field in form) else 200
    db = get_session()
    return (
        render_template(
            "incidents/report.html",
            form=form,
            incident=with_actions(db, incident),
            labels=substance_labels(db, incident.site_id),
            refusal=refusal,
            typed=typed or [],
            versions=count_versions(db, incident, DRAFT_REPORT),
        ),
        status,
    )


@bp.route("/new", methods=["GET", "POST"])
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
        return _render_new_report(form)
    if not form.validate_on_submit():
        return _render_new_report(form)
    with committing_or_403(db, show_refusal=False) as outcome:
        filed = file_report(
            db,
            staff,
            site,
            report_input(form),
            submission_key=form.submission_key.data,
            submit=bool(form.submit.data),
        )
        if filed.replayed:
            outcome.say(_("That report had already been saved."), "info")
        elif filed.incident.status is IncidentStatus.SUBMITTED:
            outcome.say(_("Report submitted to the managers. Thank you."))
        else:
            outcome.say(_("Draft saved. Submit it when it is complete."))
    if outcome.refusal is not None:
        _show_refusal(form, outcome.refusal)
        return _render_new_report(form)
    incident = filed.incident
    page = "incidents.report" if incident.status is IncidentStatus.DRAFT else "incidents.show"
    return redirect(url_for(page, incident_id=incident.id))


def _render_new_report(form: NewReportForm) -> ResponseReturnValue:
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
    if review_action_form is None:
        review_action_form = ReviewActionForm(formdata=None, submission_key=str(uuid.uuid4()))
        offer_owners(review_action_form, db, site)
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
            versions={
                "report": count_versions(db, incident, DRAFT_REPORT),
                "review": count_versions(db, incident, REVIEW),
            },
            can_amend=may_amend(current_staff(), incident),
            close_missing=close_missing(incident),
            confirm=ConfirmForm(),
            strike_form=StrikeForm(),
            review_form=review_form,
            review_action_form=review_action_form,
            reopen_form=reopen_form or ReopenForm(formdata=None),
            unsaved_review=unsaved,
        ),
        status,
    )


@bp.get("/<uuid:incident_id>")
@requires(Capability.REPORT_INCIDENTS)
def show(incident_id: uuid.UUID) -> ResponseReturnValue:
    """The incident's record, with the review for those who review."""
    incident = get_incident_or_404(get_session(), incident_id, current_site())
    audit_read("incident.page_read", incident)
    return render_show(incident)


@bp.get("/<uuid:incident_id>/print")
@requires(Capability.REPORT_INCIDENTS)
def printable(incident_id: uuid.UUID) -> ResponseReturnValue:
    """The record on paper: no buttons, no forms."""
    incident = get_incident_or_404(get_session(), incident_id, current_site())
    audit_read("incident.printed", incident)
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


@bp.route("/<uuid:incident_id>/amend", methods=["GET", "POST"])
@requires(Capability.REPORT_INCIDENTS)
def amend(incident_id: uuid.UUID) -> ResponseReturnValue:
    """Amend a submitted report: every changed field is kept with its old value and the reason."""
    db = get_session()
    site = current_site()
    incident = get_incident_or_404(db, incident_id, site, for_update=request.method == "POST")
    staff = current_staff()
    refusal = amend_refusal(staff, incident)
    if refusal is not None:
        return turn_away(refusal, url_for("incidents.show", incident_id=incident.id))
    form = AmendForm()
    _prepare(form, db, site, incident)
    if request.method == "GET":
        _fill(form, incident)
        form.version.data = report_version(incident)
        return _render_amend(form, incident)
    if not form.validate_on_submit():
        return _render_amend(form, incident)
    with committing_or_403(db, show_refusal=False) as outcome:
        amended = amend_report(
            db,
            staff,
            incident,
            report_input(form),
            form.reason.data or "",
            version=form.version.data or "",
        )
        if amended.replayed:
            outcome.say(_("That amendment had already been saved."), "info")
        else:
            names = ", ".join(str(FIELD_LABELS[a.field]).lower() for a in amended.amendments)
            outcome.say(
                _(
                    "Amendment saved (%(fields)s). The old values stay on the record.",
                    fields=names,
                )
            )
    refused = outcome.refusal
    if refused is None:
        return redirect(url_for("incidents.show", incident_id=incident.id))
    if isinstance(refused, ReportChanged):
        # The report as it is now, to make the change again on; the reason is kept, and the
        # text typed is shown beside it so that nothing written is lost.
        now = _amend_form_as_now(db, site, incident, reason=form.reason.data)
        return _render_amend(now, incident, error=str(refused), unsaved=_typed_text(form, now))
    if isinstance(refused, ReportIncomplete):
        _show_problems(form, refused)
    else:
        form.reason.errors = [*form.reason.errors, str(refused)]
    return _render_amend(form, incident)


def _render_amend(
    form: AmendForm,
    incident: Incident,
    *,
    error: str | None = None,
    unsaved: list[tuple[str, str]] | None = None,
) -> ResponseReturnValue:
    """The amendment form; 409 when another amendment came first, 422 for refused input."""
    status = 409 if error else 422 if any(field.errors for field in form) else 200
    return (
        render_template(
            "incidents/amend.html",
            form=form,
            incident=incident,
            error=error,
            unsaved=unsaved or [],
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
