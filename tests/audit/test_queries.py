"""Who reads which site's trail, and the filters of the log (audit/queries.py)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from sitesys.audit.queries import (
    TrailFilters,
    readable_site,
    readable_sites,
    trail_people,
    trail_statement,
)
from sitesys.audit.services import record_event
from sitesys.auth.roles import Role
from tests.factories import make_site, make_staff, sign_in

LONDON = ZoneInfo("Europe/London")


def actions(db, limit, **filters):
    return {
        event.action
        for event in db.scalars(trail_statement(limit, TrailFilters(**filters), LONDON))
    }


def test_a_manager_reads_the_site_they_work_at_and_an_admin_every_site(db):
    site = make_site(db)
    manager = make_staff(db, Role.MANAGER, [site])
    admin = make_staff(db, Role.ADMIN)
    assert readable_site(manager, lambda: site) is site

    def no_site_asked():
        raise AssertionError("an admin's site is not asked: they may have none")

    assert readable_site(admin, no_site_asked) is None


def test_a_reader_of_one_site_reads_it_whatever_site_the_filter_names(db):
    mine, theirs = make_site(db), make_site(db)
    record_event(db, "booth.cleaned", actor=None, site_id=mine.id)
    record_event(db, "booth.retired", actor=None, site_id=theirs.id)
    assert actions(db, mine) == {"booth.cleaned"}
    assert actions(db, mine, site_id=theirs.id) == {"booth.cleaned"}
    assert actions(db, None, site_id=theirs.id) == {"booth.retired"}
    assert {"booth.cleaned", "booth.retired"} <= actions(db, None)


def test_the_filters_narrow_by_action_start_actor_scheduler_and_local_day(db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    record_event(db, "visit.checked_in", actor=nurse, site_id=site.id)
    record_event(db, "booth.cleaned", actor=None, site_id=site.id)
    assert actions(db, site, action="visit.") == {"visit.checked_in"}
    assert actions(db, site, action="visit_") == set()
    assert actions(db, site, actor_id=nurse.id) == {"visit.checked_in"}
    assert actions(db, site, by_scheduler=True) == {"booth.cleaned"}
    assert actions(db, site, date_from=date(2099, 1, 1)) == set()


def test_the_choices_offered_are_the_readers_own_site_and_its_staff_or_every_one(db):
    mine, theirs = make_site(db, name="Alpha"), make_site(db, name="Beta")
    colleague = make_staff(db, Role.NURSE, [mine])
    stranger = make_staff(db, Role.NURSE, [theirs])
    assert readable_sites(db, mine) == [mine]
    assert {mine, theirs} <= set(readable_sites(db, None))
    people = trail_people(db, mine)
    assert colleague in people and stranger not in people
    assert {colleague, stranger} <= set(trail_people(db, None))


@pytest.mark.parametrize(("role", "offered"), [(Role.MANAGER, False), (Role.ADMIN, True)])
def test_the_page_offers_other_sites_and_their_staff_only_to_a_reader_of_every_site(
    client, db, role, offered
):
    mine, theirs = make_site(db, name="Alpha"), make_site(db, name="Beta")
    make_staff(db, Role.NURSE, [theirs], display_name="Stranger Nurse")
    sign_in(client, db, make_staff(db, role, [mine]), mine)
    page = client.get("/audit/").get_data(as_text=True)
    assert (">All sites</option>" in page) is offered
    assert (">Beta</option>" in page) is offered
    assert (">Stranger Nurse</option>" in page) is offered
    assert ">Alpha</option>" in page
