"""Keyboard only: Tab, Shift-Tab, arrows, Enter and Space, no pointer. A nurse goes from the board
to a full set of observations and saves it; nothing needs a mouse or a touch."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from sitesys.checkin.models import Visit
from sitesys.db import get_database
from sitesys.observations.models import Observation
from tests.browser.helpers import check_in, nav, seed, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.committed]

ACTIVE_NAME = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return "";
  if (e.labels && e.labels.length) return e.labels[0].innerText.trim();
  return (e.getAttribute("aria-label") || e.innerText || e.value || "").trim();
}"""


def tab_to(page: Page, name: str | re.Pattern[str], *, back: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift-Tab) until the focused control's name matches."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = page.evaluate(ACTIVE_NAME)
        if name.search(now) if isinstance(name, re.Pattern) else now == name:
            return
    raise AssertionError(f"Tab never reached {name!r}")


def test_a_full_observation_by_keyboard_alone(new_page, committed_app):
    accounts = seed(committed_app)
    desk, nurse = new_page(), new_page()
    sign_in(desk, accounts, "demo.desk")
    tag = check_in(desk, "ke yb 01", "Heroin", "Inject", "Booth 1")
    sign_in(nurse, accounts, "demo.nurse")
    nav(nurse, "Board")
    expect(nurse.locator("#board").get_by_text(tag).first).to_be_visible()

    tab_to(nurse, re.compile(f"Booth 1.*{tag}", re.S))
    nurse.keyboard.press("Enter")
    expect(nurse.get_by_role("heading", name=re.compile(tag))).to_be_visible()
    tab_to(nurse, "Full observation")
    nurse.keyboard.press("Enter")
    expect(nurse.get_by_label("Respiratory rate")).to_be_visible()

    for label, typed in (
        ("Respiratory rate", "16"),
        ("SpO2", "97"),
        ("Pulse", "80"),
        ("Systolic blood pressure", "120"),
        ("Temperature", "36.8"),
    ):
        tab_to(nurse, re.compile(f"^{re.escape(label)}"))
        nurse.keyboard.type(typed)
    # Shift-Tab back to SpO2 and correct it: the value typed last is the one saved.
    tab_to(nurse, re.compile("^SpO2"), back=True)
    nurse.keyboard.press("Control+a")
    nurse.keyboard.type("96")
    # A radio group is one Tab stop, landing on its first option; Space chooses the focused
    # option, and the arrows move through the group choosing as they go.
    tab_to(nurse, re.compile("^A – Alert"))
    nurse.keyboard.press("Space")
    tab_to(nurse, re.compile("^S – Asleep"))
    nurse.keyboard.press("ArrowDown")
    tab_to(nurse, re.compile(r"^\+4 "))
    for _ in range(4):
        nurse.keyboard.press("ArrowDown")
    tab_to(nurse, "Save observation")
    nurse.keyboard.press("Enter")
    expect(nurse.get_by_text(re.compile(r"^Observation saved: NEWS2"))).to_be_visible()
    with get_database(committed_app).new_session() as session:
        saved = session.scalars(select(Observation)).one()
        assert (saved.respiratory_rate, saved.spo2, saved.pulse) == (16, 96, 80)
        assert (saved.consciousness.value, saved.poss.value, saved.rass) == ("A", "1", 0)
        assert session.scalar(select(func.count()).select_from(Observation)) == 1


def arrow_to(page: Page, name: str, *, limit: int = 30) -> None:
    """Press the down arrow through a radio group (choosing as it goes) until `name` is chosen."""
    for _ in range(limit):
        if page.evaluate(ACTIVE_NAME) == name:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrows never reached {name!r}")


def test_a_check_in_by_keyboard_alone(new_page, committed_app):
    accounts = seed(committed_app)
    desk = new_page()
    sign_in(desk, accounts, "demo.desk")
    # The desk lands on Check in with the cursor in Client code: type it, Enter finds the client.
    expect(desk.get_by_label("Client code")).to_be_focused()
    desk.keyboard.type("kb ch 01")
    desk.keyboard.press("Enter")
    expect(desk.get_by_role("region", name="Client")).to_be_visible()

    tab_to(desk, "Heroin")
    desk.keyboard.press("Space")
    # A radio group is one Tab stop on its first option: Space chooses it, arrows move on.
    tab_to(desk, "Inject")
    desk.keyboard.press("Space")
    tab_to(desk, "Yes")
    arrow_to(desk, "No")
    tab_to(desk, re.compile("^(Waiting|Booth)"))
    arrow_to(desk, "Booth 1")
    # Shift-Tab back to the substances and add one: what is ticked last is what is saved.
    tab_to(desk, "Ketamine", back=True)
    desk.keyboard.press("Space")
    tab_to(desk, "Check in")
    desk.keyboard.press("Enter")
    expect(desk.get_by_text(re.compile(r"^Checked in .+ \(new client\)"))).to_be_visible()

    with get_database(committed_app).new_session() as session:
        visit = session.scalars(select(Visit)).one()
        assert visit.route.value == "inject"
        assert visit.drug_checked.value == "no"
        assert visit.booth is not None and visit.booth.label == "1"
        assert sorted(entry.code for entry in visit.substances) == ["heroin", "ketamine"]
