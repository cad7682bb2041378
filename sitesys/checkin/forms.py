"""Forms of the check-in desk and the visit page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from sitesys.checkin.models import DrugChecked, Route, ServiceGiven, VisitStatus
from sitesys.clients.models import AgeBand, Gender
from sitesys.forms import MultiCheckboxField, RadioChoiceField, choices, strip

WAITING_LIST = "waiting"
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class CheckInForm(FlaskForm):
    client_code = StringField(
        "Client code",
        validators=[Optional(), Length(max=60, message="A client code is at most 40 characters.")],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )
    walk_in = BooleanField("Anonymous walk-in")
    age_band = SelectField(
        "Age band",
        choices=choices([("", "Not asked"), *((a.value, a.label) for a in AgeBand)]),
        validators=[Optional()],
    )
    gender = SelectField(
        "Gender",
        choices=choices([("", "Not asked"), *((g.value, g.label) for g in Gender)]),
        validators=[Optional()],
    )
    substances = MultiCheckboxField(
        "Substances",
        validators=[InputRequired("Choose what the client plans to use.")],
        invalid_choice="Choose substances from this site's list.",
    )
    route = RadioChoiceField(
        "Route",
        choices=choices((route.value, route.label) for route in Route),
        validators=[InputRequired("Choose how the client will use.")],
        invalid_choice="Choose inject, smoke, snort, oral or other.",
    )
    drug_checked = RadioChoiceField(
        "Drug checked",
        choices=choices((value.value, value.label) for value in DrugChecked),
        validators=[InputRequired("Say whether the drug was checked.")],
        invalid_choice="Choose yes, no or declined.",
    )
    booth = RadioChoiceField(
        "Booth",
        validators=[InputRequired("Choose a free booth or the waiting list.")],
        invalid_choice="Choose one of the free booths or the waiting list.",
    )
    services = MultiCheckboxField(
        "Services given",
        choices=choices((service.value, service.label) for service in ServiceGiven),
        validators=[Optional()],
        invalid_choice="Choose services from the list.",
    )
    override_reason = StringField(
        "Reason for overriding the restriction",
        validators=[Optional(), Length(max=200)],
        filters=[strip],
    )
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message="Reload the form.")])
    confirmed = HiddenField()
    find = SubmitField("Find client")
    submit = SubmitField("Check in")


class VisitStepForm(FlaskForm):
    """A lifecycle step, sent with the status the screen showed (a stale screen changes nothing)."""

    expected_status = HiddenField(
        validators=[InputRequired(), Regexp(f"^({'|'.join(s.value for s in VisitStatus)})$")]
    )


class MoveToBoothForm(VisitStepForm):
    booth = SelectField("Booth", validators=[InputRequired("Choose a free booth.")])
    submit = SubmitField("Move to booth")


class ServicesForm(FlaskForm):
    services = MultiCheckboxField(
        "Services given",
        choices=choices((service.value, service.label) for service in ServiceGiven),
        validators=[InputRequired("Tick at least one service.")],
    )
    submit = SubmitField("Record services")
