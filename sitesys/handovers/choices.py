"""Which shifts a lead may hand over now, and the one they chose."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.handovers.models import Handover
from sitesys.handovers.setup import shifts_ended_lately, shifts_running
from sitesys.handovers.shifts import ShiftOccurrence
from sitesys.refusals import Refused
from sitesys.sites.models import Site


class NoShiftToHandOver(Refused):
    """The shift asked for cannot be handed over now, or the lead has not said which one."""


def find_handover(session: Session, site: Site, shift: ShiftOccurrence) -> Handover | None:
    return session.scalar(
        select(Handover).where(Handover.site_id == site.id, Handover.shift_key == shift.key)
    )


def handover_choices(
    session: Session, site: Site, now: datetime
) -> list[tuple[ShiftOccurrence, Handover | None]]:
    """The shifts a lead may hand over now, each with its handover if one was started: every
    shift running now (shifts may overlap, and each has its own handover), then every shift that
    ended less than LATE_START ago whose handover was not started or not yet submitted.
    """
    choices: list[tuple[ShiftOccurrence, Handover | None]] = [
        (shift, find_handover(session, site, shift)) for shift in shifts_running(session, site, now)
    ]
    for shift in shifts_ended_lately(session, site, now):
        handover = find_handover(session, site, shift)
        if handover is None or not handover.is_frozen:
            choices.append((shift, handover))
    return choices


def choose_shift(session: Session, site: Site, now: datetime, key: str) -> ShiftOccurrence:
    """The shift the lead chose (by its key) among those that may be handed over now.

    A shift no longer offered (it ended too long ago, or was handed over from another tablet) is
    refused, so that nobody starts a handover of a shift they did not see offered. A form without
    a key, drawn before leads could choose, starts the one shift there is; with several, the
    lead is asked to choose.
    """
    choices = handover_choices(session, site, now)
    chosen = next((shift for shift, _ in choices if shift.key == key), None)
    if chosen is not None:
        return chosen
    if not key and len(choices) == 1:
        return choices[0][0]
    if not choices:
        raise NoShiftToHandOver(
            _("There is no shift running now, so there is nothing to hand over.")
        )
    if key:
        raise NoShiftToHandOver(
            _("That shift can no longer be handed over here; choose one of these.")
        )
    raise NoShiftToHandOver(_("Several shifts can be handed over now; choose which one."))
