"""The response screen: start, one tap per action, strike a wrong tap, end the response."""

from __future__ import annotations

import uuid

from flask import (
    abort,
    current_app,
    flash,
    get_flashed_messages,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_site, current_staff, is_htmx
from sitesys.auth.permissions import Capability, requires
from sitesys.checkin.lifecycle import LeftByAmbulance
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.checkin.whereabouts import client_and_whereabouts
from sitesys.db import end_writing, get_session
from sitesys.forms import ConfirmForm
from sitesys.incidents.floor import open_incident_for_visit
from sitesys.incidents.forms import (
    DEFAULT_NALOXONE_MG,
    DEFAULT_OXYGEN_L_PER_MIN,
    ActionForm,
    EndResponseForm,
    StrikeForm,
)
from sitesys.incidents.kinds import ActionKind, IncidentStatus, NaloxoneRoute
from sitesys.incidents.loaders import (
    get_action_or_404,
    get_incident_or_404,
    get_response_or_404,
    with_actions,
)
from sitesys.incidents.models import Incident
from sitesys.incidents.services import (
    ActionInput,
    end_response,
    record_action,
    start_response,
    strike_action,
    tap_refusal,
)
from sitesys.incidents.views import bp, committing_or_403, incident_page, turn_away
from sitesys.templating import local_time

#: How often a response screen fetches the log, so taps on other tablets show up.
LOG_POLL_SECONDS = 5
#: Above the fold on a tablet either way up, in this order (the running totals follow them).
FIRST_AID = (
    ActionKind.NALOXONE,
    ActionKind.RESCUE_BREATHS,
    ActionKind.AIRWAY,
    ActionKind.OXYGEN,
    ActionKind.EMS_CALLED,
)
#: The one-tap buttons after the first aid and the totals, in the order of the response.
MORE_TAPS = tuple(kind for kind in ActionKind.one_tap() if kind not in FIRST_AID)


@bp.post("/start/<uuid:visit_id>")
@requires(Capability.START_RESPONSE)
def start(visit_id: uuid.UUID) -> ResponseReturnValue:
    """Open an emergency on a visit (or join the one running) and go to the response screen."""
    db = get_session()
    # Locked, as a check-out locks it: the desk's check-out waits for this start and is then
    # refused because a response is running, never the two at once.
    visit = get_visit_or_404(db, visit_id, current_site(), for_update=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with committing_or_403(db) as outcome:
        started = start_response(db, current_staff(), visit)
        if started.already_running:
            who = client_and_whereabouts(visit)
            outcome.say(
                _("An emergency response is already running for %(who)s.", who=who), "warning"
            )
        elif not visit.status.is_open:
            # Right for someone who collapsed outside; wrong if the tap came from a board that
            # had not yet shown them leaving and the emergency is whoever is in that booth now.
            outcome.say(
                _(
                    "%(tag)s left the site at %(time)s. If the emergency is someone on the floor "
                    "now, start it from their tile on the board.",
                    tag=visit.display_tag,
                    time=local_time(visit.left_at),
                ),
                "warning",
            )
    if outcome.refused:
        return redirect(url_for("incidents.index"))
    return redirect(url_for("incidents.respond", incident_id=started.incident.id))


@bp.get("/visits/<uuid:visit_id>")
@requires(Capability.START_RESPONSE)
def for_visit(visit_id: uuid.UUID) -> ResponseReturnValue:
    """The response running for a visit (the board's link), or the visit page if none runs."""
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site())
    running = open_incident_for_visit(db, visit)
    if running is None:
        flash(
            _(
                "No emergency response is running for %(who)s.",
                who=client_and_whereabouts(visit),
            ),
            "info",
        )
        return redirect(url_for("checkin.visit", visit_id=visit.id))
    return redirect(url_for("incidents.respond", incident_id=running.id))


def _action_form(kind: ActionKind) -> ActionForm:
    """A fresh small form, filled so that the common case is one tap."""
    return ActionForm(
        formdata=None,
        data={
            "kind": kind.value,
            "submission_key": str(uuid.uuid4()),
            "dose_mg": DEFAULT_NALOXONE_MG,
            "naloxone_route": NaloxoneRoute.INTRAMUSCULAR.value,
            "oxygen_l_per_min": DEFAULT_OXYGEN_L_PER_MIN,
        },
    )


def vitals_url_for(incident: Incident) -> str | None:
    """The observation form for the same visit, once the observations feature is installed."""
    if incident.visit_id is None or "observations.new" not in current_app.view_functions:
        return None
    return url_for(
        "observations.new",
        visit_id=incident.visit_id,
        next=url_for("incidents.respond", incident_id=incident.id),
    )


def _fresh_keys() -> dict[ActionKind, str]:
    """A submission key for every button: each tap is one action, however often it is sent."""
    return {kind: str(uuid.uuid4()) for kind in ActionKind}


def _swapped_with_tap() -> str:
    """What a tap answered in place swaps besides the log (htmx's hx-select-oob)."""
    return ",".join(
        ["#response-totals", "#response-said", *(f"#key-{kind.value}" for kind in ActionKind)]
    )


def _render_respond(
    incident: Incident, failed: ActionForm | None = None, status: int = 200
) -> ResponseReturnValue:
    value_forms = {kind: _action_form(kind) for kind in ActionKind if kind.needs_value}
    if failed is not None and failed.action_kind in value_forms:
        value_forms[failed.action_kind] = failed
    return (
        render_template(
            "incidents/respond.html",
            incident=with_actions(get_session(), incident),
            keys=_fresh_keys(),
            more_taps=MORE_TAPS,
            swapped_with_tap=_swapped_with_tap(),
            value_forms=value_forms,
            ActionKind=ActionKind,
            confirm=ConfirmForm(),
            strike_form=StrikeForm(),
            vitals_url=vitals_url_for(incident),
            poll_seconds=LOG_POLL_SECONDS,
            error=failed is not None and status != 200,
            form_problems=[*failed.kind.errors, *failed.submission_key.errors] if failed else [],
        ),
        status,
    )


@bp.get("/<uuid:incident_id>/respond")
@requires(Capability.RECORD_RESPONSE_ACTIONS)
def respond(incident_id: uuid.UUID) -> ResponseReturnValue:
    """The response screen: big buttons, the clock and the log, while the response runs."""
    incident = get_incident_or_404(get_session(), incident_id, current_site())
    if incident.status is not IncidentStatus.OPEN:
        flash(_("The response has ended; this is the incident's record."), "info")
        return redirect(url_for("incidents.show", incident_id=incident.id))
    return _render_respond(incident)


# Not passive: a tablet showing a running emergency stays signed in while it polls; being
# signed out in the middle of a resuscitation would cost time nobody has.
@bp.get("/<uuid:incident_id>/respond/log")
@requires(Capability.RECORD_RESPONSE_ACTIONS)
def respond_log(incident_id: uuid.UUID) -> ResponseReturnValue:
    """The log and running totals alone, polled by the response screen."""
    incident = get_response_or_404(get_session(), incident_id, current_site())
    return render_template(
        "incidents/_response_live.html",
        incident=with_actions(get_session(), incident),
        strike_form=StrikeForm(),
        poll_seconds=LOG_POLL_SECONDS,
    )


def _tap(form: ActionForm) -> ActionInput:
    kind = ActionKind(form.kind.data)
    route = form.naloxone_route.data
    return ActionInput(
        kind=kind,
        submission_key=form.submission_key.data,
        dose_mg=form.dose_mg.data,
        naloxone_route=NaloxoneRoute(route) if route else None,
        oxygen_l_per_min=form.oxygen_l_per_min.data,
        note=form.note.data,
    )


def _tapped_in_place(incident: Incident, problem: str | None = None) -> ResponseReturnValue:
    """A tap sent with htmx, answered in place: the log, the totals, what the tap came to (the
    messages the view gave, taken back from the flash so they show here and nowhere else) and
    fresh form keys. The page around them does not move.
    """
    said = get_flashed_messages(with_categories=True)
    if problem is not None:
        said = [*said, ("error", _("Nothing was recorded. %(problem)s", problem=problem))]
    return render_template(
        "incidents/_response_tapped.html",
        incident=with_actions(get_session(), incident),
        strike_form=StrikeForm(),
        poll_seconds=LOG_POLL_SECONDS,
        said=said,
        keys=_fresh_keys(),
    )


def _go(target: str) -> ResponseReturnValue:
    """Redirect; a tap sent with htmx is sent on by a full page change, never swapped in."""
    if is_htmx():
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def _form_problems(form: ActionForm) -> str:
    return " ".join(dict.fromkeys(error for field in form for error in field.errors))


@bp.post("/<uuid:incident_id>/actions")
@requires(Capability.RECORD_RESPONSE_ACTIONS)
def add_action(incident_id: uuid.UUID) -> ResponseReturnValue:
    """One tap: recorded with the server's time, once however often it is sent. Sent with
    htmx, it is answered in place (`_tapped_in_place`); without JavaScript, by this screen again.
    """
    db = get_session()
    incident = get_response_or_404(db, incident_id, current_site(), for_update=True)
    form = ActionForm()
    if not form.validate_on_submit():
        # A value refused after the response ended (on another tablet) is not worth fixing:
        # say it was not recorded, and where it goes instead.
        refusal = tap_refusal(incident)
        if refusal is not None:
            if is_htmx():
                flash(str(refusal), refusal.category)
                return _go(url_for("incidents.show", incident_id=incident.id))
            return turn_away(refusal, url_for("incidents.show", incident_id=incident.id))
        if is_htmx():
            return _tapped_in_place(incident, _form_problems(form) or _("Reload the page."))
        return _render_respond(incident, form, 422)
    with committing_or_403(db) as outcome:
        recorded = record_action(db, current_staff(), incident, _tap(form))
        if recorded.replayed:
            outcome.say(_("Already recorded: %(action)s.", action=recorded.action.summary), "info")
        else:
            outcome.say(_("Recorded: %(action)s.", action=recorded.action.summary))
        if recorded.left_by_ambulance is not None:
            outcome.say(_left_by_ambulance(recorded.left_by_ambulance), "info")
    if outcome.refused and incident.status is not IncidentStatus.OPEN:
        # Ended on another tablet meanwhile: straight to the record, with this one message (a
        # refused value, while the response runs, goes back to the response screen).
        return _go(incident_page(incident))
    if is_htmx():
        # The swapped log and totals are drawn after the commit without the write lock.
        end_writing(db)
        return _tapped_in_place(incident)
    return redirect(url_for("incidents.respond", incident_id=incident.id))


@bp.post("/<uuid:incident_id>/actions/<int:action_id>/strike")
@requires(Capability.RECORD_RESPONSE_ACTIONS)
def strike(incident_id: uuid.UUID, action_id: int) -> ResponseReturnValue:
    """Strike a wrong tap through, with a reason; it stays in the log."""
    db = get_session()
    incident = get_incident_or_404(db, incident_id, current_site(), for_update=True)
    action = get_action_or_404(db, action_id, incident)
    back = incident_page(incident)
    form = StrikeForm()
    if not form.validate_on_submit():
        flash(form.reason.errors[0] if form.reason.errors else _("Reload the page."), "error")
        return redirect(back)
    with committing_or_403(db) as outcome:
        strike_action(db, current_staff(), action, form.reason.data or "")
        outcome.say(_("Struck through: %(action)s. It stays in the log.", action=action.summary))
    return redirect(back)


def _left_by_ambulance(left: LeftByAmbulance) -> str:
    tag = left.visit.display_tag
    if left.booth is not None:
        text: str = _(
            "%(tag)s left by ambulance and is off the board. Booth %(booth)s needs cleaning.",
            tag=tag,
            booth=left.booth.label,
        )
        return text
    text = _("%(tag)s left by ambulance and is off the board.", tag=tag)
    return text


@bp.post("/<uuid:incident_id>/end")
@requires(Capability.RECORD_RESPONSE_ACTIONS)
def end(incident_id: uuid.UUID) -> ResponseReturnValue:
    """Stop the clock and go on to the report (with a transfer to hospital, the client's visit
    ends as left by ambulance).
    """
    db = get_session()
    incident = get_incident_or_404(db, incident_id, current_site(), for_update=True)
    form = EndResponseForm()
    if not form.validate_on_submit():
        abort(400)
    with committing_or_403(db) as outcome:
        left = end_response(db, current_staff(), incident, form.chosen_outcome)
        outcome.say(_("Response ended. Complete the report while it is fresh."))
        if left is not None:
            outcome.say(_left_by_ambulance(left), "info")
    if outcome.refused:
        return redirect(url_for("incidents.show", incident_id=incident.id))
    return redirect(url_for("incidents.report", incident_id=incident.id))
