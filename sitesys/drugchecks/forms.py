"""Forms of the drug-checking bench and of the public result look-up."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

# Lazy, under the name make translations extracts with its context (a word with two meanings).
from flask_babel import lazy_pgettext as pgettext
from wtforms import (
    BooleanField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from sitesys.drugchecks.chart import COLOUR_LABELS, Colour
from sitesys.drugchecks.models import (
    CUSTODY_LABELS,
    DECISION_LABELS,
    FINDING_LABELS,
    OUTCOME_LABELS,
    REAGENT_LABELS,
    SAMPLE_FORM_LABELS,
    STRIP_LABELS,
    STRIP_READING_LABELS,
    TECHNIQUE_LABELS,
    ClientDecision,
    Custody,
    Finding,
    Reagent,
    ResultOutcome,
    SampleForm,
    StripReading,
    StripTarget,
    Technique,
)
from sitesys.forms import (
    UUID_PATTERN,
    PlainSelectField,
    RadioChoiceField,
    SiteSysForm,
    choices,
    strip,
)

NOT_TIED = ""


def _submission_key() -> HiddenField:
    return HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the form."))])


class ReceiveForm(SiteSysForm):
    """A sample arriving at the bench."""

    expected_substance = PlainSelectField(
        _l("What the client expects it to be"),
        validators=[InputRequired(_l("Choose what the client expects it to be."))],
        invalid_choice=_l("Choose from this site's substances."),
    )
    form = RadioChoiceField(
        pgettext("the shape a sample is in", "Form"),
        choices=choices((form.value, SAMPLE_FORM_LABELS[form]) for form in SampleForm),
        validators=[InputRequired(_l("Choose the sample's form."))],
        invalid_choice=_l("Choose powder, crystal, pill, liquid, blotter or other."),
    )
    colour = StringField(_l("Colour"), validators=[Optional(), Length(max=40)], filters=[strip])
    markings = StringField(
        _l("Markings"),
        validators=[Optional(), Length(max=120)],
        filters=[strip],
        description=_l("A pill's logo, score line or stamp; a bag's mark."),
    )
    visit = PlainSelectField(
        _l("Tie to a visit"),
        validators=[Optional()],
        description=_l("Only if the client asks: the sample is otherwise tied to nobody."),
        invalid_choice=_l("Choose someone on the floor now, or Not tied to a visit."),
    )
    submission_key = _submission_key()
    submit = SubmitField(_l("Record sample and print slip"))


class ReagentForm(SiteSysForm):
    reagent = RadioChoiceField(
        _l("Reagent"),
        choices=choices((reagent.value, REAGENT_LABELS[reagent]) for reagent in Reagent),
        validators=[InputRequired(_l("Choose the reagent used."))],
        invalid_choice=_l("Choose one of the reagents listed."),
    )
    colour = RadioChoiceField(
        _l("Colour seen"),
        choices=choices((colour.value, COLOUR_LABELS[colour]) for colour in Colour),
        optional=True,
        validators=[Optional()],
        invalid_choice=_l("Choose one of the colours listed, or type it."),
    )
    colour_typed = StringField(
        _l("Or type the colour seen"),
        validators=[Optional(), Length(max=60)],
        filters=[strip],
        description=_l("When none of the colours above fits (e.g. 'orange, then brown')."),
    )
    submission_key = _submission_key()
    submit = SubmitField(_l("Record reagent result"))


class StripForm(SiteSysForm):
    strip = RadioChoiceField(
        _l("Strip"),
        choices=choices((strip.value, STRIP_LABELS[strip]) for strip in StripTarget),
        validators=[InputRequired(_l("Choose the strip used."))],
        invalid_choice=_l("Choose one of the strips listed."),
    )
    reading = RadioChoiceField(
        _l("Reading"),
        choices=choices((reading.value, STRIP_READING_LABELS[reading]) for reading in StripReading),
        validators=[InputRequired(_l("Choose positive, negative or invalid."))],
        invalid_choice=_l("Choose positive, negative or invalid."),
    )
    submission_key = _submission_key()
    submit = SubmitField(_l("Record strip result"))


class ComponentRow(Form):
    """One component found: chosen from the site's list, with its match quality."""

    component = PlainSelectField(
        _l("Component"),
        validators=[Optional()],
        invalid_choice=_l("Choose a component from the site's list."),
    )
    quality = IntegerField(
        _l("Match quality (%)"),
        validators=[Optional(), NumberRange(0, 100, _l("Enter a match quality from 0 to 100."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


#: Rows the spectrometry form offers (FTIR finds about four to six components).
COMPONENT_ROWS = 6


class SpectrumForm(SiteSysForm):
    technique = RadioChoiceField(
        _l("Technique"),
        choices=choices((technique.value, TECHNIQUE_LABELS[technique]) for technique in Technique),
        validators=[InputRequired(_l("Choose FTIR or Raman."))],
        invalid_choice=_l("Choose FTIR or Raman."),
    )
    row_1 = FormField(ComponentRow, _l("Component 1"))
    row_2 = FormField(ComponentRow, _l("Component 2"))
    row_3 = FormField(ComponentRow, _l("Component 3"))
    row_4 = FormField(ComponentRow, _l("Component 4"))
    row_5 = FormField(ComponentRow, _l("Component 5"))
    row_6 = FormField(ComponentRow, _l("Component 6"))
    no_library_match = BooleanField(_l("No library match"))
    submission_key = _submission_key()
    submit = SubmitField(_l("Record spectrometry result"))

    @property
    def rows(self) -> list[FormField]:
        return [getattr(self, f"row_{number}") for number in range(1, COMPONENT_ROWS + 1)]

    def validate(self, extra_validators: object = None) -> bool:
        valid = bool(super().validate(extra_validators))
        for row in self.rows:
            chosen, quality = row.form.component, row.form.quality
            if chosen.data and quality.data is None and not quality.errors:
                quality.errors = [_("Enter the match quality the library gave (0 to 100).")]
                valid = False
            if quality.data is not None and not chosen.data and not chosen.errors:
                chosen.errors = [_("Choose the component this match quality is for.")]
                valid = False
        return valid


class ResultForm(SiteSysForm):
    outcome = RadioChoiceField(
        _l("Result"),
        choices=choices((outcome.value, OUTCOME_LABELS[outcome]) for outcome in ResultOutcome),
        validators=[InputRequired(_l("Choose as expected, something unexpected or inconclusive."))],
        invalid_choice=_l("Choose as expected, something unexpected or inconclusive."),
    )
    found_summary = TextAreaField(
        _l("What was found, in plain words for the client"),
        validators=[DataRequired(_l("Say what was found.")), Length(max=500)],
        filters=[strip],
        description=_l("The client reads this with their code. No names, no codes."),
    )
    advice = TextAreaField(
        _l("Advice given"),
        validators=[DataRequired(_l("Write the advice given.")), Length(max=500)],
        filters=[strip],
    )
    decision = RadioChoiceField(
        _l("The client's decision"),
        choices=choices((decision.value, DECISION_LABELS[decision]) for decision in ClientDecision),
        optional=True,
        validators=[Optional()],
        invalid_choice=_l("Choose one of the decisions listed."),
    )
    reason = StringField(
        _l("Reason for amending"),
        validators=[Optional(), Length(max=200)],
        filters=[strip],
    )
    #: The result as the page showed it: a form opened before someone else amended it is refused.
    version = HiddenField()
    submit = SubmitField(_l("Save result"))


class CustodyForm(SiteSysForm):
    custody = RadioChoiceField(
        _l("The rest of the sample"),
        choices=choices((custody.value, CUSTODY_LABELS[custody]) for custody in Custody),
        validators=[InputRequired(_l("Choose handed back or disposed of."))],
        invalid_choice=_l("Choose handed back or disposed of."),
    )
    reason = StringField(
        _l("Reason for the correction"),
        validators=[Optional(), Length(max=200)],
        filters=[strip],
        description=_l("Only when correcting what was recorded."),
    )
    submit = SubmitField(pgettext("button: write it in the record", "Record"))


class StrikeTestForm(SiteSysForm):
    reason = StringField(
        _l("Reason for striking through"),
        validators=[
            InputRequired(_l("Give a reason for striking the test through.")),
            Length(max=200, message=_l("Keep the reason to 200 characters or fewer.")),
        ],
        filters=[strip],
    )
    submit = SubmitField(_l("Strike through"))


class LinkVisitForm(SiteSysForm):
    visit = PlainSelectField(
        _l("Visit"),
        validators=[InputRequired(_l("Choose the client's visit."))],
        invalid_choice=_l("Choose someone on the floor now."),
    )
    submit = SubmitField(_l("Tie to this visit"))


class VisitSampleForm(SiteSysForm):
    sample = PlainSelectField(
        _l("Sample checked today"),
        validators=[InputRequired(_l("Choose the sample from the client's slip."))],
        invalid_choice=_l("Choose one of today's samples."),
        description=_l(
            "Match the reference written on the sample bag (S-…), at the client's wish."
        ),
    )
    submit = SubmitField(_l("Tie sample to this visit"))


class ComponentForm(SiteSysForm):
    label = StringField(
        _l("Component"),
        validators=[DataRequired(_l("Enter the component's name.")), Length(max=80)],
        filters=[strip],
    )
    finding = PlainSelectField(
        _l("Counts in reports as"),
        choices=choices(
            [
                ("", _l("None of these")),
                *((finding.value, FINDING_LABELS[finding]) for finding in Finding),
            ]
        ),
        validators=[Optional()],
        invalid_choice=_l("Choose one of the kinds listed."),
    )
    submit = SubmitField(_l("Add component"))


class LookupForm(SiteSysForm):
    """The public look-up: no session, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    code = StringField(
        _l("Your sample code"),
        validators=[DataRequired(_l("Enter the code from your slip.")), Length(max=40)],
        filters=[strip],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "maxlength": 40,
        },
    )
    submit = SubmitField(_l("Show my result"))
