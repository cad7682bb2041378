"""When a client is due a check: computed when the board is read, never by a job.

The board must be right even when the scheduler is down, so "check due" and "overdue" come from
the last observation, the phase the client is in and the site's interval, at the moment of reading.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from flask_babel import gettext as _

from sitesys.checkin.models import VisitStatus
from sitesys.sites.models import Site


class CheckState(enum.StrEnum):
    OK = "ok"
    DUE = "due"
    OVERDUE = "overdue"
    NONE = "none"  # not yet used (waiting): no checks to do

    @property
    def label(self) -> str:
        if self is CheckState.NONE:
            return ""
        return str({"ok": _("Checked"), "due": _("Check due"), "overdue": _("Overdue")}[self.value])


def check_interval(site: Site, status: VisitStatus, close_watch: bool) -> timedelta | None:
    """The site's interval for a phase; close watch shortens it while scores are worrying.

    Someone waiting has not used here, so is not checked on a clock, unless a nurse's
    observation put them on close watch (they may have used before they came).
    """
    if status is VisitStatus.IN_BOOTH:
        minutes = site.booth_check_minutes
    elif status is VisitStatus.AFTERCARE:
        minutes = site.aftercare_check_minutes
    elif close_watch:
        minutes = site.close_watch_minutes
    else:
        return None
    if close_watch:
        minutes = min(minutes, site.close_watch_minutes)
    return timedelta(minutes=minutes)


def clock_start(checks_from: datetime, last_observed_at: datetime | None) -> datetime:
    """When the check clock last started: the latest observation, or when checks began."""
    if last_observed_at is not None and last_observed_at > checks_from:
        return last_observed_at
    return checks_from


#: A check is overdue once this many intervals have passed unchecked (due after one).
OVERDUE_INTERVALS = 2


def due_at(clock_started: datetime, interval: timedelta) -> datetime:
    """When the next check falls due."""
    return clock_started + interval


def overdue_at(clock_started: datetime, interval: timedelta) -> datetime:
    """When an unchecked client becomes overdue: the board turns the tile and the job raises
    its alert at this one moment.
    """
    return clock_started + OVERDUE_INTERVALS * interval


def check_state(
    now: datetime,
    checks_from: datetime,
    last_observed_at: datetime | None,
    interval: timedelta | None,
) -> CheckState:
    """OK within the interval, due past it, overdue past twice it."""
    if interval is None:
        return CheckState.NONE
    started = clock_start(checks_from, last_observed_at)
    if now >= overdue_at(started, interval):
        return CheckState.OVERDUE
    if now >= due_at(started, interval):
        return CheckState.DUE
    return CheckState.OK
