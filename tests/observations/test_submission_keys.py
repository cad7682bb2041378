"""A form's submission key belongs to the visit (and the kind of check) it was issued for: sent
again for another visit, it saves nothing and says so, rather than "Observation saved" with
the other client's reading.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.observations.models import Observation, ObservationKind
from sitesys.observations.scoring import Consciousness
from sitesys.observations.services import (
    FormAlreadyUsed,
    ObservationInput,
    record_observation,
    record_quick_check,
)
from tests.factories import make_booth, make_client, make_visit
from tests.observations.helpers import full, nurse_with_visit


def observations_of(db, visit):
    return list(db.scalars(select(Observation).where(Observation.visit_id == visit.id)))


def second_visit(db, site, nurse):
    return make_visit(
        db,
        site,
        nurse,
        booth=make_booth(db, site, label="2"),
        client=make_client(db, site, display_tag="Teal Otter 3"),
    )


def test_a_full_set_sent_again_for_another_visit_saves_nothing_and_keeps_the_readings(client, db):
    site, first, nurse = nurse_with_visit(db, client)
    other = second_visit(db, site, nurse)
    form = full(respiratory_rate="16", spo2="97", pulse="80")
    saved = client.post(f"/visits/{first.id}/observations/new", data=form, follow_redirects=True)
    assert "Observation saved" in saved.get_data(as_text=True)

    replayed = {**form, "respiratory_rate": "9", "spo2": "89", "note": "Drowsy after smoking"}
    response = client.post(f"/visits/{other.id}/observations/new", data=replayed)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Observation saved" not in page
    assert (
        f"This form had already saved an observation for {first.display_tag}, so nothing was "
        "saved for Teal Otter 3."
    ) in page
    # The readings typed for this client are still on the form, with a new key to save them.
    assert 'value="9"' in page and "Drowsy after smoking" in page
    assert form["submission_key"] not in page
    assert observations_of(db, other) == []
    [kept] = observations_of(db, first)
    assert kept.respiratory_rate == 16

    # Saved again from the page as it came back, the reading is recorded for this client.
    new_key = page.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    again = client.post(
        f"/visits/{other.id}/observations/new", data={**replayed, "submission_key": new_key}
    )
    assert again.status_code == 302
    [recorded] = observations_of(db, other)
    assert recorded.respiratory_rate == 9 and recorded.note == "Drowsy after smoking"


def test_a_quick_check_sent_again_for_another_visit_records_nothing(client, db):
    site, first, nurse = nurse_with_visit(db, client)
    other = second_visit(db, site, nurse)
    key = {"submission_key": full()["submission_key"]}
    client.post(f"/visits/{first.id}/quick-check", data=key, follow_redirects=True)
    page = client.post(f"/visits/{other.id}/quick-check", data=key, follow_redirects=True).get_data(
        as_text=True
    )
    assert "responsive, breathing normally" not in page
    assert f"This button had already recorded a check for {first.display_tag}" in page
    assert observations_of(db, other) == []
    assert len(observations_of(db, first)) == 1


def test_a_key_is_bound_to_its_visit_and_its_kind_in_the_service(db, client):
    site, first, nurse = nurse_with_visit(db, client)
    other = second_visit(db, site, nurse)
    reading = ObservationInput(Consciousness.ALERT, respiratory_rate=16)
    saved = record_observation(db, nurse, first, reading, "0b6f3c1e-4a4b-4f53-9a43-5f0c1d2e3f40")
    # The same form again for the same visit is the one record (a double tap).
    assert (
        record_observation(db, nurse, first, reading, "0b6f3c1e-4a4b-4f53-9a43-5f0c1d2e3f40")
        is saved
    )
    with pytest.raises(FormAlreadyUsed):
        record_observation(db, nurse, other, reading, "0b6f3c1e-4a4b-4f53-9a43-5f0c1d2e3f40")
    # A full set's key sent as a quick check (or the reverse) is not the same form either.
    with pytest.raises(FormAlreadyUsed):
        record_quick_check(db, nurse, first, "0b6f3c1e-4a4b-4f53-9a43-5f0c1d2e3f40")
    assert [o.kind for o in observations_of(db, first)] == [ObservationKind.FULL]
    recorded = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "observation.recorded")
    ).all()
    assert len(recorded) == 1
