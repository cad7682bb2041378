"""Forms of the drug-alert pages."""

from __future__ import annotations

from wtforms import HiddenField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from sitesys.alerts.models import Severity
from sitesys.alerts.services import HISTORY_STATES
from sitesys.checkin.forms import TickAtLeastOne
from sitesys.drugchecks.models import SampleForm
from sitesys.forms import (
    UUID_PATTERN,
    DayMonthYearField,
    MultiCheckboxField,
    PlainSelectField,
    RadioChoiceField,
    SiteSysForm,
    choices,
    on_the_calendar,
    strip,
)


def _text(label: str, limit: int, required: str | None = None, **kwargs: object) -> StringField:
    validators = [DataRequired(required) if required else Optional(), Length(max=limit)]
    return StringField(label, validators=validators, filters=[strip], **kwargs)


class AlertForm(SiteSysForm):
    title = _text("Title", 120, "Give the alert a title.")
    sold_as = _text(
        "Sold as",
        120,
        "Say what it is sold as.",
        description="What clients buy it as: 'ketamine', 'blue Xanax bars'.",
    )
    substances = MultiCheckboxField(
        "Substances it concerns",
        validators=[TickAtLeastOne("Tick the substances a client would name at the desk.")],
        invalid_choice="Choose substances from the pick-list.",
        description="The desk is shown the alert when a client names one of these.",
    )
    found = TextAreaField(
        "What was found",
        validators=[DataRequired("Say what was found."), Length(max=300)],
        filters=[strip],
    )
    colour = _text("Colour", 60)
    form = PlainSelectField(
        "Form",
        choices=choices([("", "Not known"), *((form.value, form.label) for form in SampleForm)]),
        validators=[Optional()],
        invalid_choice="Choose one of the forms listed.",
    )
    markings = _text("Markings", 120)
    where_sold = _text("Where it is sold, if known", 120)
    harms = TextAreaField(
        "Harms seen",
        validators=[Optional(), Length(max=500)],
        filters=[strip],
    )
    advice = TextAreaField(
        "Advice",
        validators=[DataRequired("Write the advice for clients and staff."), Length(max=500)],
        filters=[strip],
    )
    severity = RadioChoiceField(
        "Severity",
        choices=choices((severity.value, severity.label) for severity in Severity),
        validators=[InputRequired("Choose information, warning or danger.")],
        invalid_choice="Choose information, warning or danger.",
    )
    sites = MultiCheckboxField(
        "Sites it covers",
        coerce=int,
        validators=[TickAtLeastOne("Tick the sites it covers.")],
        invalid_choice="Choose from your own sites.",
    )
    starts_on = DayMonthYearField(
        "Starts on", validators=[InputRequired("Enter the day it starts."), on_the_calendar]
    )
    starts_time = TimeField("at", validators=[InputRequired("Enter the time it starts.")])
    ends_on = DayMonthYearField(
        "Ends on",
        validators=[InputRequired("Enter the day it ends."), on_the_calendar],
        description="At most 30 days after it starts; it can be renewed.",
    )
    ends_time = TimeField("at", validators=[InputRequired("Enter the time it ends.")])
    sample_id = HiddenField()
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message="Reload the form.")])
    submit = SubmitField("Publish alert")


class WithdrawForm(SiteSysForm):
    reason = StringField(
        "Reason for withdrawing",
        validators=[
            DataRequired("Give the reason for withdrawing the alert."),
            Length(max=200, message="Keep the reason to 200 characters or fewer."),
        ],
        filters=[strip],
    )
    submit = SubmitField("Withdraw alert")


class RenewForm(SiteSysForm):
    ends_on = DayMonthYearField(
        "New end", validators=[InputRequired("Enter the day it now ends."), on_the_calendar]
    )
    ends_time = TimeField("at", validators=[InputRequired("Enter the time it now ends.")])
    submit = SubmitField("Renew alert")


class AcknowledgeForm(SiteSysForm):
    #: Where to go back to (a same-site path only, checked by the view).
    next = HiddenField()
    submit = SubmitField("I have read this alert")


class HistoryFilterForm(SiteSysForm):
    class Meta:
        csrf = False

    q = StringField("Words", validators=[Optional(), Length(max=60)], filters=[strip])
    state = PlainSelectField(
        "Which",
        choices=choices(
            (
                state,
                {"all": "All", "active": "Active", "ended": "Ended", "withdrawn": "Withdrawn"}[
                    state
                ],
            )
            for state in HISTORY_STATES
        ),
        default="all",
        validators=[Optional()],
        invalid_choice="Choose all, active, ended or withdrawn.",
    )
    submit = SubmitField("Search")
