"""A sample's page: its tests against the chart, the result, the client's decision and custody."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import joinedload

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.checkin.models import Visit
from sitesys.checkin.services import open_visits, substance_labels
from sitesys.checkin.whereabouts import whereabouts
from sitesys.clock import utcnow
from sitesys.db import committing, get_session
from sitesys.drugchecks.analysis import (
    ComponentMatch,
    record_reagent,
    record_spectrum,
    record_strip,
    strike_test,
)
from sitesys.drugchecks.chart import (
    CHART,
    NOT_SHOWN_BY_REAGENTS,
    NOT_SHOWN_NOTE,
    Colour,
    read_against_chart,
)
from sitesys.drugchecks.components import component_name, site_components
from sitesys.drugchecks.forms import (
    CustodyForm,
    LinkVisitForm,
    ReagentForm,
    ResultForm,
    SpectrumForm,
    StrikeTestForm,
    StripForm,
)
from sitesys.drugchecks.loaders import get_sample_or_404, get_test_or_404
from sitesys.drugchecks.models import (
    ClientDecision,
    Custody,
    Reagent,
    ResultOutcome,
    Sample,
    StripReading,
    StripTarget,
    Technique,
)
from sitesys.drugchecks.results import ResultInput, record_custody, save_result
from sitesys.drugchecks.views import bp
from sitesys.forms import ConfirmForm, choices
from sitesys.versions import version_of


def result_version(sample: Sample) -> str:
    """The result as a page shows it, for refusing a form opened before someone amended it."""
    return version_of(
        [
            sample.outcome,
            sample.found_summary,
            sample.advice,
            sample.decision,
            len(sample.amendments),
        ]
    )


def _fresh_forms() -> dict[str, Any]:
    forms: dict[str, Any] = {
        "reagent_form": ReagentForm(prefix="reagent", submission_key=str(uuid.uuid4())),
        "strip_form": StripForm(prefix="strip", submission_key=str(uuid.uuid4())),
        "spectrum_form": SpectrumForm(prefix="spectrum", submission_key=str(uuid.uuid4())),
        "result_form": ResultForm(prefix="result"),
        "custody_form": CustodyForm(prefix="custody"),
        "link_form": LinkVisitForm(prefix="link"),
    }
    return forms


def _component_choices(form: SpectrumForm, sample: Sample) -> dict[str, Any]:
    components = site_components(get_session(), sample.site)
    offered = [component for component in components if component.is_active]
    for row in form.rows:
        row.form.component.choices = choices(
            [
                ("", "—"),
                *(
                    (component.code, component_name(component.code, component.label))
                    for component in offered
                ),
            ]
        )
    return {"components": components}


def _page(sample: Sample, status: int = 200, **given: Any) -> ResponseReturnValue:
    """The sample's page, with any form that came back with errors in place of a fresh one."""
    db = get_session()
    site = sample.site
    forms = {**_fresh_forms(), **given}
    extra = _component_choices(forms["spectrum_form"], sample)
    result_form: ResultForm = forms["result_form"]
    if sample.has_result and "result_form" not in given:
        result_form.outcome.data = sample.outcome.value if sample.outcome else None
        result_form.found_summary.data = sample.found_summary
        result_form.advice.data = sample.advice
        result_form.decision.data = sample.decision.value if sample.decision else None
    if not result_form.version.data:
        result_form.version.data = result_version(sample)
    visits = open_visits(db, site, joinedload(Visit.client), joinedload(Visit.booth))
    tied = {link.visit_id for link in sample.visit_links}
    forms["link_form"].visit.choices = choices(
        (str(visit.id), f"{visit.display_tag} · {whereabouts(visit)}")
        for visit in visits
        if visit.id not in tied
    )
    labels = substance_labels(db, site.id)
    readings = {
        test.id: read_against_chart(
            test.reagent,
            sample.expected_substance,
            Colour(test.colour) if test.colour else None,
        )
        for test in sample.tests
        if test.reagent is not None
    }
    return (
        render_template(
            "drugchecks/sample.html",
            sample=sample,
            expected_label=labels.get(sample.expected_substance, sample.expected_substance),
            chart=[row for row in CHART if row.substance == sample.expected_substance],
            not_shown_note=NOT_SHOWN_NOTE
            if sample.expected_substance in NOT_SHOWN_BY_REAGENTS
            else None,
            readings=readings,
            strike_form=StrikeTestForm(prefix="strike"),
            confirm=ConfirmForm(),
            colour_labels={colour.value: colour.label for colour in Colour},
            now=utcnow(),
            **forms,
            **extra,
        ),
        status,
    )


def _back(sample: Sample) -> ResponseReturnValue:
    return redirect(url_for("drugchecks.sample", sample_id=sample.id))


@bp.get("/samples/<uuid:sample_id>")
@requires(Capability.CHECK_DRUGS)
def sample(sample_id: uuid.UUID) -> ResponseReturnValue:
    return _page(get_sample_or_404(get_session(), sample_id, current_site()))


