"""Forms of the client page: safety flags."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from sitesys.clients.models import FlagKind
from sitesys.forms import DayMonthYearField, SiteSysForm, choices, strip


class FlagForm(SiteSysForm):
    kind = SelectField(
        _l("Flag"),
        choices=choices((kind.value, kind.lazy_label) for kind in FlagKind),
        validators=[InputRequired()],
    )
    note = StringField(
        _l("Note"),
        validators=[InputRequired(_l("Write what staff need to know.")), Length(max=200)],
        filters=[strip],
        description=_l("Short and factual. For a restriction, the reason. No names."),
    )
    ends_on = DayMonthYearField(
        _l("Restriction ends on"),
        validators=[Optional()],
        description=_l("Service restrictions only: the last day it applies."),
    )
    submit = SubmitField(_l("Add flag"))


class RemoveFlagForm(SiteSysForm):
    reason = StringField(
        _l("Reason for removing"),
        validators=[InputRequired(_l("Give a reason for removing the flag.")), Length(max=200)],
        filters=[strip],
    )
    submit = SubmitField(_l("Remove flag"))
