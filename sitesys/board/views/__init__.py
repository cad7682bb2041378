"""The live board, its polled partial, and booth actions from the floor."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf

from sitesys.auth.guard import current_site, current_staff, passive
from sitesys.auth.permissions import Capability, requires
from sitesys.board.drawn import (
    CHECKED_SLOT,
    KEY_SLOT,
    TOKEN_SLOT,
    DrawnBoard,
    boards_of,
    fill_keys,
)
from sitesys.board.forms import RescueActionForm
from sitesys.board.freshness import fingerprint, make_stamp, still_current
from sitesys.board.services import booth_occupant, read_board
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.checkin.whereabouts import client_and_whereabouts
from sitesys.clock import utcnow
from sitesys.db import committing, get_session
from sitesys.forms import ConfirmForm
from sitesys.i18n import current_locale
from sitesys.incidents.floor import open_incident_for_visit
from sitesys.incidents.forms import DEFAULT_NALOXONE_MG
from sitesys.incidents.kinds import ActionKind, NaloxoneRoute
from sitesys.incidents.loaders import get_incident_or_404
from sitesys.incidents.services import ActionInput, record_action, start_response
from sitesys.sites.booths import mark_clean, return_to_service, take_out_of_service
from sitesys.sites.forms import OutOfServiceForm
from sitesys.sites.loaders import get_booth_or_404
from sitesys.sites.models import Booth, Site

bp = Blueprint("board", __name__, url_prefix="/board")

#: How often tablets refresh the board partial (htmx polling).
POLL_SECONDS = 3
PARTIAL = "board/_board.html"


def _draw(
    template: str,
    site: Site,
    digest: str,
    now: datetime,
    checked_at: str,
    *,
    display: bool = False,
    **context: object,
) -> DrawnBoard:
    """Read the board and render it, remembering until when it stays right. `display`: for a
    wall-board display (no actions, no links into records, no free-text notes).
    """
    board = read_board(get_session(), site, now)
    html = render_template(
        template,
        board=board,
        stamp=make_stamp(site.id, digest, board.stable_until),
        checked_at=checked_at,
        poll_seconds=POLL_SECONDS,
        poll_url=url_for("display.partial" if display else "board.partial"),
        confirm=ConfirmForm(),
        display=display,
        submission_slot=KEY_SLOT,
        **context,
    )
    return DrawnBoard(html, board.stable_until)


def board_page(template: str, site: Site, *, display: bool = False, **context: object) -> str:
    """The whole page holding a board (a staff member's, or a display's)."""
    now = utcnow()
    digest = fingerprint(get_session(), site.id)
    checked_at = now.astimezone(site.zone).strftime("%H:%M:%S")
    drawn = _draw(template, site, digest, now, checked_at, display=display, **context)
    return fill_keys(drawn.html)


def board_partial(site: Site, viewer: str, *, display: bool = False) -> ResponseReturnValue:
    """The board alone, for polling: "no change" (204) when the tablet's board is current, and
    a board another tablet of the site (with the same `viewer`: a role, or "display") just had
    drawn when it still is.
    """
    now = utcnow()
    # Taken before the board is read: a change landing in between only costs one more redraw.
    digest = fingerprint(get_session(), site.id)
    checked_at = now.astimezone(site.zone).strftime("%H:%M:%S")
    if still_current(request.headers.get("X-Board-Stamp"), site.id, digest, now):
        return Response(status=204)
    boards = boards_of(current_app)
    # A kept board is in the language it was drawn in: tablets share it only within one.
    viewer = f"{viewer}@{current_locale()}"
    drawn = boards.get(site.id, viewer, digest, now)
    if drawn is None:
        fresh = _draw(PARTIAL, site, digest, now, CHECKED_SLOT, display=display)
        drawn = DrawnBoard(fresh.html.replace(generate_csrf(), TOKEN_SLOT), fresh.stable_until)
        boards.put(site.id, viewer, digest, drawn)
    return drawn.for_request(generate_csrf(), checked_at)


@bp.after_app_request
def say_why_the_session_ended(response: Response) -> Response:
    """A board poll refused for want of a session says why (the board's banner words it)."""
    if request.endpoint == "board.partial" and response.status_code == 401:
        response.headers["X-Session-Ended"] = g.get("session_end_reason") or "signed_out"
    return response


@bp.get("/")
@requires(Capability.WORK_FLOOR)
def index() -> ResponseReturnValue:
    return board_page("board/index.html", current_site())


@bp.get("/partial")
@requires(Capability.WORK_FLOOR)
@passive
def partial() -> ResponseReturnValue:
    """The board alone, for polling. It does not keep an idle tablet signed in."""
    return board_partial(current_site(), current_staff().role.value)


@bp.post("/visits/<uuid:visit_id>/alarm")
@requires(Capability.RAISE_ALARM)
def raise_alarm(visit_id: uuid.UUID) -> ResponseReturnValue:
    """The desk's "Raise the alarm": it starts the response record; every board turns the tile
    red and sounds, and nurses take the response over.
    """
    db = get_session()
    # Locked as the nurse's start locks it (a check-out waits, then is refused).
    visit = get_visit_or_404(db, visit_id, current_site(), for_update=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with committing(db) as outcome:
        started = start_response(db, current_staff(), visit, alarm=True)
        who = client_and_whereabouts(visit)
        if started.already_running:
            outcome.say(
                _("An emergency response is already running for %(client)s.", client=who),
                "warning",
            )
        else:
            outcome.say(
                _(
                    "Alarm raised for %(client)s. Every board shows it in red; nurses take over.",
                    client=who,
                ),
                "warning",
            )
    return redirect(url_for("board.index"))


@bp.post("/visits/<uuid:visit_id>/rescue")
@requires(Capability.RAISE_ALARM)
def rescue_action(visit_id: uuid.UUID) -> ResponseReturnValue:
    """Naloxone or rescue breaths logged from the desk's tile in a running response, where the
    site lets trained front desk staff log them (the service refuses it otherwise).
    """
    db = get_session()
    visit = get_visit_or_404(db, visit_id, current_site())
    form = RescueActionForm()
    running = open_incident_for_visit(db, visit)
    if not form.validate_on_submit() or running is None:
        flash(
            _("Nothing was recorded: the response has ended or the board was out of date."),
            "error",
        )
        return redirect(url_for("board.index"))
    incident = get_incident_or_404(db, running.id, current_site(), for_update=True)
    kind = ActionKind(form.kind.data)
    tap = ActionInput(kind=kind, submission_key=form.submission_key.data or "")
    if kind is ActionKind.NALOXONE:
        tap = ActionInput(
            kind=kind,
            submission_key=tap.submission_key,
            dose_mg=DEFAULT_NALOXONE_MG,
            naloxone_route=NaloxoneRoute.INTRAMUSCULAR,
        )
    with committing(db) as outcome:
        recorded = record_action(db, current_staff(), incident, tap)
        if recorded.replayed:
            said = _(
                "Already recorded: %(action)s, by you. Nurses see it in the log.",
                action=recorded.action.summary,
            )
        else:
            said = _(
                "Recorded: %(action)s, by you. Nurses see it in the log.",
                action=recorded.action.summary,
            )
        outcome.say(said)
    return redirect(url_for("board.index"))


@bp.get("/booths/<int:booth_id>")
@requires(Capability.WORK_FLOOR)
def booth(booth_id: int) -> ResponseReturnValue:
    found = get_booth_or_404(get_session(), booth_id, current_site())
    return _booth_page(found, OutOfServiceForm())


def _booth_page(found: Booth, form: OutOfServiceForm, status: int = 200) -> ResponseReturnValue:
    """A booth's page: what can be done with it, and who is in it (a link to their visit)."""
    occupant = booth_occupant(get_session(), found)
    return (
        render_template(
            "board/booth.html",
            booth=found,
            occupant=occupant,
            out_of_service=form,
            confirm=ConfirmForm(),
        ),
        status,
    )


def _booth_to_change(booth_id: int) -> Booth:
    """The booth a floor action changes, locked; the action's confirmation checked (400)."""
    booth = get_booth_or_404(get_session(), booth_id, current_site(), for_update=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return booth


@bp.post("/booths/<int:booth_id>/clean")
@requires(Capability.WORK_FLOOR)
def clean_booth(booth_id: int) -> ResponseReturnValue:
    db = get_session()
    booth = _booth_to_change(booth_id)
    with committing(db) as outcome:
        outcome.say(mark_clean(db, current_staff(), booth))
    return redirect(url_for("board.index"))


@bp.post("/booths/<int:booth_id>/back-in-service")
@requires(Capability.WORK_FLOOR)
def booth_back_in_service(booth_id: int) -> ResponseReturnValue:
    db = get_session()
    booth = _booth_to_change(booth_id)
    with committing(db) as outcome:
        outcome.say(return_to_service(db, current_staff(), booth))
    return redirect(url_for("board.index"))


@bp.post("/booths/<int:booth_id>/out-of-service")
@requires(Capability.WORK_FLOOR)
def booth_out_of_service(booth_id: int) -> ResponseReturnValue:
    db = get_session()
    booth = get_booth_or_404(db, booth_id, current_site(), for_update=True)
    form = OutOfServiceForm()
    if not form.validate_on_submit():
        # The reason's own message (missing or too long), with what was typed kept.
        return _booth_page(booth, form, 422)
    with committing(db) as outcome:
        outcome.say(take_out_of_service(db, current_staff(), booth, form.reason.data or ""))
    return redirect(url_for("board.index"))


# The wall-board displays' own pages and their admin page.
from sitesys.board.views import displays as displays  # noqa: E402
