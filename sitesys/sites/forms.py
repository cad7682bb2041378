"""Forms of the site and booth admin pages."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from sitesys.forms import MultiCheckboxField, PlainSelectField, SiteSysForm, choices, strip
from sitesys.i18n import (
    CLIENT_LOCALES,
    DEFAULT_LOCALE,
    LANGUAGE_NAMES,
    RIGHT_TO_LEFT,
    STAFF_LOCALES,
)
from sitesys.sites.code_pattern import pattern_problem
from sitesys.sites.models import (
    BOOTH_KIND_LABELS,
    MIN_CLIENTS_YEARS,
    MIN_NOTES_YEARS,
    BoothKind,
    Site,
)

BOOTH_KIND_CHOICES = choices((kind.value, BOOTH_KIND_LABELS[kind.value]) for kind in BoothKind)

#: The areas of IANA's Area/Location zone names. The system's zone list also holds names such as
#: "localtime" (whatever the server is set to) and "Factory" (no zone at all), and legacy aliases
#: (GB, EST5EDT, Etc/GMT+5 whose sign is backwards); a site's clocks must not hang on those.
TIME_ZONE_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)


def is_site_time_zone(name: str) -> bool:
    """An Area/Location IANA zone (Europe/London, America/Argentina/Salta) or UTC."""
    if name == "UTC":
        return True
    area, slash, _rest = name.partition("/")
    return bool(slash) and area in TIME_ZONE_AREAS and name in available_timezones()


def _enter(label: Any) -> str:
    text: str = _("Enter %(setting)s.", setting=str(label).lower())
    return text


def _minutes(label: Any, low: int, high: int, hint: Any) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(LazyString(_enter, label)),
            # WTForms fills in %(min)s and %(max)s.
            NumberRange(low, high, _l("Enter a whole number from %(min)s to %(max)s.")),
        ],
        description=hint,
    )


class SiteForm(SiteSysForm):
    # Text is required with DataRequired, which looks at the value after strip (InputRequired
    # looks at the raw input, and let a name of spaces through to be saved empty); numbers and
    # times keep InputRequired, as 0 is a real booth position.
    name = StringField(
        _l("Site name"),
        validators=[DataRequired(_l("Enter the site's name.")), Length(max=80)],
        filters=[strip],
    )
    time_zone = StringField(
        _l("Time zone"),
        default="Europe/London",
        validators=[DataRequired(_l("Enter a time zone such as Europe/London.")), Length(max=64)],
        filters=[strip],
        description=_l("An IANA time zone, such as Europe/London."),
    )
    closing_time = TimeField(
        _l("Closing time"),
        validators=[InputRequired(_l("Enter the closing time."))],
        description=_l("Visits still open well after this are closed by the end-of-day job."),
    )
    idle_timeout_minutes = _minutes(
        _l("Idle timeout (minutes)"), 5, 60, _l("Sign a tablet out after this long without a tap.")
    )
    absolute_timeout_hours = _minutes(
        _l("Session limit (hours)"), 1, 16, _l("Sign out after this long, however busy.")
    )
    booth_check_minutes = _minutes(
        _l("Check interval in booth (minutes)"),
        1,
        30,
        _l("How often someone in a booth is checked."),
    )
    aftercare_check_minutes = _minutes(
        _l("Check interval in aftercare (minutes)"),
        1,
        60,
        _l("How often someone in aftercare is checked."),
    )
    close_watch_minutes = _minutes(
        _l("Close watch interval (minutes)"),
        1,
        15,
        _l("Used while a client's scores are worrying."),
    )
    handover_ack_minutes = _minutes(
        _l("Handover acknowledgement limit (minutes)"),
        5,
        240,
        _l("A handover unacknowledged this long after the shift change is flagged to managers."),
    )
    draft_reminder_hours = _minutes(
        _l("Incident report reminder (hours)"),
        1,
        72,
        _l(
            "Remind the reporter and the managers about a report still unsubmitted after this long."
        ),
    )
    naloxone_prompt_minutes = _minutes(
        _l("Prompt another naloxone dose after (minutes)"),
        2,
        3,
        _l('The response screen says "Consider another dose" this long after a naloxone dose.'),
    )
    custody_alert_minutes = _minutes(
        _l("Sample custody limit (minutes)"),
        5,
        240,
        _l(
            "A checked sample neither handed back nor disposed of this long after its result is "
            "flagged on the board and in the handover."
        ),
    )
    result_days = _minutes(
        _l("Days a result can be read by its code"),
        1,
        90,
        _l("Clients read their drug-check result with the code on their slip for this many days."),
    )
    desk_rescue_actions = BooleanField(
        _l("Trained front desk staff may log naloxone and rescue breaths"),
        default=False,
        description=_l(
            "From their board tile, while a response runs; every action records who "
            "did it. Everything else in a response stays with nurses and managers."
        ),
    )
    bladder_screen_days = _minutes(
        _l("Days between ketamine bladder screens"),
        1,
        365,
        _l("A client who uses ketamine is offered the bladder symptom screen at most this often."),
    )
    suppression_threshold = _minutes(
        _l("Smallest count published"),
        3,
        50,
        # A lazy string is put in the page as it is (not escaped), hence the character reference.
        _l(
            'Reports for publication show smaller counts as "&lt;10" (for 10), and withhold what '
            "would let them be worked out."
        ),
    )
    two_factor_for_all = BooleanField(
        _l("Every role signs in with two-factor"),
        default=False,
        description=_l(
            "A code from a phone app after the password, for everyone who works here. "
            "Managers and admins always sign in this way."
        ),
    )
    public_alerts_enabled = BooleanField(
        _l("Show active drug alerts on the site's public page"),
        default=True,
        description=_l(
            "Clients reach it from the QR code on an alert's poster; no sign-in needed."
        ),
    )
    code_hint = TextAreaField(
        _l("Client code recipe"),
        validators=[DataRequired(_l("Describe how clients make their code.")), Length(max=300)],
        filters=[strip],
        description=_l("Shown at the desk, e.g. first two letters of your first name..."),
    )
    code_pattern = StringField(
        _l("Client code pattern"),
        validators=[DataRequired(_l("Enter the pattern codes must match.")), Length(max=200)],
        filters=[strip],
        description=_l(
            "What the upper-case code must match in full: capitals, digits, classes "
            "such as [A-Z] or [0-9] and counts such as {4} or {2,3}; e.g. [A-Z]{4}[0-9]{2}."
        ),
    )
    is_active = BooleanField(_l("Site is open for use"), default=True)
    # Left out of a form, a retention setting stays as it is (a new site takes the default).
    retain_notes_years = IntegerField(
        _l("Keep notes and narratives (years)"),
        validators=[
            Optional(),
            NumberRange(
                MIN_NOTES_YEARS,
                100,
                # WTForms fills in %(min)s.
                _l("Notes are kept at least %(min)s years (the legal minimum) and at most 100."),
            ),
        ],
        description=_l(
            "Free text older than this is removed; the record stays. At least %(years)s years, "
            "the legal minimum.",
            years=MIN_NOTES_YEARS,
        ),
    )
    retain_clients_years = IntegerField(
        _l("Keep a client's code after their last visit (years)"),
        validators=[
            Optional(),
            NumberRange(
                MIN_CLIENTS_YEARS,
                20,
                # WTForms fills in %(min)s.
                _l("A client's code is kept from %(min)s to 20 years after their last visit."),
            ),
        ],
        description=_l(
            "A client not seen for this long is removed with their code's digest; "
            "their visits stay, anonymous."
        ),
    )
    privacy_contact = TextAreaField(
        _l("Operator and contact for the privacy notice"),
        validators=[Length(max=300)],
        filters=[strip],
        description=_l("Who runs the site and how clients reach them; shown on /privacy."),
    )
    privacy_legal_basis = TextAreaField(
        _l("Legal basis for the privacy notice"),
        validators=[Length(max=500)],
        filters=[strip],
        description=_l("Why the law allows the site to keep these records; shown on /privacy."),
    )
    #: The settings_version the edit form was opened with (unused by the new-site form).
    version = HiddenField()
    submit = SubmitField(_l("Save site"))

    def validate_code_pattern(self, field: StringField) -> None:
        problem = pattern_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_time_zone(self, field: StringField) -> None:
        if not is_site_time_zone(field.data or ""):
            raise ValidationError(
                _(
                    "That is not a known time zone; use an Area/Location name such as "
                    "Europe/London, or UTC."
                )
            )


class BoothForm(SiteSysForm):
    label = StringField(
        _l("Booth label"),
        validators=[DataRequired(_l("Enter a label, such as 3.")), Length(max=20)],
        filters=[strip],
    )
    kind = PlainSelectField(
        _l("Booth kind"),
        choices=BOOTH_KIND_CHOICES,
        invalid_choice=_l("Choose one of the booth kinds in the list."),
    )
    position = IntegerField(
        _l("Position on the board"),
        default=0,
        validators=[InputRequired(_l("Enter a position.")), NumberRange(0, 999)],
    )
    submit = SubmitField(_l("Save booth"))


class OutOfServiceForm(SiteSysForm):
    reason = StringField(
        _l("Reason"),
        validators=[
            DataRequired(_l("Give a reason for taking the booth out of service.")),
            Length(max=200, message=_l("Keep the reason to 200 characters or fewer.")),
        ],
        filters=[strip],
    )
    submit = SubmitField(_l("Take out of service"))


class SubstanceForm(SiteSysForm):
    label = StringField(
        _l("Substance"),
        validators=[DataRequired(_l("Enter the substance's name.")), Length(max=60)],
        filters=[strip],
    )
    submit = SubmitField(_l("Add substance"))


# -- A site's languages (sitesys/i18n.py): added to SiteForm, drawn in its "Languages" section.
SiteForm.default_language = PlainSelectField(
    _l("Language of staff screens"),
    choices=choices((code, LANGUAGE_NAMES[code]) for code in STAFF_LOCALES),
    default=DEFAULT_LOCALE,
    optional=True,
    invalid_choice=_l("Choose one of the languages in the list."),
    description=_l("Staff who have not chosen their own language see SiteSys in this one."),
)
SiteForm.client_languages_offered = MultiCheckboxField(
    _l("Languages of the pages clients read"),
    choices=choices((code, LANGUAGE_NAMES[code]) for code in CLIENT_LOCALES),
    default=[DEFAULT_LOCALE],
    invalid_choice=_l("Choose from the languages in the list."),
    optional=True,
    description=_l(
        "Drug-check results, drug alerts and posters, the privacy notice and the code recipe "
        "offer these as links."
    ),
)
#: Sent by a form that drew the language fields: a form without them (an older tab, a script)
#: leaves the site's languages as they are.
SiteForm.languages_shown = HiddenField()
#: The form field holding the code recipe in each language but English (code_hint holds that).
RECIPE_FIELDS = {code: f"code_hint_{code}" for code in CLIENT_LOCALES if code != DEFAULT_LOCALE}
for _code, _name in RECIPE_FIELDS.items():
    setattr(
        SiteForm,
        _name,
        TextAreaField(
            _l("Client code recipe in %(language)s", language=LANGUAGE_NAMES[_code]),
            validators=[Length(max=300)],
            filters=[strip],
            description=_l("Left empty, the English recipe is shown."),
            render_kw={
                "lang": _code.replace("_", "-"),
                "dir": "rtl" if _code in RIGHT_TO_LEFT else "ltr",
            },
        ),
    )


def show_languages(form: SiteForm, site: Site) -> None:
    """Fill the form's language fields from the site's settings."""
    form.default_language.data = site.default_language
    form.client_languages_offered.data = site.client_language_codes
    for code, name in RECIPE_FIELDS.items():
        getattr(form, name).data = (site.code_hints or {}).get(code, "")


def language_settings(form: SiteForm, site: Site | None) -> dict[str, Any]:
    """The language settings the form asks for, as SiteSettings holds them (the site's own, or
    a new site's defaults, when the form did not draw them).
    """
    if form.languages_shown.data != "1":
        if site is None:
            return {}
        return {
            "default_language": site.default_language,
            "client_languages": site.client_languages,
            "code_hints": dict(site.code_hints or {}),
        }
    return {
        "default_language": form.default_language.data or DEFAULT_LOCALE,
        "client_languages": ",".join(form.client_languages_offered.data or []),
        "code_hints": {
            code: getattr(form, name).data
            for code, name in RECIPE_FIELDS.items()
            if getattr(form, name).data
        },
    }
