"""Forms of the response screen, the report, the review and the queue."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DecimalField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from sitesys.forms import (
    DayMonthYearField,
    MultiCheckboxField,
    PlainChoiceMessage,
    RadioChoiceField,
    SiteSysForm,
    choices,
    not_before_date_from,
    on_the_calendar,
    strip,
)
from sitesys.incidents.kinds import (
    HARM_LABELS,
    OUTCOME_LABELS,
    PHYSICAL_HARM_HINT,
    ROUTE_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    ActionKind,
    IncidentStatus,
    IncidentType,
    NaloxoneRoute,
    Outcome,
    PhysicalHarm,
    PsychologicalHarm,
)
from sitesys.incidents.queue import ACTIVE, ALL
from sitesys.incidents.reports import MAX_NARRATIVE
from sitesys.incidents.review import MAX_REVIEW_TEXT
from sitesys.incidents.services import (
    NALOXONE_MG,
    NALOXONE_PLACES,
    OXYGEN_L_PER_MIN,
    OXYGEN_PLACES,
    too_precise,
)

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
#: The usual first dose: 0.4 mg intramuscular, repeated as needed.
DEFAULT_NALOXONE_MG = Decimal("0.4")
DEFAULT_OXYGEN_L_PER_MIN = Decimal("15")


class PlainSelectField(PlainChoiceMessage, SelectField):
    """A drop-down that refuses a value not offered in plain words."""


class PlainDecimalField(DecimalField):
    """A number such as 0.4, refused in plain words; "NaN" and "Infinity" are not numbers."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            value = Decimal(valuelist[0].strip())
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            self.data = None
            raise ValueError(self.number_message)
        self.data = value

    def __init__(self, *args: Any, example: str = "1", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.example = example
        self.number_message = _l("Enter a number, such as %(example)s.", example=example)


def _submission_key() -> HiddenField:
    return HiddenField(
        _l("This form"),
        validators=[Regexp(UUID_PATTERN, message=_l("Reload the page and try again."))],
    )


class ActionForm(SiteSysForm):
    """One button of the response screen; only the values of its kind are read and checked."""

    kind = HiddenField(
        validators=[
            InputRequired(_l("Choose an action.")),
            Regexp(f"^({'|'.join(k.value for k in ActionKind)})$", message=_l("Choose an action.")),
        ]
    )
    submission_key = _submission_key()
    dose_mg = PlainDecimalField(
        _l("Dose (mg)"), places=None, validators=[Optional()], example="0.4"
    )
    naloxone_route = RadioChoiceField(
        _l("Route"),
        choices=choices((route.value, ROUTE_LABELS[route.value]) for route in NaloxoneRoute),
        validators=[Optional()],
        invalid_choice=_l("Choose intramuscular, intranasal or intravenous."),
    )
    oxygen_l_per_min = PlainDecimalField(
        _l("Flow (L/min)"), places=None, validators=[Optional()], example="15"
    )
    note = StringField(
        _l("Note"),
        validators=[Optional(), Length(max=200, message=_l("Keep the note under 200 characters."))],
        filters=[strip],
    )

    @property
    def action_kind(self) -> ActionKind | None:
        try:
            return ActionKind(self.kind.data)
        except ValueError:
            return None

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields each kind needs; the others are ignored whatever they hold."""
        valid: bool = super().validate(extra_validators)
        kind = self.action_kind
        if kind is ActionKind.NALOXONE:
            self._check_range(self.dose_mg, NALOXONE_MG, NALOXONE_PLACES, "mg")
            if not self.naloxone_route.errors and not self.naloxone_route.data:
                self.naloxone_route.errors.append(_("Choose how the naloxone was given."))
        elif kind is ActionKind.OXYGEN:
            self._check_range(
                self.oxygen_l_per_min,
                OXYGEN_L_PER_MIN,
                OXYGEN_PLACES,
                "L/min",
            )
        elif kind is ActionKind.NOTE and not self.note.errors and not self.note.data:
            self.note.errors.append(_("Write the note before pressing Note."))
        return valid and not any(field.errors for field in self)

    @staticmethod
    def _check_range(
        field: PlainDecimalField,
        bounds: tuple[Decimal, Decimal],
        places: int,
        unit: str,
    ) -> None:
        if field.errors:
            return
        low, high = bounds
        dose = unit == "mg"
        if field.data is None:
            if dose:
                field.errors.append(
                    _("Enter the naloxone dose in mg, such as %(example)s.", example=field.example)
                )
            else:
                field.errors.append(
                    _("Enter the oxygen flow in L/min, such as %(example)s.", example=field.example)
                )
        elif not low <= field.data <= high:
            if dose:
                field.errors.append(
                    _("Enter a dose from %(low)s to %(high)s mg.", low=low, high=high)
                )
            else:
                field.errors.append(
                    _("Enter a flow from %(low)s to %(high)s L/min.", low=low, high=high)
                )
        elif too_precise(field.data, places):
            if dose:
                field.errors.append(_("Enter the dose to two decimal places at most."))
            else:
                field.errors.append(_("Enter the flow to one decimal place at most."))


class EndResponseForm(SiteSysForm):
    """End the response; with an outcome when one is known (a transfer to hospital)."""

    outcome = HiddenField(
        validators=[
            Optional(),
            Regexp(f"^({'|'.join(o.value for o in Outcome)})$", message=_l("Reload the page.")),
        ]
    )

    @property
    def chosen_outcome(self) -> Outcome | None:
        return Outcome(self.outcome.data) if self.outcome.data else None


class StrikeForm(SiteSysForm):
    reason = StringField(
        _l("Reason for striking through"),
        validators=[
            InputRequired(_l("Give a reason for striking the action through.")),
            Length(max=200, message=_l("Keep the reason under 200 characters.")),
        ],
        filters=[strip],
    )


class ReportForm(SiteSysForm):
    """The incident report; nothing is required while drafting (see reports.missing_fields)."""

    types = MultiCheckboxField(
        _l("Type of incident"),
        choices=choices((t.value, TYPE_LABELS[t.value]) for t in IncidentType),
        validators=[Optional()],
        invalid_choice=_l("Choose types from the list."),
    )
    substances = MultiCheckboxField(
        _l("Substances involved"),
        validators=[Optional()],
        invalid_choice=_l("Choose substances from this site's list."),
    )
    narrative = TextAreaField(
        _l("What happened"),
        validators=[
            Optional(),
            Length(max=MAX_NARRATIVE, message=_l("Keep the narrative under 10,000 characters.")),
        ],
        filters=[strip],
        description=_l("How it was noticed, what was done and how the person responded. No names."),
    )
    outcome = RadioChoiceField(
        _l("Outcome"),
        choices=choices((o.value, OUTCOME_LABELS[o.value]) for o in Outcome),
        validators=[Optional()],
        invalid_choice=_l("Choose an outcome from the list."),
    )
    physical_harm = RadioChoiceField(
        _l("Physical harm"),
        choices=choices((h.value, HARM_LABELS[h.value]) for h in PhysicalHarm),
        validators=[Optional()],
        invalid_choice=_l("Choose a level of physical harm."),
        description=PHYSICAL_HARM_HINT,
    )
    psychological_harm = RadioChoiceField(
        _l("Psychological harm"),
        choices=choices((h.value, HARM_LABELS[h.value]) for h in PsychologicalHarm),
        validators=[Optional()],
        invalid_choice=_l("Choose a level of psychological harm."),
    )
    staff_involved = MultiCheckboxField(
        _l("Staff involved"),
        validators=[Optional()],
        invalid_choice=_l("Choose staff of this site."),
    )
    #: The report's version when the form was opened (see reports.report_version); a form
    #: without one is treated as out of date.
    version = HiddenField(validators=[Optional()])
    save = SubmitField(_l("Save draft"))
    submit = SubmitField(_l("Submit report"))


class NewReportForm(ReportForm):
    """The "Report incident" page: one incident per form, however often it is sent."""

    submission_key = _submission_key()


class AmendForm(ReportForm):
    reason = StringField(
        _l("Reason for the amendment"),
        validators=[
            InputRequired(_l("Give a reason for the amendment.")),
            Length(max=300, message=_l("Keep the reason under 300 characters.")),
        ],
        filters=[strip],
    )
    save = None
    submit = SubmitField(_l("Save amendment"))


def _review_text(label: Any) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            Optional(),
            Length(max=MAX_REVIEW_TEXT, message=_l("Keep this under 5,000 characters.")),
        ],
        filters=[strip],
    )


class ReviewForm(SiteSysForm):
    #: The review's version when the form was opened (see review.review_version).
    version = HiddenField(validators=[Optional()])
    findings = _review_text(_l("Findings"))
    contributing_factors = _review_text(_l("Contributing factors"))
    learning = _review_text(_l("Learning"))
    submit = SubmitField(_l("Save review"))


class ReviewActionForm(SiteSysForm):
    description = StringField(
        _l("What needs to be done"),
        validators=[
            InputRequired(_l("Say what needs to be done.")),
            Length(max=300, message=_l("Keep it under 300 characters.")),
        ],
        filters=[strip],
    )
    owner = PlainSelectField(
        _l("Owner"),
        validators=[InputRequired(_l("Choose who owns the action."))],
        invalid_choice=_l("Choose a member of this site's staff."),
    )
    due_on = DayMonthYearField(
        _l("Due date"), validators=[InputRequired(_l("Enter the due date."))]
    )
    submission_key = _submission_key()
    submit = SubmitField(_l("Add action"))


class ReopenForm(SiteSysForm):
    reason = StringField(
        _l("Reason for reopening"),
        validators=[
            InputRequired(_l("Give a reason for reopening the incident.")),
            Length(max=300, message=_l("Keep the reason under 300 characters.")),
        ],
        filters=[strip],
    )
    submit = SubmitField(_l("Reopen incident"))


STATE_CHOICES = [
    (ACTIVE, _l("Not closed")),
    *((status.value, STATUS_LABELS[status.value]) for status in IncidentStatus),
    (ALL, _l("All states")),
]


class QueueFilterForm(SiteSysForm):
    class Meta:
        csrf = False

    date_from = DayMonthYearField(_l("From date"), validators=[Optional(), on_the_calendar])
    date_to = DayMonthYearField(
        _l("To date"), validators=[Optional(), on_the_calendar, not_before_date_from]
    )
    type = SelectField(
        _l("Type"),
        choices=choices(
            [("", _l("Any type")), *((t.value, TYPE_LABELS[t.value]) for t in IncidentType)]
        ),
        validators=[Optional()],
    )
    harm = SelectField(
        _l("Physical harm"),
        choices=choices(
            [("", _l("Any harm")), *((h.value, HARM_LABELS[h.value]) for h in PhysicalHarm)]
        ),
        validators=[Optional()],
    )
    state = SelectField(_l("State"), choices=choices(STATE_CHOICES), default=ACTIVE)
    submit = SubmitField(_l("Filter"))


class ExportForm(QueueFilterForm):
    """The export repeats the queue's filters (as hidden values) and is a POST: it is audited."""

    class Meta:
        csrf = True

    include_narratives = BooleanField(_l("Include narratives"))
    submit = SubmitField(_l("Export CSV"))
