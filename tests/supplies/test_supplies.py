"""Supplies with quantities: the catalogue, the steppers' saves (once, never overwriting a
quantity changed meanwhile), the desk's ticks given as one, and the migration of old ticks."""

from __future__ import annotations

import uuid

import pytest
from alembic import command
from sqlalchemy import func, select, text

from sitesys.audit.models import AuditEvent
from sitesys.checkin.models import ServiceGiven, VisitService, VisitStatus
from sitesys.db import make_engine
from sitesys.i18n import pseudo
from sitesys.migrations_config import alembic_config
from sitesys.refusals import NotAllowed
from sitesys.sites.services import SiteSettings, create_site
from sitesys.supplies.models import DEFAULT_SUPPLIES, SupplyItem, VisitSupply
from sitesys.supplies.services import (
    SuppliesChanged,
    SuppliesRefused,
    add_default_supplies,
    catalogue,
    give_ticked_supplies,
    set_quantities,
    supplies_of_visit,
)
from tests.factories import insert_site_row, make_visit, scene, sign_in
from tests.incidents.helpers import make_floor


def stocked(db):
    floor = make_floor(db)
    add_default_supplies(db, floor.site)
    return floor, {item.code: item for item in catalogue(db, floor.site)}


def test_a_new_site_starts_with_the_issues_supplies_and_their_units(db):
    floor = make_floor(db)
    site = create_site(db, floor.admin, SiteSettings(name="Harbour Street"))
    assert [(i.label, i.unit) for i in catalogue(db, site, on_visits=True)] == [
        (label, unit) for _code, label, unit in DEFAULT_SUPPLIES
    ]
    assert "Naloxone kit (intranasal)" in [i.label for i in catalogue(db, site)]


def test_quantities_are_set_once_and_never_overwrite_a_change_made_meanwhile(db):
    floor, items = stocked(db)
    kit, water = items["sterile_kit"], items["water"]
    changes = set_quantities(
        db, floor.desk, floor.site, floor.visit, {kit.id: 3, water.id: 0}, shown={}
    )
    assert [(c.item.code, c.before, c.after) for c in changes] == [("sterile_kit", 0, 3)]
    # The same save again (a double tap, a second tablet): nothing changes, nothing refused.
    assert (
        set_quantities(db, floor.nurse, floor.site, floor.visit, {kit.id: 3}, shown={kit.id: 0})
        == []
    )
    # A page drawn before the 3 was saved asks for 2: refused, the 3 stands.
    with pytest.raises(SuppliesChanged, match="someone else has just recorded 3"):
        set_quantities(db, floor.nurse, floor.site, floor.visit, {kit.id: 2}, shown={kit.id: 0})
    changes = set_quantities(
        db, floor.nurse, floor.site, floor.visit, {kit.id: 5}, shown={kit.id: 3}
    )
    [row] = supplies_of_visit(db, floor.visit)
    assert (row.quantity, row.recorded_by_id, row.changed_by_id) == (
        5,
        floor.desk.id,
        floor.nurse.id,
    )
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "visit.supplies_given")).all()
    assert [(e.detail["items"], e.detail["quantities"]) for e in events] == [
        (["sterile_kit"], [3]),
        (["sterile_kit"], [5]),
    ]
    assert [e.detail["given"] for e in events] == [3, 2]


def test_supplies_need_an_open_visit_the_sites_items_and_sensible_numbers(db):
    floor, items = stocked(db)
    other = make_floor(db)
    add_default_supplies(db, other.site)
    theirs = catalogue(db, other.site)[0]
    with pytest.raises(SuppliesRefused, match="this site's list"):
        set_quantities(db, floor.desk, floor.site, floor.visit, {theirs.id: 1}, shown={})
    with pytest.raises(SuppliesRefused, match="0 to 99"):
        set_quantities(db, floor.desk, floor.site, floor.visit, {items["foil"].id: 100}, shown={})
    gone = make_visit(db, floor.site, floor.desk, status=VisitStatus.LEFT)
    with pytest.raises(SuppliesRefused, match="has left"):
        set_quantities(db, floor.desk, floor.site, gone, {items["foil"].id: 1}, shown={})
    with pytest.raises(NotAllowed):
        set_quantities(db, floor.checker, floor.site, floor.visit, {items["foil"].id: 1}, shown={})


def test_kits_ticked_at_the_desk_are_given_as_one(db):
    floor, _items = stocked(db)
    for service in (ServiceGiven.FOIL, ServiceGiven.NALOXONE_KIT, ServiceGiven.EDUCATION):
        floor.visit.services.append(VisitService(service=service, recorded_by_id=floor.desk.id))
    scene(db)
    give_ticked_supplies(db, floor.desk, floor.site, floor.visit)
    given = {row.item.code: row.quantity for row in supplies_of_visit(db, floor.visit)}
    assert given == {"foil": 1, "naloxone_kit": 1}
    hidden = db.scalar(
        select(SupplyItem).where(
            SupplyItem.site_id == floor.site.id, SupplyItem.code == "naloxone_kit"
        )
    )
    assert hidden is not None and not hidden.is_active
    assert hidden.label == "Naloxone kit (kind not recorded)"


