"""Sign-in forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from sitesys.auth.two_factor import RESET_REASONS
from sitesys.forms import RadioChoiceField, SiteSysForm, choices, strip


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


def _code_field(label: object, description: object) -> StringField:
    return StringField(
        label,
        validators=[InputRequired(_l("Enter the code.")), Length(max=40)],
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
        _l("Code"),
        _l(
            "The 6-digit code your authenticator app shows for SiteSys, or one of your recovery "
            "codes if you do not have your phone."
        ),
    )
    submit = SubmitField(_l("Continue"))


class EnrolForm(SiteSysForm):
    """The first code from a new secret, which confirms the app holds it."""

    code = _code_field(
        _l("Code from the app"), _l("The 6-digit code the app now shows for SiteSys.")
    )
    submit = SubmitField(_l("Confirm and sign in"))


class NewRecoveryCodesForm(SiteSysForm):
    code = _code_field(
        _l("Code from the app"), _l("The 6-digit code the app shows for SiteSys now.")
    )
    submit = SubmitField(_l("Make new recovery codes"))


class ResetTwoFactorForm(SiteSysForm):
    """An admin resets a colleague's two-factor (a lost phone); the reason is one of a list."""

    reason = RadioChoiceField(
        _l("Why is it being reset?"),
        choices=choices(RESET_REASONS.items()),
        validators=[InputRequired(_l("Choose why two-factor sign-in is being reset."))],
        invalid_choice=_l("Choose one of the reasons in the list."),
    )
    submit = SubmitField(_l("Reset two-factor sign-in"))
