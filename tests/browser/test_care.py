"""Care beyond the booth in Chromium: a ketamine user checked in, screened for bladder symptoms
and referred to urology by the nurse, and the referral shown to the desk at the next check-in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from sitesys.care.models import BladderScreen, Referral, ReferralState, ReferralType
from sitesys.db import get_database
from tests.browser.helpers import nav, seed, sign_in
from tests.browser.test_floor import check_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def test_a_positive_bladder_screen_leads_to_a_urology_referral_followed_up_at_the_desk(
    new_page, committed_app
):
    accounts = seed(committed_app)
    desk, nurse = new_page(), new_page()
    sign_in(desk, accounts, "demo.desk")
    sign_in(nurse, accounts, "demo.nurse")

    # The desk checks in a ketamine user.
    tag = check_in(desk, "KEMI12", "Ketamine", "Snort", "Booth 1")

    # The nurse is offered the bladder screen on the visit page and records a positive one.
    nav(nurse, "Board")
    nurse.locator("#board").get_by_role("link", name=re.compile(f"Booth 1 {tag}")).click()
    expect(nurse.get_by_text("Ketamine bladder screen due.")).to_be_visible()
    nurse.get_by_role("link", name="Ask the bladder screen").click()
    expect(nurse.get_by_text("This screen is triage, not diagnosis", exact=False)).to_be_visible()
    symptoms = nurse.get_by_role("group", name="Symptoms the client has now")
    symptoms.get_by_label("Going for a wee more often than usual?").check()
    symptoms.get_by_label("Pain low in the belly (above the pubic bone)?").check()
    nurse.get_by_role("group", name="How often do you use ketamine?").get_by_label("Daily").check()
    nurse.get_by_role("button", name="Record screen").click()
    expect(nurse.get_by_text("Bladder screen recorded: Symptoms")).to_be_visible()
    expect(nurse.get_by_text("often gets better when use falls", exact=False)).to_be_visible()
    expect(nurse.get_by_text("Advise same-day medical review")).to_have_count(0)

    # ...and offers the urology referral, which the client accepts and the nurse makes.
    nurse.get_by_role("link", name="Offer a GP / urology referral").click()
    expect(
        nurse.get_by_role("group", name="Referral to").get_by_label("Urology / bladder")
    ).to_be_checked()
    nurse.get_by_label("Or the service's name").fill("City urology clinic")
    nurse.get_by_role("group", name="How far it got").get_by_label("Made", exact=True).check()
    nurse.get_by_role("button", name="Record referral").click()
    expect(nurse.get_by_text("Referral to urology recorded (made).")).to_be_visible()
    referrals = nurse.get_by_role("region", name="Referrals")
    expect(
        referrals.get_by_role("link", name="Urology / bladder · City urology clinic")
    ).to_be_visible()
    nurse.get_by_role("button", name="Check out").click()
    nurse.get_by_role("button", name="Yes, check out").click()
    expect(nurse.get_by_text(f"{tag} checked out.")).to_be_visible()

    with get_database(committed_app).new_session() as session:
        [screen] = session.scalars(select(BladderScreen)).all()
        assert screen.frequency and screen.lower_belly_pain and not screen.blood_in_urine
        [referral] = session.scalars(select(Referral)).all()
        assert referral.type is ReferralType.UROLOGY and referral.state is ReferralState.MADE

    # The next check-in shows the desk the referral to ask about.
    nav(desk, "Check in")
    desk.get_by_label("Client code").fill("KEMI12")
    desk.get_by_role("button", name="Find client").click()
    expect(desk.get_by_role("region", name="Client")).to_be_visible()
    expect(
        desk.get_by_text(re.compile(r"Referral to urology made on \d{1,2} \w{3} — ask how it went"))
    ).to_be_visible()
