"""The board's freshness rests on every floor change writing an audit event: a checked rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sitesys.audit.floor_rule import UnauditedFloorChange
from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.checkin.lifecycle import move_to_aftercare
from sitesys.checkin.models import VisitStatus
from sitesys.sites.models import BoothStatus
from tests.factories import make_booth, make_site, make_staff, make_visit


def _floor(db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    booth = make_booth(db, site)
    return nurse, booth, make_visit(db, site, nurse, booth=booth)


def test_a_floor_change_without_an_audit_event_is_refused_at_commit(db):
    _nurse, booth, _visit = _floor(db)
    booth.status = BoothStatus.OUT_OF_SERVICE  # as a service that forgot its event would
    with pytest.raises(UnauditedFloorChange, match="booth"):
        db.commit()


def test_a_service_that_audits_its_floor_change_commits(db):
    nurse, _booth, visit = _floor(db)
    move_to_aftercare(db, nurse, visit, VisitStatus.IN_BOOTH)
    db.commit()
    assert (
        db.scalar(select(AuditEvent.action).where(AuditEvent.record_id == str(visit.id)))
        == "visit.moved_to_aftercare"
    )


def test_a_change_off_the_floor_needs_no_event_for_the_board(db):
    site = make_site(db)
    site.name = "Renamed without a service"  # not floor state: the board does not show it
    db.commit()
