"""Drug checking and a drug alert, end to end on several tablets and a client's phone: the bench
checks a sample, a manager publishes an alert from it, a nurse acknowledges it at sign-in, the
desk is shown it at check-in, and the client reads the result by code.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from sitesys.demo import DemoAccount
from tests.browser.helpers import nav, seed, submit_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]


def sign_in_only(page: Page, accounts: dict[str, DemoAccount], username: str) -> None:
    """Sign in and stop wherever SiteSys goes next (the alerts to read, or the home page)."""
    account = accounts[username]
    submit_sign_in(page, username, account.password, account.totp_secret)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_checked_sample_becomes_an_alert_everyone_sees_and_the_client_reads(
    new_page, committed_app
):
    accounts = seed(committed_app)
    bench, manager, nurse, desk, phone = (new_page() for _ in range(5))

    # The bench: a sample of "ketamine", its slip and code.
    sign_in_only(bench, accounts, "demo.checker")
    nav(bench, "Drug checks")
    bench.get_by_role("link", name="Check a new sample").click()
    bench.get_by_label("What the client expects it to be").select_option("ketamine")
    bench.get_by_role("group", name="Form").get_by_label("Powder").check()
    bench.get_by_label("Colour").fill("White")
    bench.get_by_role("button", name="Record sample and print slip").click()
    expect(bench.get_by_text("The code is shown this once only")).to_be_visible()
    code = bench.get_by_test_id("sample-code").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    bench.get_by_role("link", name="Go to the sample").click()
    expect(bench.get_by_role("heading", name=re.compile(r"^Sample S-"))).to_be_visible()

    # Morris turns violet: ketamine's reaction on the chart (presumptive).
    reagent = bench.get_by_role("region", name="Reagent")
    reagent.get_by_role("group", name="Reagent", exact=True).get_by_label("Morris").check()
    reagent.get_by_role("group", name="Colour seen").get_by_label("Purple or violet").check()
    reagent.get_by_role("button", name="Record reagent result").click()
    expect(bench.get_by_text("Recorded Morris (presumptive).")).to_be_visible()
    tests = bench.get_by_role("region", name="Tests")
    expect(tests).to_contain_text("Matches the chart (presumptive)")

    # A fentanyl strip reads positive.
    strip = bench.get_by_role("region", name="Test strip")
    strip.get_by_role("group", name="Strip", exact=True).get_by_label("Fentanyl strip").check()
    strip.get_by_role("group", name="Reading").get_by_label("Positive").check()
    strip.get_by_role("button", name="Record strip result").click()
    expect(bench.get_by_text("Recorded Fentanyl strip: positive.")).to_be_visible()

    # FTIR matches ketamine and fentanyl.
    spectrum = bench.get_by_role("region", name="Spectrometry")
    spectrum.get_by_role("group", name="Technique").get_by_label("FTIR").check()
    spectrum.get_by_label("Component 1").select_option("ketamine")
    spectrum.locator("#spectrum-row_1-quality").fill("92")
    spectrum.get_by_label("Component 2").select_option("fentanyl")
    spectrum.locator("#spectrum-row_2-quality").fill("64")
    spectrum.get_by_role("button", name="Record spectrometry result").click()
    expect(bench.get_by_text("Recorded FTIR.")).to_be_visible()
    expect(tests).to_contain_text("Ketamine (92%), Fentanyl (64%)")

    # The result, in plain words for the client.
    result = bench.get_by_role("region", name="Result")
    result.get_by_role("group", name="Result").get_by_label("Something unexpected found").check()
    result.get_by_label("What was found, in plain words for the client").fill(
        "Fentanyl was found with the ketamine."
    )
    result.get_by_label("Advice given").fill("Do not use alone. Use a tiny amount first.")
    result.get_by_role("group", name="The client's decision").get_by_label("Will use less").check()
    result.get_by_role("button", name="Save result").click()
    expect(bench.get_by_text("Result saved.")).to_be_visible()
    sample_url = bench.url

    # A manager publishes an alert from the result.
    sign_in_only(manager, accounts, "demo.manager")
    manager.goto(sample_url)
    manager.get_by_role("link", name="Publish an alert from this result").click()
    expect(manager.get_by_label("Title")).to_have_value("Fentanyl found in ketamine")
    manager.get_by_role("button", name="Publish alert").click()
    expect(manager.get_by_text("Published: Fentanyl found in ketamine.")).to_be_visible()

    # A nurse signing in is shown it first, and acknowledges it.
    sign_in_only(nurse, accounts, "demo.nurse")
    expect(nurse.get_by_role("heading", name="Drug alerts to read")).to_be_visible()
    expect(nurse.get_by_text("Fentanyl was found with the ketamine.")).to_be_visible()
    nurse.get_by_role("button", name="I have read this alert").click()
    expect(nurse.get_by_role("heading", name="Board")).to_be_visible()  # where nurses land
    expect(nurse.get_by_text("Acknowledged: Fentanyl found in ketamine.")).to_be_visible()
    expect(nurse.get_by_role("button", name="I have read this alert")).to_have_count(0)

    # The desk checks in a client who names ketamine, and is shown the alert to warn them.
    sign_in_only(desk, accounts, "demo.desk")
    desk.get_by_role("link", name="Later: go on to work").click()
    expect(desk.get_by_role("alert", name="Drug alert to acknowledge")).to_be_visible()
    nav(desk, "Check in")
    desk.get_by_label("Client code").fill("JOMA07")
    desk.get_by_role("button", name="Find client").click()
    desk.get_by_role("group", name="Substances").get_by_label("Ketamine").check()
    desk.get_by_role("group", name="Route").get_by_label("Snort", exact=True).check()
    desk.get_by_role("group", name="Drug checked").get_by_label("No", exact=True).check()
    desk.get_by_role("group", name="Booth").get_by_label("Booth 1", exact=True).check()
    desk.get_by_role("button", name="Check in", exact=True).click()
    warning = desk.get_by_role("alert", name="Drug alert for what the client named")
    expect(warning).to_contain_text("Fentanyl found in ketamine")
    expect(warning).to_contain_text("Do not use alone. Use a tiny amount first.")
    desk.get_by_role("button", name="Check in", exact=True).click()
    expect(desk.get_by_text(re.compile(r"^Checked in "))).to_be_visible()
    expect(desk.get_by_text("Alert shown: Fentanyl found in ketamine.")).to_be_visible()

    # The client reads the result with the code on their slip, signed in to nothing.
    phone.goto("/results")
    phone.get_by_label("Your sample code").fill(code.lower())
    phone.get_by_role("button", name="Show my result").click()
    answer = phone.get_by_role("region", name="Result")
    expect(answer).to_contain_text("Something unexpected found")
    expect(answer).to_contain_text("Fentanyl was found with the ketamine.")
    expect(answer).to_contain_text("Do not use alone. Use a tiny amount first.")
    expect(phone.get_by_text("Demo Site")).to_have_count(0)
