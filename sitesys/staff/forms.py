"""Forms of the staff admin pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from sitesys.auth.roles import LABELS, Role
from sitesys.forms import MultiCheckboxField, PlainSelectField, SiteSysForm, choices, strip

ROLE_PAIRS = [(role.value, LABELS[role.value]) for role in Role]


class StaffForm(SiteSysForm):
    # Text fields are required with DataRequired, which looks at the value after strip: the
    # raw-input check (InputRequired) let a name of spaces through, to be saved empty.
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Enter a username.")), Length(min=3, max=40)],
        filters=[strip],
        description=_l("3 to 40 lower-case letters, digits, dots, dashes or underscores."),
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = StringField(
        _l("Display name"),
        validators=[DataRequired(_l("Enter the name colleagues know them by.")), Length(max=80)],
        filters=[strip],
    )
    role = PlainSelectField(
        _l("Role"),
        choices=choices(ROLE_PAIRS),
        validators=[InputRequired(_l("Choose a role."))],
        invalid_choice=_l("Choose one of the roles in the list."),
    )
    sites = MultiCheckboxField(_l("Sites"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Save staff member"))


class EditStaffForm(StaffForm):
    username = None


class StaffFilterForm(SiteSysForm):
    class Meta:
        csrf = False

    q = StringField(
        _l("Name or username"), validators=[Optional(), Length(max=40)], filters=[strip]
    )
    role = PlainSelectField(
        _l("Role"),
        choices=choices([("", _l("Any role")), *ROLE_PAIRS]),
        validators=[Optional()],
        invalid_choice=_l("Choose one of the roles in the list."),
    )
    status = PlainSelectField(
        _l("Status"),
        choices=choices(
            [("active", _l("Active")), ("inactive", _l("Deactivated")), ("all", _l("All"))]
        ),
        default="active",
        invalid_choice=_l("Choose active, deactivated or all."),
    )
    submit = SubmitField(_l("Filter"))
