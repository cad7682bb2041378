"""NEWS2 bands, levels, red flags and close-watch reasons, against the RCP 2017 chart."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitesys.observations.scoring import (
    NEWS2_PARAMETERS,
    RASS_LABELS,
    Consciousness,
    EscalationLevel,
    Poss,
    SpO2Scale,
    Vitals,
    air_or_oxygen_score,
    assess,
    consciousness_score,
    format_rass,
    pulse_score,
    respiratory_rate_score,
    score_news2,
    spo2_score,
    systolic_bp_score,
    temperature_score,
)

MINUS = "\N{MINUS SIGN}"
DASH = "\N{EN DASH}"

# No example database: the tests must leave nothing behind in the working tree.
hypothesis_settings = settings(database=None, deadline=None, max_examples=300)

# Every reading scores 0 on the chart.
NORMAL = Vitals(
    respiratory_rate=16,
    spo2=98,
    on_oxygen=False,
    systolic_bp=120,
    pulse=70,
    consciousness=Consciousness.ALERT,
    temperature=Decimal("37.0"),
)
OPTIONAL_NEWS2_FIELDS = (
    "respiratory_rate",
    "spo2",
    "systolic_bp",
    "pulse",
    "consciousness",
    "temperature",
)


def with_readings(**readings: Any) -> Vitals:
    return dataclasses.replace(NORMAL, **readings)


# --- Band edges: both sides of every boundary of every parameter -------------------------------


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (0, 3),
        (8, 3),
        (9, 1),
        (11, 1),
        (12, 0),
        (20, 0),
        (21, 2),
        (24, 2),
        (25, 3),
        (60, 3),
    ],
)
def test_respiratory_rate_bands(rate: int, expected: int) -> None:
    assert respiratory_rate_score(rate) == expected


@pytest.mark.parametrize("on_oxygen", [False, True])
@pytest.mark.parametrize(
    ("saturation", "expected"),
    [
        (0, 3),
        (91, 3),
        (92, 2),
        (93, 2),
        (94, 1),
        (95, 1),
        (96, 0),
        (100, 0),
    ],
)
def test_spo2_scale_1_bands_ignore_oxygen(saturation: int, on_oxygen: bool, expected: int) -> None:
    assert spo2_score(saturation, on_oxygen, SpO2Scale.SCALE_1) == expected


def test_spo2_scale_defaults_to_scale_1() -> None:
    assert spo2_score(97, on_oxygen=True) == 0
    assert spo2_score(91, on_oxygen=False) == 3


@pytest.mark.parametrize(
    ("saturation", "on_oxygen", "expected"),
    [
        (0, False, 3),
        (83, False, 3),
        (84, False, 2),
        (85, False, 2),
        (86, False, 1),
        (87, False, 1),
        (88, False, 0),
        (92, False, 0),
        (93, False, 0),
        (94, False, 0),
        (95, False, 0),
        (96, False, 0),
        (97, False, 0),
        (100, False, 0),
        (0, True, 3),
        (83, True, 3),
        (84, True, 2),
        (85, True, 2),
        (86, True, 1),
        (87, True, 1),
        (88, True, 0),
        (92, True, 0),
        (93, True, 1),
        (94, True, 1),
        (95, True, 2),
        (96, True, 2),
        (97, True, 3),
        (100, True, 3),
    ],
)
def test_spo2_scale_2_bands(saturation: int, on_oxygen: bool, expected: int) -> None:
    assert spo2_score(saturation, on_oxygen, SpO2Scale.SCALE_2) == expected


@pytest.mark.parametrize(("on_oxygen", "expected"), [(False, 0), (True, 2)])
def test_air_or_oxygen(on_oxygen: bool, expected: int) -> None:
    assert air_or_oxygen_score(on_oxygen) == expected


@pytest.mark.parametrize(
    ("pressure", "expected"),
    [
        (0, 3),
        (90, 3),
        (91, 2),
        (100, 2),
        (101, 1),
        (110, 1),
        (111, 0),
        (219, 0),
        (220, 3),
        (300, 3),
    ],
)
def test_systolic_bp_bands(pressure: int, expected: int) -> None:
    assert systolic_bp_score(pressure) == expected


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (0, 3),
        (40, 3),
        (41, 1),
        (50, 1),
        (51, 0),
        (90, 0),
        (91, 1),
        (110, 1),
        (111, 2),
        (130, 2),
        (131, 3),
        (250, 3),
    ],
)
def test_pulse_bands(rate: int, expected: int) -> None:
    assert pulse_score(rate) == expected


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Consciousness.ALERT, 0),
        (Consciousness.NEW_CONFUSION, 3),
        (Consciousness.VOICE, 3),
        (Consciousness.PAIN, 3),
        (Consciousness.UNRESPONSIVE, 3),
    ],
)
def test_consciousness_acvpu(level: Consciousness, expected: int) -> None:
    assert consciousness_score(level) == expected


@pytest.mark.parametrize(
    ("celsius", "expected"),
    [
        ("30.0", 3),
        ("35.0", 3),
        ("35.1", 1),
        ("36.0", 1),
        ("36.1", 0),
        ("38.0", 0),
        ("38.1", 1),
        ("39.0", 1),
        ("39.1", 2),
        ("42.0", 2),
        # Readings between the chart's one-decimal bands still land in exactly one band.
        ("35.05", 1),
        ("36.05", 0),
        ("38.05", 1),
        ("39.05", 2),
    ],
)
def test_temperature_bands(celsius: str, expected: int) -> None:
    assert temperature_score(Decimal(celsius)) == expected


@pytest.mark.parametrize(
    ("celsius", "expected"),
    [(35.0, 3), (35.1, 1), (36.1, 0), (38.1, 1), (39.1, 2), (37, 0), (35, 3)],
)
def test_temperature_accepts_floats_and_ints_by_their_written_value(
    celsius: float, expected: int
) -> None:
    assert temperature_score(celsius) == expected
    assert Vitals(temperature=celsius).temperature == Decimal(str(celsius))  # type: ignore[arg-type]


# --- Validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "score",
    [
        lambda: respiratory_rate_score(-1),
        lambda: spo2_score(-1, on_oxygen=False),
        lambda: spo2_score(-1, on_oxygen=True, scale=SpO2Scale.SCALE_2),
        lambda: systolic_bp_score(-1),
        lambda: pulse_score(-1),
        lambda: temperature_score(Decimal("-0.1")),
    ],
)
def test_negative_readings_are_refused(score: Any) -> None:
    with pytest.raises(ValueError, match="negative"):
        score()


@pytest.mark.parametrize(
    "reading",
    [
        {"respiratory_rate": -1},
        {"spo2": -1},
        {"systolic_bp": -1},
        {"pulse": -1},
        {"temperature": Decimal("-1.0")},
    ],
)
def test_vitals_refuse_negative_readings(reading: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="negative"):
        Vitals(**reading)


@pytest.mark.parametrize("rass", [-6, 5, 10, -100])
def test_rass_out_of_range_is_refused(rass: int) -> None:
    with pytest.raises(ValueError, match="rass"):
        Vitals(rass=rass)
    with pytest.raises(ValueError, match="rass"):
        format_rass(rass)


@pytest.mark.parametrize("rass", range(-5, 5))
def test_every_rass_level_is_accepted(rass: int) -> None:
    assert Vitals(rass=rass).rass == rass


@pytest.mark.parametrize("celsius", [Decimal("NaN"), Decimal("Infinity"), float("nan")])
def test_temperature_must_be_finite(celsius: Any) -> None:
    with pytest.raises(ValueError, match="finite"):
        temperature_score(celsius)


def test_a_bool_is_not_a_reading() -> None:
    with pytest.raises(TypeError, match="respiratory_rate"):
        Vitals(respiratory_rate=True)
    with pytest.raises(TypeError, match="rass"):
        Vitals(rass=False)
    with pytest.raises(TypeError, match="on_oxygen"):
        Vitals(on_oxygen=1)  # type: ignore[arg-type]


def test_unknown_letters_and_scales_are_refused() -> None:
    with pytest.raises(ValueError, match="Consciousness"):
        Vitals(consciousness="X")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Poss"):
        Vitals(poss="5")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="SpO2Scale"):
        spo2_score(95, on_oxygen=True, scale=3)  # type: ignore[arg-type]


def test_stored_letters_become_enum_members() -> None:
    vitals = Vitals(consciousness="V", poss="3")  # type: ignore[arg-type]
    assert vitals.consciousness is Consciousness.VOICE
    assert vitals.poss is Poss.FREQUENTLY_DROWSY


# --- Labels -------------------------------------------------------------------------------------


def test_labels() -> None:
    assert [c.label for c in Consciousness] == [
        "Alert",
        "New confusion",
        "Responds to voice",
        "Responds to pain",
        "Unresponsive",
    ]
    assert [p.label for p in Poss] == [
        f"S {DASH} Asleep, easy to rouse",
        f"1 {DASH} Awake and alert",
        f"2 {DASH} Slightly drowsy, easily roused",
        f"3 {DASH} Frequently drowsy, drifts off mid-conversation",
        f"4 {DASH} Somnolent, minimal or no response",
    ]
    assert [level.label for level in EscalationLevel] == [
        "Low",
        f"Low{DASH}medium",
        "Medium",
        "High",
    ]
    assert [level.rank for level in EscalationLevel] == [0, 1, 2, 3]
    assert [str(c) for c in Consciousness] == ["A", "C", "V", "P", "U"]
    assert [str(p) for p in Poss] == ["S", "1", "2", "3", "4"]
    assert [str(level) for level in EscalationLevel] == ["low", "low_medium", "medium", "high"]


def test_rass_labels_cover_minus_5_to_plus_4() -> None:
    assert sorted(RASS_LABELS) == list(range(-5, 5))
    assert RASS_LABELS[4] == "Combative"
    assert RASS_LABELS[3] == "Very agitated"
    assert RASS_LABELS[0] == "Alert and calm"
    assert RASS_LABELS[-3] == "Moderate sedation"
    assert RASS_LABELS[-4] == "Deep sedation"
    assert RASS_LABELS[-5] == "Unarousable"


@pytest.mark.parametrize(("rass", "shown"), [(4, "+4"), (1, "+1"), (0, "0"), (-1, f"{MINUS}1")])
def test_format_rass(rass: int, shown: str) -> None:
    assert format_rass(rass) == shown


# --- NEWS2 totals and levels --------------------------------------------------------------------


def test_all_normal_scores_0_low() -> None:
    news2 = score_news2(NORMAL)
    assert news2 is not None
    assert dict(news2.parameter_scores) == dict.fromkeys(NEWS2_PARAMETERS, 0)
    assert list(news2.parameter_scores) == list(NEWS2_PARAMETERS)
    assert news2.total == 0
    assert not news2.is_partial
    assert news2.level is EscalationLevel.LOW
    assert news2.level_label == "Low"


@pytest.mark.parametrize(
    ("readings", "total", "level"),
    [
        # 1 (RR 10) + 1 (pulse 100) + 1 (SBP 105) + 1 (temp 38.5)
        (
            {
                "respiratory_rate": 10,
                "pulse": 100,
                "systolic_bp": 105,
                "temperature": Decimal("38.5"),
            },
            4,
            EscalationLevel.LOW,
        ),
        # 2 (oxygen) + 2 (RR 22)
        ({"on_oxygen": True, "respiratory_rate": 22}, 4, EscalationLevel.LOW),
        # 2 (oxygen) + 2 (RR 22) + 1 (pulse 95)
        ({"on_oxygen": True, "respiratory_rate": 22, "pulse": 95}, 5, EscalationLevel.MEDIUM),
        # 2 (oxygen) + 2 (RR 22) + 2 (pulse 120)
        ({"on_oxygen": True, "respiratory_rate": 22, "pulse": 120}, 6, EscalationLevel.MEDIUM),
        # 2 (oxygen) + 2 (RR 22) + 2 (pulse 120) + 1 (temp 38.1)
        (
            {
                "on_oxygen": True,
                "respiratory_rate": 22,
                "pulse": 120,
                "temperature": Decimal("38.1"),
            },
            7,
            EscalationLevel.HIGH,
        ),
        # A single 3 is low-medium whatever the total below 5.
        ({"systolic_bp": 90}, 3, EscalationLevel.LOW_MEDIUM),
        ({"consciousness": Consciousness.NEW_CONFUSION}, 3, EscalationLevel.LOW_MEDIUM),
        ({"systolic_bp": 90, "pulse": 95}, 4, EscalationLevel.LOW_MEDIUM),
        # A total of 5 or more outranks a single 3.
        ({"systolic_bp": 90, "respiratory_rate": 22}, 5, EscalationLevel.MEDIUM),
        (
            {"systolic_bp": 90, "pulse": 140, "temperature": Decimal("38.2")},
            7,
            EscalationLevel.HIGH,
        ),
    ],
)
def test_levels_by_total(readings: dict[str, Any], total: int, level: EscalationLevel) -> None:
    news2 = score_news2(with_readings(**readings))
    assert news2 is not None
    assert not news2.is_partial
    assert news2.total == total
    assert news2.level is level
    assert news2.level_label == level.label


def test_scale_2_changes_the_score_of_high_saturation_on_oxygen() -> None:
    vitals = with_readings(spo2=97, on_oxygen=True)
    scale_1 = score_news2(vitals, SpO2Scale.SCALE_1)
    scale_2 = score_news2(vitals, SpO2Scale.SCALE_2)
    assert scale_1 is not None
    assert scale_2 is not None
    assert scale_1.parameter_scores["spo2"] == 0
    assert scale_2.parameter_scores["spo2"] == 3
    assert (scale_1.total, scale_2.total) == (2, 5)
    assert (scale_1.level, scale_2.level) == (EscalationLevel.LOW, EscalationLevel.MEDIUM)


@pytest.mark.parametrize("missing", OPTIONAL_NEWS2_FIELDS)
def test_any_missing_parameter_makes_the_score_partial(missing: str) -> None:
    news2 = score_news2(with_readings(**{missing: None}))
    assert news2 is not None
    assert news2.is_partial
    assert missing not in news2.parameter_scores
    assert set(news2.parameter_scores) == set(NEWS2_PARAMETERS) - {missing}
    assert news2.total == 0
    # A partial score is never reassuringly low.
    assert news2.level is None
    assert news2.level_label == f"Partial {DASH} not rated"


@pytest.mark.parametrize(
    ("vitals", "total", "level"),
    [
        (Vitals(pulse=70), 0, None),
        (Vitals(pulse=100, respiratory_rate=22, on_oxygen=False), 3, None),
        (Vitals(pulse=100, respiratory_rate=22, on_oxygen=True), 5, EscalationLevel.MEDIUM),
        (Vitals(pulse=120, respiratory_rate=22, on_oxygen=True), 6, EscalationLevel.MEDIUM),
        (Vitals(pulse=140, respiratory_rate=22, on_oxygen=True), 7, EscalationLevel.HIGH),
        (Vitals(systolic_bp=85), 3, EscalationLevel.LOW_MEDIUM),
        (Vitals(consciousness=Consciousness.PAIN, pulse=95), 4, EscalationLevel.LOW_MEDIUM),
    ],
)
def test_partial_scores_use_the_same_rules_but_are_never_low(
    vitals: Vitals, total: int, level: EscalationLevel | None
) -> None:
    news2 = score_news2(vitals)
    assert news2 is not None
    assert news2.is_partial
    assert news2.total == total
    assert news2.level is level


@pytest.mark.parametrize("on_oxygen", [False, True])
def test_no_parameters_besides_air_or_oxygen_gives_no_score(on_oxygen: bool) -> None:
    vitals = Vitals(on_oxygen=on_oxygen, poss=Poss.AWAKE, rass=0)
    assert score_news2(vitals) is None
    assessment = assess(vitals)
    assert assessment.news2 is None
    assert assessment.red_flags == ()
    assert assessment.close_watch_reasons == ()


def test_parameter_scores_cannot_be_altered() -> None:
    news2 = score_news2(NORMAL)
    assert news2 is not None
    with pytest.raises(TypeError):
        news2.parameter_scores["pulse"] = 3  # type: ignore[index]


# --- Red flags and close watch ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("vitals", "scale", "flag"),
    [
        (Vitals(respiratory_rate=8), SpO2Scale.SCALE_1, "Respiratory rate 8 or less"),
        (Vitals(respiratory_rate=0), SpO2Scale.SCALE_1, "Respiratory rate 8 or less"),
        (Vitals(spo2=91), SpO2Scale.SCALE_1, "SpO2 91% or less"),
        (Vitals(spo2=80, on_oxygen=True), SpO2Scale.SCALE_1, "SpO2 91% or less"),
        (Vitals(consciousness=Consciousness.UNRESPONSIVE), SpO2Scale.SCALE_1, "Unresponsive"),
        (Vitals(poss=Poss.SOMNOLENT), SpO2Scale.SCALE_1, f"POSS 4 {DASH} somnolent"),
        (Vitals(rass=-4), SpO2Scale.SCALE_1, f"RASS {MINUS}4 or lower"),
        (Vitals(rass=-5), SpO2Scale.SCALE_1, f"RASS {MINUS}4 or lower"),
        (Vitals(rass=4), SpO2Scale.SCALE_1, f"RASS +4 {DASH} combative"),
        # Red flags other than SpO2 apply on scale 2 as well.
        (Vitals(respiratory_rate=8), SpO2Scale.SCALE_2, "Respiratory rate 8 or less"),
        (Vitals(rass=4), SpO2Scale.SCALE_2, f"RASS +4 {DASH} combative"),
    ],
)
def test_each_red_flag_alone_prompts_an_emergency(
    vitals: Vitals, scale: SpO2Scale, flag: str
) -> None:
    assessment = assess(vitals, scale)
    assert assessment.red_flags == (flag,)
    assert assessment.prompts_emergency


def test_a_red_flag_prompts_an_emergency_whatever_the_total() -> None:
    assessment = assess(with_readings(poss=Poss.SOMNOLENT))
    assert assessment.news2 is not None
    assert assessment.news2.total == 0
    assert assessment.news2.level is EscalationLevel.LOW
    assert assessment.prompts_emergency


@pytest.mark.parametrize(
    ("vitals", "scale"),
    [
        (Vitals(respiratory_rate=9), SpO2Scale.SCALE_1),
        (Vitals(spo2=92), SpO2Scale.SCALE_1),
        (Vitals(spo2=91), SpO2Scale.SCALE_2),
        (Vitals(spo2=91, on_oxygen=True), SpO2Scale.SCALE_2),
        (Vitals(spo2=80), SpO2Scale.SCALE_2),
        (Vitals(consciousness=Consciousness.PAIN), SpO2Scale.SCALE_1),
        (Vitals(consciousness=Consciousness.VOICE), SpO2Scale.SCALE_1),
        (Vitals(consciousness=Consciousness.NEW_CONFUSION), SpO2Scale.SCALE_1),
        (Vitals(poss=Poss.FREQUENTLY_DROWSY), SpO2Scale.SCALE_1),
        (Vitals(rass=-3), SpO2Scale.SCALE_1),
        (Vitals(rass=3), SpO2Scale.SCALE_1),
        (NORMAL, SpO2Scale.SCALE_1),
    ],
)
def test_not_red_flags(vitals: Vitals, scale: SpO2Scale) -> None:
    assessment = assess(vitals, scale)
    assert assessment.red_flags == ()
    assert not assessment.prompts_emergency


def test_several_red_flags_are_all_listed_in_order() -> None:
    assessment = assess(
        with_readings(
            respiratory_rate=6,
            spo2=85,
            consciousness=Consciousness.UNRESPONSIVE,
            poss=Poss.SOMNOLENT,
            rass=-5,
        )
    )
    assert assessment.red_flags == (
        "Respiratory rate 8 or less",
        "SpO2 91% or less",
        "Unresponsive",
        f"POSS 4 {DASH} somnolent",
        f"RASS {MINUS}4 or lower",
    )


@pytest.mark.parametrize(
    ("vitals", "reasons"),
    [
        (Vitals(poss=Poss.FREQUENTLY_DROWSY), ("POSS 3",)),
        (Vitals(poss=Poss.SOMNOLENT), ("POSS 4",)),
        (Vitals(rass=3), ("RASS +3",)),
        (Vitals(rass=4), ("RASS +4",)),
        (Vitals(rass=-3), (f"RASS {MINUS}3",)),
        (Vitals(rass=-4), (f"RASS {MINUS}4",)),
        (Vitals(rass=-5), (f"RASS {MINUS}5",)),
        (with_readings(on_oxygen=True, respiratory_rate=22, pulse=95), ("NEWS2 medium",)),
        (
            with_readings(on_oxygen=True, respiratory_rate=22, pulse=120, temperature=Decimal(39)),
            ("NEWS2 high",),
        ),
        (
            Vitals(on_oxygen=True, respiratory_rate=22, pulse=95),
            ("NEWS2 medium (partial score)",),
        ),
        (
            Vitals(on_oxygen=True, respiratory_rate=22, pulse=140),
            ("NEWS2 high (partial score)",),
        ),
        (
            with_readings(poss=Poss.FREQUENTLY_DROWSY, rass=-3, pulse=120, on_oxygen=True, spo2=95),
            ("POSS 3", f"RASS {MINUS}3", "NEWS2 medium"),
        ),
    ],
)
def test_close_watch_reasons(vitals: Vitals, reasons: tuple[str, ...]) -> None:
    assessment = assess(vitals)
    assert assessment.close_watch_reasons == reasons
    assert assessment.needs_close_watch


@pytest.mark.parametrize(
    "vitals",
    [
        NORMAL,
        Vitals(poss=Poss.DROWSY),
        Vitals(poss=Poss.ASLEEP),
        Vitals(rass=2),
        Vitals(rass=-2),
        # Low-medium (a single 3) calls for urgent review but does not shorten the interval.
        with_readings(systolic_bp=90),
        with_readings(respiratory_rate=8),
        with_readings(on_oxygen=True, respiratory_rate=22),
    ],
)
def test_no_close_watch(vitals: Vitals) -> None:
    assessment = assess(vitals)
    assert assessment.close_watch_reasons == ()
    assert not assessment.needs_close_watch


def test_a_high_news2_prompts_the_emergency_response_without_a_red_flag() -> None:
    # RR 25 (3) + pulse 131 (3) + temperature 39.1 (2) = 8, none of them a red flag.
    assessment = assess(with_readings(respiratory_rate=25, pulse=131, temperature=Decimal("39.1")))
    assert assessment.red_flags == ()
    assert assessment.news2 is not None and assessment.news2.level is EscalationLevel.HIGH
    assert assessment.prompts_emergency


def test_rass_minus_3_and_plus_3_are_close_watch_not_emergency() -> None:
    for rass in (-3, 3):
        assessment = assess(Vitals(rass=rass))
        assert assessment.needs_close_watch
        assert not assessment.prompts_emergency


@pytest.mark.parametrize(
    ("vitals", "reasons"),
    [
        # The tester's set: the red flags for POSS 4 and RASS -4 already say POSS 4 and RASS -4.
        (
            with_readings(spo2=88, poss=Poss.SOMNOLENT, rass=-4, pulse=130, respiratory_rate=25),
            (
                "SpO2 91% or less",
                f"POSS 4 {DASH} somnolent",
                f"RASS {MINUS}4 or lower",
                "NEWS2 high",
            ),
        ),
        (Vitals(rass=4), (f"RASS +4 {DASH} combative",)),
        (Vitals(rass=-5), (f"RASS {MINUS}4 or lower",)),
        # No red flag for POSS 3 or RASS +3: the close-watch reasons are all there is to say.
        (Vitals(poss=Poss.FREQUENTLY_DROWSY, rass=3), ("POSS 3", "RASS +3")),
        # A red flag for one parameter hides no close-watch reason for another.
        (Vitals(poss=Poss.SOMNOLENT, rass=-3), (f"POSS 4 {DASH} somnolent", f"RASS {MINUS}3")),
    ],
)
def test_reasons_name_each_parameter_once(vitals: Vitals, reasons: tuple[str, ...]) -> None:
    assessment = assess(vitals)
    assert assessment.reasons == reasons
    # What the nurse reads is shorter; what the record decides is not changed.
    assert assessment.needs_close_watch


# --- Properties ---------------------------------------------------------------------------------


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


temperatures = st.decimals(min_value=Decimal("25.0"), max_value=Decimal("45.0"), places=2)
scales = st.sampled_from(SpO2Scale)
any_vitals = st.builds(
    Vitals,
    respiratory_rate=optional(st.integers(0, 80)),
    spo2=optional(st.integers(0, 100)),
    on_oxygen=st.booleans(),
    systolic_bp=optional(st.integers(0, 300)),
    pulse=optional(st.integers(0, 250)),
    consciousness=optional(st.sampled_from(Consciousness)),
    temperature=optional(temperatures),
    poss=optional(st.sampled_from(Poss)),
    rass=optional(st.integers(-5, 4)),
)


@hypothesis_settings
@given(vitals=any_vitals, scale=scales)
def test_total_is_the_sum_of_the_measured_parameters(vitals: Vitals, scale: SpO2Scale) -> None:
    news2 = score_news2(vitals, scale)
    missing = {name for name in OPTIONAL_NEWS2_FIELDS if getattr(vitals, name) is None}
    if missing == set(OPTIONAL_NEWS2_FIELDS):
        assert news2 is None
        return
    assert news2 is not None
    assert news2.total == sum(news2.parameter_scores.values())
    assert set(news2.parameter_scores) == set(NEWS2_PARAMETERS) - missing
    assert news2.is_partial == bool(missing)
    if news2.is_partial:
        assert news2.level is not EscalationLevel.LOW
    else:
        assert news2.level is not None
    assert assess(vitals, scale).news2 == news2


def worse_count(data: st.DataObject, value: int, normal: tuple[int, int], top: int) -> int:
    """Draw a reading at least as far from the normal band as value, on the same side."""
    low, high = normal
    if value > high:
        return data.draw(st.integers(value, top))
    if value < low:
        return data.draw(st.integers(0, value))
    return data.draw(st.integers(0, top))


def worse_temperature(data: st.DataObject, value: Decimal) -> Decimal:
    if value > Decimal("38.0"):
        return data.draw(st.decimals(min_value=value, max_value=Decimal("45.0"), places=2))
    if value < Decimal("36.1"):
        return data.draw(st.decimals(min_value=Decimal("25.0"), max_value=value, places=2))
    return data.draw(temperatures)


def worsen(data: st.DataObject, vitals: Vitals, parameter: str, scale: SpO2Scale) -> Vitals:
    """Return vitals with one parameter moved further from its normal band."""
    value = getattr(vitals, parameter)
    worse: Any
    if parameter == "respiratory_rate":
        worse = worse_count(data, value, (12, 20), 80)
    elif parameter == "systolic_bp":
        worse = worse_count(data, value, (111, 219), 300)
    elif parameter == "pulse":
        worse = worse_count(data, value, (51, 90), 250)
    elif parameter == "spo2":
        if scale is SpO2Scale.SCALE_2 and vitals.on_oxygen:
            # On oxygen, scale 2 aims at 88-92: too high is as bad as too low.
            worse = worse_count(data, value, (88, 92), 100)
        else:
            worse = data.draw(st.integers(0, value))
    elif parameter == "on_oxygen":
        worse = True
    elif parameter == "consciousness":
        if value is Consciousness.ALERT:
            worse = data.draw(st.sampled_from(Consciousness))
        else:
            worse = data.draw(st.sampled_from(list(Consciousness)[1:]))
    else:
        worse = worse_temperature(data, value)
    return dataclasses.replace(vitals, **{parameter: worse})


present_readings = {
    "respiratory_rate": st.integers(0, 80),
    "spo2": st.integers(0, 100),
    "systolic_bp": st.integers(0, 300),
    "pulse": st.integers(0, 250),
    "consciousness": st.sampled_from(Consciousness),
    "temperature": temperatures,
}


@pytest.mark.parametrize("parameter", [*OPTIONAL_NEWS2_FIELDS, "on_oxygen"])
@hypothesis_settings
@given(vitals=any_vitals, scale=scales, data=st.data())
def test_worsening_one_parameter_never_lowers_the_score(
    parameter: str, vitals: Vitals, scale: SpO2Scale, data: st.DataObject
) -> None:
    if parameter in present_readings and getattr(vitals, parameter) is None:
        vitals = dataclasses.replace(
            vitals, **{parameter: data.draw(present_readings[parameter], label=parameter)}
        )
    worse = worsen(data, vitals, parameter, scale)
    before = score_news2(vitals, scale)
    after = score_news2(worse, scale)
    if before is None:
        # Only air or oxygen was known, so there is no score to lower.
        assert parameter == "on_oxygen"
        assert after is None
        return
    assert after is not None
    assert after.total >= before.total
    for name, score in before.parameter_scores.items():
        # No parameter's own score falls, so a 3 never disappears.
        assert after.parameter_scores[name] >= score
    if not before.is_partial:
        assert before.level is not None
        assert after.level is not None
        assert after.level.rank >= before.level.rank


@st.composite
def complete_vitals_without_a_3(draw: st.DrawFn) -> tuple[Vitals, SpO2Scale]:
    scale = draw(scales)
    on_oxygen = draw(st.booleans())
    if scale is SpO2Scale.SCALE_2 and on_oxygen:
        spo2 = draw(st.integers(84, 96))
    elif scale is SpO2Scale.SCALE_2:
        spo2 = draw(st.integers(84, 100))
    else:
        spo2 = draw(st.integers(92, 100))
    vitals = Vitals(
        respiratory_rate=draw(st.integers(9, 24)),
        spo2=spo2,
        on_oxygen=on_oxygen,
        systolic_bp=draw(st.integers(91, 219)),
        pulse=draw(st.integers(41, 130)),
        consciousness=Consciousness.ALERT,
        temperature=draw(st.decimals(min_value=Decimal("35.1"), max_value=Decimal("45.0"))),
    )
    return vitals, scale


def rated(case: tuple[Vitals, SpO2Scale]) -> tuple[int, int]:
    news2 = score_news2(*case)
    assert news2 is not None
    assert not news2.is_partial
    assert 3 not in news2.parameter_scores.values()
    assert news2.level is not None
    return news2.total, news2.level.rank


@hypothesis_settings
@given(first=complete_vitals_without_a_3(), second=complete_vitals_without_a_3())
def test_level_rises_with_the_total_when_no_parameter_scores_3(
    first: tuple[Vitals, SpO2Scale], second: tuple[Vitals, SpO2Scale]
) -> None:
    (total_1, rank_1), (total_2, rank_2) = rated(first), rated(second)
    if total_1 <= total_2:
        assert rank_1 <= rank_2
    if total_2 <= total_1:
        assert rank_2 <= rank_1
    for total, rank in ((total_1, rank_1), (total_2, rank_2)):
        expected = 3 if total >= 7 else 2 if total >= 5 else 0
        assert rank == expected