@bp.post("/samples/<uuid:sample_id>/reagents")
@requires(Capability.CHECK_DRUGS)
def add_reagent(sample_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    found = get_sample_or_404(db, sample_id, current_site(), for_update=True)
    form = ReagentForm(prefix="reagent")
    if not form.validate_on_submit():
        return _page(found, 422, reagent_form=form)
    with committing(db, show_refusal=False) as outcome:
        recorded = record_reagent(
            db,
            current_staff(),
            found,
            Reagent(form.reagent.data),
            colour=Colour(form.colour.data) if form.colour.data else None,
            colour_typed=form.colour_typed.data,
            submission_key=form.submission_key.data or "",
        )
        if not recorded.replayed:
            outcome.say(
                _(
                    "Recorded %(reagent)s (presumptive).",
                    reagent=Reagent(form.reagent.data).label,
                )
            )
    if outcome.refusal is not None:
        form.colour.errors = [str(outcome.refusal)]
        return _page(found, 422, reagent_form=form)
    return _back(found)


@bp.post("/samples/<uuid:sample_id>/strips")
@requires(Capability.CHECK_DRUGS)
def add_strip(sample_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    found = get_sample_or_404(db, sample_id, current_site(), for_update=True)
    form = StripForm(prefix="strip")
    if not form.validate_on_submit():
        return _page(found, 422, strip_form=form)
    strip, reading = StripTarget(form.strip.data), StripReading(form.reading.data)
    with committing(db) as outcome:
        recorded = record_strip(
            db,
            current_staff(),
            found,
            strip,
            reading,
            submission_key=form.submission_key.data or "",
        )
        if not recorded.replayed:
            outcome.say(
                _(
                    "Recorded %(strip)s: %(reading)s.",
                    strip=strip.label,
                    reading=reading.label.lower(),
                )
            )
    return _back(found)


@bp.post("/samples/<uuid:sample_id>/spectra")
@requires(Capability.CHECK_DRUGS)
def add_spectrum(sample_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    found = get_sample_or_404(db, sample_id, current_site(), for_update=True)
    form = SpectrumForm(prefix="spectrum")
    extra = _component_choices(form, found)
    if not form.validate_on_submit():
        return _page(found, 422, spectrum_form=form)
    matches = [
        ComponentMatch(row.form.component.data, row.form.quality.data)
        for row in form.rows
        if row.form.component.data and row.form.quality.data is not None
    ]
    technique = Technique(form.technique.data)
    with committing(db, show_refusal=False) as outcome:
        recorded = record_spectrum(
            db,
            current_staff(),
            found,
            technique,
            matches,
            no_library_match=bool(form.no_library_match.data),
            offered=extra["components"],
            submission_key=form.submission_key.data or "",
        )
        if not recorded.replayed:
            outcome.say(_("Recorded %(technique)s.", technique=technique.label))
    if outcome.refusal is not None:
        form.no_library_match.errors = [str(outcome.refusal)]
        return _page(found, 422, spectrum_form=form)
    return _back(found)


@bp.post("/samples/<uuid:sample_id>/tests/<int:test_id>/strike")
@requires(Capability.CHECK_DRUGS)
def strike(sample_id: uuid.UUID, test_id: int) -> ResponseReturnValue:
    db = get_session()
    found = get_sample_or_404(db, sample_id, current_site(), for_update=True)
    test = get_test_or_404(db, found, test_id, for_update=True)
    form = StrikeTestForm(prefix="strike")
    if not form.validate_on_submit():
        flash(form.reason.errors[0] if form.reason.errors else _("Try again."), "error")
        return _back(found)
    with committing(db) as outcome:
        strike_test(db, current_staff(), test, form.reason.data or "")
        outcome.say(_("The test is struck through; it stays on the record with your reason."))
    return _back(found)


@bp.post("/samples/<uuid:sample_id>/result")
@requires(Capability.CHECK_DRUGS)
def result(sample_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    found = get_sample_or_404(db, sample_id, current_site(), for_update=True)
    form = ResultForm(prefix="result")
    if not form.validate_on_submit():
        return _page(found, 422, result_form=form)
    if form.version.data != result_version(found):
        flash(
            _(
                "Someone else saved this sample's result since you opened the page; nothing was "
                "saved. Here it is now."
            ),
            "error",
        )
        return _back(found)
    given = ResultInput(
        outcome=ResultOutcome(form.outcome.data),
        found_summary=form.found_summary.data or "",
        advice=form.advice.data or "",
        decision=ClientDecision(form.decision.data) if form.decision.data else None,
    )
    with committing(db, show_refusal=False) as outcome:
        saved = save_result(db, current_staff(), found, given, form.reason.data)
        outcome.say(
            {
                "given": ngettext(
                    "Result saved. The client can read it with the code on their slip for "
                    "%(num)d day.",
                    "Result saved. The client can read it with the code on their slip for "
                    "%(num)d days.",
                    found.site.result_days,
                ),
                "decision": _(
                    "Recorded the client's decision: %(decision)s.",
                    decision=given.decision.label.lower(),
                )
                if given.decision
                else "",
                "amended": _("The result is amended; what it said before is kept below it."),
            }[saved]
        )
    if outcome.refusal is not None:
        form.reason.errors = [str(outcome.refusal)]
        return _page(found, 422, result_form=form)
    return _back(found)


@bp.post("/samples/<uuid:sample_id>/custody")
@requires(Capability.CHECK_DRUGS)
def custody(sample_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    found = get_sample_or_404(db, sample_id, current_site(), for_update=True)
    form = CustodyForm(prefix="custody")
    if not form.validate_on_submit():
        return _page(found, 422, custody_form=form)
    chosen = Custody(form.custody.data)
    with committing(db, show_refusal=False) as outcome:
        record_custody(db, current_staff(), found, chosen, correction_reason=form.reason.data)
        outcome.say(
            _(
                "The rest of sample %(reference)s: %(custody)s.",
                reference=found.reference,
                custody=chosen.label.lower(),
            )
        )
    if outcome.refusal is not None:
        form.reason.errors = [str(outcome.refusal)]
        return _page(found, 422, custody_form=form)
    return _back(found)
