"""The paper fallback sheets at /fallback: blank forms, no client data, no database.

Staff open this page when SiteSys cannot reach its database (the error page links to it), so
nothing in its request may query the database: the guard serves it as to an anonymous visitor
(`auth/guard.py: OFFLINE_ENDPOINTS`), and everything it shows comes from the scoring rules in
code.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from sitesys.fallback.chart import (
    COLUMNS,
    close_watch_triggers,
    news2_key,
    news2_levels,
    red_flags,
)
from sitesys.observations.scoring import say_reason

bp = Blueprint("fallback", __name__)

#: Blank rows on each sheet: as many as fit one A4 page at a writable height.
OBSERVATION_ROWS = 12
RESPONSE_ROWS = 22
CHECK_IN_ROWS = 28


@bp.get("/fallback")
def sheets() -> ResponseReturnValue:
    """Public, like the sign-in page: a tablet signed out, or a database down, still prints it."""
    return render_template(
        "fallback/sheets.html",
        columns=COLUMNS,
        key=news2_key(),
        levels=news2_levels(),
        # Kept in SiteSys's own words (English), as records keep them; said in the reader's.
        red_flags=[say_reason(flag) for flag in red_flags()],
        close_watch=[say_reason(trigger) for trigger in close_watch_triggers()],
        observation_rows=range(OBSERVATION_ROWS),
        response_rows=range(RESPONSE_ROWS),
        check_in_rows=range(CHECK_IN_ROWS),
    )
