"""Forms of the site and booth admin pages."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from sitesys.clients.codes import pattern_problem
from sitesys.forms import choices, strip
from sitesys.sites.models import BoothKind

BOOTH_KIND_CHOICES = choices((kind.value, kind.label) for kind in BoothKind)


def _minutes(label: str, low: int, high: int, hint: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(f"Enter {label.lower()}."),
            NumberRange(low, high, f"Enter a whole number from {low} to {high}."),
        ],
        description=hint,
    )


class SiteForm(FlaskForm):
    name = StringField(
        "Site name",
        validators=[InputRequired("Enter the site's name."), Length(max=80)],
        filters=[strip],
    )
    time_zone = StringField(
        "Time zone",
        default="Europe/London",
        validators=[InputRequired("Enter a time zone such as Europe/London."), Length(max=64)],
        filters=[strip],
        description="An IANA time zone, such as Europe/London.",
    )
    closing_time = TimeField(
        "Closing time",
        validators=[InputRequired("Enter the closing time.")],
        description="Visits still open well after this are closed by the end-of-day job.",
    )
    idle_timeout_minutes = _minutes(
        "Idle timeout (minutes)", 5, 60, "Sign a tablet out after this long without a tap."
    )
    absolute_timeout_hours = _minutes(
        "Session limit (hours)", 1, 16, "Sign out after this long, however busy."
    )
    booth_check_minutes = _minutes(
        "Check interval in booth (minutes)", 1, 30, "How often someone in a booth is checked."
    )
    aftercare_check_minutes = _minutes(
        "Check interval in aftercare (minutes)", 1, 60, "How often someone in aftercare is checked."
    )
    close_watch_minutes = _minutes(
        "Close watch interval (minutes)", 1, 15, "Used while a client's scores are worrying."
    )
    handover_ack_minutes = _minutes(
        "Handover acknowledgement limit (minutes)",
        5,
        240,
        "A handover unacknowledged this long after the shift change is flagged to managers.",
    )
    draft_reminder_hours = _minutes(
        "Incident report reminder (hours)",
        1,
        72,
        "Remind the reporter and the managers about a report still unsubmitted after this long.",
    )
    code_hint = TextAreaField(
        "Client code recipe",
        validators=[InputRequired("Describe how clients make their code."), Length(max=300)],
        filters=[strip],
        description="Shown at the desk, e.g. first two letters of your first name...",
    )
    code_pattern = StringField(
        "Client code pattern",
        validators=[InputRequired("Enter the pattern codes must match."), Length(max=200)],
        filters=[strip],
        description="A regular expression the upper-case code must match in full, e.g. "
        "[A-Z]{4}[0-9]{2}.",
    )
    is_active = BooleanField("Site is open for use", default=True)
    submit = SubmitField("Save site")

    def validate_code_pattern(self, field: StringField) -> None:
        problem = pattern_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_time_zone(self, field: StringField) -> None:
        if field.data not in available_timezones():
            raise ValidationError("That is not a known time zone; try Europe/London.")


class BoothForm(FlaskForm):
    label = StringField(
        "Booth label",
        validators=[InputRequired("Enter a label, such as 3."), Length(max=20)],
        filters=[strip],
    )
    kind = SelectField("Booth kind", choices=BOOTH_KIND_CHOICES)
    position = IntegerField(
        "Position on the board",
        default=0,
        validators=[InputRequired("Enter a position."), NumberRange(0, 999)],
    )
    submit = SubmitField("Save booth")


class OutOfServiceForm(FlaskForm):
    reason = StringField(
        "Reason",
        validators=[
            InputRequired("Give a reason for taking the booth out of service."),
            Length(max=200, message="Keep the reason to 200 characters or fewer."),
        ],
        filters=[strip],
    )
    submit = SubmitField("Take out of service")


class SubstanceForm(FlaskForm):
    label = StringField(
        "Substance",
        validators=[InputRequired("Enter the substance's name."), Length(max=60)],
        filters=[strip],
    )
    submit = SubmitField("Add substance")
