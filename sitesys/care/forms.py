"""Forms of referrals, the bladder screen and education."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from sitesys.care.bladder import SYMPTOM_QUESTIONS, USE_FREQUENCY_LABELS, Symptom, UseFrequency
from sitesys.care.models import (
    REFERRAL_STATE_LABELS,
    REFERRAL_TYPE_LABELS,
    URGENCY_LABELS,
    CareKind,
    ReferralState,
    ReferralType,
    Urgency,
)
from sitesys.care.nursing import LONGEST_NOTE
from sitesys.care.referrals import START_STATES
from sitesys.forms import (
    UUID_PATTERN,
    MultiCheckboxField,
    PlainSelectField,
    RadioChoiceField,
    SiteSysForm,
    choices,
    strip,
)

#: The directory's "not listed" choice: the service's name is typed instead.
NOT_LISTED = ""


class ReferralForm(SiteSysForm):
    type = RadioChoiceField(
        _l("Referral to"),
        choices=choices((t.value, REFERRAL_TYPE_LABELS[t.value]) for t in ReferralType),
        validators=[InputRequired(_l("Choose what kind of service."))],
        invalid_choice=_l("Choose one of the kinds of service listed."),
    )
    service = PlainSelectField(
        _l("Service from the directory"),
        validators=[Optional()],
        invalid_choice=_l("Choose a service from this site's directory."),
    )
    service_name = StringField(
        _l("Or the service's name"),
        validators=[Optional(), Length(max=120)],
        filters=[strip],
    )
    urgency = RadioChoiceField(
        _l("Urgency"),
        choices=choices((u.value, URGENCY_LABELS[u.value]) for u in Urgency),
        default=Urgency.ROUTINE.value,
        validators=[InputRequired(_l("Choose how urgent it is."))],
        invalid_choice=_l("Choose routine, soon or urgent."),
    )
    state = RadioChoiceField(
        _l("How far it got"),
        choices=choices((s.value, REFERRAL_STATE_LABELS[s.value]) for s in START_STATES),
        default=ReferralState.OFFERED.value,
        validators=[InputRequired(_l("Say whether it was offered, accepted, declined or made."))],
        invalid_choice=_l("Choose offered, accepted, declined or made."),
    )
    visit_id = HiddenField(validators=[Optional(), Regexp(UUID_PATTERN)])
    client_id = HiddenField(validators=[Optional(), Regexp(UUID_PATTERN)])
    incident_id = HiddenField(validators=[Optional(), Regexp(UUID_PATTERN)])
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the form."))])
    submit = SubmitField(_l("Record referral"))


class ReferralStepForm(SiteSysForm):
    """A referral's next step, with the state the page showed (a stale page changes nothing)."""

    state = HiddenField(
        validators=[InputRequired(), Regexp(f"^({'|'.join(s.value for s in ReferralState)})$")]
    )
    expected = HiddenField(
        validators=[InputRequired(), Regexp(f"^({'|'.join(s.value for s in ReferralState)})$")]
    )


class StrikeReferralForm(SiteSysForm):
    reason = StringField(
        _l("Reason for striking through"),
        validators=[InputRequired(_l("Give a reason.")), Length(max=200)],
        filters=[strip],
    )
    submit = SubmitField(_l("Strike through"))


class ReferralServiceForm(SiteSysForm):
    name = StringField(
        _l("Name"),
        validators=[InputRequired(_l("Give the service's name.")), Length(max=120)],
        filters=[strip],
    )
    type = PlainSelectField(
        _l("Kind of service"),
        choices=choices((t.value, REFERRAL_TYPE_LABELS[t.value]) for t in ReferralType),
        validators=[InputRequired(_l("Choose the kind of service."))],
    )
    how_to_refer = StringField(
        _l("How to refer"), validators=[Optional(), Length(max=300)], filters=[strip]
    )
    opening_hours = StringField(
        _l("Opening hours"), validators=[Optional(), Length(max=120)], filters=[strip]
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)], filters=[strip])
    notes = StringField(_l("Notes"), validators=[Optional(), Length(max=500)], filters=[strip])
    submit = SubmitField(_l("Add service"))


