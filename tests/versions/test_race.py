"""The versions' unique number is the last guard of the rule: two saves of one version that
both got past the record's lock (a caller that did not take it) are never both kept.
PostgreSQL, real commits: SQLite lets one writer in at a time, so there this cannot happen.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, text

from sitesys.auth.models import Staff
from sitesys.auth.roles import Role
from sitesys.db import get_database
from sitesys.versions.models import RecordVersion
from sitesys.versions.services import Editable, SavedElsewhere, save_version
from tests.factories import make_site, make_staff

pytestmark = [pytest.mark.committed, pytest.mark.backend("postgresql")]

NOTE = Editable("note", "care note")


class CareNote:
    audit_type = "care_note"

    def __init__(self, site_id: int) -> None:
        self.id = 7
        self.audit_site_id = site_id


def save(session, actor, note, text_typed):
    return save_version(
        session,
        actor,
        note,
        NOTE,
        opened=None,
        now={"text": ""},
        wanted={"text": text_typed},
        write=lambda: [("Note", text_typed)],
    )


def test_two_first_saves_without_the_lock_keep_one_and_refuse_the_other(committed_app):
    database = get_database(committed_app)
    with database.new_session() as session:
        site = make_site(session)
        staff = [make_staff(session, Role.NURSE, [site]) for _ in range(2)]
        session.commit()
        site_id, staff_ids = site.id, [person.id for person in staff]
    refused: list[BaseException] = []

    with database.new_session() as first:
        save(first, first.get(Staff, staff_ids[0]), CareNote(site_id), "First")

        def second() -> None:
            with database.new_session() as other:
                try:
                    save(other, other.get(Staff, staff_ids[1]), CareNote(site_id), "Two")
                    other.commit()
                except SavedElsewhere as refusal:
                    refused.append(refusal)

        thread = threading.Thread(target=second)
        thread.start()
        deadline = time.monotonic() + 10
        with database.engine.connect() as watch:
            while time.monotonic() < deadline and thread.is_alive():
                waiting = watch.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND wait_event_type = 'Lock'"
                    )
                )
                if waiting:
                    break
                time.sleep(0.02)
        first.commit()
        thread.join(timeout=30)

    assert len(refused) == 1 and refused[0].saved_by == staff[0].display_name
    with database.new_session() as check:
        kept = check.scalars(select(RecordVersion)).all()
        assert [(v.number, v.fields) for v in kept] == [(1, [["Note", "First"]])]
