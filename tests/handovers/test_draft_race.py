"""Submit tapped while the autosave of the same typing is still on its way (real commits on
PostgreSQL, where the submission can read the draft before the autosave commits)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.handovers.choices import handover_choices
from sitesys.handovers.models import Handover
from sitesys.handovers.services import Draft, DraftConflict, save_draft, start_handover
from tests.handovers.helpers import prepared_floor

pytestmark = [pytest.mark.committed, pytest.mark.backend("postgresql")]


def _started(app):
    with get_database(app).new_session() as session:
        floor = prepared_floor(session, utcnow())
        shift, _ = handover_choices(session, floor["site"], utcnow())[0]
        handover = start_handover(session, floor["nurse"], floor["site"], shift)
        session.commit()
        return handover.id, floor["nurse"].id


def _draft(handover: Handover, summary: str) -> Draft:
    return Draft(summary=summary, stock={row.id: 4 for row in handover.stock})


def _save_meanwhile(app, handover_id, nurse_id, summary: str) -> None:
    with get_database(app).new_session() as other:
        handover = other.get(Handover, handover_id)
        save_draft(
            other,
            other.get(Staff, nurse_id),
            handover,
            _draft(handover, summary),
            handover.saved_at,
        )
        other.commit()


@pytest.mark.parametrize(("theirs", "goes_through"), [("Busy morning", True), ("Other", False)])
def test_a_save_read_before_another_commits_goes_on_only_if_it_loses_nothing(
    committed_app, theirs, goes_through
):
    handover_id, nurse_id = _started(committed_app)
    with get_database(committed_app).new_session() as session:
        handover = session.scalar(select(Handover).where(Handover.id == handover_id))
        loaded = handover.saved_at
        assert [row.count for row in handover.stock]  # read before the other save commits
        _save_meanwhile(committed_app, handover_id, nurse_id, theirs)
        nurse = session.get(Staff, nurse_id)
        mine = _draft(handover, "Busy morning")
        if goes_through:
            save_draft(session, nurse, handover, mine, loaded)
            session.commit()
        else:
            with pytest.raises(DraftConflict):
                save_draft(session, nurse, handover, mine, loaded)
            session.rollback()
    with get_database(committed_app).new_session() as check:
        saved = check.get(Handover, handover_id)
        assert saved.summary == ("Busy morning" if goes_through else "Other")
