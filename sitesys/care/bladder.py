"""The ketamine bladder symptom screen: its questions, its rules and their sources, in one place.

It is triage, not diagnosis: it finds who to advise and whom to offer a GP or urology referral,
and who to advise to seek medical review the same day. docs/clinical.md states the same rules
with the same sources; tests/care/test_bladder.py holds them to it.

Sources
- Winstock AR, Mitcheson L, Gillatt DA, Cottrell AM. The prevalence and natural history of
  urinary symptoms among recreational ketamine users. BJU Int 2012;110(11):1762-6.
  doi:10.1111/j.1464-410X.2012.11028.x. 26.6 % of recent ketamine users reported urinary
  symptoms, related to dose and frequency of use; 51 % of those who stopped reported improvement.
- Chan EOT, Chan VWS, Tang TST, et al. Systematic review and meta-analysis of ketamine-associated
  uropathy. Hong Kong Med J 2022;28(6):466-74. Pooled prevalence: frequency 77.1 %, urgency
  69.9 %, suprapubic pain 60.4 %.
- Hong YL, Yee CH, Tam YH, et al. Management of complications of ketamine abuse: 10 years'
  experience in Hong Kong. Hong Kong Med J 2018;24(2):175-81. Symptoms include frequency,
  urgency, nocturia, dysuria, urge incontinence and occasionally painful haematuria; upper
  urinary tract involvement (hydronephrosis) occurs; symptoms improve gradually with abstinence.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

#: The pick-list code of ketamine: a visit naming it is offered the screen.
KETAMINE = "ketamine"

#: How often the screen is asked of one client, unless the site sets otherwise.
DEFAULT_INTERVAL_DAYS = 28

# TRANSLATORS: clinical
TRIAGE_NOT_DIAGNOSIS = _l(
    "This screen is triage, not diagnosis: it decides what advice to give and whether to offer "
    "a referral. It does not rule anything in or out."
)


SYMPTOM_QUESTIONS = {
    # TRANSLATORS: clinical
    "frequency": _l("Going for a wee more often than usual?"),
    # TRANSLATORS: clinical
    "urgency": _l("Needing to go suddenly, and can't hold on?"),
    # TRANSLATORS: clinical
    "nocturia": _l("Getting up at night to pass urine?"),
    # TRANSLATORS: clinical
    "painful_urination": _l("Pain or burning when passing urine?"),
    # TRANSLATORS: clinical
    "lower_belly_pain": _l("Pain low in the belly (above the pubic bone)?"),
    # TRANSLATORS: clinical
    "blood_in_urine": _l("Blood in the urine?"),
    # TRANSLATORS: clinical
    "leaking": _l("Leaking urine?"),
    # TRANSLATORS: clinical
    "side_or_back_pain": _l("Pain in the side or the back (below the ribs)?"),
}


SYMPTOM_LABELS = {
    # TRANSLATORS: clinical
    "frequency": _l("Going more often"),
    # TRANSLATORS: clinical
    "urgency": _l("Urgency"),
    # TRANSLATORS: clinical
    "nocturia": _l("Up at night"),
    # TRANSLATORS: clinical
    "painful_urination": _l("Pain or burning"),
    # TRANSLATORS: clinical
    "lower_belly_pain": _l("Low belly pain"),
    # TRANSLATORS: clinical
    "blood_in_urine": _l("Blood in urine"),
    # TRANSLATORS: clinical
    "leaking": _l("Leaking"),
    # TRANSLATORS: clinical
    "side_or_back_pain": _l("Side or back pain"),
}


class Symptom(enum.StrEnum):
    """A question of the screen; its value is stored, its question is what staff read out."""

    FREQUENCY = "frequency"
    URGENCY = "urgency"
    NOCTURIA = "nocturia"
    PAINFUL_URINATION = "painful_urination"
    LOWER_BELLY_PAIN = "lower_belly_pain"
    BLOOD_IN_URINE = "blood_in_urine"
    LEAKING = "leaking"
    SIDE_OR_BACK_PAIN = "side_or_back_pain"

    @property
    def question(self) -> str:
        return str(SYMPTOM_QUESTIONS[self.value])

    @property
    def label(self) -> str:
        return str(SYMPTOM_LABELS[self.value])


#: Symptoms that call for a medical review the same day, not only a referral.
SAME_DAY = frozenset({Symptom.BLOOD_IN_URINE, Symptom.SIDE_OR_BACK_PAIN})


USE_FREQUENCY_LABELS = {
    "daily": _l("Daily"),
    "several_a_week": _l("Several times a week"),
    "weekly": _l("Weekly"),
    "less": _l("Less than weekly"),
}


class UseFrequency(enum.StrEnum):
    DAILY = "daily"
    SEVERAL_A_WEEK = "several_a_week"
    WEEKLY = "weekly"
    LESS = "less"

    @property
    def label(self) -> str:
        return str(USE_FREQUENCY_LABELS[self.value])


SCREEN_RESULT_LABELS = {
    # TRANSLATORS: clinical
    "skipped": _l("Skipped"),
    # TRANSLATORS: clinical
    "no_symptoms": _l("No symptoms"),
    # TRANSLATORS: clinical
    "symptoms": _l("Symptoms: advice and referral offered"),
    # TRANSLATORS: clinical
    "same_day_review": _l("Same-day medical review advised"),
}


class ScreenResult(enum.StrEnum):
    """What a screen came to; stored, and counted by reports."""

    SKIPPED = "skipped"
    NO_SYMPTOMS = "no_symptoms"
    SYMPTOMS = "symptoms"
    SAME_DAY_REVIEW = "same_day_review"

    @property
    def label(self) -> str:
        return str(SCREEN_RESULT_LABELS[self.value])

    @property
    def is_positive(self) -> bool:
        return self in (ScreenResult.SYMPTOMS, ScreenResult.SAME_DAY_REVIEW)


#: Brief advice for anyone with a symptom (Winstock 2012: symptoms often improve when use falls).
ADVICE = (
    # TRANSLATORS: clinical
    _l("Drink water through the day (little and often)."),
    # TRANSLATORS: clinical
    _l("Cut down on ketamine, or stop: the bladder often gets better when use falls."),
    # TRANSLATORS: clinical
    _l("Symptoms that go on, or get worse, need a GP or a urology clinic: we can refer you."),
)

# TRANSLATORS: clinical
SAME_DAY_ADVICE = _l(
    "Advise same-day medical review (GP today, urgent care or A&E): blood in the urine or pain in "
    "the side or back can mean the kidneys or their tubes are affected, or an infection."
)


@dataclass(frozen=True)
class Assessment:
    """What the screen's answers call for."""

    result: ScreenResult
    advice: tuple[str, ...]
    #: Offer a GP or urology referral.
    offer_referral: bool
    #: Advise a medical review today.
    same_day_review: bool


def assess(symptoms: set[Symptom] | frozenset[Symptom]) -> Assessment:
    """The rules: no symptom, no action; any symptom, brief advice and a GP or urology referral
    offered; blood in the urine or pain in the side or back, a medical review the same day too.
    """
    if not symptoms:
        return Assessment(ScreenResult.NO_SYMPTOMS, (), offer_referral=False, same_day_review=False)
    if symptoms & SAME_DAY:
        return Assessment(
            ScreenResult.SAME_DAY_REVIEW,
            (SAME_DAY_ADVICE, *ADVICE),
            offer_referral=True,
            same_day_review=True,
        )
    return Assessment(ScreenResult.SYMPTOMS, ADVICE, offer_referral=True, same_day_review=False)


def is_offered(substances: list[str] | set[str]) -> bool:
    """Whether a visit naming these substances (pick-list codes) is offered the screen."""
    return KETAMINE in substances
