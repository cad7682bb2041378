"""Forms of the drug-alert pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Lazy, under the name make translations extracts with its context (the shape, not a form).
from flask_babel import lazy_pgettext as pgettext
from wtforms import HiddenField, StringField, SubmitField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from sitesys.alerts.models import SEVERITY_LABELS, Severity
from sitesys.alerts.services import HISTORY_STATES
from sitesys.checkin.forms import TickAtLeastOne
from sitesys.drugchecks.models import SAMPLE_FORM_LABELS, SampleForm
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
    title = _text(_l("Title"), 120, _l("Give the alert a title."))
    sold_as = _text(
        _l("Sold as"),
        120,
        _l("Say what it is sold as."),
        description=_l("What clients buy it as: 'ketamine', 'blue Xanax bars'."),
    )
    substances = MultiCheckboxField(
        _l("Substances it concerns"),
        validators=[TickAtLeastOne(_l("Tick the substances a client would name at the desk."))],
        invalid_choice=_l("Choose substances from the pick-list."),
        description=_l("The desk is shown the alert when a client names one of these."),
    )
    found = TextAreaField(
        _l("What was found"),
        validators=[DataRequired(_l("Say what was found.")), Length(max=300)],
        filters=[strip],
    )
    colour = _text(_l("Colour"), 60)
    form = PlainSelectField(
        pgettext("the shape a sample is in", "Form"),
        choices=choices(
            [
                ("", _l("Not known")),
                *((form.value, SAMPLE_FORM_LABELS[form]) for form in SampleForm),
            ]
        ),
        validators=[Optional()],
        invalid_choice=_l("Choose one of the forms listed."),
    )
    markings = _text(_l("Markings"), 120)
    where_sold = _text(_l("Where it is sold, if known"), 120)
    harms = TextAreaField(
        _l("Harms seen"),
        validators=[Optional(), Length(max=500)],
        filters=[strip],
    )
    advice = TextAreaField(
        _l("Advice"),
        validators=[DataRequired(_l("Write the advice for clients and staff.")), Length(max=500)],
        filters=[strip],
    )
    severity = RadioChoiceField(
        _l("Severity"),
        choices=choices((severity.value, SEVERITY_LABELS[severity]) for severity in Severity),
        validators=[InputRequired(_l("Choose information, warning or danger."))],
        invalid_choice=_l("Choose information, warning or danger."),
    )
    sites = MultiCheckboxField(
        _l("Sites it covers"),
        coerce=int,
        validators=[TickAtLeastOne(_l("Tick the sites it covers."))],
        invalid_choice=_l("Choose from your own sites."),
    )
    starts_on = DayMonthYearField(
        _l("Starts on"), validators=[InputRequired(_l("Enter the day it starts.")), on_the_calendar]
    )
    starts_time = TimeField(_l("at"), validators=[InputRequired(_l("Enter the time it starts."))])
    ends_on = DayMonthYearField(
        _l("Ends on"),
        validators=[InputRequired(_l("Enter the day it ends.")), on_the_calendar],
        description=_l("At most 30 days after it starts; it can be renewed."),
    )
    ends_time = TimeField(_l("at"), validators=[InputRequired(_l("Enter the time it ends."))])
    sample_id = HiddenField()
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the form."))])
    submit = SubmitField(_l("Publish alert"))


class WithdrawForm(SiteSysForm):
    reason = StringField(
        _l("Reason for withdrawing"),
        validators=[
            DataRequired(_l("Give the reason for withdrawing the alert.")),
            Length(max=200, message=_l("Keep the reason to 200 characters or fewer.")),
        ],
        filters=[strip],
    )
    submit = SubmitField(_l("Withdraw alert"))


class RenewForm(SiteSysForm):
    ends_on = DayMonthYearField(
        _l("New end"), validators=[InputRequired(_l("Enter the day it now ends.")), on_the_calendar]
    )
    ends_time = TimeField(_l("at"), validators=[InputRequired(_l("Enter the time it now ends."))])
    submit = SubmitField(_l("Renew alert"))


class AcknowledgeForm(SiteSysForm):
    #: Where to go back to (a same-site path only, checked by the view).
    next = HiddenField()
    submit = SubmitField(_l("I have read this alert"))


class HistoryFilterForm(SiteSysForm):
    class Meta:
        csrf = False

    q = StringField(_l("Words"), validators=[Optional(), Length(max=60)], filters=[strip])
    state = PlainSelectField(
        _l("Which"),
        choices=choices(
            (
                state,
                {
                    "all": _l("All"),
                    "active": _l("Active"),
                    "ended": _l("Ended"),
                    "withdrawn": _l("Withdrawn"),
                }[state],
            )
            for state in HISTORY_STATES
        ),
        default="all",
        validators=[Optional()],
        invalid_choice=_l("Choose all, active, ended or withdrawn."),
    )
    submit = SubmitField(_l("Search"))
