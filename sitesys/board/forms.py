"""Forms of the wall-board displays: registering one (admin), and pairing a device with a code."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import InputRequired, Length

from sitesys.forms import PlainSelectField, SiteSysForm, strip


class RegisterDisplayForm(SiteSysForm):
    name = StringField(
        "Display name",
        description="Where it hangs, for example: Nurses' station.",
        filters=[strip],
        validators=[
            InputRequired("Give the display a name."),
            Length(max=60, message="A display name can be at most 60 characters."),
        ],
    )
    site = PlainSelectField("Site", coerce=int)


class PairDisplayForm(SiteSysForm):
    code = StringField(
        "Pairing code",
        description="The 8-character code an admin was shown when registering this display.",
        filters=[strip],
        validators=[
            InputRequired("Enter the pairing code."),
            Length(max=20, message="A pairing code is 8 letters and digits."),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
