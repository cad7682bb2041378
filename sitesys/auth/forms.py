"""Sign-in forms."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from sitesys.forms import SiteSysForm, strip


class LoginForm(SiteSysForm):
    username = StringField(
        "Username",
        validators=[InputRequired("Enter your username."), Length(max=80)],
        filters=[strip],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired("Enter your password."), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField("Sign in")


class SwitchSiteForm(SiteSysForm):
    site_id = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Switch site")


class LogoutForm(SiteSysForm):
    submit = SubmitField("Sign out")
