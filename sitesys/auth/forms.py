"""Sign-in forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import InputRequired, Length

from sitesys.forms import strip


class LoginForm(FlaskForm):
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


class SwitchSiteForm(FlaskForm):
    site_id = HiddenField(validators=[InputRequired()])
    submit = SubmitField("Switch site")


class LogoutForm(FlaskForm):
    submit = SubmitField("Sign out")
