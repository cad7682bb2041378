"""Forms of the check-in desk and the visit page."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import (
    InputRequired,
    Length,
    Optional,
    Regexp,
    StopValidation,
    ValidationError,
)

from sitesys.checkin.models import (
    Departure,
    DrugChecked,
    Route,
    ServiceGiven,
    VisitKind,
    VisitStatus,
)
from sitesys.clients.models import AgeBand, Gender
from sitesys.forms import (
    UUID_PATTERN,
    MultiCheckboxField,
    RadioChoiceField,
    SiteSysForm,
    choices,
    strip,
)

WAITING_LIST = "waiting"


class TickAtLeastOne:
    """Refuse a list of checkboxes with none ticked, on the server only.

    Not InputRequired: that flags the field `required`, which WTForms writes on every checkbox,
    and a browser then refuses to send the form until each one is ticked.
    """

    field_flags: dict[str, bool] = {}

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        if not field.data:
            raise StopValidation(self.message)


class CheckInForm(SiteSysForm):
    # No validators: sitesys.clients.codes.code_problem is the one rule for a code, for both
    # "Find client" and "Check in", so its length is told once. The browser's limit counts the
    # spaces people type inside a code, which normalising drops.
    client_code = StringField(
        _l("Client code"),
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "maxlength": 60,
        },
    )
    walk_in = BooleanField(_l("Anonymous walk-in"))
    age_band = SelectField(
        _l("Age band"),
        choices=choices([("", _l("Not asked")), *((a.value, a.lazy_label) for a in AgeBand)]),
        validators=[Optional()],
    )
    gender = SelectField(
        _l("Gender"),
        choices=choices([("", _l("Not asked")), *((g.value, g.lazy_label) for g in Gender)]),
        validators=[Optional()],
    )
    kind = RadioChoiceField(
        _l("Visit"),
        # Lazy labels: the choices are made at import, and read in the request's language.
        choices=choices(
            [
                (VisitKind.CONSUMPTION.value, _l("Using")),
                (VisitKind.SERVICES_ONLY.value, _l("Services only")),
            ]
        ),
        # Left out (an older page, a script): a visit to use, as before services-only visits.
        default=VisitKind.CONSUMPTION.value,
        validators=[Optional()],
        invalid_choice=_l("Choose using or services only."),
    )
    substances = MultiCheckboxField(
        _l("Substances"),
        validators=[TickAtLeastOne(_l("Choose what the client plans to use."))],
        invalid_choice=_l("Choose substances from this site's list."),
    )
    route = RadioChoiceField(
        _l("Route"),
        choices=choices((route.value, route.lazy_label) for route in Route),
        validators=[InputRequired(_l("Choose how the client will use."))],
        invalid_choice=_l("Choose inject, smoke, snort, oral or other."),
    )
    drug_checked = RadioChoiceField(
        _l("Drug checked"),
        choices=choices((value.value, value.lazy_label) for value in DrugChecked),
        validators=[InputRequired(_l("Say whether the drug was checked."))],
        invalid_choice=_l("Choose yes, no or declined."),
    )
    booth = RadioChoiceField(
        _l("Booth"),
        validators=[InputRequired(_l("Choose a free booth or the waiting list."))],
        invalid_choice=_l("Choose one of the free booths or the waiting list."),
    )
    services = MultiCheckboxField(
        _l("Services given"),
        choices=choices((service.value, service.lazy_label) for service in ServiceGiven),
        validators=[Optional()],
        invalid_choice=_l("Choose services from the list."),
    )
    #: Samples already checked today for this client's earlier visit (filled in by the view).
    samples = MultiCheckboxField(
        _l("Samples checked today"),
        choices=[],
        validators=[Optional()],
        invalid_choice=_l("Choose from the samples checked today for this client."),
    )
    #: Proof that the desk was shown the drug alerts about the substances named (alerts app).
    alerts_shown = HiddenField()
    override_reason = StringField(
        _l("Reason for overriding the restriction"),
        validators=[Optional(), Length(max=200)],
        filters=[strip],
    )
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the form."))])
    confirmed = HiddenField()
    #: The restriction override request the desk made for this client (checkin/overrides.py).
    override_request = HiddenField(validators=[Optional(), Regexp(UUID_PATTERN)])
    find = SubmitField(_l("Find client"))
    ask_override = SubmitField(_l("Ask a manager to override"))
    submit = SubmitField(_l("Check in"))

    #: What a services-only visit does not ask: nobody uses, so no substances, route or booth.
    NOT_FOR_SERVICES = ("substances", "route", "booth", "samples")

    @property
    def services_only(self) -> bool:
        return bool(self.kind.data == VisitKind.SERVICES_ONLY.value)

    def validate(self, extra_validators: Any = None) -> bool:
        if self.services_only:
            # Whatever was ticked in them before "Services only" was chosen is dropped.
            for name in self.NOT_FOR_SERVICES:
                self[name].data = [] if name in ("substances", "samples") else None
                self[name].raw_data = []
                self[name].validators = [Optional()]
        valid: bool = super().validate(extra_validators)
        return valid

    def validate_samples(self, field: MultiCheckboxField) -> None:
        if field.data and self.drug_checked.data != DrugChecked.YES.value:
            raise ValidationError(_("A sample checked today is ticked: choose Drug checked: Yes."))


class VisitStepForm(SiteSysForm):
    """A lifecycle step, sent with the status the screen showed (a stale screen changes nothing)."""

    expected_status = HiddenField(
        validators=[InputRequired(), Regexp(f"^({'|'.join(s.value for s in VisitStatus)})$")]
    )


class CheckoutForm(VisitStepForm):
    """Check-out, with how the client left (reports count them); a form from before the
    question was asked checks out as planned.
    """

    departure = RadioChoiceField(
        _l("How they left"),
        choices=choices((value.value, value.lazy_label) for value in Departure),
        default=Departure.PLANNED.value,
        validators=[Optional()],
        invalid_choice=_l("Choose one of the ways of leaving listed."),
    )


class MoveToBoothForm(VisitStepForm):
    # The booth sent is not checked against the free booths listed: one taken (or needing
    # cleaning) since the page was drawn is refused by move_to_booth, which says why.
    booth = SelectField(
        _l("Booth"), validate_choice=False, validators=[InputRequired(_l("Choose a free booth."))]
    )
    submit = SubmitField(_l("Move to booth"))


class ServicesForm(SiteSysForm):
    services = MultiCheckboxField(
        _l("Services given"),
        choices=choices((service.value, service.lazy_label) for service in ServiceGiven),
        validators=[TickAtLeastOne(_l("Tick at least one service."))],
    )
    submit = SubmitField(_l("Record services"))


class OverrideDecisionForm(SiteSysForm):
    """A manager's answer to the desk's request to override a restriction."""

    reason = StringField(
        _l("Reason"),
        validators=[InputRequired(_l("Write the reason.")), Length(max=200)],
        filters=[strip],
    )
    approve = SubmitField(_l("Approve"))
    refuse = SubmitField(_l("Refuse"))
