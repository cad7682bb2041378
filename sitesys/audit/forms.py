"""Filters of the audit log page."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, Field, StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from sitesys.forms import strip
from sitesys.staff.forms import PlainSelectField

# A date filter is turned into a local midnight, the day after it and then UTC; near year 1 or
# year 9999 that arithmetic overflows (an error page), and no audit event is dated out there.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def _within_range(_form: object, field: Field) -> None:
    if field.data is not None and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError("Enter a date between 1 January 2000 and 31 December 2999.")


class AuditFilterForm(FlaskForm):
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
    date_from = DateField("From date", validators=[Optional(), _within_range])
    date_to = DateField("To date", validators=[Optional(), _within_range])
    site = PlainSelectField(
        "Site", coerce=str, validators=[Optional()], invalid_choice="Choose a site from the list."
    )
    submit = SubmitField("Filter")
