"""Forms of the client page: safety flags."""

from __future__ import annotations

from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from sitesys.clients.models import FlagKind
from sitesys.forms import DayMonthYearField, SiteSysForm, choices, strip


class FlagForm(SiteSysForm):
    kind = SelectField(
        "Flag",
        choices=choices((kind.value, kind.label) for kind in FlagKind),
        validators=[InputRequired()],
    )
    note = StringField(
        "Note",
        validators=[InputRequired("Write what staff need to know."), Length(max=200)],
        filters=[strip],
        description="Short and factual. For a restriction, the reason. No names.",
    )
    ends_on = DayMonthYearField(
        "Restriction ends on",
        validators=[Optional()],
        description="Service restrictions only: the last day it applies.",
    )
    submit = SubmitField("Add flag")


class RemoveFlagForm(SiteSysForm):
    reason = StringField(
        "Reason for removing",
        validators=[InputRequired("Give a reason for removing the flag."), Length(max=200)],
        filters=[strip],
    )
    submit = SubmitField("Remove flag")
