"""Samples: the bench's list, receiving a sample and its slip, and tying a sample to a visit."""

from __future__ import annotations

import uuid

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie_session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from sitesys.audit.reads import audit_read
from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.checkin.models import Visit
from sitesys.checkin.services import active_substance_codes, open_visits
from sitesys.checkin.whereabouts import whereabouts
from sitesys.db import committing, get_session
from sitesys.drugchecks.codes import shown
from sitesys.drugchecks.forms import NOT_TIED, LinkVisitForm, ReceiveForm, VisitSampleForm
from sitesys.drugchecks.loaders import get_sample_or_404
from sitesys.drugchecks.models import SampleForm
from sitesys.drugchecks.qr import qr_data_uri
from sitesys.drugchecks.samples import (
    SampleDetails,
    link_sample,
    receive_sample,
    recent_samples,
    reissue_code,
    samples_to_link,
)
from sitesys.drugchecks.views import bp
from sitesys.forms import ConfirmForm, choices
from sitesys.pagination import paginate
from sitesys.sites.models import Site

#: Where a new code waits, in the encrypted session cookie, for the one slip page that shows it.
SLIP_TO_SHOW = "sample_slip"


def _code_key() -> str:
    return str(current_app.config["SITESYS_CLIENT_CODE_KEY"])


def _visit_choices(site: Site) -> tuple[list[tuple[str, str]], dict[str, Visit]]:
    """The clients on the floor now, by display tag and place (the bench ties a sample to one
    only when the client asks).
    """
    visits = open_visits(get_session(), site, joinedload(Visit.client), joinedload(Visit.booth))
    on_floor = {str(visit.id): visit for visit in visits}
    return [
        (key, f"{visit.display_tag} · {whereabouts(visit)}") for key, visit in on_floor.items()
    ], on_floor


@bp.get("/")
@requires(Capability.CHECK_DRUGS)
def index() -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    page = paginate(db, recent_samples(site))
    labels = active_substance_codes(db, site)
    return render_template("drugchecks/index.html", page=page, labels=labels, site=site)


@bp.route("/new", methods=["GET", "POST"])
@requires(Capability.CHECK_DRUGS)
def new() -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    form = ReceiveForm()
    labels = active_substance_codes(db, site)
    form.expected_substance.choices = choices([("", _("Choose…")), *labels.items()])
    pairs, on_floor = _visit_choices(site)
    form.visit.choices = choices([(NOT_TIED, _("Not tied to a visit")), *pairs])
    if request.method == "GET":
        form.submission_key.data = str(uuid.uuid4())
        chosen = request.args.get("visit", "")
        form.visit.data = chosen if chosen in on_floor else NOT_TIED
    if form.validate_on_submit():
        details = SampleDetails(
            expected_substance=form.expected_substance.data or "",
            form=SampleForm(form.form.data),
            colour=form.colour.data,
            markings=form.markings.data,
        )
        with committing(db, show_refusal=False) as outcome:
            received = receive_sample(
                db,
                current_staff(),
                site,
                details,
                submission_key=form.submission_key.data or "",
                code_key=_code_key(),
                substances=labels,
                visit=on_floor.get(form.visit.data or ""),
            )
        if outcome.refusal is None:
            sample = received.sample
            waiting = cookie_session.get(SLIP_TO_SHOW)
            slip_waiting = isinstance(waiting, dict) and waiting.get("sample_id") == str(sample.id)
            if received.code is None and slip_waiting:
                # A double tap: the first tap's slip is still waiting to be shown.
                return redirect(url_for("drugchecks.slip", sample_id=sample.id))
            if received.code is None:
                flash(
                    _(
                        "Sample %(reference)s was recorded by the first tap; its slip was shown "
                        "then. If it was not printed, issue a new code.",
                        reference=sample.reference,
                    ),
                    "info",
                )
                return redirect(url_for("drugchecks.sample", sample_id=sample.id))
            # POST-redirect-GET: the code waits for its one slip page in the encrypted session
            # cookie, never in a URL, and is taken out as it is shown.
            cookie_session[SLIP_TO_SHOW] = {"sample_id": str(sample.id), "code": received.code}
            return redirect(url_for("drugchecks.slip", sample_id=sample.id))
        form.expected_substance.errors = [str(outcome.refusal)]
    return render_template("drugchecks/new.html", form=form)


