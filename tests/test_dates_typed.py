"""Dates typed and shown day/month/year, whatever language the tablet is set up in."""

from __future__ import annotations

import re
from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from sitesys.forms import DayMonthYearField, SiteSysForm


class OneDate(SiteSysForm):
    class Meta:
        csrf = False

    day = DayMonthYearField("Day")


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("06/12/2026", date(2026, 12, 6)),
        ("6/12/2026", date(2026, 12, 6)),
        ("3.12.26", date(2026, 12, 3)),
        ("03-12-2026", date(2026, 12, 3)),
        ("2026-12-03", date(2026, 12, 3)),  # the ISO form, as links and older pages send it
        (" 31/01/2027 ", date(2027, 1, 31)),
    ],
)
def test_a_date_is_read_day_first(app, typed, read):
    with app.test_request_context():
        form = OneDate(MultiDict({"day": typed}))
        assert form.validate(), form.errors
        assert form.day.data == read


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("12/31/2026", "not on the calendar"),  # month first is not a date here
        ("next tuesday", "day/month/year"),
        ("31/02/2027", "not on the calendar"),
    ],
)
def test_a_date_not_read_says_how_to_type_it(app, typed, message):
    with app.test_request_context():
        form = OneDate(MultiDict({"day": typed}))
        assert not form.validate()
        assert message in " ".join(form.day.errors)
        assert form.day() and f'value="{typed.strip()}"' in form.day()  # kept as typed


def test_a_date_is_shown_day_first_in_a_text_box(app):
    with app.test_request_context():
        form = OneDate(data={"day": date(2026, 12, 6)})
        html = form.day()
        assert 'type="text"' in html and 'value="06/12/2026"' in html
        assert 'placeholder="dd/mm/yyyy"' in html


def test_every_date_box_of_the_audit_log_reads_day_first(client, db):
    from sitesys.auth.roles import Role
    from tests.factories import make_site, make_staff, sign_in

    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.MANAGER, [site]))
    page = client.get("/audit/?date_from=01/12/2026").get_data(as_text=True)
    assert not re.search(r'type="date"', page)
    assert re.search(
        r'id="date_from"[^>]*value="01/12/2026"|value="01/12/2026"[^>]*id="date_from"', page
    )
    assert "Enter the date" not in page
