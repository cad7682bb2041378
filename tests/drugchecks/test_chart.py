"""The reagent chart: every row cited, every reading presumptive, nothing guessed."""

from __future__ import annotations

from sitesys.drugchecks.chart import (
    CHART,
    Colour,
    Reading,
    expected_reaction,
    read_against_chart,
)
from sitesys.drugchecks.models import Reagent


def test_every_row_names_the_published_chart_it_comes_from():
    assert CHART
    assert all(row.source.startswith(("http://", "https://")) for row in CHART)
    assert all("dancesafe.org/testing-kit-instructions" in row.source for row in CHART)


def test_ketamine_reads_as_the_dancesafe_chart_says():
    assert read_against_chart(Reagent.MORRIS, "ketamine", Colour.PURPLE) is Reading.MATCHES
    assert read_against_chart(Reagent.MANDELIN, "ketamine", Colour.ORANGE) is Reading.MATCHES
    assert read_against_chart(Reagent.MARQUIS, "ketamine", Colour.NO_REACTION) is Reading.MATCHES
    # Marquis turning purple is not ketamine's reaction: a mismatch, to test further.
    assert read_against_chart(Reagent.MARQUIS, "ketamine", Colour.PURPLE) is Reading.MISMATCH
    assert "2-FDCK" in (expected_reaction(Reagent.MORRIS, "ketamine") or CHART[0]).note


def test_a_substance_without_a_cited_row_is_never_guessed():
    assert expected_reaction(Reagent.MARQUIS, "heroin") is None
    assert read_against_chart(Reagent.MARQUIS, "heroin", Colour.PURPLE) is Reading.UNCHARTED
    assert "kit's own chart" in Reading.UNCHARTED.label


def test_a_typed_colour_is_compared_by_eye_and_every_reading_is_presumptive():
    assert read_against_chart(Reagent.MORRIS, "ketamine", None) is Reading.TYPED
    assert "presumptive" in Reading.MATCHES.label and "presumptive" in Reading.TYPED.label
