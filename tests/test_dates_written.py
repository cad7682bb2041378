"""Dates are written in the reader's language: English exactly as before, French as Quebec
writes them (the month names are Babel's, not strftime's English).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import force_locale

from sitesys.clock import written


def test_english_dates_are_written_as_strftime_writes_them(app):
    moment = datetime(2026, 9, 6, 14, 30, tzinfo=UTC)
    with app.test_request_context():
        assert written(moment, "%d %b %Y %H:%M") == "06 Sep 2026 14:30"
        assert written(date(2000, 1, 1), "%-d %B %Y") == "1 January 2000"
    # Outside a request (a job, a command) too.
    assert written(moment, "%-d %b") == "6 Sep"


def test_french_dates_have_french_month_names(app):
    with app.test_request_context(), force_locale("fr_CA"):
        # French order and punctuation for the same fields: "14 h 30", a comma before the time.
        assert written(datetime(2026, 12, 6, 14, 30, tzinfo=UTC), "%d %b %Y %H:%M") == (
            "6 déc. 2026, 14 h 30"
        )
        assert written(date(2100, 12, 31), "%-d %B %Y") == "31 décembre 2100"
