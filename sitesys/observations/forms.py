"""The observation form: what a nurse can measure, each reading within physiological limits."""

from __future__ import annotations

from decimal import Decimal

from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    StopValidation,
)

from sitesys.forms import UUID_PATTERN, RadioChoiceField, SiteSysForm, choices, strip
from sitesys.observations.models import Pupils
from sitesys.observations.scoring import RASS_LABELS, Consciousness, Poss, format_rass


def _reading(label: str, low: int, high: int, unit: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            # NumberRange formats its message with %, so a literal percent sign is doubled.
            NumberRange(
                low, high, f"{label} must be between {low} and {high} {unit}.".replace("%", "%%")
            ),
        ],
        description=f"{low}–{high} {unit}",
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


#: The thermometer range the form takes, in °C.
LOWEST_TEMPERATURE = Decimal("25.0")
HIGHEST_TEMPERATURE = Decimal("45.0")


def _temperature_as_stored(_form: SiteSysForm, field: DecimalField) -> None:
    """Refuse a temperature the record could not keep as typed. The column holds one decimal
    place, so 35.04 would be scored as above 35.0 (1 point) yet stored and shown as 35.0 (which
    scores 3): what is scored must be what is stored. "NaN" and "Infinity" parse as decimals
    but are not readings.
    """
    value = field.data
    if value is None:
        return
    if not value.is_finite():
        raise StopValidation("Enter the temperature as a number, e.g. 36.8.")
    # Outside the range NumberRange says so; inside it, quantize cannot overflow.
    in_range = LOWEST_TEMPERATURE <= value <= HIGHEST_TEMPERATURE
    if in_range and value != value.quantize(Decimal("0.1")):
        raise StopValidation("Enter the temperature to one decimal place, e.g. 36.8.")


class ObservationForm(SiteSysForm):
    respiratory_rate = _reading("Respiratory rate", 0, 80, "/min")
    spo2 = _reading("SpO2", 50, 100, "%")
    on_oxygen = BooleanField("On oxygen")
    pulse = _reading("Pulse", 20, 250, "/min")
    systolic_bp = _reading("Systolic blood pressure", 40, 300, "mmHg")
    temperature = DecimalField(
        "Temperature",
        places=1,
        validators=[
            Optional(),
            _temperature_as_stored,
            NumberRange(
                LOWEST_TEMPERATURE,
                HIGHEST_TEMPERATURE,
                "Temperature must be between 25.0 and 45.0 °C.",
            ),
        ],
        description="25.0–45.0 °C",
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    consciousness = RadioChoiceField(
        "Consciousness (ACVPU)",
        choices=choices((level.value, f"{level.value} – {level.label}") for level in Consciousness),
        validators=[InputRequired("Choose the level of consciousness (ACVPU).")],
        invalid_choice="Choose A, C, V, P or U.",
    )
    poss = RadioChoiceField(
        "Sedation (POSS)",
        choices=choices((level.value, level.label) for level in Poss),
        optional=True,
        invalid_choice="Choose a POSS level from the list.",
    )
    # Large buttons rather than a drop-down, from +4 down to -5 as the scale is taught, with
    # "Not assessed" (as the drop-down had) so a mistaken tap can be taken back.
    rass = RadioChoiceField(
        "RASS",
        choices=choices(
            [
                (str(score), f"{format_rass(score)} {RASS_LABELS[score]}")
                for score in sorted(RASS_LABELS, reverse=True)
            ]
            + [("", "Not assessed")]
        ),
        optional=True,
        invalid_choice="Choose a RASS level from the list.",
    )
    pupils = RadioChoiceField(
        "Pupils",
        choices=choices((p.value, p.label) for p in Pupils),
        optional=True,
        invalid_choice="Choose normal, pinpoint, dilated or unequal.",
    )
    vomiting = RadioChoiceField(
        "Vomiting",
        choices=choices([("no", "No"), ("yes", "Yes")]),
        optional=True,
        invalid_choice="Choose yes or no.",
    )
    note = TextAreaField("Note", validators=[Optional(), Length(max=500)], filters=[strip])
    observed_at = TimeField(
        "Time observed",
        validators=[Optional()],
        description="Only when recording late: up to 60 minutes back.",
    )
    backdate_reason = StringField(
        "Reason for the earlier time",
        validators=[Optional(), Length(max=200)],
        filters=[strip],
    )
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message="Reload the form.")])
    submit = SubmitField("Save observation")


class QuickCheckForm(SiteSysForm):
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message="Reload the page.")])
    #: "yes" once the nurse, asked to record a full set instead, chose the quick check.
    despite_advice = HiddenField()
    submit = SubmitField("Quick check")


class StrikeForm(SiteSysForm):
    reason = StringField(
        "Reason for striking through",
        validators=[
            InputRequired("Give a reason for striking the observation through."),
            Length(
                max=200, message="The reason for striking through can be at most 200 characters."
            ),
        ],
        filters=[strip],
    )
    submit = SubmitField("Strike through")


class ScaleForm(SiteSysForm):
    scale = RadioChoiceField(
        "SpO2 scale",
        choices=choices(
            [("1", "Scale 1 (default)"), ("2", "Scale 2 (hypercapnic respiratory failure)")]
        ),
        validators=[InputRequired("Choose a scale.")],
    )
    reason = StringField(
        "Reason",
        validators=[InputRequired("Give the clinical reason for the scale."), Length(max=200)],
        filters=[strip],
    )
    submit = SubmitField("Set SpO2 scale")
