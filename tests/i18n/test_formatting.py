"""Dates and times written by Babel for the request's language, in the site's zone: en_GB as
SiteSys has always written them, every other language in its own order and words; a date is
typed in the order of the language.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import g
from flask_babel import force_locale

from sitesys.forms import DayMonthYearField, SiteSysForm
from sitesys.templating import local_datetime, local_day, local_time
from tests.factories import make_site

#: 14:05:09 in London on 6 December 2026 is 09:05:09 in Montréal.
MOMENT = datetime(2026, 12, 6, 14, 5, 9, tzinfo=UTC)


class _DayForm(SiteSysForm):
    day = DayMonthYearField("Day")


def test_english_is_written_as_it_always_was(app, db):
    with app.test_request_context("/"):
        g.site = make_site(db, time_zone="Europe/London")
        assert local_time(MOMENT) == "14:05"
        assert local_time(MOMENT, "%H:%M:%S") == "14:05:09"
        assert local_datetime(MOMENT) == "06 Dec 2026 14:05"
        assert local_time(MOMENT, "%a %d %b %Y") == "Sun 06 Dec 2026"
        assert local_day(date(2026, 12, 6)) == "6 December 2026"
        assert local_time(None) == ""


def test_each_language_writes_the_same_moment_its_own_way_in_the_sites_zone(app, db):
    with app.test_request_context("/"):
        g.site = make_site(db, time_zone="America/Toronto")
        with force_locale("fr_CA"):
            assert local_time(MOMENT) == "09 h 05"
            assert local_datetime(MOMENT) == "6 déc. 2026, 09 h 05"
            assert local_day(date(2026, 12, 6)) == "6 décembre 2026"
        with force_locale("es"):
            assert local_day(date(2026, 12, 6)) == "6 de diciembre de 2026"
        with force_locale("pt"):
            assert local_datetime(MOMENT) == "6 de dez. de 2026 09:05"
        with force_locale("ar"):
            assert local_day(date(2026, 12, 6)) == "6 ديسمبر 2026"


def test_a_date_is_typed_day_first_in_english_and_year_first_in_canadian_french(app):
    with app.test_request_context("/", method="POST", data={"day": "2026-12-06"}):
        form = _DayForm(meta={"csrf": False})
        assert form.validate() and form.day.data == date(2026, 12, 6)
        assert form.day._value() == "2026-12-06", "as typed"
        form = _DayForm(formdata=None, data={"day": date(2026, 12, 6)}, meta={"csrf": False})
        assert 'placeholder="dd/mm/yyyy"' in form.day() and 'value="06/12/2026"' in form.day()
        with force_locale("fr_CA"):
            form = _DayForm(formdata=None, data={"day": date(2026, 12, 6)}, meta={"csrf": False})
            html = form.day()
            assert 'placeholder="aaaa-mm-jj"' in html and 'value="2026-12-06"' in html
    typed = app.test_request_context("/", method="POST", data={"day": "6 décembre"})
    with typed, force_locale("fr_CA"):
        form = _DayForm(meta={"csrf": False})
        assert not form.validate()
        assert form.day.errors == [
            "Entrez la date sous la forme année-mois-jour, par exemple 2026-12-06."
        ]
