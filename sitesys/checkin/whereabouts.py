"""Where a visit's client is, in the words every page uses: "Booth 3", "on the waiting list".

Check-in, the board, responses and handovers all name a client's place; they say it one way.
"""

from __future__ import annotations

from flask_babel import gettext as _

from sitesys.checkin.models import Visit, VisitStatus


def _place(visit: Visit) -> tuple[str, str, str]:
    """Where a visit's client is, by its state: as a heading says it, as a sentence ends with it,
    and with the client's tag before it (each whole, so that a language orders its own words).
    """
    tag = visit.display_tag
    if visit.status is VisitStatus.IN_BOOTH:
        if visit.booth is None:
            return _("In a booth"), _("in a booth"), _("%(tag)s in a booth", tag=tag)
        booth = visit.booth.label
        return (
            _("Booth %(booth)s", booth=booth),
            _("in Booth %(booth)s", booth=booth),
            _("%(tag)s in Booth %(booth)s", tag=tag, booth=booth),
        )
    if visit.status is VisitStatus.WAITING:
        return (
            _("Waiting list"),
            _("on the waiting list"),
            _("%(tag)s on the waiting list", tag=tag),
        )
    if visit.status is VisitStatus.AFTERCARE:
        return _("Aftercare"), _("in aftercare"), _("%(tag)s in aftercare", tag=tag)
    return (
        _("Left the site"),
        _("who has left the site"),
        _("%(tag)s, who has left the site", tag=tag),
    )


def whereabouts(visit: Visit) -> str:
    """Where the visit's client is now, for a heading or a list: "Booth 3", "Waiting list"."""
    return str(_place(visit)[0])


def place_in_sentence(visit: Visit) -> str:
    """Where the visit's client is, to end a sentence: "in Booth 3", "on the waiting list"."""
    return str(_place(visit)[1])


def client_and_whereabouts(visit: Visit) -> str:
    """The client and where they are now, for a sentence: "Walk-in 3FA2 in Booth 3". Every
    anonymous client is a walk-in, so in an emergency the place is what says which person.
    """
    return str(_place(visit)[2])
