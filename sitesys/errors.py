"""Plain error pages: never a stack trace, and an expired form sends staff back to sign in."""

from __future__ import annotations

import logging

from flask import Flask, Response, g, make_response, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from sitesys.auth.guard import current_staff_session, is_htmx, send_to_login
from sitesys.auth.services import end_session
from sitesys.db import committing, get_session
from sitesys.extensions import login_manager

log = logging.getLogger(__name__)

TITLES = {
    400: _l("That request could not be understood"),
    403: _l("You do not have access to this"),
    404: _l("Not found"),
    405: _l("That action is not allowed here"),
    413: _l("That was too large to accept"),
    429: _l("Too many tries"),
    500: _l("Something went wrong"),
    503: _l("SiteSys cannot reach its database"),
}
MESSAGES = {
    400: _l("Nothing was saved. Go back, check the form and try again."),
    403: _l("Your role does not allow this. If you need it, ask your manager."),
    404: _l("The page or record does not exist, or is not at your site."),
    405: _l("Nothing was changed."),
    413: _l("Nothing was saved. Shorten the text and try again."),
    429: _l("There were too many tries from this connection. Wait a few minutes, then try again."),
    500: _l("Nothing was saved. Try again; if it keeps happening, tell your manager."),
    503: _l("Nothing was saved. Try again in a minute; if it lasts, use the paper fallback."),
}


#: What staff are told when a form or link holds a null character (no keyboard types one; a
#: pasted text or a crafted request can).
NULL_CHARACTER = _l(
    "That form held a character that cannot be stored (a null character), so nothing was saved. "
    "Go back, retype the text and try again."
)


def render_error(code: int, description: str | None = None) -> tuple[str, int]:
    """The plain error page (or the board's partial), with `description` in place of the
    usual message when given.
    """
    template = "errors/_partial.html" if is_htmx() else "errors/error.html"
    message = description or MESSAGES.get(code, "")
    title = TITLES.get(code) or _("Error")
    return render_template(template, code=code, title=title, message=message), code


def _http_error(error: HTTPException) -> tuple[str, int] | HTTPException | Response:
    if error.response is not None:
        # A page already made for this refusal (the sign-in limit's, auth/views.py).
        return error.response  # type: ignore[return-value]
    code = error.code or 500
    if code not in TITLES:
        return error
    description = str(error.description) if code == 403 and error.description else None
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
                return render_error(400, str(NULL_CHARACTER))
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
        _("That form had expired, so nothing was saved. Please sign in and try again."), "warning"
    )


#: What staff read when the database cannot be reached (issue 20, finding 7).
DATABASE_DOWN = _l(
    "SiteSys cannot reach its database. Use the paper fallback sheets; "
    "nothing typed on this page was saved."
)


def database_down_page() -> Response:
    """The 503 page for a database outage, drawn without the database: no member of staff is
    loaded (that is a query), no navigation, no site; the security headers are added as to every
    response (http_headers.py).
    """
    # Flask-Login loads the request's user only while g._login_user is unset (guard.py does the
    # same for the fallback sheets): nothing below may reach for the database again.
    g._login_user = login_manager.anonymous_user()
    page = render_template(
        "errors/standalone.html",
        code=503,
        title=TITLES[503],
        lines=[DATABASE_DOWN, _("Try again in a minute; if it lasts, tell your manager.")],
        links=[(url_for("fallback.sheets"), _("Open the paper fallback sheets"))],
    )
    response = make_response(page, 503)
    response.headers["Retry-After"] = "30"
    return response


def _database_down(error: SQLAlchemyError) -> Response:
    """The database refused or dropped a connection (OperationalError), none was free in time
    (TimeoutError), or a connection died under a statement (DBAPIError, invalidated).
    """
    if isinstance(error, DBAPIError) and not (
        isinstance(error, OperationalError) or error.connection_invalidated
    ):
        return _unexpected(error)  # type: ignore[return-value]
    reason = type(error.orig).__name__ if isinstance(error, DBAPIError) else type(error).__name__
    log.error("database unavailable: %s", reason)
    return database_down_page()


def _unexpected(error: Exception) -> tuple[str, int]:
    log.exception("unhandled error", exc_info=error)
    return render_error(500)


def init_app(app: Flask) -> None:
    app.before_request(_refuse_null_characters)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(OperationalError, _database_down)
    app.register_error_handler(DBAPIError, _database_down)
    app.register_error_handler(PoolTimeout, _database_down)
    app.register_error_handler(Exception, _unexpected)
