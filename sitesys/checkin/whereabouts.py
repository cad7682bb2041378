"""Where a visit's client is, in the words every page uses: "Booth 3", "on the waiting list".

Check-in, the board, responses and handovers all name a client's place; they say it one way.
"""

from __future__ import annotations

from sitesys.checkin.models import Visit, VisitStatus

#: Where a visit's client is, by its state: as a heading says it, and as a sentence goes on.
_PLACES = {
    VisitStatus.WAITING: ("Waiting list", " on the waiting list"),
    VisitStatus.AFTERCARE: ("Aftercare", " in aftercare"),
    VisitStatus.LEFT: ("Left the site", ", who has left the site"),
    VisitStatus.LEFT_WITHOUT_CHECKOUT: ("Left the site", ", who has left the site"),
}


def _place(visit: Visit) -> tuple[str, str]:
    if visit.status is VisitStatus.IN_BOOTH:
        if visit.booth is None:
            return "In a booth", " in a booth"
        return f"Booth {visit.booth.label}", f" in Booth {visit.booth.label}"
    return _PLACES[visit.status]


def whereabouts(visit: Visit) -> str:
    """Where the visit's client is now, for a heading or a list: "Booth 3", "Waiting list"."""
    return _place(visit)[0]


def place_in_sentence(visit: Visit) -> str:
    """Where the visit's client is, to end a sentence: "in Booth 3", "on the waiting list"."""
    return _place(visit)[1].lstrip(", ")


def client_and_whereabouts(visit: Visit) -> str:
    """The client and where they are now, for a sentence: "Walk-in 3FA2 in Booth 3". Every
    anonymous client is a walk-in, so in an emergency the place is what says which person.
    """
    return visit.display_tag + _place(visit)[1]
