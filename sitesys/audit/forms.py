"""Filters of the audit log page."""

from __future__ import annotations

from wtforms import StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp

from sitesys.forms import (
    DayMonthYearField,
    PlainSelectField,
    SiteSysForm,
    not_before_date_from,
    on_the_calendar,
    strip,
)


class AuditFilterForm(SiteSysForm):
    class Meta:
        csrf = False

    action = StringField(
        "Action",
        validators=[
            Optional(),
            Length(max=64),
            Regexp(r"^[a-z_.]*$", message="Actions look like visit.checked_in."),
        ],
        filters=[strip],
        description="Whole or start of an action, such as auth. or visit.checked_in.",
    )
    actor = PlainSelectField(
        "Staff member",
        coerce=str,
        validators=[Optional()],
        invalid_choice="Choose a staff member from the list.",
    )
    record_type = StringField(
        "Record type",
        validators=[Optional(), Length(max=40), Regexp(r"^[a-z_]*$", message="Letters only.")],
        filters=[strip],
    )
    date_from = DayMonthYearField("From date", validators=[Optional(), on_the_calendar])
    date_to = DayMonthYearField(
        "To date", validators=[Optional(), on_the_calendar, not_before_date_from]
    )
    site = PlainSelectField(
        "Site", coerce=str, validators=[Optional()], invalid_choice="Choose a site from the list."
    )
    submit = SubmitField("Filter")
