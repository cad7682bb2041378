"""Saving a handover draft: partial saves, stale tabs, and a draft submitted elsewhere."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from sitesys.handovers.models import Handover, HandoverStatus
from sitesys.handovers.services import draft_version
from tests.factories import sign_in

HTMX = {"HX-Request": "true"}


@pytest.fixture
def handover(client, db, floor):
    sign_in(client, db, floor["nurse"])
    client.post("/handovers/start")
    return db.scalar(select(Handover))


def version_on(page: str) -> str:
    """The draft version a page's form (or an autosave's answer) carries."""
    found = re.search(r'id="draft-version" name="version" type="hidden" value="([^"]+)"', page)
    assert found, "the form carries no version"
    return found.group(1)


def typed(handover, version, **fields):
    """A whole draft form as the browser sends it: every field, typed or left empty."""
    data = {"version": version, "summary": "", "situation_awareness": "", "notes": ""}
    for row in handover.stock:
        data[f"stock_{row.id}"] = ""
    data.update(fields)
    return data


def stock_field(handover, item):
    return next(f"stock_{row.id}" for row in handover.stock if row.item == item)


# 1. One invalid field must not lose the rest, and the status line must say so.


def test_an_autosave_keeps_the_valid_fields_and_names_the_one_not_saved(client, db, handover):
    version = version_on(client.get(f"/handovers/{handover.id}").get_data(as_text=True))
    naloxone, oxygen = (
        stock_field(handover, "Naloxone doses"),
        stock_field(handover, "Oxygen cylinders"),
    )
    response = client.post(
        f"/handovers/{handover.id}/draft",
        headers=HTMX,
        data=typed(
            handover, version, summary="Two overdoses reversed", **{naloxone: "-3", oxygen: "2"}
        ),
    )
    status = response.get_data(as_text=True)
    # Answered 200 so that htmx swaps it in: a 4xx answer left "Draft saved" on the screen.
    assert response.status_code == 200
    assert "Not saved: Naloxone doses (Enter a count from 0 to 9999.)" in status
    assert "Everything else saved at 11:00:00" in status and "Draft saved" not in status
    # The field itself is marked, out of band, beside the input.
    assert (
        f'<span id="{naloxone}-not-saved" hx-swap-oob="true"><span class="error-message">'
        "Not saved: Enter a count from 0 to 9999.</span></span>"
    ) in status
    assert f'<span id="{oxygen}-not-saved" hx-swap-oob="true"></span>' in status
    db.refresh(handover)
    counts = {row.item: row.count for row in handover.stock}
    assert handover.summary == "Two overdoses reversed"
    assert counts == {"Naloxone doses": None, "Oxygen cylinders": 2}

    # Corrected, the mark goes and the status line says saved; the new version came back.
    fixed = client.post(
        f"/handovers/{handover.id}/draft",
        headers=HTMX,
        data=typed(
            handover,
            version_on(status),
            summary="Two overdoses reversed",
            **{naloxone: "3", oxygen: "2"},
        ),
    ).get_data(as_text=True)
    assert "Draft saved at 11:00:00" in fixed and "Not saved" not in fixed
    assert f'<span id="{naloxone}-not-saved" hx-swap-oob="true"></span>' in fixed
    db.refresh(handover)
    assert {row.item: row.count for row in handover.stock}["Naloxone doses"] == 3


def test_the_save_button_keeps_the_valid_fields_and_marks_the_invalid_one(client, db, handover):
    naloxone = stock_field(handover, "Naloxone doses")
    response = client.post(
        f"/handovers/{handover.id}/draft",
        data=typed(
            handover, draft_version(handover), notes="Fire door sticks", **{naloxone: "lots"}
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Saved, except:" in page and "Everything else you typed is saved." in page
    assert "Nothing was saved yet" not in page
    assert re.search(rf'aria-invalid="true"[^>]*id="{naloxone}"[^>]*value="lots"', page)
    db.refresh(handover)
    assert handover.notes == "Fire door sticks"
    # The page carries the new version, so the next save from it is not taken for a stale one.
    assert version_on(page) == draft_version(handover)


def test_submitting_refuses_an_invalid_count_with_the_field_marked(client, db, handover):
    naloxone = stock_field(handover, "Naloxone doses")
    data = typed(handover, draft_version(handover), summary="Quiet", **{naloxone: "-3"})
    for person in handover.people:
        data[f"severity_{person.id}"] = "stable"
    for row in handover.stock:
        data.setdefault(f"stock_{row.id}", "1")
        if data[f"stock_{row.id}"] == "":
            data[f"stock_{row.id}"] = "1"
    response = client.post(f"/handovers/{handover.id}/submit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Saved, except:" in page
    assert "Naloxone doses: Enter a count from 0 to 9999." in page
    db.refresh(handover)
    assert handover.status is HandoverStatus.DRAFT and handover.summary == "Quiet"


# 2. A tab loaded before another tab's save must not erase what that tab saved.


def test_a_stale_tab_cannot_erase_what_another_tab_saved(client, db, handover):
    tab_b = version_on(client.get(f"/handovers/{handover.id}").get_data(as_text=True))
    tab_a = version_on(client.get(f"/handovers/{handover.id}").get_data(as_text=True))
    saved_by_a = client.post(
        f"/handovers/{handover.id}/draft",
        headers=HTMX,
        data=typed(handover, tab_a, summary="Amber Heron 27 needed oxygen"),
    ).get_data(as_text=True)
    assert "Draft saved at" in saved_by_a

    # Tab B still shows the empty summary it was loaded with, and types notes.
    refused = client.post(
        f"/handovers/{handover.id}/draft",
        headers=HTMX,
        data=typed(handover, tab_b, notes="Fire door sticks"),
    )
    status = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "Not saved: this draft was saved elsewhere (another tab or device) at 11:00:00" in status
    assert "your last typing was not saved" in status and "Draft saved" not in status
    assert "hx-swap-oob" not in status  # tab B keeps its old version: it must reload
    db.refresh(handover)
    assert handover.summary == "Amber Heron 27 needed oxygen" and handover.notes is None

    # Tab A goes on saving with the version its last save gave back.
    again = client.post(
        f"/handovers/{handover.id}/draft",
        headers=HTMX,
        data=typed(handover, version_on(saved_by_a), summary="Amber Heron 27 settled"),
    ).get_data(as_text=True)
    assert "Draft saved at" in again
    # Reloaded, tab B sees tab A's text and can save on top of it.
    reloaded = client.get(f"/handovers/{handover.id}").get_data(as_text=True)
    assert "Amber Heron 27 settled" in reloaded
    client.post(
        f"/handovers/{handover.id}/draft",
        headers=HTMX,
        data=typed(
            handover, version_on(reloaded), summary="Amber Heron 27 settled", notes="Fire door"
        ),
    )
    db.refresh(handover)
    assert handover.summary == "Amber Heron 27 settled" and handover.notes == "Fire door"


def test_a_stale_save_button_shows_the_typing_and_saves_nothing(client, db, handover):
    stale = draft_version(handover)
    client.post(
        f"/handovers/{handover.id}/draft", headers=HTMX, data=typed(handover, stale, summary="A")
    )
    response = client.post(
        f"/handovers/{handover.id}/submit", data=typed(handover, stale, summary="B's summary")
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "saved elsewhere (another tab or device)" in page and "B&#39;s summary" in page
    db.refresh(handover)
    assert handover.summary == "A" and handover.status is HandoverStatus.DRAFT


def test_submit_tapped_while_the_autosave_of_the_same_typing_lands_first_submits(
    client, db, handover
):
    """The lead types the last count and taps Submit at once: the autosave of that typing
    arrives first. The submission holds nothing the saved draft lacks, so it goes through
    (it was refused as "saved elsewhere"); a form holding different text still is refused."""
    from tests.handovers.test_views import draft_data

    loaded = draft_version(handover)
    complete = draft_data(handover, version=loaded)
    autosaved = client.post(f"/handovers/{handover.id}/draft", headers=HTMX, data=complete)
    assert "Draft saved at" in autosaved.get_data(as_text=True)
    submitted = client.post(f"/handovers/{handover.id}/submit", data=complete)
    assert submitted.status_code == 302
    assert "Handover submitted." in client.get(submitted.location).get_data(as_text=True)
    db.refresh(handover)
    assert handover.status is HandoverStatus.SUBMITTED and handover.summary == "Busy morning"


def test_a_stale_form_differing_in_one_count_is_still_refused(client, db, handover):
    from tests.handovers.test_views import draft_data

    loaded = draft_version(handover)
    client.post(
        f"/handovers/{handover.id}/draft", headers=HTMX, data=draft_data(handover, version=loaded)
    )
    oxygen = stock_field(handover, handover.stock[0].item)
    stale = draft_data(handover, version=loaded, **{oxygen: "3"})
    refused = client.post(f"/handovers/{handover.id}/submit", data=stale)
    assert refused.status_code == 409
    db.refresh(handover)
    assert handover.status is HandoverStatus.DRAFT and handover.stock[0].count == 4


def test_a_form_without_a_version_saves_nothing(client, db, handover):
    response = client.post(
        f"/handovers/{handover.id}/draft", headers=HTMX, data={"summary": "From an old page"}
    )
    assert "Not saved" in response.get_data(as_text=True)
    db.refresh(handover)
    assert handover.summary is None


# 3. A draft submitted in another tab answers that tab's autosave with a status line.


def test_an_autosave_after_submission_elsewhere_gets_a_status_line_not_a_page(client, db, handover):
    stale = version_on(client.get(f"/handovers/{handover.id}").get_data(as_text=True))
    data = typed(handover, stale, summary="Quiet")
    for person in handover.people:
        data[f"severity_{person.id}"] = "stable"
    for row in handover.stock:
        data[f"stock_{row.id}"] = "1"
    client.post(f"/handovers/{handover.id}/submit", data=data)
    db.refresh(handover)
    assert handover.status is HandoverStatus.SUBMITTED

    response = client.post(
        f"/handovers/{handover.id}/draft", headers=HTMX, data=typed(handover, stale, notes="Late")
    )
    status = response.get_data(as_text=True)
    assert response.status_code == 200 and "Location" not in response.headers
    assert "This handover was submitted at 11:00; it can no longer be changed." in status
    assert "<header" not in status and "<nav" not in status
    # Nothing was left waiting to be flashed: the next page shows the refusal only once.
    again = client.post(f"/handovers/{handover.id}/submit", data=data, follow_redirects=True)
    assert again.get_data(as_text=True).count("can no longer change") == 1
    db.refresh(handover)
    assert handover.notes is None
