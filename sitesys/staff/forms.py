"""Forms of the staff admin pages."""

from __future__ import annotations

from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from sitesys.auth.roles import Role
from sitesys.forms import MultiCheckboxField, PlainSelectField, SiteSysForm, choices, strip

ROLE_PAIRS = [(role.value, role.label) for role in Role]


class StaffForm(SiteSysForm):
    # Text fields are required with DataRequired, which looks at the value after strip: the
    # raw-input check (InputRequired) let a name of spaces through, to be saved empty.
    username = StringField(
        "Username",
        validators=[DataRequired("Enter a username."), Length(min=3, max=40)],
        filters=[strip],
        description="3 to 40 lower-case letters, digits, dots, dashes or underscores.",
        render_kw={"autocapitalize": "none", "spellcheck": "false"},
    )
    display_name = StringField(
        "Display name",
        validators=[DataRequired("Enter the name colleagues know them by."), Length(max=80)],
        filters=[strip],
    )
    role = PlainSelectField(
        "Role",
        choices=choices(ROLE_PAIRS),
        validators=[InputRequired("Choose a role.")],
        invalid_choice="Choose one of the roles in the list.",
    )
    sites = MultiCheckboxField("Sites", coerce=int, validators=[Optional()])
    submit = SubmitField("Save staff member")


class EditStaffForm(StaffForm):
    username = None


class StaffFilterForm(SiteSysForm):
    class Meta:
        csrf = False

    q = StringField("Name or username", validators=[Optional(), Length(max=40)], filters=[strip])
    role = PlainSelectField(
        "Role",
        choices=choices([("", "Any role"), *ROLE_PAIRS]),
        validators=[Optional()],
        invalid_choice="Choose one of the roles in the list.",
    )
    status = PlainSelectField(
        "Status",
        choices=choices([("active", "Active"), ("inactive", "Deactivated"), ("all", "All")]),
        default="active",
        invalid_choice="Choose active, deactivated or all.",
    )
    submit = SubmitField("Filter")
