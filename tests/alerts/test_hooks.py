"""Drug checking and alerts where staff already work: the desk, the visit page, the board and
the handover.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from sitesys.alerts.models import AlertShown, Severity
from sitesys.alerts.services import AlertInput, publish_alert
from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.board.services import read_board
from sitesys.checkin.models import DrugChecked, Visit, VisitStatus
from sitesys.clock import utcnow
from sitesys.drugchecks.models import Custody, CustodyAlert, SampleVisit
from sitesys.drugchecks.samples import link_sample
from sitesys.handovers.services import start_handover
from sitesys.sites.models import Site
from tests.checkin.helpers import check_in_form, floor
from tests.drugchecks.scenes import make_alert, make_sample
from tests.factories import make_client, make_site, make_staff, make_visit, sign_in
from tests.handovers.helpers import DAY, local, prepared_floor

PROOF = re.compile(r'name="alerts_shown" type="hidden" value="([0-9a-f]*)"')
CONFIRMED = re.compile(r'name="confirmed" type="hidden" value="([0-9a-f]+)"')


def _text(response):
    return response.get_data(as_text=True)


def _hidden(pattern, page):
    match = pattern.search(page)
    return match.group(1) if match else ""


@pytest.fixture
def desk(client, db):
    site, booths, desk = floor(db, client)
    manager = make_staff(db, Role.MANAGER, [site])
    return site, booths, desk, manager


def test_a_walk_in_naming_an_alerts_substance_is_warned_before_the_check_in_is_saved(
    client, db, desk
):
    site, _booths, _desk, manager = desk
    alert = make_alert(db, manager, [site], title="Fentanyl found in ketamine")
    form = {**check_in_form(client_code=None, walk_in="y", substances=["ketamine"]), "submit": "1"}
    first = client.post("/checkin", data=form)
    page = _text(first)
    assert first.status_code == 200
    assert "Warn the client: drug alert" in page and "Fentanyl found in ketamine" in page
    assert "Warn the client about the drug alert below, then press Check in again." in page
    assert db.scalar(select(Visit)) is None
    # The desk presses Check in again, with the form as it was drawn.
    saved = client.post("/checkin", data={**form, "alerts_shown": _hidden(PROOF, page)})
    assert saved.status_code == 302
    visit = db.scalar(select(Visit))
    assert visit is not None
    [shown] = db.scalars(select(AlertShown))
    assert (shown.visit_id, shown.alert_id) == (visit.id, alert.id)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "visit.alert_shown"))
    assert event is not None and event.detail == {"alert_ids": [str(alert.id)]}
    message = _text(client.get("/checkin"))
    assert "Alert shown: Fentanyl found in ketamine." in message


def test_a_client_found_first_is_shown_the_alert_and_checked_in_at_once(client, db, desk):
    site, _booths, _desk, manager = desk
    make_alert(db, manager, [site], title="Nitazenes in heroin", substances=("heroin",))
    form = check_in_form(substances=["heroin", "cocaine"])
    found = _text(client.post("/checkin", data={**form, "find": "1"}))
    assert "Nitazenes in heroin" in found
    saved = client.post(
        "/checkin",
        data={
            **form,
            "submit": "1",
            "confirmed": _hidden(CONFIRMED, found),
            "alerts_shown": _hidden(PROOF, found),
        },
    )
    assert saved.status_code == 302
    assert db.scalar(select(AlertShown)) is not None


def test_a_new_alert_published_meanwhile_is_shown_before_saving(client, db, desk):
    site, _booths, _desk, manager = desk
    make_alert(db, manager, [site], title="First alert")
    form = {**check_in_form(client_code=None, walk_in="y", substances=["ketamine"]), "submit": "1"}
    proof = _hidden(PROOF, _text(client.post("/checkin", data=form)))
    make_alert(db, manager, [site], title="Second alert")
    again = client.post("/checkin", data={**form, "alerts_shown": proof})
    assert again.status_code == 200 and "Second alert" in _text(again)
    assert db.scalar(select(Visit)) is None


def test_no_alert_no_interruption(client, db, desk):
    site, _booths, _desk, manager = desk
    make_alert(db, manager, [site], substances=("ketamine",))
    form = {**check_in_form(client_code=None, walk_in="y", substances=["cocaine"]), "submit": "1"}
    assert client.post("/checkin", data=form).status_code == 302
    assert db.scalar(select(AlertShown)) is None


def test_the_desk_offers_the_samples_checked_today_for_the_clients_earlier_visit(
    app, client, db, desk
):
    site, _booths, _desk, _manager = desk
    form = check_in_form(substances=["ketamine"], client_code="joma07")
    # The client's first visit of the day, with a sample checked and tied to it.
    looked_up = _text(client.post("/checkin", data={**form, "find": "1"}))
    first = client.post(
        "/checkin", data={**form, "submit": "1", "confirmed": _hidden(CONFIRMED, looked_up)}
    )
    assert first.status_code == 302
    earlier = db.scalar(select(Visit))
    checker = make_staff(db, Role.DRUG_CHECKER, [site])
    sample, _ = make_sample(db, app, site, checker, result_at=utcnow())
    link_sample(db, checker, sample, earlier)
    earlier.status, earlier.left_at = VisitStatus.LEFT, utcnow()
    db.flush()
    found = _text(client.post("/checkin", data={**form, "find": "1"}))
    assert "Samples checked today" in found and sample.reference in found
    base = {
        **form,
        "submission_key": str(uuid.uuid4()),
        "submit": "1",
        "confirmed": _hidden(CONFIRMED, found),
        "samples": [str(sample.id)],
    }
    refused = client.post("/checkin", data=base)
    assert refused.status_code == 422
    assert "choose Drug checked: Yes" in _text(refused)
    saved = client.post("/checkin", data={**base, "drug_checked": "yes"})
    assert saved.status_code == 302
    second = db.scalar(select(Visit).where(Visit.id != earlier.id))
    assert second.drug_checked is DrugChecked.YES
    tied = set(db.scalars(select(SampleVisit.visit_id).where(SampleVisit.sample_id == sample.id)))
    assert tied == {earlier.id, second.id}


def test_the_visit_page_links_its_samples_and_says_the_alert_was_shown(app, client, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse)
    visit = make_visit(db, site, nurse, client=make_client(db, site))
    sample, _ = make_sample(db, app, site, nurse, result_at=utcnow())
    other, _ = make_sample(db, app, site, nurse)
    link_sample(db, nurse, sample, visit)
    alert = make_alert(db, nurse, [site], title="Fentanyl found in ketamine")
    db.add(
        AlertShown(visit_id=visit.id, alert_id=alert.id, shown_at=utcnow(), shown_by_id=nurse.id)
    )
    db.flush()
    page = _text(client.get(f"/visits/{visit.id}"))
    assert f'href="/drug-checks/samples/{sample.id}">{sample.reference}</a>' in page
    assert "Something unexpected found" in page
    assert "Alert shown" in page and "Fentanyl found in ketamine" in page
    assert "Tie sample to this visit" in page and other.reference in page
    desk = make_staff(db, Role.FRONT_DESK, [site])
    sign_in(client, db, desk)
    page = _text(client.get(f"/visits/{visit.id}"))
    # The desk sees the reference, but the bench's page is not theirs to open.
    assert sample.reference in page and f"/drug-checks/samples/{sample.id}" not in page


def test_the_board_shows_active_alerts_and_samples_past_custody_at_its_top(app, client, db):
    site = make_site(db, custody_alert_minutes=30)
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse)
    now = utcnow()
    alert = make_alert(db, nurse, [site], title="Xylazine in heroin")
    make_alert(db, nurse, [site], title="Later alert", starts_at=now + timedelta(hours=2))
    late, _ = make_sample(db, app, site, nurse, result_at=now - timedelta(minutes=40))
    soon, _ = make_sample(db, app, site, nurse, result_at=now - timedelta(minutes=10))
    make_sample(db, app, site, nurse, result_at=now - timedelta(hours=2), custody=Custody.DISPOSED)
    board = read_board(db, site, now)
    assert [a.title for a in board.supply.alerts] == ["Xylazine in heroin"]
    assert [w.sample.id for w in board.supply.custody] == [late.id]
    # The board redraws itself when the next sample falls due (or sooner), scheduler or not.
    assert board.stable_until <= soon.result_at + timedelta(minutes=30)
    partial = _text(client.get("/board/partial", headers={"HX-Request": "true"}))
    assert "Drug alert: Xylazine in heroin" in partial and "Later alert" not in partial
    assert f"Sample {late.reference} is still on the bench" in partial
    assert f"/drug-alerts/{alert.id}" in partial


def test_a_board_poll_sees_a_new_alert_at_once(client, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    manager = make_staff(db, Role.MANAGER, [site])
    sign_in(client, db, nurse)
    first = client.get("/board/partial", headers={"HX-Request": "true"})
    stamp = re.search(r'data-board-stamp="([^"]+)"', _text(first)).group(1)
    assert (
        client.get(
            "/board/partial", headers={"HX-Request": "true", "X-Board-Stamp": stamp}
        ).status_code
        == 204
    )
    publish_alert(
        db,
        manager,
        AlertInput(
            title="Bromazolam sold as diazepam",
            sold_as="Blue pills",
            found="Bromazolam",
            advice="Expect heavy sedation.",
            severity=Severity.WARNING,
            starts_at=utcnow(),
            ends_at=utcnow() + timedelta(days=3),
            site_ids=[site.id],
            substances=["benzodiazepines"],
        ),
        submission_key=str(uuid.uuid4()),
        substances={"benzodiazepines": "Benzodiazepines"},
    )
    db.commit()
    after = client.get("/board/partial", headers={"HX-Request": "true", "X-Board-Stamp": stamp})
    assert after.status_code == 200 and "Bromazolam sold as diazepam" in _text(after)


def test_the_handover_lists_the_shifts_alerts_and_custody(app, db, floor_for_handover):
    site, nurse, shift = floor_for_handover
    now = utcnow()
    make_alert(db, nurse, [site], title="Active now")
    make_alert(
        db, nurse, [site], title="Ended this morning",
        starts_at=now - timedelta(days=3), ends_at=now - timedelta(hours=2),
    )  # fmt: skip
    make_alert(
        db, nurse, [site], title="Ended yesterday",
        starts_at=now - timedelta(days=3), ends_at=now - timedelta(days=1),
    )  # fmt: skip
    on_bench, _ = make_sample(db, app, site, nurse, result_at=now - timedelta(hours=1))
    settled, _ = make_sample(
        db, app, site, nurse, result_at=now - timedelta(hours=2), custody=Custody.HANDED_BACK,
        custody_at=now - timedelta(minutes=70),
    )  # fmt: skip
    db.add(
        CustodyAlert(
            site_id=site.id,
            sample_id=settled.id,
            due_at=now - timedelta(minutes=90),
            raised_at=now - timedelta(minutes=89),
            closed_at=now - timedelta(minutes=70),
        )
    )
    db.flush()
    handover = start_handover(db, nurse, site, shift)
    snap = handover.snapshot
    assert [a["title"] for a in snap["drug_alerts"]] == ["Active now", "Ended this morning"]
    assert [a["state"] for a in snap["drug_alerts"]] == ["Active", "Ended"]
    custody = {c["reference"]: c["settled"] for c in snap["custody"]}
    assert custody[on_bench.reference] is None
    assert custody[settled.reference].startswith("Handed back at")


@pytest.fixture
def floor_for_handover(db):
    """The handover tests' floor, at 11:00 in its Early shift (07:00 to 15:00)."""
    with time_machine.travel(local(Site(time_zone="Europe/London"), DAY, 11), tick=False):
        scene = prepared_floor(db, utcnow())
        yield scene["site"], scene["nurse"], scene["shift"]
