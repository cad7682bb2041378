"""The snapshot's words for a client's checks."""

from __future__ import annotations

from datetime import timedelta

from sitesys.clock import utcnow
from sitesys.handovers.services import start_handover
from sitesys.sites.models import Booth
from tests.factories import make_client, make_visit


def test_a_client_never_observed_is_not_checked_yet(db, floor):
    site = floor["site"]
    booth = db.query(Booth).filter_by(site_id=site.id, label="2").one()
    make_visit(
        db,
        site,
        floor["nurse"],
        booth=booth,
        at=utcnow() - timedelta(minutes=2),
        client=make_client(db, site, display_tag="Rose Finch 4"),
    )
    snap = start_handover(db, floor["nurse"], site, floor["shift"]).snapshot
    checks = {c["display_tag"]: c["check"] for c in snap["clients"]}
    assert checks["Rose Finch 4"] == "Not checked yet"
    assert checks["Amber Heron 27"] == "Checked"  # observed, next check not yet due
    assert checks["Jade Wren 9"] == "Overdue"
