"""A shift lead hands over to the next, in Chromium."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import unquote

import pytest
from sqlalchemy import select, update

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.handovers.models import Shift
from sitesys.handovers.services import Draft, save_draft, start_handover, submit_handover
from sitesys.handovers.setup import add_shift, shift_before
from sitesys.handovers.tasks import handover_reminders
from sitesys.incidents.services import start_response
from sitesys.sites.models import Booth, Site
from tests.browser.helpers import nav, seed, sign_in
from tests.factories import make_client, make_visit

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def wall(site: Site, moment: datetime):
    return moment.astimezone(site.zone).time().replace(second=0, microsecond=0)


def prepare(app):
    now = utcnow()
    with get_database(app).new_session() as session:
        site = session.scalar(select(Site))
        manager = session.scalar(select(Staff).where(Staff.username == "demo.manager"))
        nurse = session.scalar(select(Staff).where(Staff.username == "demo.nurse"))
        session.execute(update(Shift).values(is_active=False))
        with_creation = now - timedelta(hours=5)
        import time_machine

        with time_machine.travel(with_creation):
            add_shift(
                session,
                None,
                site,
                "Before",
                wall(site, now - timedelta(hours=3)),
                wall(site, now - timedelta(minutes=40)),
            )
            add_shift(
                session,
                None,
                site,
                "Now",
                wall(site, now - timedelta(minutes=30)),
                wall(site, now + timedelta(hours=2)),
            )
        booths = {b.label: b for b in session.scalars(select(Booth))}
        amber = make_visit(
            session,
            site,
            nurse,
            booth=booths["1"],
            client=make_client(session, site, display_tag="Amber Heron 27"),
        )
        start_response(session, nurse, amber)
        make_visit(
            session, site, nurse, client=make_client(session, site, display_tag="Teal Otter 3")
        )
        before = shift_before(session, site, now)
        assert before is not None and before.definition.name == "Before"
        earlier = start_handover(session, manager, site, before)
        save_draft(
            session,
            manager,
            earlier,
            Draft(
                summary="Quiet",
                stock={row.id: 5 for row in earlier.stock},
                severities={p.id: p.severity or _stable() for p in earlier.people},
            ),
        )
        submit_handover(session, manager, earlier)
        handover_reminders(session)
        session.commit()


def _stable():
    from sitesys.handovers.models import IllnessSeverity

    return IllnessSeverity.STABLE


def test_lead_hands_over_and_the_next_lead_acknowledges(new_page, committed_app):
    accounts = seed(committed_app)
    prepare(committed_app)

    lead = new_page()
    sign_in(lead, accounts, "demo.nurse")
    nav(lead, "Handover")
    lead.get_by_role("link", name="Handover of the Now shift").click()
    lead.get_by_role("button", name="Start handover").click()
    snapshot = lead.get_by_role("region", name="Snapshot")
    assert "Amber Heron 27" in snapshot.inner_text() and "Teal Otter 3" in snapshot.inner_text()
    incidents = snapshot.get_by_role("heading", name="Incidents this shift")
    assert incidents.is_visible()
    assert "Response running · Amber Heron 27" in snapshot.inner_text()
    assert "1 incident" in snapshot.inner_text()
    lead.get_by_role("group", name="Amber Heron 27").get_by_label("Watcher", exact=True).check()
    lead.get_by_role("group", name="Teal Otter 3").get_by_label("Stable", exact=True).check()
    lead.get_by_label("Naloxone doses").fill("6")
    lead.get_by_label("Oxygen cylinders").fill("2")
    lead.get_by_label("Summary").fill("Amber Heron 27 needed oxygen at 14:10; settled since.")
    lead.get_by_text(re.compile("^Draft saved at")).wait_for()
    lead.get_by_label("What").fill("Check Amber Heron 27 every 5 minutes")
    lead.get_by_label("Owner").fill("Incoming lead")
    lead.get_by_label("By when").fill("until they leave")
    lead.get_by_role("button", name="Add action").click()
    lead.get_by_text("Action added.").wait_for()
    assert lead.get_by_label("Summary").input_value().startswith("Amber Heron 27 needed oxygen")
    lead.once("dialog", lambda dialog: dialog.accept())
    lead.get_by_role("button", name="Submit handover").click()
    lead.get_by_text("Handover submitted.").wait_for()
    assert lead.get_by_text("You gave this handover").is_visible()

    incoming = new_page()
    sign_in(incoming, accounts, "demo.manager")
    flags = incoming.get_by_role("region", name="Handover alerts")
    assert (
        "The Before handover" in flags.inner_text() and "still unacknowledged" in flags.inner_text()
    )
    incoming.get_by_role("link", name=re.compile("Read the Now handover from")).click()
    assert "Check Amber Heron 27 every 5 minutes" in incoming.content()
    incoming.get_by_label("Read-back note").fill("Amber Heron 27 every 5 minutes until they leave")
    incoming.get_by_role("button", name="Acknowledge handover").click()
    incoming.get_by_text("You acknowledged the Now handover.").wait_for()
    nav(incoming, "Handover")
    history = incoming.get_by_role("table")
    assert "Unacknowledged — flagged" in history.inner_text()
    assert "Acknowledged" in history.inner_text()


def test_an_invalid_count_is_named_and_the_summary_beside_it_is_kept(new_page, committed_app):
    accounts = seed(committed_app)
    prepare(committed_app)
    lead = new_page()
    sign_in(lead, accounts, "demo.nurse")
    nav(lead, "Handover")
    lead.get_by_role("link", name="Handover of the Now shift").click()
    lead.get_by_role("button", name="Start handover").click()
    status = lead.locator("#save-status")
    lead.get_by_label("Naloxone doses").fill("-3")
    # Leaving the count saves the draft (htmx on change); typing the summary saves it again.
    with lead.expect_response(
        lambda r: r.url.endswith("/draft") and "needed oxygen" in unquote(r.request.post_data or "")
    ):
        lead.get_by_label("Summary").press_sequentially("Amber Heron 27 needed oxygen")
    lead.get_by_text(re.compile("Everything else saved at")).wait_for()
    assert "Not saved: Naloxone doses (Enter a count from 0 to 9999.)" in status.inner_text()
    assert lead.get_by_text("Not saved: Enter a count from 0 to 9999.").is_visible()
    lead.reload()
    assert lead.get_by_label("Summary").input_value() == "Amber Heron 27 needed oxygen"
    assert lead.get_by_label("Naloxone doses").input_value() == ""
    assert status.inner_text().startswith("Draft saved at")
