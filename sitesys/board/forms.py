"""Forms of the wall-board displays: registering one (admin), and pairing a device with a code."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf, InputRequired, Length, Regexp

from sitesys.forms import UUID_PATTERN, PlainSelectField, SiteSysForm, strip


class RegisterDisplayForm(SiteSysForm):
    name = StringField(
        _l("Display name"),
        description=_l("Where it hangs, for example: Nurses' station."),
        filters=[strip],
        validators=[
            InputRequired(_l("Give the display a name.")),
            Length(max=60, message=_l("A display name can be at most 60 characters.")),
        ],
    )
    site = PlainSelectField(_l("Site"), coerce=int)


class PairDisplayForm(SiteSysForm):
    code = StringField(
        _l("Pairing code"),
        description=_l("The 8-character code an admin was shown when registering this display."),
        filters=[strip],
        validators=[
            InputRequired(_l("Enter the pairing code.")),
            Length(max=20, message=_l("A pairing code is 8 letters and digits.")),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class RescueActionForm(SiteSysForm):
    """Naloxone or rescue breaths, from the front desk's tile (where the site allows it)."""

    kind = HiddenField(validators=[AnyOf(["naloxone", "rescue_breaths"])])
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the page."))])
