"""Forms of referrals, the bladder screen and education."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from sitesys.care.bladder import Symptom, UseFrequency
from sitesys.care.models import CareKind, ReferralState, ReferralType, Urgency
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
        "Referral to",
        choices=choices((t.value, t.label) for t in ReferralType),
        validators=[InputRequired("Choose what kind of service.")],
        invalid_choice="Choose one of the kinds of service listed.",
    )
    service = PlainSelectField(
        "Service from the directory",
        validators=[Optional()],
        invalid_choice="Choose a service from this site's directory.",
    )
    service_name = StringField(
        "Or the service's name",
        validators=[Optional(), Length(max=120)],
        filters=[strip],
    )
    urgency = RadioChoiceField(
        "Urgency",
        choices=choices((u.value, u.label) for u in Urgency),
        default=Urgency.ROUTINE.value,
        validators=[InputRequired("Choose how urgent it is.")],
        invalid_choice="Choose routine, soon or urgent.",
    )
    state = RadioChoiceField(
        "How far it got",
        choices=choices((s.value, s.label) for s in START_STATES),
        default=ReferralState.OFFERED.value,
        validators=[InputRequired("Say whether it was offered, accepted, declined or made.")],
        invalid_choice="Choose offered, accepted, declined or made.",
    )
    visit_id = HiddenField(validators=[Optional(), Regexp(UUID_PATTERN)])
    client_id = HiddenField(validators=[Optional(), Regexp(UUID_PATTERN)])
    incident_id = HiddenField(validators=[Optional(), Regexp(UUID_PATTERN)])
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message="Reload the form.")])
    submit = SubmitField("Record referral")


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
        "Reason for striking through",
        validators=[InputRequired("Give a reason."), Length(max=200)],
        filters=[strip],
    )
    submit = SubmitField("Strike through")


class ReferralServiceForm(SiteSysForm):
    name = StringField(
        "Name",
        validators=[InputRequired("Give the service's name."), Length(max=120)],
        filters=[strip],
    )
    type = PlainSelectField(
        "Kind of service",
        choices=choices((t.value, t.label) for t in ReferralType),
        validators=[InputRequired("Choose the kind of service.")],
    )
    how_to_refer = StringField(
        "How to refer", validators=[Optional(), Length(max=300)], filters=[strip]
    )
    opening_hours = StringField(
        "Opening hours", validators=[Optional(), Length(max=120)], filters=[strip]
    )
    phone = StringField("Phone", validators=[Optional(), Length(max=40)], filters=[strip])
    notes = StringField("Notes", validators=[Optional(), Length(max=500)], filters=[strip])
    submit = SubmitField("Add service")


class BladderScreenForm(SiteSysForm):
    symptoms = MultiCheckboxField(
        "Symptoms the client has now",
        choices=choices((s.value, s.question) for s in Symptom),
        validators=[Optional()],
        invalid_choice="Choose from the questions listed.",
    )
    use_frequency = RadioChoiceField(
        "How often do you use ketamine?",
        choices=choices((f.value, f.label) for f in UseFrequency),
        validators=[Optional()],
        optional=True,
        invalid_choice="Choose daily, several times a week, weekly or less.",
    )
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message="Reload the form.")])
    submit = SubmitField("Record screen")
    skip = SubmitField("Skip the screen")


class StrikeScreenForm(StrikeReferralForm):
    pass


class EducationForm(SiteSysForm):
    """Topics covered, each with the minutes spent when given (`minutes-<topic id>`)."""

    topics = MultiCheckboxField(
        "Topics covered",
        validators=[Optional()],
        invalid_choice="Choose topics from this site's list.",
    )
    submit = SubmitField("Record education")

    def given(self, formdata: Mapping[str, str]) -> dict[int, int | None] | None:
        """Topic id to minutes (None when not given); None, with the field's error, when a
        minutes box holds something other than a whole number.
        """
        given: dict[int, int | None] = {}
        for value in self.topics.data or []:
            raw = (formdata.get(f"minutes-{value}") or "").strip()
            if raw and not raw.isdigit():
                self.topics.errors = ["Minutes spent: enter a whole number, or leave it blank."]
                return None
            given[int(value)] = int(raw) if raw else None
        if not given:
            self.topics.errors = ["Tick at least one topic."]
            return None
        return given


class TopicForm(SiteSysForm):
    label = StringField(
        "New topic",
        validators=[InputRequired("Give the topic's name."), Length(max=80)],
        filters=[strip],
    )
    submit = SubmitField("Add topic")


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
