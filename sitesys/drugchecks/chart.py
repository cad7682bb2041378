"""The reagent chart: the colour a reagent is expected to turn for a substance, row by row, each
with the published chart it was taken from.

A colour reagent is a presumptive test: it suggests, it never identifies. Many substances share a
colour, a mixture shows the strongest, and an analogue may differ (2-FDCK sold as ketamine). So
SiteSys shows every reagent result as presumptive, and a colour that does not match the chart
as a reason to test further, never as proof of what the sample is.

Rows are added only from primary published charts (a reagent maker's or a drug-checking
service's own instructions), with the chart's address in `source`; a substance with no row here
is shown as "not on SiteSys's chart: compare with the kit's own chart", never guessed. Fentanyl
and nitazenes are not reliably shown by colour reagents at street strength at all: only strips or
spectrometry find them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from sitesys.drugchecks.models import Reagent


class Colour(enum.StrEnum):
    """The colours a reagent result is read as (the options staff choose from)."""

    NO_REACTION = "no_reaction"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"
    PINK = "pink"
    PURPLE = "purple"
    BLUE = "blue"
    GREEN = "green"
    BROWN = "brown"
    BLACK = "black"
    GREY = "grey"

    @property
    def label(self) -> str:
        return str(COLOUR_LABELS[self])


#: The colour options as staff read them (translated when shown; forms take these lazily).
COLOUR_LABELS = {
    Colour.NO_REACTION: _l("No reaction"),
    Colour.YELLOW: _l("Yellow"),
    Colour.ORANGE: _l("Orange"),
    Colour.RED: _l("Red"),
    Colour.PINK: _l("Pink"),
    Colour.PURPLE: _l("Purple or violet"),
    Colour.BLUE: _l("Blue"),
    Colour.GREEN: _l("Green"),
    Colour.BROWN: _l("Brown"),
    Colour.BLACK: _l("Black"),
    Colour.GREY: _l("Grey"),
}


@dataclass(frozen=True)
class ChartRow:
    """What one reagent shows for one substance, as a published chart says it."""

    reagent: Reagent
    #: The substance's pick-list code (what the client expects).
    substance: str
    #: The chart's own words.
    expected: str
    #: The colour options that read as this reaction.
    colours: frozenset[Colour]
    #: The published chart the row comes from.
    source: str
    #: What staff should know when reading this row.
    note: str = ""


DANCESAFE = "https://dancesafe.org/testing-kit-instructions/"
#: Morris is a modified cobalt thiocyanate test for ketamine (sensitive to about 1.25 mg).
MORRIS_PAPER = "http://onlinelibrary.wiley.com/doi/10.1111/j.1556-4029.2006.00331.x/abstract"

# TRANSLATORS: clinical
_MORRIS_NOTE = _l(
    "Cathinones and MXE also turn Morris purple, and ketamine analogues such as 2-FDCK differ: "
    "use several reagents."
)

CHART: tuple[ChartRow, ...] = (
    # Ketamine: DanceSafe's reagent charts (testing-kit instructions).
    ChartRow(
        Reagent.MARQUIS, "ketamine", _l("No reaction"), frozenset({Colour.NO_REACTION}), DANCESAFE
    ),
    ChartRow(
        Reagent.MECKE, "ketamine", _l("No reaction"), frozenset({Colour.NO_REACTION}), DANCESAFE
    ),
    ChartRow(
        Reagent.FROEHDE, "ketamine", _l("No reaction"), frozenset({Colour.NO_REACTION}), DANCESAFE
    ),
    ChartRow(Reagent.MANDELIN, "ketamine", _l("Orange"), frozenset({Colour.ORANGE}), DANCESAFE),
    ChartRow(
        Reagent.LIEBERMANN,
        "ketamine",
        _l("Pale yellow, little change"),
        frozenset({Colour.YELLOW, Colour.NO_REACTION}),
        DANCESAFE,
    ),
    ChartRow(
        Reagent.MORRIS,
        "ketamine",
        _l("Violet or purple"),
        frozenset({Colour.PURPLE}),
        f"{DANCESAFE}; {MORRIS_PAPER}",
        _MORRIS_NOTE,
    ),
)

_ROWS = {(row.reagent, row.substance): row for row in CHART}

#: Substances colour reagents do not reliably show at street strength (drugcheckingbc.ca,
#: overview of technologies): only a strip or spectrometry finds them.
NOT_SHOWN_BY_REAGENTS = frozenset({"fentanyl", "nitazenes"})
# TRANSLATORS: clinical
NOT_SHOWN_NOTE = _l(
    "Colour reagents do not reliably show fentanyl or nitazenes at street strength: only a strip "
    "or spectrometry finds them."
)


class Reading(enum.StrEnum):
    """A reagent result read against the chart for the substance the client expects."""

    MATCHES = "matches"
    MISMATCH = "mismatch"
    #: The colour was typed, not chosen: staff compare it with the chart by eye.
    TYPED = "typed"
    #: SiteSys's chart has no row for this reagent and substance.
    UNCHARTED = "uncharted"

    @property
    def label(self) -> str:
        return str(READING_LABELS[self])


READING_LABELS = {
    # TRANSLATORS: clinical
    Reading.MATCHES: _l("Matches the chart (presumptive)"),
    # TRANSLATORS: clinical
    Reading.MISMATCH: _l("Does not match the chart: test further"),
    # TRANSLATORS: clinical
    Reading.TYPED: _l("Compare with the chart by eye (presumptive)"),
    # TRANSLATORS: clinical
    Reading.UNCHARTED: _l("Not on SiteSys's chart: compare with the kit's own chart"),
}


def expected_reaction(reagent: Reagent, substance: str) -> ChartRow | None:
    """The chart's row for a reagent and the substance the client expects, if it has one."""
    return _ROWS.get((reagent, substance))


def read_against_chart(reagent: Reagent, substance: str, colour: Colour | None) -> Reading:
    """Whether a colour seen matches what the chart expects for the substance."""
    row = expected_reaction(reagent, substance)
    if row is None:
        return Reading.UNCHARTED
    if colour is None:
        return Reading.TYPED
    return Reading.MATCHES if colour in row.colours else Reading.MISMATCH
