"""NEWS2 scoring, sedation scales and the red flags that prompt an emergency response."""

# Bands are exactly those of the Royal College of Physicians' National Early Warning Score 2 chart
# (RCP, NEWS2, December 2017), as tabulated in reference/domain.md section 3.1. Source:
# https://www.rcplondon.ac.uk/projects/outputs/national-early-warning-score-news-2
# POSS and RASS follow sections 3.2 and 3.3 there. This module is pure: no database,
# no Flask (only Flask-Babel's gettext for the words, which is English outside a request), no
# clock, so the rules can be proved exhaustively by the tests. The reasons a set raises are
# worked out and stored in English (the record); `say_reason` puts one in the reader's language.

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

# Typographic characters are named rather than typed so that no look-alike of "-" hides in the
# source; the labels nurses read use the proper dash and minus sign.
EN_DASH = "\N{EN DASH}"
MINUS_SIGN = "\N{MINUS SIGN}"

NEWS2_PARAMETERS: tuple[str, ...] = (
    "respiratory_rate",
    "spo2",
    "air_or_oxygen",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature",
)

RASS_MIN = -5
RASS_MAX = 4


class Consciousness(enum.StrEnum):
    """ACVPU level of consciousness, stored by its letter."""

    ALERT = "A"
    NEW_CONFUSION = "C"
    VOICE = "V"
    PAIN = "P"
    UNRESPONSIVE = "U"

    @property
    def label(self) -> str:
        """Plain-English name shown to staff (in their language)."""
        return str(_CONSCIOUSNESS_LABELS[self])

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (a form's choices)."""
        return _CONSCIOUSNESS_LABELS[self]


_CONSCIOUSNESS_LABELS: dict[Consciousness, Any] = {
    # TRANSLATORS: clinical (ACVPU level of consciousness)
    Consciousness.ALERT: _l("Alert"),
    # TRANSLATORS: clinical (ACVPU level of consciousness)
    Consciousness.NEW_CONFUSION: _l("New confusion"),
    # TRANSLATORS: clinical (ACVPU level of consciousness)
    Consciousness.VOICE: _l("Responds to voice"),
    # TRANSLATORS: clinical (ACVPU level of consciousness)
    Consciousness.PAIN: _l("Responds to pain"),
    # TRANSLATORS: clinical (ACVPU level of consciousness)
    Consciousness.UNRESPONSIVE: _l("Unresponsive"),
}


class Poss(enum.StrEnum):
    """Pasero Opioid-induced Sedation Scale level, stored by its code."""

    ASLEEP = "S"
    AWAKE = "1"
    DROWSY = "2"
    FREQUENTLY_DROWSY = "3"
    SOMNOLENT = "4"

    @property
    def label(self) -> str:
        """Code and plain-English meaning shown to staff (in their language)."""
        return f"{self.value} {EN_DASH} {_POSS_MEANINGS[self]}"

    @property
    def lazy_label(self) -> Any:
        """The label, translated where it is shown (a form's choices)."""
        return LazyString(lambda: self.label)


_POSS_MEANINGS: dict[Poss, Any] = {
    # TRANSLATORS: clinical (POSS sedation level)
    Poss.ASLEEP: _l("Asleep, easy to rouse"),
    # TRANSLATORS: clinical (POSS sedation level)
    Poss.AWAKE: _l("Awake and alert"),
    # TRANSLATORS: clinical (POSS sedation level)
    Poss.DROWSY: _l("Slightly drowsy, easily roused"),
    # TRANSLATORS: clinical (POSS sedation level)
    Poss.FREQUENTLY_DROWSY: _l("Frequently drowsy, drifts off mid-conversation"),
    # TRANSLATORS: clinical (POSS sedation level)
    Poss.SOMNOLENT: _l("Somnolent, minimal or no response"),
}

#: Each RASS score's meaning, translated where it is shown.
RASS_LABELS: dict[int, Any] = {
    # TRANSLATORS: clinical (RASS sedation score)
    4: _l("Combative"),
    # TRANSLATORS: clinical (RASS sedation score)
    3: _l("Very agitated"),
    # TRANSLATORS: clinical (RASS sedation score)
    2: _l("Agitated"),
    # TRANSLATORS: clinical (RASS sedation score)
    1: _l("Restless"),
    # TRANSLATORS: clinical (RASS sedation score)
    0: _l("Alert and calm"),
    # TRANSLATORS: clinical (RASS sedation score)
    -1: _l("Drowsy"),
    # TRANSLATORS: clinical (RASS sedation score)
    -2: _l("Light sedation"),
    # TRANSLATORS: clinical (RASS sedation score)
    -3: _l("Moderate sedation"),
    # TRANSLATORS: clinical (RASS sedation score)
    -4: _l("Deep sedation"),
    # TRANSLATORS: clinical (RASS sedation score)
    -5: _l("Unarousable"),
}


class SpO2Scale(enum.IntEnum):
    """NEWS2 oxygen-saturation scale; scale 2 only for confirmed hypercapnic respiratory failure."""

    SCALE_1 = 1
    SCALE_2 = 2


class EscalationLevel(enum.StrEnum):
    """NEWS2 clinical risk level, from low to high."""

    LOW = "low"
    LOW_MEDIUM = "low_medium"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def label(self) -> str:
        """Name shown to staff (in their language)."""
        return str(_LEVEL_LABELS[self])

    @property
    def rank(self) -> int:
        """Position from 0 (low) to 3 (high), for comparing levels."""
        return _LEVEL_RANKS[self]


_LEVEL_LABELS: dict[EscalationLevel, Any] = {
    # TRANSLATORS: clinical (NEWS2 clinical risk level)
    EscalationLevel.LOW: _l("Low"),
    # TRANSLATORS: clinical (NEWS2 clinical risk level; the dash is an en dash)
    EscalationLevel.LOW_MEDIUM: _l("Low\N{EN DASH}medium"),
    # TRANSLATORS: clinical (NEWS2 clinical risk level)
    EscalationLevel.MEDIUM: _l("Medium"),
    # TRANSLATORS: clinical (NEWS2 clinical risk level)
    EscalationLevel.HIGH: _l("High"),
}
_LEVEL_RANKS: dict[EscalationLevel, int] = {
    EscalationLevel.LOW: 0,
    EscalationLevel.LOW_MEDIUM: 1,
    EscalationLevel.MEDIUM: 2,
    EscalationLevel.HIGH: 3,
}

_MEDIUM_RANK = _LEVEL_RANKS[EscalationLevel.MEDIUM]

#: A partial set whose score is low: never shown as a reassuring total.
# TRANSLATORS: clinical (a NEWS2 score from a partial set of observations is not rated)
PARTIAL_NOT_RATED = _l("Partial \N{EN DASH} not rated")


def _count(name: str, value: object) -> int:
    """Return value as a non-negative int, or raise."""
    # bool is an int in Python; a True respiratory rate is a bug upstream, not a reading of 1.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} cannot be negative: {value}")
    return value


def _celsius(value: object) -> Decimal:
    """Return a temperature as a finite, non-negative Decimal, or raise."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float):
        raise TypeError(f"temperature must be a Decimal, not {type(value).__name__}")
    # str() first so that a float such as 36.1 becomes Decimal("36.1"), not 36.099999...
    celsius = value if isinstance(value, Decimal) else Decimal(str(value))
    if not celsius.is_finite():
        raise ValueError(f"temperature must be a finite number: {value}")
    if celsius < 0:
        raise ValueError(f"temperature cannot be negative: {value}")
    return celsius


def _rass(value: object) -> int:
    """Return a RASS score as an int from -5 to +4, or raise."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"rass must be an int, not {type(value).__name__}")
    if not RASS_MIN <= value <= RASS_MAX:
        raise ValueError(f"rass must be from {RASS_MIN} to +{RASS_MAX}: {value}")
    return value


def format_rass(rass: int) -> str:
    """Show a RASS score signed, with a true minus sign: +3, 0, -3."""
    value = _rass(rass)
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"{MINUS_SIGN}{-value}"
    return "0"


@dataclass(frozen=True)
class Vitals:
    """One set of observations; None means not measured."""

    respiratory_rate: int | None = None  # breaths/min
    spo2: int | None = None  # %
    on_oxygen: bool = False  # False = breathing air
    systolic_bp: int | None = None  # mmHg
    pulse: int | None = None  # /min
    consciousness: Consciousness | None = None
    temperature: Decimal | None = None  # degrees Celsius, one decimal
    poss: Poss | None = None
    rass: int | None = None  # -5 to +4

    def __post_init__(self) -> None:
        """Refuse impossible values and normalise enum letters and temperatures."""
        for name in ("respiratory_rate", "spo2", "systolic_bp", "pulse"):
            value = getattr(self, name)
            if value is not None:
                _count(name, value)
        if not isinstance(self.on_oxygen, bool):
            raise TypeError(f"on_oxygen must be a bool, not {type(self.on_oxygen).__name__}")
        # Frozen dataclass: object.__setattr__ is the documented way to normalise in __post_init__.
        if self.consciousness is not None:
            object.__setattr__(self, "consciousness", Consciousness(self.consciousness))
        if self.temperature is not None:
            object.__setattr__(self, "temperature", _celsius(self.temperature))
        if self.poss is not None:
            object.__setattr__(self, "poss", Poss(self.poss))
        if self.rass is not None:
            _rass(self.rass)


def respiratory_rate_score(breaths_per_minute: int) -> int:
    """Respiratory rate: ≤8 scores 3; 9-11: 1; 12-20: 0; 21-24: 2; ≥25: 3."""
    rate = _count("respiratory_rate", breaths_per_minute)
    if rate <= 8:
        return 3
    if rate <= 11:
        return 1
    if rate <= 20:
        return 0
    if rate <= 24:
        return 2
    return 3


def spo2_score(saturation: int, on_oxygen: bool, scale: SpO2Scale = SpO2Scale.SCALE_1) -> int:
    """SpO2 on the chosen scale; on scale 2, 93 or more scores 0 on air and 1-3 on oxygen."""
    percent = _count("spo2", saturation)
    if SpO2Scale(scale) is SpO2Scale.SCALE_1:
        # Scale 1: ≤91 scores 3; 92-93: 2; 94-95: 1; ≥96: 0.
        if percent <= 91:
            return 3
        if percent <= 93:
            return 2
        if percent <= 95:
            return 1
        return 0
    # Scale 2: ≤83 scores 3; 84-85: 2; 86-87: 1; 88-92: 0; ≥93 on air: 0; on oxygen 93-94: 1,
    # 95-96: 2, ≥97: 3. High saturation on oxygen scores: over-oxygenation risks CO2 retention.
    if percent <= 83:
        return 3
    if percent <= 85:
        return 2
    if percent <= 87:
        return 1
    if percent <= 92 or not on_oxygen:
        return 0
    if percent <= 94:
        return 1
    if percent <= 96:
        return 2
    return 3


def air_or_oxygen_score(on_oxygen: bool) -> int:
    """Air or oxygen: supplemental oxygen scores 2; air scores 0."""
    return 2 if on_oxygen else 0


def systolic_bp_score(mmhg: int) -> int:
    """Systolic BP: ≤90 scores 3; 91-100: 2; 101-110: 1; 111-219: 0; ≥220: 3."""
    pressure = _count("systolic_bp", mmhg)
    if pressure <= 90:
        return 3
    if pressure <= 100:
        return 2
    if pressure <= 110:
        return 1
    if pressure <= 219:
        return 0
    return 3


def pulse_score(beats_per_minute: int) -> int:
    """Pulse: ≤40 scores 3; 41-50: 1; 51-90: 0; 91-110: 1; 111-130: 2; ≥131: 3."""
    rate = _count("pulse", beats_per_minute)
    if rate <= 40:
        return 3
    if rate <= 50:
        return 1
    if rate <= 90:
        return 0
    if rate <= 110:
        return 1
    if rate <= 130:
        return 2
    return 3


def consciousness_score(level: Consciousness) -> int:
    """Consciousness (ACVPU): Alert scores 0; new confusion, voice, pain or unresponsive score 3."""
    return 0 if Consciousness(level) is Consciousness.ALERT else 3


def temperature_score(celsius: Decimal | int | float) -> int:
    """Temperature °C: ≤35.0 scores 3; 35.1-36.0: 1; 36.1-38.0: 0; 38.1-39.0: 1; ≥39.1: 2."""
    degrees = _celsius(celsius)
    # Upper-bound comparisons, so a reading such as 36.05 still falls in exactly one band.
    if degrees <= Decimal("35.0"):
        return 3
    if degrees <= Decimal("36.0"):
        return 1
    if degrees <= Decimal("38.0"):
        return 0
    if degrees <= Decimal("39.0"):
        return 1
    return 2


def _news2_level(total: int, scores: Iterable[int], is_partial: bool) -> EscalationLevel | None:
    """Rate a total: ≥7 high; 5-6 medium; any single 3 low-medium; else low (None if partial)."""
    if total >= 7:
        return EscalationLevel.HIGH
    if total >= 5:
        return EscalationLevel.MEDIUM
    if 3 in scores:
        return EscalationLevel.LOW_MEDIUM
    # Missing parameters could hide a higher score, so a partial score is never reassuringly "low".
    return None if is_partial else EscalationLevel.LOW


@dataclass(frozen=True)
class News2:
    """A NEWS2 score: the band score of each measured parameter, their total and its level."""

    parameter_scores: Mapping[str, int] = field(hash=False)
    total: int
    is_partial: bool
    level: EscalationLevel | None

    @property
    def level_label(self) -> str:
        """The level's name, or a plain statement that a partial low score is not rated."""
        return str(PARTIAL_NOT_RATED) if self.level is None else self.level.label


def score_news2(vitals: Vitals, scale: SpO2Scale = SpO2Scale.SCALE_1) -> News2 | None:
    """Score the measured parameters; None when nothing but air or oxygen is known."""
    scores: dict[str, int] = {}
    if vitals.respiratory_rate is not None:
        scores["respiratory_rate"] = respiratory_rate_score(vitals.respiratory_rate)
    if vitals.spo2 is not None:
        scores["spo2"] = spo2_score(vitals.spo2, vitals.on_oxygen, scale)
    scores["air_or_oxygen"] = air_or_oxygen_score(vitals.on_oxygen)
    if vitals.systolic_bp is not None:
        scores["systolic_bp"] = systolic_bp_score(vitals.systolic_bp)
    if vitals.pulse is not None:
        scores["pulse"] = pulse_score(vitals.pulse)
    if vitals.consciousness is not None:
        scores["consciousness"] = consciousness_score(vitals.consciousness)
    if vitals.temperature is not None:
        scores["temperature"] = temperature_score(vitals.temperature)
    if len(scores) == 1:
        return None
    total = sum(scores.values())
    is_partial = len(scores) < len(NEWS2_PARAMETERS)
    return News2(
        parameter_scores=MappingProxyType(scores),
        total=total,
        is_partial=is_partial,
        level=_news2_level(total, scores.values(), is_partial),
    )


@dataclass(frozen=True)
class Assessment:
    """What a set of observations calls for: the NEWS2 score, red flags and close-watch reasons."""

    news2: News2 | None
    red_flags: tuple[str, ...]
    close_watch_reasons: tuple[str, ...]

    @property
    def prompts_emergency(self) -> bool:
        """True when a red flag or a high NEWS2 (7+: "emergency response" in the RCP bands)
        calls for the emergency response at once.
        """
        high = self.news2 is not None and self.news2.level is EscalationLevel.HIGH
        return bool(self.red_flags) or high

    @property
    def needs_close_watch(self) -> bool:
        """True when the check interval should be shortened."""
        return bool(self.close_watch_reasons)

    @property
    def reasons(self) -> tuple[str, ...]:
        """What to tell the nurse: the red flags, then each close-watch reason whose parameter no
        red flag has named already: the red flag for POSS 4 says all that "POSS 4" would.
        """
        flagged = {_parameter(flag) for flag in self.red_flags}
        return self.red_flags + tuple(
            reason for reason in self.close_watch_reasons if _parameter(reason) not in flagged
        )


def _parameter(reason: str) -> str:
    """The parameter a red flag or close-watch reason is about: each begins with its name."""
    return reason.split(" ", 1)[0]


def _red_flags(vitals: Vitals, scale: SpO2Scale) -> tuple[str, ...]:
    """Red flags: RR ≤8, SpO2 ≤91 on scale 1, unresponsive, POSS 4, RASS ≤-4 or +4."""
    flags: list[str] = []
    if vitals.respiratory_rate is not None and vitals.respiratory_rate <= 8:
        flags.append("Respiratory rate 8 or less")
    # On scale 2 a saturation of 88-92 is the target, so a low reading is scored, not flagged.
    if SpO2Scale(scale) is SpO2Scale.SCALE_1 and vitals.spo2 is not None and vitals.spo2 <= 91:
        flags.append("SpO2 91% or less")
    if vitals.consciousness is Consciousness.UNRESPONSIVE:
        flags.append("Unresponsive")
    if vitals.poss is Poss.SOMNOLENT:
        flags.append(f"POSS 4 {EN_DASH} somnolent")
    if vitals.rass is not None and vitals.rass <= -4:
        flags.append(f"RASS {MINUS_SIGN}4 or lower")
    if vitals.rass == RASS_MAX:
        flags.append(f"RASS +4 {EN_DASH} combative")
    return tuple(flags)


def _close_watch_reasons(vitals: Vitals, news2: News2 | None) -> tuple[str, ...]:
    """Close watch: POSS 3 or 4, RASS ≥+3 or ≤-3, NEWS2 medium or high (partial included)."""
    reasons: list[str] = []
    if vitals.poss in (Poss.FREQUENTLY_DROWSY, Poss.SOMNOLENT):
        reasons.append(f"POSS {vitals.poss}")
    if vitals.rass is not None and (vitals.rass >= 3 or vitals.rass <= -3):
        reasons.append(f"RASS {format_rass(vitals.rass)}")
    if news2 is not None and news2.level is not None and news2.level.rank >= _MEDIUM_RANK:
        # Kept on the record in English (say_reason words it for the reader).
        level = news2.level.value.replace("_", EN_DASH)
        partial = " (partial score)" if news2.is_partial else ""
        reasons.append(f"NEWS2 {level}{partial}")
    return tuple(reasons)


#: The red flags as the record keeps them (English), in the reader's language.
_SAID_REASONS: dict[str, Any] = {
    # TRANSLATORS: clinical (a red flag that prompts an emergency response)
    "Respiratory rate 8 or less": _l("Respiratory rate 8 or less"),
    # TRANSLATORS: clinical (a red flag that prompts an emergency response)
    "SpO2 91% or less": _l("SpO2 91% or less"),
    # TRANSLATORS: clinical (ACVPU level of consciousness)
    "Unresponsive": _l("Unresponsive"),
    # TRANSLATORS: clinical (a red flag that prompts an emergency response)
    f"POSS 4 {EN_DASH} somnolent": _l("POSS 4 \N{EN DASH} somnolent"),
    # TRANSLATORS: clinical (a red flag that prompts an emergency response)
    f"RASS {MINUS_SIGN}4 or lower": _l("RASS \N{MINUS SIGN}4 or lower"),
    # TRANSLATORS: clinical (a red flag that prompts an emergency response)
    f"RASS +4 {EN_DASH} combative": _l("RASS +4 \N{EN DASH} combative"),
}
_NEWS2_REASON = re.compile(r"NEWS2 (?P<level>[a-z_\N{EN DASH}]+)(?P<partial> \(partial score\))?")


def say_reason(reason: str) -> str:
    """A red flag or close-watch reason as the record keeps it (in English, as `assess` wrote
    it), in the reader's language. The scores of POSS and RASS are codes, said as they are.
    """
    said = _SAID_REASONS.get(reason)
    if said is not None:
        return str(said)
    news2 = _NEWS2_REASON.fullmatch(reason)
    if news2 is not None:
        value = news2["level"].replace(EN_DASH, "_")
        if value not in {level.value for level in EscalationLevel}:
            return reason
        level = EscalationLevel(value).label.lower()
        if news2["partial"]:
            # TRANSLATORS: clinical (a close-watch reason: "NEWS2 medium (partial score)")
            return str(_("NEWS2 %(level)s (partial score)", level=level))
        # TRANSLATORS: clinical (a close-watch reason: "NEWS2 high")
        return str(_("NEWS2 %(level)s", level=level))
    return reason


def assess(vitals: Vitals, scale: SpO2Scale = SpO2Scale.SCALE_1) -> Assessment:
    """Score NEWS2 and list the red flags and close-watch reasons these observations raise."""
    news2 = score_news2(vitals, scale)
    return Assessment(
        news2=news2,
        red_flags=_red_flags(vitals, scale),
        close_watch_reasons=_close_watch_reasons(vitals, news2),
    )
