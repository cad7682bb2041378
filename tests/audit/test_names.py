"""The audit log in a person's words: records by label, tag or reference, fields in words."""

from __future__ import annotations

import re
import uuid

from sitesys.audit.services import record_event
from sitesys.auth.roles import Role
from sitesys.incidents.kinds import IncidentStatus
from sitesys.incidents.models import Incident
from tests.factories import make_booth, make_client, make_site, make_staff, make_visit, sign_in


def rows(page: str) -> list[str]:
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return [re.sub(r"\s+", " ", row) for row in body.split("<tr>")[1:]]


def test_records_are_named_as_staff_know_them_and_fields_read_in_words(client, db):
    site = make_site(db)
    manager = make_staff(db, Role.MANAGER, [site])
    booth = make_booth(db, site, label="7")
    person = make_client(db, site, display_tag="Amber Heron 27")
    visit = make_visit(db, site, manager, client_id=person.id, booth=booth)
    incident = Incident(
        id=uuid.uuid4(),
        site_id=site.id,
        visit_id=visit.id,
        status=IncidentStatus.DRAFT,
        reported_by_id=manager.id,
    )
    db.add(incident)
    db.flush()
    record_event(db, "booth.cleaned", actor=manager, record=booth)
    record_event(
        db,
        "visit.checked_in",
        actor=manager,
        record=visit,
        booth_id=booth.id,
        walk_in=False,
        new_client=True,
    )
    record_event(
        db, "incident.amended", actor=manager, record=incident, fields=["physical_harm", "outcome"]
    )
    sign_in(client, db, manager)
    page = client.get(f"/audit/?site={site.id}").get_data(as_text=True)
    signed_in, amended, checked_in, cleaned = rows(page)
    assert "<td>Manager" in signed_in  # a member of staff by name
    assert "<td>Booth 7</td>" in cleaned
    assert "<td>Visit of Amber Heron 27</td>" in checked_in
    assert "Booth: Booth 7" in checked_in
    assert "Walk in: no" in checked_in and "New client: yes" in checked_in
    assert f"<td>Incident {incident.reference}</td>" in amended
    assert "Fields: Physical harm, Outcome" in amended
    # No database ids or Python lists.
    assert str(visit.id)[:8] not in checked_in and "[" not in amended and "_" not in amended


def test_a_record_since_gone_is_named_by_its_kind_and_short_id(client, db):
    site = make_site(db)
    manager = make_staff(db, Role.MANAGER, [site])
    record_event(db, "handover_alert.raised", actor=None, site_id=site.id)
    sign_in(client, db, manager)
    page = client.get(f"/audit/?site={site.id}").get_data(as_text=True)
    assert "<code>handover_alert.raised</code>" in page
