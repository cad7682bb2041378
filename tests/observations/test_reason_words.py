"""Red flags and close-watch reasons are kept on the record in English and said to the reader in
their language: every reason `assess` can write must be one `say_reason` knows.
"""

from __future__ import annotations

import re

from sitesys.observations.scoring import (
    Consciousness,
    Poss,
    SpO2Scale,
    Vitals,
    assess,
    say_reason,
)

#: A set for each red flag and each kind of close-watch reason (NEWS2 high, medium, partial).
SETS = [
    Vitals(respiratory_rate=6, consciousness=Consciousness.ALERT),
    Vitals(spo2=88, consciousness=Consciousness.ALERT),
    Vitals(consciousness=Consciousness.UNRESPONSIVE),
    Vitals(poss=Poss.SOMNOLENT),
    Vitals(poss=Poss.FREQUENTLY_DROWSY),
    Vitals(rass=-5),
    Vitals(rass=4),
    Vitals(rass=3),
    Vitals(
        respiratory_rate=26,
        spo2=90,
        on_oxygen=True,
        systolic_bp=88,
        pulse=135,
        consciousness=Consciousness.VOICE,
    ),
    Vitals(respiratory_rate=25, pulse=95, consciousness=Consciousness.ALERT),
    Vitals(respiratory_rate=25, consciousness=Consciousness.ALERT),
]

EXPECTED_RED_FLAGS = {
    "Respiratory rate 8 or less",
    "SpO2 91% or less",
    "Unresponsive",
    "POSS 4 \N{EN DASH} somnolent",
    "RASS \N{MINUS SIGN}4 or lower",
    "RASS +4 \N{EN DASH} combative",
}


def _reasons() -> list[str]:
    reasons: list[str] = []
    for vitals in SETS:
        reasons.extend(assess(vitals, SpO2Scale.SCALE_1).reasons)
    return reasons


def test_every_red_flag_is_written_in_english_for_the_record():
    written = set()
    for vitals in SETS:
        written.update(assess(vitals, SpO2Scale.SCALE_1).red_flags)
    assert written == EXPECTED_RED_FLAGS


def test_every_reason_written_is_one_that_is_said_to_the_reader(app):
    reasons = _reasons()
    assert any(reason.startswith("NEWS2 ") for reason in reasons)
    assert any(reason.endswith("(partial score)") for reason in reasons)
    with app.test_request_context():
        # In English the words are the record's own.
        assert [say_reason(reason) for reason in reasons] == reasons
    with app.test_request_context("/?lang=en_XA"):
        for reason in reasons:
            said = say_reason(reason)
            if re.fullmatch(r"(POSS|RASS) \S+", reason):
                assert said == reason, "a bare score is a code, said as it is"
            else:
                # Went through the catalogue: a reason not known would reach a French
                # reader in English.
                assert said.startswith("⟦") and said.endswith("⟧"), reason
