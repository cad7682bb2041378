"""Sign-in forms."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from sitesys.auth.two_factor import RESET_REASONS
from sitesys.forms import RadioChoiceField, SiteSysForm, choices, strip


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


def _code_field(label: str, description: str) -> StringField:
    return StringField(
        label,
        validators=[InputRequired("Enter the code."), Length(max=40)],
        filters=[strip],
        description=description,
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "none",
            "spellcheck": "false",
            "inputmode": "text",
        },
    )


class CodeForm(SiteSysForm):
    """The second step of a sign-in: a code from the app, or a recovery code."""

    code = _code_field(
        "Code",
        "The 6-digit code your authenticator app shows for SiteSys, or one of your recovery "
        "codes if you do not have your phone.",
    )
    submit = SubmitField("Continue")


class EnrolForm(SiteSysForm):
    """The first code from a new secret, which confirms the app holds it."""

    code = _code_field("Code from the app", "The 6-digit code the app now shows for SiteSys.")
    submit = SubmitField("Confirm and sign in")


class NewRecoveryCodesForm(SiteSysForm):
    code = _code_field("Code from the app", "The 6-digit code the app shows for SiteSys now.")
    submit = SubmitField("Make new recovery codes")


class ResetTwoFactorForm(SiteSysForm):
    """An admin resets a colleague's two-factor (a lost phone); the reason is one of a list."""

    reason = RadioChoiceField(
        "Why is it being reset?",
        choices=choices(RESET_REASONS.items()),
        validators=[InputRequired("Choose why two-factor sign-in is being reset.")],
        invalid_choice="Choose one of the reasons in the list.",
    )
    submit = SubmitField("Reset two-factor sign-in")