@bp.get("/samples/<uuid:sample_id>/slip")
@requires(Capability.CHECK_DRUGS)
def slip(sample_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    sample = get_sample_or_404(db, sample_id, site)
    waiting = cookie_session.pop(SLIP_TO_SHOW, None)
    if not isinstance(waiting, dict) or waiting.get("sample_id") != str(sample.id):
        flash(
            _(
                "The code of sample %(reference)s was shown once only, on its slip. If the slip "
                "was not printed or is lost, issue a new code.",
                reference=sample.reference,
            ),
            "info",
        )
        return redirect(url_for("drugchecks.sample", sample_id=sample.id))
    audit_read("drug_sample.slip_printed", sample)
    results_url = url_for("results.lookup", _external=True)
    return render_template(
        "drugchecks/slip.html",
        sample=sample,
        code=shown(str(waiting["code"])),
        results_url=results_url,
        qr=qr_data_uri(results_url),
        site=site,
    )


@bp.post("/samples/<uuid:sample_id>/new-code")
@requires(Capability.CHECK_DRUGS)
def new_code(sample_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    sample = get_sample_or_404(db, sample_id, current_site(), for_update=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with committing(db) as outcome:
        code = reissue_code(db, current_staff(), sample, _code_key())
    if outcome.refused:
        return redirect(url_for("drugchecks.sample", sample_id=sample.id))
    cookie_session[SLIP_TO_SHOW] = {"sample_id": str(sample.id), "code": code}
    return redirect(url_for("drugchecks.slip", sample_id=sample.id))


@bp.post("/samples/<uuid:sample_id>/visit")
@requires(Capability.CHECK_DRUGS)
def link_visit(sample_id: uuid.UUID) -> ResponseReturnValue:
    """The bench ties a sample to someone on the floor, at the client's wish."""
    db = get_session()
    site = current_site()
    sample = get_sample_or_404(db, sample_id, site, for_update=True)
    form = LinkVisitForm()
    pairs, on_floor = _visit_choices(site)
    form.visit.choices = choices(pairs)
    if not form.validate_on_submit():
        flash(form.visit.errors[0] if form.visit.errors else _("Choose the visit again."), "error")
        return redirect(url_for("drugchecks.sample", sample_id=sample.id))
    visit = on_floor[form.visit.data or ""]
    with committing(db) as outcome:
        if link_sample(db, current_staff(), sample, visit):
            outcome.say(
                _(
                    "Sample %(reference)s is tied to %(tag)s's visit.",
                    reference=sample.reference,
                    tag=visit.display_tag,
                )
            )
        else:
            outcome.say(
                _(
                    "Sample %(reference)s was already tied to that visit.",
                    reference=sample.reference,
                ),
                "info",
            )
    return redirect(url_for("drugchecks.sample", sample_id=sample.id))


@bp.post("/visits/<uuid:visit_id>/samples")
@requires(Capability.LINK_SAMPLES)
def tie_to_visit(visit_id: uuid.UUID) -> ResponseReturnValue:
    """From the visit page: tie one of the day's samples to the visit, at the client's wish."""
    db = get_session()
    site = current_site()
    visit = get_visit_or_404(db, visit_id, site, for_update=True)
    form = VisitSampleForm()
    offered = {str(sample.id): sample for sample in samples_to_link(db, site, visit)}
    form.sample.choices = choices((key, sample.reference) for key, sample in offered.items())
    back = redirect(url_for("checkin.visit", visit_id=visit.id))
    if not form.validate_on_submit():
        flash(
            form.sample.errors[0] if form.sample.errors else _("Choose the sample again."), "error"
        )
        return back
    sample = offered[form.sample.data or ""]
    # Locked as the bench's own pages lock it: the sample's visits change.
    sample = get_sample_or_404(db, sample.id, site, for_update=True)
    with committing(db) as outcome:
        link_sample(db, current_staff(), sample, visit)
        outcome.say(
            _(
                "Sample %(reference)s is tied to this visit: drug checked, yes.",
                reference=sample.reference,
            )
        )
    return back
