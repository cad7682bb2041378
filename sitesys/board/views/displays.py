"""Wall-board displays: the admin's page (register, new code, revoke) and the device's own pages
at /display (pairing, then the board alone, polled, with no actions and no links into records).

A display is not a member of staff: its device holds a display token in its (sealed) cookie, and
the guard lets these pages through (`auth/guard.py: PUBLIC_ENDPOINTS`) for them to check it here.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from sitesys.auth.guard import current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.board.displays import (
    SEEN_EVERY,
    Pairing,
    display_for_token,
    displays_list,
    issue_pairing_code,
    note_seen,
    pair_display,
    register_display,
    revoke_display,
)
from sitesys.board.forms import PairDisplayForm, RegisterDisplayForm
from sitesys.board.loaders import get_display_or_404
from sitesys.board.models import Display
from sitesys.board.views import board_page, board_partial, bp
from sitesys.clock import utcnow
from sitesys.db import committing, get_database, get_session
from sitesys.extensions import limiter
from sitesys.forms import ConfirmForm
from sitesys.sites.models import Site
from sitesys.templating import local_time

display_bp = Blueprint("display", __name__)

#: Where a paired device keeps its display token (in the sealed session cookie).
TOKEN_KEY = "display_token"  # noqa: S105 (the cookie key, not a secret)
#: Pairing attempts per address: plenty for typing a code, far too few to guess one.
PAIR_LIMIT = "10 per minute"

REVOKED = _l(
    "This display was disconnected by an admin. Enter a new pairing code to show the board."
)


# -- The admin's page ------------------------------------------------------------------------


def _register_form() -> RegisterDisplayForm:
    form = RegisterDisplayForm()
    sites = get_session().scalars(select(Site).where(Site.is_active).order_by(Site.name))
    form.site.choices = [(site.id, site.name) for site in sites]
    return form


def _say_code(pairing: Pairing) -> str:
    return str(
        _(
            "Pairing code for %(display)s: %(code)s. Open /display on the tablet and enter it by "
            "%(time)s; it works once.",
            display=pairing.display.name,
            code=pairing.code_shown,
            time=local_time(pairing.display.pairing_expires_at),
        )
    )


def _displays_page(form: RegisterDisplayForm, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "board/displays.html",
            displays=displays_list(get_session()),
            form=form,
            confirm=ConfirmForm(),
            now=utcnow(),
        ),
        status,
    )


@bp.get("/displays")
@requires(Capability.MANAGE_DISPLAYS)
def displays() -> ResponseReturnValue:
    return _displays_page(_register_form())


@bp.post("/displays")
@requires(Capability.MANAGE_DISPLAYS)
def register() -> ResponseReturnValue:
    db = get_session()
    form = _register_form()
    if not form.validate_on_submit():
        return _displays_page(form, 422)
    site = db.get(Site, form.site.data)
    if site is None:
        return _displays_page(form, 422)
    with committing(db) as outcome:
        pairing = register_display(db, current_staff(), site, form.name.data or "")
        outcome.say(_say_code(pairing), "info")
    return redirect(url_for("board.displays"))


@bp.post("/displays/<int:display_id>/code")
@requires(Capability.MANAGE_DISPLAYS)
def new_code(display_id: int) -> ResponseReturnValue:
    db = get_session()
    display = get_display_or_404(db, display_id, for_update=True)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("board.displays"))
    with committing(db) as outcome:
        outcome.say(_say_code(issue_pairing_code(db, current_staff(), display)), "info")
    return redirect(url_for("board.displays"))


@bp.post("/displays/<int:display_id>/revoke")
@requires(Capability.MANAGE_DISPLAYS)
def revoke(display_id: int) -> ResponseReturnValue:
    db = get_session()
    display = get_display_or_404(db, display_id, for_update=True)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("board.displays"))
    with committing(db) as outcome:
        outcome.say(revoke_display(db, current_staff(), display))
    return redirect(url_for("board.displays"))


# -- The device's pages ----------------------------------------------------------------------


def _this_display() -> Display | None:
    """The live display this device is paired as, its last sighting kept; None when it is not
    (a revoked display's token is dropped, and the pairing page says why).
    """
    db = get_session()
    token = session.get(TOKEN_KEY)
    display = display_for_token(db, token)
    if display is None:
        session.pop(TOKEN_KEY, None)
        return None
    if display.is_revoked:
        session.pop(TOKEN_KEY, None)
        flash(str(REVOKED), "warning")
        return None
    # Audit events this device causes name it by the display's name (audit/origin.py).
    g.audit_device = f"Display: {display.name}"
    now = utcnow()
    address = request.remote_addr
    last = display.last_seen_at
    if last is None or now - last >= SEEN_EVERY or display.last_seen_from != address:
        # In a short write of its own, as the staff idle clock is moved (auth/guard.py): polls
        # are reads. The request's own transaction is ended first and the display read again.
        display_id = display.id
        db.rollback()
        with get_database().new_session(write=True) as write:
            fresh = write.get(Display, display_id)
            if fresh is not None and note_seen(write, fresh, address, now):
                write.commit()
        display = display_for_token(db, token)
        if display is None or display.is_revoked:
            return None
    g.site = display.site
    return display


@display_bp.get("/display")
def show() -> ResponseReturnValue:
    display = _this_display()
    if display is None:
        return render_template("board/display_pair.html", form=PairDisplayForm())
    return board_page("board/display.html", display.site, display=True, display_name=display.name)


@display_bp.post("/display")
@limiter.limit(PAIR_LIMIT)
def pair() -> ResponseReturnValue:
    db = get_session()
    form = PairDisplayForm()
    if not form.validate_on_submit():
        return render_template("board/display_pair.html", form=form), 422
    with committing(db, show_refusal=False) as outcome:
        _display, token = pair_display(db, form.code.data or "", request.remote_addr)
    if outcome.refusal is not None:
        return render_template(
            "board/display_pair.html", form=form, error=str(outcome.refusal)
        ), 422
    session[TOKEN_KEY] = token
    session.permanent = True
    return redirect(url_for("display.show"))


@display_bp.get("/display/partial")
def partial() -> ResponseReturnValue:
    """The display's board, polled. A display that is no longer paired (revoked, replaced) is
    answered 401 and sent to the pairing page, which says why.
    """
    display = _this_display()
    if display is None:
        response = Response(status=401)
        response.headers["HX-Redirect"] = url_for("display.show")
        return response
    return board_partial(display.site, "display", display=True)
