"""Sign-in forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from sitesys.forms import SiteSysForm, strip


class LoginForm(SiteSysForm):
    username = StringField(
        _l("Username"),
        validators=[InputRequired(_l("Enter your username.")), Length(max=80)],
        filters=[strip],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(_l("Enter your password.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Sign in"))


class SwitchSiteForm(SiteSysForm):
    site_id = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Switch site"))


class LogoutForm(SiteSysForm):
    submit = SubmitField(_l("Sign out"))


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            _l("New password"),
            validators=[InputRequired(_l("Enter a new password.")), Length(max=128)],
            description=_l("At least 12 characters; a few words together work well."),
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            _l("New password again"),
            validators=[
                InputRequired(_l("Enter the new password again.")),
                EqualTo("new_password", _l("The two new passwords are not the same.")),
            ],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class FirstPasswordForm(SiteSysForm):
    """At sign-in, after an admin issued or reset the password."""

    new_password, confirm = _new_password_fields()
    submit = SubmitField(_l("Set password and sign in"))


class ChangePasswordForm(SiteSysForm):
    """Staff change their own password."""

    current_password = PasswordField(
        _l("Current password"),
        validators=[InputRequired(_l("Enter your current password.")), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm = _new_password_fields()
    submit = SubmitField(_l("Change password"))
