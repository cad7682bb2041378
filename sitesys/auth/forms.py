"""Sign-in forms."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

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


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            "New password",
            validators=[InputRequired("Enter a new password."), Length(max=128)],
            description="At least 12 characters; a few words together work well.",
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            "New password again",
            validators=[
                InputRequired("Enter the new password again."),
                EqualTo("new_password", "The two new passwords are not the same."),
            ],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class FirstPasswordForm(SiteSysForm):
    """At sign-in, after an admin issued or reset the password."""

    new_password, confirm = _new_password_fields()
    submit = SubmitField("Set password and sign in")


class ChangePasswordForm(SiteSysForm):
    """Staff change their own password."""

    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=128)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm = _new_password_fields()
    submit = SubmitField("Change password")
