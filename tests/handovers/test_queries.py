"""What the handover pages and the home page read (handovers/queries.py)."""

from __future__ import annotations

from datetime import time

import time_machine

from sitesys.auth.roles import Role
from sitesys.handovers.models import HandoverAlertKind
from sitesys.handovers.queries import (
    HistoryFilters,
    alerts_for,
    flagged_shift_keys,
    history_statement,
    pending_handovers,
)
from sitesys.handovers.services import Draft, save_draft, start_handover, submit_handover
from sitesys.handovers.setup import add_shift, shift_now
from sitesys.handovers.tasks import handover_reminders
from sitesys.sites.services import add_default_stock_items
from tests.factories import make_site, make_staff
from tests.handovers.helpers import DAY, local


def site_with_early_shift(db):
    site = make_site(db, handover_ack_minutes=30)
    add_default_stock_items(db, site)
    with time_machine.travel(local(site, DAY, 6), tick=False):
        add_shift(db, None, site, "Early", time(7), time(15))
    return site


def test_every_lead_sees_a_handover_not_started_and_only_overseers_one_unacknowledged(db):
    site = site_with_early_shift(db)
    with time_machine.travel(local(site, DAY, 15, 31), tick=False):
        handover_reminders(db)
    nurse = make_staff(db, Role.NURSE, [site])
    manager = make_staff(db, Role.MANAGER, [site])
    assert [alert.kind for alert in alerts_for(db, site, nurse)] == [HandoverAlertKind.NOT_STARTED]
    assert {alert.kind for alert in alerts_for(db, site, manager)} == set(HandoverAlertKind)
    assert flagged_shift_keys(db, site) == {"2026-06-10/Early"}
    assert alerts_for(db, make_site(db), manager) == []


def test_a_submitted_handover_waits_for_anyone_but_the_lead_who_gave_it(db):
    site = site_with_early_shift(db)
    giver, colleague = make_staff(db, Role.NURSE, [site]), make_staff(db, Role.NURSE, [site])
    with time_machine.travel(local(site, DAY, 14, 30), tick=False):
        handover = start_handover(db, giver, site, shift_now(db, site, local(site, DAY, 14, 30)))
        save_draft(
            db, giver, handover, Draft(summary="Quiet", stock={r.id: 1 for r in handover.stock})
        )
        assert pending_handovers(db, site, colleague) == []
        submit_handover(db, giver, handover)
    assert pending_handovers(db, site, colleague) == [handover]
    assert pending_handovers(db, site, giver) == []


def test_the_history_is_narrowed_to_local_days_and_a_shift_named_in_any_case(db):
    site = site_with_early_shift(db)
    nurse = make_staff(db, Role.NURSE, [site])
    with time_machine.travel(local(site, DAY, 8), tick=False):
        handover = start_handover(db, nurse, site, shift_now(db, site, local(site, DAY, 8)))

    def found(**filters):
        return list(db.scalars(history_statement(site, HistoryFilters(**filters))))

    assert found() == [handover]
    assert found(date_from=DAY, date_to=DAY, shift="EARLY") == [handover]
    assert found(date_from=DAY.replace(day=11)) == []
    assert found(date_to=DAY.replace(day=9)) == []
    assert found(shift="Late") == []
    assert list(db.scalars(history_statement(make_site(db), HistoryFilters()))) == []
