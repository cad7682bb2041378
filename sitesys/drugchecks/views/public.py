"""The public result look-up: a client types the code from their slip and reads their result.

Reached without signing in, so it is written as an attacker would try it:
- it shows the result in plain words, the date and the advice, and nothing else (no site, visit,
  test or name); free text is escaped like everything else the templates print;
- a code never issued and one past its days get the same page, found in the same single query;
- it is limited per address (Flask-Limiter, sitesys/extensions.py), and a client over the limit
  gets a plain page saying to wait, not an error;
- it sets no cookie and needs no CSRF token: it changes nothing, and a client's phone keeps no
  trace of the visit but its history.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, make_response, render_template
from flask.typing import ResponseReturnValue
from flask_limiter import RequestLimit

from sitesys.clock import utcnow
from sitesys.db import get_session
from sitesys.drugchecks.forms import LookupForm
from sitesys.drugchecks.lookup import look_up
from sitesys.extensions import csrf, limiter

bp = Blueprint("results", __name__)

#: Look-ups per address: enough for a client who mistypes, or for a site's guest Wi-Fi shared by
#: many clients; far too few to guess a code (drugchecks/codes.py).
LOOKUP_LIMIT = "10 per minute;120 per hour"


def too_many(_limit: RequestLimit) -> Response:
    """The plain page shown over the limit (429), in the public pages' own layout."""
    return make_response(render_template("drugchecks/public_busy.html"), 429)


@bp.route("/results", methods=["GET", "POST"])
@limiter.limit(LOOKUP_LIMIT, methods=["POST"], on_breach=too_many)
def lookup() -> ResponseReturnValue:
    form = LookupForm()
    answer = None
    status = 200
    if form.validate_on_submit():
        answer = look_up(
            get_session(),
            form.code.data or "",
            str(current_app.config["SITESYS_CLIENT_CODE_KEY"]),
            utcnow(),
        )
        # What was typed is not sent back: the page holds no code once read.
        form.code.data = ""
    elif form.errors:
        status = 422
    return render_template("drugchecks/public_results.html", form=form, answer=answer), status


# No CSRF token: the look-up changes nothing, and a token would need a session cookie that a
# client's phone then keeps (CSRFProtect knows a view by its module and name).
csrf.exempt(lookup)
