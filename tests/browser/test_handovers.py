"""A shift lead hands over to the next, in Chromium."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import unquote

import pytest
import time_machine
from playwright.sync_api import expect
from sqlalchemy import select, update

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.handovers.models import IllnessSeverity, Shift
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
                severities={p.id: p.severity or IllnessSeverity.STABLE for p in earlier.people},
            ),
        )
        submit_handover(session, manager, earlier)
        handover_reminders(session)
        session.commit()


def test_lead_hands_over_and_the_next_lead_acknowledges(new_page, committed_app):
    accounts = seed(committed_app)
    prepare(committed_app)

    lead = new_page()
    sign_in(lead, accounts, "demo.nurse")
    nav(lead, "Handover")
    lead.get_by_role("link", name="Handover of the Now shift").click()
    lead.get_by_role("button", name="Start handover").click()
    snapshot = lead.get_by_role("region", name="Snapshot")
    expect(snapshot).to_contain_text("Amber Heron 27", use_inner_text=True)
    expect(snapshot).to_contain_text("Teal Otter 3", use_inner_text=True)
    expect(snapshot.get_by_role("heading", name="Incidents this shift")).to_be_visible()
    expect(snapshot).to_contain_text("Response running · Amber Heron 27", use_inner_text=True)
    expect(snapshot).to_contain_text("1 incident", use_inner_text=True)
    lead.get_by_role("group", name="Amber Heron 27").get_by_label("Watcher", exact=True).check()
    lead.get_by_role("group", name="Teal Otter 3").get_by_label("Stable", exact=True).check()
    lead.get_by_label("Naloxone doses").fill("6")
    lead.get_by_label("Oxygen cylinders").fill("2")
    lead.get_by_label("Summary").fill("Amber Heron 27 needed oxygen at 14:10; settled since.")
    expect(lead.get_by_text(re.compile("^Draft saved at"))).to_be_visible()
    lead.get_by_label("What").fill("Check Amber Heron 27 every 5 minutes")
    lead.get_by_label("Owner").fill("Incoming lead")
    lead.get_by_label("By when").fill("until they leave")
    lead.get_by_role("button", name="Add action").click()
    expect(lead.get_by_text("Action added.")).to_be_visible()
    expect(lead.get_by_label("Summary")).to_have_value(re.compile("^Amber Heron 27 needed oxygen"))
    lead.once("dialog", lambda dialog: dialog.accept())
    lead.get_by_role("button", name="Submit handover").click()
    expect(lead.get_by_text("Handover submitted.")).to_be_visible()
    expect(lead.get_by_text("You gave this handover")).to_be_visible()

    incoming = new_page()
    sign_in(incoming, accounts, "demo.manager")
    incoming.goto("/")  # managers land on their incident queue; the handovers are on Home
    flags = incoming.get_by_role("region", name="Handover alerts")
    expect(flags).to_contain_text("The Before handover", use_inner_text=True)
    expect(flags).to_contain_text("still unacknowledged", use_inner_text=True)
    incoming.get_by_role("link", name=re.compile("Read the Now handover from")).click()
    expect(incoming.locator("body")).to_contain_text("Check Amber Heron 27 every 5 minutes")
    incoming.get_by_label("Read-back note").fill("Amber Heron 27 every 5 minutes until they leave")
    incoming.get_by_role("button", name="Acknowledge handover").click()
    expect(incoming.get_by_text("You acknowledged the Now handover.")).to_be_visible()
    nav(incoming, "Handover")
    history = incoming.get_by_role("table")
    expect(history).to_contain_text("Unacknowledged — flagged", use_inner_text=True)
    expect(history).to_contain_text("Acknowledged", use_inner_text=True)


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
    expect(lead.get_by_text(re.compile("Everything else saved at"))).to_be_visible()
    expect(status).to_contain_text(
        "Not saved: Naloxone doses (Enter a count from 0 to 9999.)", use_inner_text=True
    )
    expect(lead.get_by_text("Not saved: Enter a count from 0 to 9999.")).to_be_visible()
    lead.reload()
    expect(lead.get_by_label("Summary")).to_have_value("Amber Heron 27 needed oxygen")
    expect(lead.get_by_label("Naloxone doses")).to_have_value("")
    expect(status).to_have_text(re.compile("^Draft saved at"), use_inner_text=True)
