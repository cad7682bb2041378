"""The handover draft is saved the one way (versions): each autosave that changes it is kept
and readable from the handover, and a stale Save shows the draft as it is with the typing beside
it."""

from __future__ import annotations

import re

from sqlalchemy import select

from sitesys.auth.roles import Role
from sitesys.handovers.models import Handover
from sitesys.handovers.services import draft_version
from sitesys.versions.models import RecordVersion
from tests.factories import make_staff, sign_in
from tests.handovers.test_drafts import HTMX, stock_field, typed, version_on


def test_each_autosave_that_changes_the_draft_is_kept_and_read_from_the_handover(client, db, floor):
    sign_in(client, db, floor["nurse"])
    client.post("/handovers/start")
    handover = db.scalar(select(Handover))
    naloxone = stock_field(handover, "Naloxone doses")
    first = client.post(
        f"/handovers/{handover.id}/draft",
        headers=HTMX,
        data=typed(handover, draft_version(handover), summary="Quiet so far"),
    ).get_data(as_text=True)
    second = client.post(
        f"/handovers/{handover.id}/draft",
        headers=HTMX,
        data=typed(handover, version_on(first), summary="Quiet so far", **{naloxone: "6"}),
    ).get_data(as_text=True)
    # The same typing autosaved again (a change event after the keyup): nothing new to keep.
    client.post(
        f"/handovers/{handover.id}/draft",
        headers=HTMX,
        data=typed(handover, version_on(second), summary="Quiet so far", **{naloxone: "6"}),
    )
    kept = list(db.scalars(select(RecordVersion).order_by(RecordVersion.number)))
    assert [(v.record_type, v.part, v.number) for v in kept] == [
        ("handover", "draft", 1),
        ("handover", "draft", 2),
    ]
    assert ["Summary", "Quiet so far"] in kept[0].fields
    assert ["Stock · Naloxone doses", "—"] in kept[0].fields
    assert ["Stock · Naloxone doses", "6"] in kept[1].fields
    assert ["Illness severity · Amber Heron 27", "—"] in kept[1].fields

    page = client.get(f"/handovers/{handover.id}").get_data(as_text=True)
    assert f'href="/handovers/{handover.id}/versions">versions of the draft (2)</a>' in page
    # Another lead of the site reads them too (whoever may read the handover).
    sign_in(client, db, make_staff(db, Role.NURSE, [floor["site"]]))
    history = client.get(f"/handovers/{handover.id}/versions").get_data(as_text=True)
    assert "Handover of the Early shift · versions of the draft" in history
    newest, oldest = history.index("Version 2"), history.index("Version 1")
    assert newest < oldest
    assert re.search(r"Stock · Naloxone doses <span[^>]*>Changed</span>", history[newest:oldest])
    assert history[newest:oldest].count("Changed</span>") == 1


def test_a_stale_save_shows_the_draft_as_it_is_and_the_typing_beside_it(client, db, floor):
    sign_in(client, db, floor["nurse"])
    client.post("/handovers/start")
    handover = db.scalar(select(Handover))
    stale = draft_version(handover)
    client.post(
        f"/handovers/{handover.id}/draft",
        headers=HTMX,
        data=typed(handover, stale, summary="Saved in the other tab"),
    )
    refused = client.post(
        f"/handovers/{handover.id}/draft",
        data=typed(handover, stale, summary="Typed in this tab", notes="Fire door sticks"),
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert f"at 11:00:00 by {floor['nurse'].display_name}, after this page was loaded" in page
    typed_here = page[page.index('aria-label="What you typed (not saved)"') :]
    assert "Typed in this tab" in typed_here and "Fire door sticks" in typed_here
    # The form now holds the draft as saved, and the version to save on top of it.
    assert re.search(r'id="summary"[^>]*>\s*Saved in the other tab</textarea>', page)
    db.refresh(handover)
    assert version_on(page) == draft_version(handover)
    assert handover.summary == "Saved in the other tab" and handover.notes is None
