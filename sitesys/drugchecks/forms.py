"""Forms of the drug-checking bench and of the public result look-up."""

from __future__ import annotations

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

from sitesys.drugchecks.chart import Colour
from sitesys.drugchecks.models import (
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
    return HiddenField(validators=[Regexp(UUID_PATTERN, message="Reload the form.")])


class ReceiveForm(SiteSysForm):
    """A sample arriving at the bench."""

    expected_substance = PlainSelectField(
        "What the client expects it to be",
        validators=[InputRequired("Choose what the client expects it to be.")],
        invalid_choice="Choose from this site's substances.",
    )
    form = RadioChoiceField(
        "Form",
        choices=choices((form.value, form.label) for form in SampleForm),
        validators=[InputRequired("Choose the sample's form.")],
        invalid_choice="Choose powder, crystal, pill, liquid, blotter or other.",
    )
    colour = StringField("Colour", validators=[Optional(), Length(max=40)], filters=[strip])
    markings = StringField(
        "Markings",
        validators=[Optional(), Length(max=120)],
        filters=[strip],
        description="A pill's logo, score line or stamp; a bag's mark.",
    )
    visit = PlainSelectField(
        "Tie to a visit",
        validators=[Optional()],
        description="Only if the client asks: the sample is otherwise tied to nobody.",
        invalid_choice="Choose someone on the floor now, or Not tied to a visit.",
    )
    submission_key = _submission_key()
    submit = SubmitField("Record sample and print slip")


class ReagentForm(SiteSysForm):
    reagent = RadioChoiceField(
        "Reagent",
        choices=choices((reagent.value, reagent.label) for reagent in Reagent),
        validators=[InputRequired("Choose the reagent used.")],
        invalid_choice="Choose one of the reagents listed.",
    )
    colour = RadioChoiceField(
        "Colour seen",
        choices=choices((colour.value, colour.label) for colour in Colour),
        optional=True,
        validators=[Optional()],
        invalid_choice="Choose one of the colours listed, or type it.",
    )
    colour_typed = StringField(
        "Or type the colour seen",
        validators=[Optional(), Length(max=60)],
        filters=[strip],
        description="When none of the colours above fits (e.g. 'orange, then brown').",
    )
    submission_key = _submission_key()
    submit = SubmitField("Record reagent result")


class StripForm(SiteSysForm):
    strip = RadioChoiceField(
        "Strip",
        choices=choices((strip.value, strip.label) for strip in StripTarget),
        validators=[InputRequired("Choose the strip used.")],
        invalid_choice="Choose one of the strips listed.",
    )
    reading = RadioChoiceField(
        "Reading",
        choices=choices((reading.value, reading.label) for reading in StripReading),
        validators=[InputRequired("Choose positive, negative or invalid.")],
        invalid_choice="Choose positive, negative or invalid.",
    )
    submission_key = _submission_key()
    submit = SubmitField("Record strip result")


class ComponentRow(Form):
    """One component found: chosen from the site's list, with its match quality."""

    component = PlainSelectField(
        "Component",
        validators=[Optional()],
        invalid_choice="Choose a component from the site's list.",
    )
    quality = IntegerField(
        "Match quality (%)",
        validators=[Optional(), NumberRange(0, 100, "Enter a match quality from 0 to 100.")],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


#: Rows the spectrometry form offers (FTIR finds about four to six components).
COMPONENT_ROWS = 6


class SpectrumForm(SiteSysForm):
    technique = RadioChoiceField(
        "Technique",
        choices=choices((technique.value, technique.label) for technique in Technique),
        validators=[InputRequired("Choose FTIR or Raman.")],
        invalid_choice="Choose FTIR or Raman.",
    )
    row_1 = FormField(ComponentRow, "Component 1")
    row_2 = FormField(ComponentRow, "Component 2")
    row_3 = FormField(ComponentRow, "Component 3")
    row_4 = FormField(ComponentRow, "Component 4")
    row_5 = FormField(ComponentRow, "Component 5")
    row_6 = FormField(ComponentRow, "Component 6")
    no_library_match = BooleanField("No library match")
    submission_key = _submission_key()
    submit = SubmitField("Record spectrometry result")

    @property
    def rows(self) -> list[FormField]:
        return [getattr(self, f"row_{number}") for number in range(1, COMPONENT_ROWS + 1)]

    def validate(self, extra_validators: object = None) -> bool:
        valid = bool(super().validate(extra_validators))
        for row in self.rows:
            chosen, quality = row.form.component, row.form.quality
            if chosen.data and quality.data is None and not quality.errors:
                quality.errors = ["Enter the match quality the library gave (0 to 100)."]
                valid = False
            if quality.data is not None and not chosen.data and not chosen.errors:
                chosen.errors = ["Choose the component this match quality is for."]
                valid = False
        return valid


class ResultForm(SiteSysForm):
    outcome = RadioChoiceField(
        "Result",
        choices=choices((outcome.value, outcome.label) for outcome in ResultOutcome),
        validators=[InputRequired("Choose as expected, something unexpected or inconclusive.")],
        invalid_choice="Choose as expected, something unexpected or inconclusive.",
    )
    found_summary = TextAreaField(
        "What was found, in plain words for the client",
        validators=[DataRequired("Say what was found."), Length(max=500)],
        filters=[strip],
        description="The client reads this with their code. No names, no codes.",
    )
    advice = TextAreaField(
        "Advice given",
        validators=[DataRequired("Write the advice given."), Length(max=500)],
        filters=[strip],
    )
    decision = RadioChoiceField(
        "The client's decision",
        choices=choices((decision.value, decision.label) for decision in ClientDecision),
        optional=True,
        validators=[Optional()],
        invalid_choice="Choose one of the decisions listed.",
    )
    reason = StringField(
        "Reason for amending",
        validators=[Optional(), Length(max=200)],
        filters=[strip],
    )
    #: The result as the page showed it: a form opened before someone else amended it is refused.
    version = HiddenField()
    submit = SubmitField("Save result")


class CustodyForm(SiteSysForm):
    custody = RadioChoiceField(
        "The rest of the sample",
        choices=choices((custody.value, custody.label) for custody in Custody),
        validators=[InputRequired("Choose handed back or disposed of.")],
        invalid_choice="Choose handed back or disposed of.",
    )
    reason = StringField(
        "Reason for the correction",
        validators=[Optional(), Length(max=200)],
        filters=[strip],
        description="Only when correcting what was recorded.",
    )
    submit = SubmitField("Record")


class StrikeTestForm(SiteSysForm):
    reason = StringField(
        "Reason for striking through",
        validators=[
            InputRequired("Give a reason for striking the test through."),
            Length(max=200, message="Keep the reason to 200 characters or fewer."),
        ],
        filters=[strip],
    )
    submit = SubmitField("Strike through")


class LinkVisitForm(SiteSysForm):
    visit = PlainSelectField(
        "Visit",
        validators=[InputRequired("Choose the client's visit.")],
        invalid_choice="Choose someone on the floor now.",
    )
    submit = SubmitField("Tie to this visit")


class VisitSampleForm(SiteSysForm):
    sample = PlainSelectField(
        "Sample checked today",
        validators=[InputRequired("Choose the sample from the client's slip.")],
        invalid_choice="Choose one of today's samples.",
        description="Match the reference written on the sample bag (S-…), at the client's wish.",
    )
    submit = SubmitField("Tie sample to this visit")


class ComponentForm(SiteSysForm):
    label = StringField(
        "Component",
        validators=[DataRequired("Enter the component's name."), Length(max=80)],
        filters=[strip],
    )
    finding = PlainSelectField(
        "Counts in reports as",
        choices=choices(
            [("", "None of these"), *((finding.value, finding.label) for finding in Finding)]
        ),
        validators=[Optional()],
        invalid_choice="Choose one of the kinds listed.",
    )
    submit = SubmitField("Add component")


class LookupForm(SiteSysForm):
    """The public look-up: no session, so no CSRF token (it changes nothing)."""

    class Meta:
        csrf = False

    code = StringField(
        "Your sample code",
        validators=[DataRequired("Enter the code from your slip."), Length(max=40)],
        filters=[strip],
        render_kw={
            "autocomplete": "off",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "maxlength": 40,
        },
    )
    submit = SubmitField("Show my result")