def test_the_visit_pages_steppers(client, db):
    floor, items = stocked(db)
    sign_in(client, db, floor.desk)
    page = client.get(f"/visits/{floor.visit.id}").get_data(as_text=True)
    kit = items["sterile_kit"]
    assert f'name="qty-{kit.id}"' in page and "One more Sterile injecting kit" in page
    assert "Record services" not in page
    form = {f"qty-{kit.id}": "2", f"shown-{kit.id}": "0", f"qty-{items['water'].id}": "0"}
    response = client.post(f"/visits/{floor.visit.id}/supplies", data=form, follow_redirects=True)
    assert "Recorded: Sterile injecting kit 2." in response.get_data(as_text=True)
    again = client.post(f"/visits/{floor.visit.id}/supplies", data=form, follow_redirects=True)
    assert "No quantity changed." in again.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(VisitSupply)) == 1
    stale = client.post(
        f"/visits/{floor.visit.id}/supplies",
        data={f"qty-{kit.id}": "4", f"shown-{kit.id}": "0"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "someone else has just recorded 2" in stale
    bad = client.post(
        f"/visits/{floor.visit.id}/supplies",
        data={f"qty-{kit.id}": "two", f"shown-{kit.id}": "2"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Quantities are whole numbers" in bad
    page = client.get(f"/visits/{floor.visit.id}").get_data(as_text=True)
    assert f'id="qty-{kit.id}" name="qty-{kit.id}" value="2"' in page


def test_the_check_in_desk_gives_ticked_kits_as_one(app, client, db):
    from tests.checkin.helpers import check_in, floor

    site, _booths, _desk = floor(db, client)
    add_default_supplies(db, site)
    response = check_in(client, services=["sterile_kit", "referral_offered"])
    assert response.status_code == 302
    [row] = db.scalars(select(VisitSupply)).all()
    assert row.item.code == "sterile_kit" and row.quantity == 1


STAFF_ROW = (
    "INSERT INTO staff (id, username, display_name, role, is_active, password_hash, created_at) "
    "VALUES (1, 'nia', 'Nia Nurse', 'nurse', true, 'x', '2026-01-01 00:00:00+00:00')"
)
VISIT_ROW = (
    "INSERT INTO visits (id, site_id, status, route, drug_checked, checked_in_at, "
    "checked_in_by_id, submission_key, spo2_scale) VALUES (:id, 1, 'left', 'inject', 'no', "
    "'2026-11-01 10:00:00+00:00', 1, :key, 1)"
)
TICK_ROW = (
    "INSERT INTO visit_services (visit_id, service, recorded_at, recorded_by_id) "
    "VALUES (:visit_id, :service, '2026-11-01 10:05:00+00:00', 1)"
)


def test_the_migration_carries_old_ticks_as_quantity_one_and_steps_down_and_up(throwaway):
    url = throwaway.create("supplies")
    config = alembic_config(url)
    command.upgrade(config, "care_0003")
    engine = make_engine(url)
    one, two = uuid.uuid4(), uuid.uuid4()
    uuid_value = (lambda u: u.hex) if engine.dialect.name == "sqlite" else (lambda u: u)
    with engine.begin() as connection:
        connection.execute(text(STAFF_ROW))
        insert_site_row(connection, id=1, public_id="abc")
        for visit in (one, two):
            connection.execute(text(VISIT_ROW), {"id": uuid_value(visit), "key": str(visit)})
        for visit, service in (
            (one, "sterile_kit"),
            (one, "naloxone_kit"),
            (one, "education"),
            (two, "foil"),
            (two, "referral_offered"),
        ):
            connection.execute(text(TICK_ROW), {"visit_id": uuid_value(visit), "service": service})

    def carried():
        with engine.connect() as connection:
            return sorted(
                (
                    str(uuid.UUID(str(visit))) if not isinstance(visit, uuid.UUID) else str(visit),
                    code,
                    quantity,
                    by,
                )
                for visit, code, quantity, by in connection.execute(
                    text(
                        "SELECT s.visit_id, i.code, s.quantity, s.recorded_by_id "
                        "FROM visit_supplies s JOIN supply_items i ON i.id = s.item_id"
                    )
                )
            )

    command.upgrade(config, "care_0004")
    expected = sorted(
        [
            (str(one), "sterile_kit", 1, 1),
            (str(one), "naloxone_kit", 1, 1),
            (str(two), "foil", 1, 1),
        ]
    )
    assert carried() == expected
    with engine.connect() as connection:
        active = connection.execute(
            text("SELECT code, is_active FROM supply_items WHERE site_id = 1 ORDER BY position")
        ).all()
    assert [code for code, _ in active][:10] == [code for code, _l, _u in DEFAULT_SUPPLIES]
    assert ("naloxone_kit", False) in [(code, bool(flag)) for code, flag in active]
    command.downgrade(config, "care_0003")
    with engine.connect() as connection:
        ticks = connection.scalar(text("SELECT count(*) FROM visit_services"))
    assert ticks == 5  # nothing recorded is lost
    command.upgrade(config, "care_0004")
    assert carried() == expected
    engine.dispose()


def test_a_default_item_is_named_in_the_readers_language_and_a_renamed_one_as_written(client, db):
    floor, items = stocked(db)
    items["water"].label = "Bottled water (500 ml)"
    db.flush()
    sign_in(client, db, floor.desk)
    page = client.get(f"/visits/{floor.visit.id}?lang=en_XA").get_data(as_text=True)
    assert pseudo("Sterile injecting kit") in page, "a default item goes through the catalogue"
    assert pseudo("kit") in page, "and its default unit"
    assert "Bottled water (500 ml)" in page, "a site's own name is shown as the site wrote it"
    assert items["sterile_kit"].label == "Sterile injecting kit", "the catalogue keeps its words"
