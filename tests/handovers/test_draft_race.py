"""Saving one handover draft from two places at once (real commits, real threads): a save that
would erase what the other saved is refused, one that only repeats it goes on.
"""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.handovers.choices import handover_choices
from sitesys.handovers.models import Handover, HandoverStatus, IllnessSeverity
from sitesys.handovers.services import Draft, draft_version, save_draft, start_handover
from sitesys.versions.models import RecordVersion
from tests.factories import sign_in
from tests.handovers.helpers import prepared_floor
from tests.handovers.test_race import in_flight, post_in_thread, settle

pytestmark = pytest.mark.committed

HTMX = {"HX-Request": "true"}


def started(app: Flask, tablets: int = 1) -> tuple[object, int, str, list[FlaskClient]]:
    """A handover just started by its lead, the version its page carries, and the lead's tabs."""
    with get_database(app).new_session() as session:
        floor = prepared_floor(session, utcnow())
        shift, _ = handover_choices(session, floor["site"], utcnow())[0]
        handover = start_handover(session, floor["nurse"], floor["site"], shift)
        tabs = []
        for _ in range(tablets):
            tab = app.test_client()
            sign_in(tab, session, floor["nurse"])
            tabs.append(tab)
        session.commit()
        return handover.id, floor["nurse"].id, draft_version(handover), tabs


def complete_form(app: Flask, handover_id: object, version: str, summary: str) -> dict[str, str]:
    with get_database(app).new_session() as session:
        handover = session.get(Handover, handover_id)
        assert handover is not None
        form = {"version": version, "summary": summary}
        for person in handover.people:
            form[f"severity_{person.id}"] = "watcher"
        for row in handover.stock:
            form[f"stock_{row.id}"] = "4"
        return form


def the_draft(handover: Handover, summary: str) -> Draft:
    return Draft(
        summary=summary,
        severities={person.id: IllnessSeverity.WATCHER for person in handover.people},
        stock={row.id: 4 for row in handover.stock},
    )


@pytest.mark.backend("postgresql")
@pytest.mark.parametrize(("autosaved", "goes_through"), [("Busy morning", True), ("Other", False)])
def test_submit_tapped_while_an_autosave_is_in_flight_goes_on_only_if_it_loses_nothing(
    committed_app, autosaved, goes_through
):
    """The autosave of the lead's last typing is still being saved when Submit is tapped (its
    transaction open): the submission waits for it, then goes on when it holds the same typing
    and is refused when it would erase different text."""
    handover_id, lead_id, opened, [tab] = started(committed_app)
    form = complete_form(committed_app, handover_id, opened, "Busy morning")
    responses: list = []
    with in_flight(committed_app, handover_id) as (session, handover):
        _ = handover.people, handover.stock
        lead = session.get(Staff, lead_id)
        save_draft(session, lead, handover, the_draft(handover, autosaved), opened)
        thread = post_in_thread(tab, f"/handovers/{handover_id}/submit", form, responses)
        settle(committed_app, [thread], waiting=1)
    thread.join(timeout=30)

    [response] = responses
    with get_database(committed_app).new_session() as check:
        handover = check.get(Handover, handover_id)
        assert handover is not None
        if goes_through:
            assert response.status_code == 302
            assert handover.status is HandoverStatus.SUBMITTED
            assert handover.summary == "Busy morning"
        else:
            page = response.get_data(as_text=True)
            assert response.status_code == 409
            assert "This draft was saved elsewhere (another tab or device)" in page
            assert "Busy morning" in page  # the typing not saved, shown to copy
            assert handover.status is HandoverStatus.DRAFT and handover.summary == "Other"
        versions = check.scalars(select(RecordVersion.number)).all()
        assert versions == [1]  # the autosave's: a repeat of it keeps no second version


def test_two_tabs_autosaving_at_once_keep_one_and_tell_the_other(committed_app):
    """Two tabs of one draft, opened together, each autosave different text at the same
    instant: one is saved and kept as a version; the other is told it was not saved."""
    handover_id, _lead, opened, tabs = started(committed_app, tablets=2)
    summaries = ["Quiet until noon", "Two overdoses reversed"]
    forms = [
        {
            **complete_form(committed_app, handover_id, opened, summary),
            "csrf_token": tab.csrf_token(),
        }
        for tab, summary in zip(tabs, summaries, strict=True)
    ]
    barrier = threading.Barrier(2)
    responses: list = [None, None]

    def autosave(index: int) -> None:
        barrier.wait()
        responses[index] = tabs[index].post(
            f"/handovers/{handover_id}/draft", headers=HTMX, data=forms[index]
        )

    threads = [threading.Thread(target=autosave, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    lines = [response.get_data(as_text=True) for response in responses]
    saved = [i for i, line in enumerate(lines) if line.startswith("Draft saved at")]
    assert len(saved) == 1
    refused = lines[1 - saved[0]]
    assert refused.startswith('<span class="error-message">Not saved: this draft was saved')
    with get_database(committed_app).new_session() as check:
        handover = check.get(Handover, handover_id)
        assert handover is not None and handover.summary == summaries[saved[0]]
        [kept] = check.scalars(select(RecordVersion))
        assert kept.number == 1 and ["Summary", summaries[saved[0]]] in kept.fields
