"""One acknowledgement per person per alert, even from two tablets at the same instant (real
commits, real threads)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from sitesys.alerts.models import Acknowledgement
from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.db import get_database
from tests.drugchecks.scenes import make_alert
from tests.factories import make_site, make_staff, sign_in

pytestmark = pytest.mark.committed


def test_two_tablets_acknowledging_at_once_make_one_acknowledgement(committed_app):
    with get_database(committed_app).new_session() as session:
        site = make_site(session)
        manager = make_staff(session, Role.MANAGER, [site])
        nurse = make_staff(session, Role.NURSE, [site])
        alert_id = make_alert(session, manager, [site]).id
        tablets = []
        for _ in range(2):
            tablet = committed_app.test_client()
            sign_in(tablet, session, nurse)
            tablets.append(tablet)
        session.commit()
    forms = [{"csrf_token": tablet.csrf_token(), "next": "/"} for tablet in tablets]
    barrier = threading.Barrier(2)
    statuses: list[int] = [0, 0]

    def tap(index: int) -> None:
        barrier.wait()
        response = tablets[index].post(f"/drug-alerts/{alert_id}/acknowledge", data=forms[index])
        statuses[index] = response.status_code

    threads = [threading.Thread(target=tap, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302, 302]
    with get_database(committed_app).new_session() as session:
        assert session.scalar(select(func.count()).select_from(Acknowledgement)) == 1
        acknowledged = select(func.count()).where(AuditEvent.action == "drug_alert.acknowledged")
        assert session.scalar(acknowledged) == 1
