"""Observations in fewer taps, measured in Chromium on a tablet either way up: what is above
the fold, what fits one screen, how large the targets are, and the full-set question.
"""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from sitesys.auth.models import Staff
from sitesys.clients.models import ClientFlag, FlagKind
from sitesys.db import get_database
from sitesys.observations.models import Observation, ObservationKind
from sitesys.observations.scoring import Consciousness, Poss
from sitesys.observations.services import ObservationInput, record_observation
from sitesys.sites.models import Booth, Site
from tests.browser.helpers import seed, sign_in
from tests.factories import make_client, make_visit

pytestmark = [pytest.mark.browser, pytest.mark.committed]

LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}
TABLETS = [pytest.param(LANDSCAPE, id="1024x768"), pytest.param(PORTRAIT, id="768x1024")]
#: The scales a nurse taps: each choice must be a target for a gloved finger.
SCALES = ("Consciousness (ACVPU)", "Sedation (POSS)", "RASS", "Pupils", "Vomiting")


def floor(app, worrying: ObservationInput | None = None):
    """A client in booth 1 with a safety flag (as a busy visit page has), and, if given, the
    full set a nurse recorded for them. Returns the visit's id.
    """
    with get_database(app).new_session() as session:
        site = session.scalar(select(Site))
        nurse = session.scalar(select(Staff).where(Staff.username == "demo.nurse"))
        booth = session.scalar(select(Booth).where(Booth.label == "1"))
        client = make_client(session, site, display_tag="Amber Heron 27")
        session.add(
            ClientFlag(
                client_id=client.id,
                kind=FlagKind.SEIZURE_HISTORY,
                note="Seizure in aftercare last month",
                created_by_id=nurse.id,
            )
        )
        visit = make_visit(session, site, nurse, booth=booth, client=client)
        if worrying is not None:
            record_observation(session, nurse, visit, worrying, str(uuid.uuid4()))
        session.commit()
        return visit.id


def tablet(browser, live_server, accounts, size, **context) -> Page:
    page = browser.new_context(base_url=live_server.url, viewport=size, **context).new_page()
    sign_in(page, accounts, "demo.nurse")
    return page


def above_the_fold(page: Page, locator) -> None:
    """Visible without scrolling: wholly inside the viewport with the page at its top."""
    expect(locator).to_be_visible()
    assert page.evaluate("window.scrollY") == 0
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, box


def checks_on(app, visit_id) -> list[ObservationKind]:
    with get_database(app).new_session() as session:
        return list(
            session.scalars(
                select(Observation.kind)
                .where(Observation.visit_id == visit_id)
                .order_by(Observation.id)
            )
        )


@pytest.mark.parametrize("size", TABLETS)
def test_quick_check_and_full_observation_are_above_the_fold(
    browser, live_server, committed_app, size
):
    accounts = seed(committed_app)
    visit_id = floor(committed_app)
    page = tablet(browser, live_server, accounts, size)
    page.goto(f"/visits/{visit_id}")
    checks = page.get_by_role("region", name="Checks")
    quick = checks.get_by_role("button", name="Quick check")
    full_set = checks.get_by_role("link", name="Full observation")
    above_the_fold(page, quick)
    above_the_fold(page, full_set)
    # Quick check is the first, large one while nothing worries.
    assert quick.bounding_box()["height"] >= 64
    assert quick.bounding_box()["x"] < full_set.bounding_box()["x"]


@pytest.mark.parametrize("size", TABLETS)
def test_after_a_red_flag_the_full_set_is_first_and_still_above_the_fold(
    browser, live_server, committed_app, size
):
    accounts = seed(committed_app)
    visit_id = floor(
        committed_app,
        ObservationInput(
            Consciousness.VOICE,
            respiratory_rate=7,
            spo2=88,
            pulse=130,
            systolic_bp=95,
            poss=Poss.SOMNOLENT,
            rass=-4,
        ),
    )
    page = tablet(browser, live_server, accounts, size)
    page.goto(f"/visits/{visit_id}")
    checks = page.get_by_role("region", name="Checks")
    expect(checks.get_by_role("alert")).to_contain_text("Start emergency response.")
    expect(checks).to_contain_text("A full set is advised: a quick check does not end close watch.")
    full_set = checks.get_by_role("link", name="Full observation")
    quick = checks.get_by_role("button", name="Quick check")
    above_the_fold(page, full_set)
    above_the_fold(page, quick)
    above_the_fold(page, page.get_by_role("button", name="Start emergency response"))
    first, second = full_set.bounding_box(), quick.bounding_box()
    assert first["x"] < second["x"]
    assert first["height"] >= 64 and 44 <= second["height"] < first["height"]


