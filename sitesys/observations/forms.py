"""The observation form: what a nurse can measure, each reading within physiological limits."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
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


def _reading(label: Any, low: int, high: int, unit: str) -> IntegerField:
    """A reading's field; `label` is lazy (translated where the form is shown)."""

    def out_of_range() -> str:
        said = _(
            "%(reading)s must be between %(low)s and %(high)s %(unit)s.",
            reading=label,
            low=low,
            high=high,
            unit=unit,
        )
        # NumberRange formats its message with %, so a literal percent sign is doubled.
        return str(said).replace("%", "%%")

    return IntegerField(
        label,
        validators=[Optional(), NumberRange(low, high, LazyString(out_of_range))],
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
        raise StopValidation(_("Enter the temperature as a number, e.g. 36.8."))
    # Outside the range NumberRange says so; inside it, quantize cannot overflow.
    in_range = LOWEST_TEMPERATURE <= value <= HIGHEST_TEMPERATURE
    if in_range and value != value.quantize(Decimal("0.1")):
        raise StopValidation(_("Enter the temperature to one decimal place, e.g. 36.8."))


class ObservationForm(SiteSysForm):
    respiratory_rate = _reading(_l("Respiratory rate"), 0, 80, "/min")
    spo2 = _reading(_l("SpO2"), 50, 100, "%")
    on_oxygen = BooleanField(_l("On oxygen"))
    pulse = _reading(_l("Pulse"), 20, 250, "/min")
    systolic_bp = _reading(_l("Systolic blood pressure"), 40, 300, "mmHg")
    temperature = DecimalField(
        _l("Temperature"),
        places=1,
        validators=[
            Optional(),
            _temperature_as_stored,
            NumberRange(
                LOWEST_TEMPERATURE,
                HIGHEST_TEMPERATURE,
                _l("Temperature must be between 25.0 and 45.0 °C."),
            ),
        ],
        description="25.0–45.0 °C",
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    consciousness = RadioChoiceField(
        # TRANSLATORS: clinical
        _l("Consciousness (ACVPU)"),
        choices=choices(
            (level.value, LazyString(lambda level=level: f"{level.value} – {level.label}"))
            for level in Consciousness
        ),
        # TRANSLATORS: clinical
        validators=[InputRequired(_l("Choose the level of consciousness (ACVPU)."))],
        # TRANSLATORS: clinical
        invalid_choice=_l("Choose A, C, V, P or U."),
    )
    poss = RadioChoiceField(
        # TRANSLATORS: clinical
        _l("Sedation (POSS)"),
        choices=choices((level.value, level.lazy_label) for level in Poss),
        optional=True,
        # TRANSLATORS: clinical
        invalid_choice=_l("Choose a POSS level from the list."),
    )
    # Large buttons rather than a drop-down, from +4 down to -5 as the scale is taught, with
    # "Not assessed" (as the drop-down had) so a mistaken tap can be taken back.
    rass = RadioChoiceField(
        # TRANSLATORS: clinical
        _l("RASS"),
        choices=choices(
            [
                (
                    str(score),
                    LazyString(lambda score=score: f"{format_rass(score)} {RASS_LABELS[score]}"),
                )
                for score in sorted(RASS_LABELS, reverse=True)
            ]
            # TRANSLATORS: clinical
            + [("", _l("Not assessed"))]
        ),
        optional=True,
        # TRANSLATORS: clinical
        invalid_choice=_l("Choose a RASS level from the list."),
    )
    pupils = RadioChoiceField(
        _l("Pupils"),
        choices=choices((p.value, p.lazy_label) for p in Pupils),
        optional=True,
        invalid_choice=_l("Choose normal, pinpoint, dilated or unequal."),
    )
    vomiting = RadioChoiceField(
        _l("Vomiting"),
        choices=choices([("no", _l("No")), ("yes", _l("Yes"))]),
        optional=True,
        invalid_choice=_l("Choose yes or no."),
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=500)], filters=[strip])
    observed_at = TimeField(
        _l("Time observed"),
        validators=[Optional()],
        description=_l("Only when recording late: up to 60 minutes back."),
    )
    backdate_reason = StringField(
        _l("Reason for the earlier time"),
        validators=[Optional(), Length(max=200)],
        filters=[strip],
    )
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the form."))])
    submit = SubmitField(_l("Save observation"))


class QuickCheckForm(SiteSysForm):
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the page."))])
    #: "yes" once the nurse, asked to record a full set instead, chose the quick check.
    despite_advice = HiddenField()
    submit = SubmitField(_l("Quick check"))


class StrikeForm(SiteSysForm):
    reason = StringField(
        _l("Reason for striking through"),
        validators=[
            InputRequired(_l("Give a reason for striking the observation through.")),
            Length(
                max=200,
                message=_l("The reason for striking through can be at most 200 characters."),
            ),
        ],
        filters=[strip],
    )
    submit = SubmitField(_l("Strike through"))


class ScaleForm(SiteSysForm):
    scale = RadioChoiceField(
        _l("SpO2 scale"),
        choices=choices(
            # TRANSLATORS: clinical
            [("1", _l("Scale 1 (default)")), ("2", _l("Scale 2 (hypercapnic respiratory failure)"))]
        ),
        validators=[InputRequired(_l("Choose a scale."))],
    )
    reason = StringField(
        _l("Reason"),
        # TRANSLATORS: clinical
        validators=[InputRequired(_l("Give the clinical reason for the scale.")), Length(max=200)],
        filters=[strip],
    )
    submit = SubmitField(_l("Set SpO2 scale"))
