"""Printed records keep their words whole inside table cells."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from sitesys.auth.models import Staff
from sitesys.db import get_database
from sitesys.demo import DEMO_SITE
from sitesys.incidents.kinds import IncidentStatus
from sitesys.incidents.models import Incident, IncidentAmendment
from sitesys.sites.models import Site
from tests.browser.helpers import seed, sign_in
from tests.factories import scene

pytestmark = [pytest.mark.browser, pytest.mark.committed]

#: Every word of every table cell wider than its cell's text box: split across lines.
SPLIT_WORDS = """() => {
  const pen = document.createElement("canvas").getContext("2d");
  const split = [];
  for (const cell of document.querySelectorAll("main td, main th")) {
    const style = getComputedStyle(cell);
    pen.font = style.font;
    const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    for (const word of cell.innerText.split(/\\s+/)) {
      if (word && pen.measureText(word).width > room + 1) { split.push(word); }
    }
  }
  return split;
}"""


def test_the_printed_incident_splits_no_word_inside_a_table_cell(
    browser, live_server, committed_app
):
    accounts = seed(committed_app)
    with get_database(committed_app).new_session() as session:
        site = session.scalars(select(Site).where(Site.name == DEMO_SITE)).one()
        manager = session.scalars(select(Staff).where(Staff.username == "demo.manager")).one()
        incident = Incident(
            id=uuid.uuid4(),
            site_id=site.id,
            status=IncidentStatus.SUBMITTED,
            reported_by_id=manager.id,
            narrative="Found unresponsive after methamphetamine and benzodiazepines.",
        )
        session.add(incident)
        session.flush()
        session.add(
            IncidentAmendment(
                incident_id=incident.id,
                field="narrative",
                old_value="Unresponsiveness after benzodiazepines",
                new_value="Unresponsiveness after methamphetamine and benzodiazepines",
                reason="Counterindications misrecorded",
                amended_by_id=manager.id,
            )
        )
        scene(session)
        session.commit()
        incident_id = incident.id
    context = browser.new_context(base_url=live_server.url, viewport={"width": 600, "height": 900})
    page = context.new_page()
    sign_in(page, accounts, "demo.manager")
    page.goto(f"/incidents/{incident_id}/print")
    page.emulate_media(media="print")
    assert page.locator("main td").count() >= 6
    assert page.evaluate(SPLIT_WORDS) == []
    # On screen too: the printable view is read before it is printed.
    page.emulate_media(media="screen")
    assert page.evaluate(SPLIT_WORDS) == []
    context.close()