class BladderScreenForm(SiteSysForm):
    symptoms = MultiCheckboxField(
        _l("Symptoms the client has now"),
        choices=choices((s.value, SYMPTOM_QUESTIONS[s.value]) for s in Symptom),
        validators=[Optional()],
        invalid_choice=_l("Choose from the questions listed."),
    )
    use_frequency = RadioChoiceField(
        _l("How often do you use ketamine?"),
        choices=choices((f.value, USE_FREQUENCY_LABELS[f.value]) for f in UseFrequency),
        validators=[Optional()],
        optional=True,
        invalid_choice=_l("Choose daily, several times a week, weekly or less."),
    )
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the form."))])
    submit = SubmitField(_l("Record screen"))
    skip = SubmitField(_l("Skip the screen"))


class StrikeScreenForm(StrikeReferralForm):
    pass


class EducationForm(SiteSysForm):
    """Topics covered, each with the minutes spent when given (`minutes-<topic id>`)."""

    topics = MultiCheckboxField(
        _l("Topics covered"),
        validators=[Optional()],
        invalid_choice=_l("Choose topics from this site's list."),
    )
    submit = SubmitField(_l("Record education"))

    def given(self, formdata: Mapping[str, str]) -> dict[int, int | None] | None:
        """Topic id to minutes (None when not given); None, with the field's error, when a
        minutes box holds something other than a whole number.
        """
        given: dict[int, int | None] = {}
        for value in self.topics.data or []:
            raw = (formdata.get(f"minutes-{value}") or "").strip()
            if raw and not raw.isdigit():
                self.topics.errors = [_("Minutes spent: enter a whole number, or leave it blank.")]
                return None
            given[int(value)] = int(raw) if raw else None
        if not given:
            self.topics.errors = [_("Tick at least one topic.")]
            return None
        return given


class TopicForm(SiteSysForm):
    label = StringField(
        _l("New topic"),
        validators=[InputRequired(_l("Give the topic's name.")), Length(max=80)],
        filters=[strip],
    )
    submit = SubmitField(_l("Add topic"))


class CareForm(SiteSysForm):
    """Wound care or a blood-borne virus test given on a visit, with a short note."""

    # Ids of their own: the visit page holds other forms' "kind" and "note".
    kind = RadioChoiceField(
        _l("Care given"),
        id="care-kind",
        # Lazy labels: the choices are made at import, and read in the request's language.
        choices=choices(
            [
                (CareKind.WOUND_CARE.value, _l("Wound care")),
                (CareKind.BBV_TEST.value, _l("Blood-borne virus test")),
            ]
        ),
        validators=[InputRequired(_l("Choose wound care or a blood-borne virus test."))],
        invalid_choice=_l("Choose wound care or a blood-borne virus test."),
    )
    note = TextAreaField(
        _l("Note"),
        id="care-note",
        validators=[
            InputRequired(_l("Write a short note of what was done.")),
            Length(max=LONGEST_NOTE),
        ],
        filters=[strip],
    )
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the form."))])
    submit = SubmitField(_l("Record care"))


class CorrectCareForm(SiteSysForm):
    """A corrected note, and why the note was wrong (the record is struck through with it)."""

    note = TextAreaField(
        _l("Corrected note"),
        validators=[
            InputRequired(_l("Write the corrected note.")),
            Length(max=LONGEST_NOTE),
        ],
        filters=[strip],
    )
    reason = StringField(
        _l("Reason for the correction"),
        validators=[InputRequired(_l("Give a reason.")), Length(max=200)],
        filters=[strip],
    )
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the form."))])
    submit = SubmitField(_l("Save correction"))