def test_the_full_form_fits_one_landscape_screen_with_large_scales(
    browser, live_server, committed_app
):
    accounts = seed(committed_app)
    # A set already taken, so every field shows its last value beside it.
    visit_id = floor(
        committed_app,
        ObservationInput(
            Consciousness.ALERT, respiratory_rate=14, spo2=97, pulse=80, poss=Poss.AWAKE, rass=0
        ),
    )
    page = tablet(browser, live_server, accounts, LANDSCAPE)
    page.goto(f"/visits/{visit_id}/observations/new")
    expect(page.get_by_text(re.compile(r"^Last: 14 at \d\d:\d\d$"))).to_be_visible()
    save = page.get_by_role("button", name="Save observation")
    above_the_fold(page, save)
    # Nothing to scroll to: every field sits above the Save bar, within the screen.
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    bar_top = page.locator(".obs-save-bar").bounding_box()["y"]
    fields = page.locator(".obs-form-col > .field, .obs-form-col > fieldset, .obs-late > summary")
    # ACVPU, POSS, six readings, the note, RASS, pupils, vomiting and "Recording late?".
    assert fields.count() == 13
    for box in (fields.nth(i).bounding_box() for i in range(fields.count())):
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= bar_top, box
    scales_are_large(page)


def test_upright_the_form_scrolls_but_save_stays_in_reach(browser, live_server, committed_app):
    accounts = seed(committed_app)
    visit_id = floor(committed_app)
    page = tablet(browser, live_server, accounts, PORTRAIT)
    page.goto(f"/visits/{visit_id}/observations/new")
    save = page.get_by_role("button", name="Save observation")
    above_the_fold(page, save)
    scales_are_large(page)
    # Scrolled to the foot of the form, Save is still in sight, and it still saves.
    vomiting = page.get_by_role("group", name="Vomiting")
    vomiting.get_by_label("No", exact=True).check()
    page.get_by_role("group", name="Consciousness (ACVPU)").get_by_label("A – Alert").check()
    box = save.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PORTRAIT["height"]
    save.click()
    expect(page.get_by_text("Observation saved: Partial – not rated.")).to_be_visible()
    assert checks_on(committed_app, visit_id) == [ObservationKind.FULL]


def scales_are_large(page: Page) -> None:
    """Every choice of RASS, POSS, ACVPU, pupils and vomiting is a radio button whose target
    (the whole choice, words and all) is at least 44 px each way; no drop-downs.
    """
    expect(page.locator("select")).to_have_count(0)
    for name in SCALES:
        group = page.get_by_role("group", name=name)
        radios = group.get_by_role("radio")
        assert radios.count() >= 2, name
        for index in range(radios.count()):
            target = group.locator("label").nth(index).bounding_box()
            assert target is not None and target["height"] >= 44 and target["width"] >= 44, (
                name,
                index,
                target,
            )


@pytest.mark.parametrize("javascript", [True, False], ids=["script", "no-script"])
def test_a_quick_check_within_close_watch_asks_for_a_full_set_first(
    browser, live_server, committed_app, javascript
):
    accounts = seed(committed_app)
    visit_id = floor(committed_app)
    page = tablet(browser, live_server, accounts, PORTRAIT, java_script_enabled=javascript)
    page.goto(f"/visits/{visit_id}")

    # A full set with POSS 3 puts the client on close watch.
    page.get_by_role("link", name="Full observation").click()
    page.get_by_role("group", name="Consciousness (ACVPU)").get_by_label("A – Alert").check()
    page.get_by_role("group", name="Sedation (POSS)").get_by_label(
        "3 – Frequently drowsy, drifts off mid-conversation"
    ).check()
    page.get_by_role("button", name="Save observation").click()
    checks = page.get_by_role("region", name="Checks")
    expect(checks).to_contain_text("close watch")

    # Quick check is asked about; nothing is recorded yet.
    checks.get_by_role("button", name="Quick check").click()
    expect(page.get_by_role("heading", name="Record a full set instead?")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Amber Heron 27 is on close watch: POSS 3.")
    full_set = page.get_by_role("link", name="Record a full set")
    anyway = page.get_by_role("button", name="Quick check anyway")
    for target in (full_set, anyway):
        above_the_fold(page, target)
        assert target.bounding_box()["height"] >= 64
    assert checks_on(committed_app, visit_id) == [ObservationKind.FULL]

    # Going ahead records it, and close watch goes on.
    anyway.click()
    expect(
        page.get_by_text(re.compile("Quick check recorded at .*breathing normally"))
    ).to_be_visible()
    expect(page.get_by_role("region", name="Checks")).to_contain_text("close watch")
    assert checks_on(committed_app, visit_id) == [ObservationKind.FULL, ObservationKind.QUICK_CHECK]

    # Asked again, the nurse takes the full set: calmer, it ends close watch.
    page.get_by_role("region", name="Checks").get_by_role("button", name="Quick check").click()
    page.get_by_role("link", name="Record a full set").click()
    page.get_by_role("group", name="Consciousness (ACVPU)").get_by_label("A – Alert").check()
    page.get_by_role("group", name="Sedation (POSS)").get_by_label("1 – Awake and alert").check()
    page.get_by_role("group", name="RASS").get_by_label("0 Alert and calm").check()
    page.get_by_role("button", name="Save observation").click()
    checks = page.get_by_role("region", name="Checks")
    expect(checks.get_by_role("button", name="Quick check")).to_contain_class("button-big")
    expect(checks).not_to_contain_text("close watch")
    with get_database(committed_app).new_session() as session:
        latest = session.scalars(
            select(Observation)
            .where(Observation.visit_id == visit_id)
            .order_by(Observation.id.desc())
        ).first()
        assert latest is not None and latest.rass == 0 and latest.poss is Poss.AWAKE
