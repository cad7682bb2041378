"""A client reads their result with the code on their slip, on a public page.

What the page may say is decided here, and it is little: the result in plain words, the date it
was given and the advice; or that it is not ready yet. Never the site, the visit, the tests or
anyone's name. A code that was never issued and one whose result is past the site's days to
read it get the same answer, found the same way (one look-up of the code's digest), so the page
tells a guesser nothing about which codes exist.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.clock import local_date
from sitesys.drugchecks.codes import is_sample_code, normalise_sample_code, sample_code_digest
from sitesys.drugchecks.models import Sample
from sitesys.sites.models import Site


class Answer(enum.StrEnum):
    READY = "ready"
    NOT_READY = "not_ready"
    #: A code never issued, replaced by a new one, or past its days: one answer for all three.
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class PublicResult:
    """Exactly what the public page shows."""

    answer: Answer
    outcome: str = ""
    found: str = ""
    advice: str = ""
    given_on: date | None = None
    readable_until: date | None = None


NOT_FOUND = PublicResult(Answer.NOT_FOUND)

#: A digest that no code has, looked up in place of a code that cannot be one, so that every
#: answer costs the same single query.
_NO_CODE = "0" * 64


def look_up(session: Session, typed: str, code_key: str, now: datetime) -> PublicResult:
    """The result a typed code opens, as the public page may show it."""
    code = normalise_sample_code(typed)
    # The digest is worked out whatever was typed, so a malformed code costs what a real one does.
    digest = sample_code_digest(code, code_key)
    if not is_sample_code(code):
        digest = _NO_CODE
    row = session.execute(
        select(
            Sample.outcome,
            Sample.found_summary,
            Sample.advice,
            Sample.result_at,
            Sample.received_at,
            Site.result_days,
            Site.time_zone,
        )
        .join(Site, Site.id == Sample.site_id)
        .where(Sample.code_digest == digest)
    ).first()
    if row is None:
        return NOT_FOUND
    outcome, found, advice, result_at, received_at, days, zone_name = row
    zone = ZoneInfo(zone_name)
    if result_at is None:
        # Not tested yet: kept open as long as a result would be, counted from arrival.
        if now >= received_at + timedelta(days=days):
            return NOT_FOUND
        return PublicResult(Answer.NOT_READY)
    until = result_at + timedelta(days=days)
    if now >= until:
        return NOT_FOUND
    return PublicResult(
        Answer.READY,
        outcome=outcome.label if outcome else "",
        found=found or "",
        advice=advice or "",
        given_on=local_date(result_at, zone),
        readable_until=local_date(until, zone),
    )
