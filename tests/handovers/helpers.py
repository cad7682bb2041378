"""Scenes of the handover tests: a site's local time, and a floor in the middle of a shift."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from sitesys.auth.roles import Role
from sitesys.checkin.models import VisitStatus
from sitesys.handovers.setup import add_shift, shift_now
from sitesys.observations.models import OverdueAlert
from sitesys.observations.scoring import Consciousness
from sitesys.observations.services import ObservationInput, record_observation
from sitesys.sites.models import BoothStatus
from sitesys.sites.services import add_default_stock_items
from tests.factories import (
    make_booth,
    make_client,
    make_site,
    make_staff,
    make_substances,
    make_visit,
)

#: The day most handover tests happen on (a Wednesday in British Summer Time).
DAY = date(2026, 6, 10)


def local(site: Any, day: Any, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=site.zone)


def prepared_floor(db: Any, now: datetime) -> dict[str, Any]:
    """A site in the middle of its Early shift (07:00–15:00) with a busy floor."""
    site = make_site(db)
    make_substances(db, site)
    add_default_stock_items(db, site)
    for name, start, end in (
        ("Early", time(7), time(15)),
        ("Late", time(15), time(23)),
        ("Night", time(23), time(7)),
    ):
        add_shift(db, None, site, name, start, end)
    nurse = make_staff(db, Role.NURSE, [site])
    booths = [make_booth(db, site, label=str(n)) for n in (1, 2, 3)]
    booths[2].status = BoothStatus.OUT_OF_SERVICE
    booths[2].out_of_service_reason = "Broken light"
    sick = make_visit(
        db,
        site,
        nurse,
        booth=booths[0],
        at=now - timedelta(minutes=20),
        client=make_client(db, site, display_tag="Amber Heron 27"),
    )
    record_observation(
        db,
        nurse,
        sick,
        ObservationInput(Consciousness.VOICE, respiratory_rate=7),
        str(uuid.uuid4()),
    )
    waiting = make_visit(
        db,
        site,
        nurse,
        at=now - timedelta(minutes=5),
        client=make_client(db, site, display_tag="Teal Otter 3"),
    )
    forgotten = make_visit(
        db,
        site,
        nurse,
        status=VisitStatus.AFTERCARE,
        at=now - timedelta(minutes=50),
        client=make_client(db, site, display_tag="Jade Wren 9"),
    )
    db.add(
        OverdueAlert(
            site_id=site.id,
            visit_id=forgotten.id,
            overdue_since=now - timedelta(minutes=20),
            raised_at=now - timedelta(minutes=20),
        )
    )
    gone = make_visit(
        db,
        site,
        nurse,
        status=VisitStatus.LEFT,
        at=now - timedelta(minutes=90),
        left_at=now - timedelta(minutes=30),
    )
    make_visit(
        db,
        site,
        nurse,
        status=VisitStatus.LEFT,
        at=now - timedelta(hours=30),
        left_at=now - timedelta(hours=29),
    )
    db.flush()
    return {
        "site": site,
        "nurse": nurse,
        "sick": sick,
        "waiting": waiting,
        "forgotten": forgotten,
        "gone": gone,
        "shift": shift_now(db, site, now),
    }
