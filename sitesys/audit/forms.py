"""Filters of the audit log page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
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
        _l("Action"),
        validators=[
            Optional(),
            Length(max=64),
            Regexp(r"^[a-z_.]*$", message=_l("Actions look like visit.checked_in.")),
        ],
        filters=[strip],
        description=_l("Whole or start of an action, such as auth. or visit.checked_in."),
    )
    actor = PlainSelectField(
        _l("Staff member"),
        coerce=str,
        validators=[Optional()],
        invalid_choice=_l("Choose a staff member from the list."),
    )
    record_type = StringField(
        _l("Record type"),
        validators=[Optional(), Length(max=40), Regexp(r"^[a-z_]*$", message=_l("Letters only."))],
        filters=[strip],
    )
    date_from = DayMonthYearField(_l("From date"), validators=[Optional(), on_the_calendar])
    date_to = DayMonthYearField(
        _l("To date"), validators=[Optional(), on_the_calendar, not_before_date_from]
    )
    site = PlainSelectField(
        _l("Site"),
        coerce=str,
        validators=[Optional()],
        invalid_choice=_l("Choose a site from the list."),
    )
    submit = SubmitField(_l("Filter"))
