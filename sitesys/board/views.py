"""The live board, its polled partial, and booth actions from the floor."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from sitesys.auth.guard import current_site, current_staff, passive
from sitesys.auth.permissions import Capability, requires
from sitesys.board.drawn import CHECKED_SLOT, TOKEN_SLOT, DrawnBoard, boards_of
from sitesys.board.freshness import fingerprint, make_stamp, still_current
from sitesys.board.services import read_board
from sitesys.checkin.models import Visit, VisitStatus
from sitesys.clock import utcnow
from sitesys.db import get_session
from sitesys.forms import ConfirmForm
from sitesys.sites.forms import OutOfServiceForm
from sitesys.sites.models import Booth, Site
from sitesys.sites.services import SiteError, mark_clean, return_to_service, take_out_of_service

bp = Blueprint("board", __name__, url_prefix="/board")

#: How often tablets refresh the board partial (htmx polling).
POLL_SECONDS = 3
PARTIAL = "board/_board.html"


def get_booth_or_404(session: Session, booth_id: int, site: Site) -> Booth:
    booth = session.scalar(
        select(Booth).where(Booth.id == booth_id, Booth.site_id == site.id).with_for_update()
    )
    if booth is None:
        abort(404)
    return booth


def _draw(template: str, site: Site, digest: str, now: datetime, checked_at: str) -> DrawnBoard:
    """Read the board and render it, remembering until when it stays right."""
    board = read_board(get_session(), site, now)
    html = render_template(
        template,
        board=board,
        stamp=make_stamp(site.id, digest, board.stable_until),
        checked_at=checked_at,
        poll_seconds=POLL_SECONDS,
        confirm=ConfirmForm(),
    )
    return DrawnBoard(html, board.stable_until)


def _render(template: str) -> ResponseReturnValue:
    site = current_site()
    now = utcnow()
    # Taken before the board is read: a change landing in between only costs one more redraw.
    digest = fingerprint(get_session(), site.id)
    checked_at = now.astimezone(site.zone).strftime("%H:%M:%S")
    if template != PARTIAL:
        return _draw(template, site, digest, now, checked_at).html
    if still_current(request.headers.get("X-Board-Stamp"), site.id, digest, now):
        return Response(status=204)
    boards = boards_of(current_app)
    role = current_staff().role.value
    drawn = boards.get(site.id, role, digest, now)
    if drawn is None:
        fresh = _draw(PARTIAL, site, digest, now, CHECKED_SLOT)
        drawn = DrawnBoard(fresh.html.replace(generate_csrf(), TOKEN_SLOT), fresh.stable_until)
        boards.put(site.id, role, digest, drawn)
    return drawn.for_request(generate_csrf(), checked_at)


@bp.get("/")
@requires(Capability.WORK_FLOOR)
def index() -> ResponseReturnValue:
    return _render("board/index.html")


@bp.get("/partial")
@requires(Capability.WORK_FLOOR)
@passive
def partial() -> ResponseReturnValue:
    """The board alone, for polling: "no change" (204) when the tablet's board is current, and
    a board another tablet of the site just had drawn when it still is. It does not keep an idle
    tablet signed in.
    """
    return _render(PARTIAL)


@bp.get("/booths/<int:booth_id>")
@requires(Capability.WORK_FLOOR)
def booth(booth_id: int) -> ResponseReturnValue:
    found = get_booth_or_404(get_session(), booth_id, current_site())
    return _booth_page(found, OutOfServiceForm())


def _booth_page(found: Booth, form: OutOfServiceForm, status: int = 200) -> ResponseReturnValue:
    """A booth's page: what can be done with it, and who is in it (a link to their visit)."""
    occupant = get_session().scalar(
        select(Visit)
        .where(Visit.booth_id == found.id, Visit.status == VisitStatus.IN_BOOTH)
        .options(joinedload(Visit.client))
    )
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


@bp.post("/booths/<int:booth_id>/<action>")
@requires(Capability.WORK_FLOOR)
def booth_action(booth_id: int, action: str) -> ResponseReturnValue:
    db = get_session()
    found = get_booth_or_404(db, booth_id, current_site())
    staff = current_staff()
    try:
        if action == "out-of-service":
            form = OutOfServiceForm()
            if not form.validate_on_submit():
                # The reason's own message (missing or too long), with what was typed kept.
                return _booth_page(found, form, 422)
            take_out_of_service(db, staff, found, form.reason.data or "")
            message = f"Booth {found.label} is out of service."
        elif action in ("clean", "back-in-service"):
            if not ConfirmForm().validate_on_submit():
                abort(400)
            if action == "clean":
                mark_clean(db, staff, found)
                message = f"Booth {found.label} is clean and free."
            else:
                return_to_service(db, staff, found)
                message = f"Booth {found.label} is back in service; it needs cleaning."
        else:
            abort(404)
    except SiteError as error:
        db.rollback()
        flash(str(error), "error")
        return redirect(url_for("board.index"))
    db.commit()
    flash(message, "success")
    return redirect(url_for("board.index"))
