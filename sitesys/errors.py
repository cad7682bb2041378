"""Plain error pages: never a stack trace, and an expired form sends staff back to sign in."""

from __future__ import annotations

import logging

from flask import Flask, Response, render_template, request, session
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from sitesys.auth.guard import current_staff_session, is_htmx, send_to_login
from sitesys.auth.services import end_session
from sitesys.db import committing, get_session

log = logging.getLogger(__name__)

TITLES = {
    400: "That request could not be understood",
    403: "You do not have access to this",
    404: "Not found",
    405: "That action is not allowed here",
    413: "That was too large to accept",
    429: "Too many tries",
    500: "Something went wrong",
    503: "SiteSys cannot reach its database",
}
MESSAGES = {
    400: "Nothing was saved. Go back, check the form and try again.",
    403: "Your role does not allow this. If you need it, ask your manager.",
    404: "The page or record does not exist, or is not at your site.",
    405: "Nothing was changed.",
    413: "Nothing was saved. Shorten the text and try again.",
    429: "There were too many tries from this connection. Wait a few minutes, then try again.",
    500: "Nothing was saved. Try again; if it keeps happening, tell your manager.",
    503: "Nothing was saved. Try again in a minute; if it lasts, use the paper fallback.",
}


#: What staff are told when a form or link holds a null character (no keyboard types one; a
#: pasted text or a crafted request can).
NULL_CHARACTER = (
    "That form held a character that cannot be stored (a null character), so nothing was saved. "
    "Go back, retype the text and try again."
)


def render_error(code: int, description: str | None = None) -> tuple[str, int]:
    """The plain error page (or the board's partial), with `description` in place of the
    usual message when given.
    """
    template = "errors/_partial.html" if is_htmx() else "errors/error.html"
    message = description or MESSAGES.get(code, "")
    return (
        render_template(template, code=code, title=TITLES.get(code, "Error"), message=message),
        code,
    )


def _http_error(error: HTTPException) -> tuple[str, int] | HTTPException | Response:
    if error.response is not None:
        # A page already made for this refusal (the sign-in limit's, auth/views.py).
        return error.response  # type: ignore[return-value]
    code = error.code or 500
    if code not in TITLES:
        return error
    description = error.description if code == 403 and error.description else None
    if description and description.startswith("You don't have the permission"):
        description = None
    return render_error(code, description)


def _refuse_null_characters() -> tuple[str, int] | None:
    """Refuse a form or query holding a null character before any view reads it: PostgreSQL's
    text cannot store one, so it would otherwise fail half-way as an error page.
    """
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if "\x00" in key or "\x00" in value:
                log.warning("refused a request holding a null character")
                return render_error(400, NULL_CHARACTER)
    return None


def _csrf_error(_error: CSRFError) -> Response:
    """A form older than the session (a tablet left overnight) ends the session, with a message."""
    if current_user.is_authenticated:
        db = get_session()
        with committing(db):
            end_session(db, current_staff_session(), "form_expired")
        logout_user()
    session.clear()
    return send_to_login(
        "That form had expired, so nothing was saved. Please sign in and try again.", "warning"
    )


def _database_down(error: OperationalError) -> tuple[str, int]:
    log.error("database unavailable: %s", type(error.orig).__name__)
    return render_error(503)


def _unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unhandled error", exc_info=error)
    return render_error(500)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_null_characters)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(Exception, _unexpected)
