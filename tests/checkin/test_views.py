from __future__ import annotations

import re

import pytest
from sqlalchemy import String, Text, func, or_, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.checkin.models import Visit, VisitStatus
from sitesys.clients.codes import code_digest
from sitesys.clients.models import Client, FlagKind
from sitesys.clients.services import add_flag
from sitesys.clock import utcnow
from sitesys.db import Base
from sitesys.sites.models import BoothKind, BoothStatus
from tests.checkin.helpers import check_in, check_in_form, confirmed, floor
from tests.factories import make_booth, make_client, make_site, make_staff, make_visit, sign_in


def visits(db):
    return list(db.scalars(select(Visit)))


def test_check_in_form_uses_the_words_staff_are_trained_on(client, db):
    floor(db, client)
    page = client.get("/checkin").get_data(as_text=True)
    for label in ("Client code", "Anonymous walk-in"):
        assert f">{label}</label>" in page or f"> {label}</label>" in page, label
    for legend in ("Substances", "Route", "Drug checked", "Booth", "Services given"):
        assert f"<legend>{legend}</legend>" in page, legend
    assert ">Check in</button>" in page and ">Find client</button>" in page
    assert "Code recipe:" in page and "Waiting list" in page and "Booth 1" in page


def test_new_client_is_shown_first_then_checked_in_into_a_booth(client, app, db):
    _site, booths, desk = floor(db, client)
    form = check_in_form(booth=str(booths[0].id), substances=["ketamine", "heroin"])
    lookup = client.post("/checkin", data={**form, "find": "1"}).get_data(as_text=True)
    assert "New client" in lookup
    assert visits(db) == []
    response = client.post("/checkin", data=confirmed(client, form))
    assert response.status_code == 302
    [visit] = visits(db)
    assert visit.status is VisitStatus.IN_BOOTH and visit.booth_id == booths[0].id
    assert visit.booth_entered_at is not None and visit.checked_in_by_id == desk.id
    assert sorted(s.code for s in visit.substances) == ["heroin", "ketamine"]
    client_row = db.get(Client, visit.client_id)
    key = app.config["SITESYS_CLIENT_CODE_KEY"]
    assert client_row.code_digest == code_digest("JOMA07", key)
    db.refresh(booths[0])
    assert booths[0].status is BoothStatus.OCCUPIED
    message = client.get("/checkin").get_data(as_text=True)
    assert f"Checked in {client_row.display_tag} (new client): Booth 1." in message
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "visit.checked_in"))
    assert event.detail == {"booth_id": booths[0].id, "walk_in": False, "new_client": True}


def test_checking_in_without_looking_up_first_shows_the_client_and_asks_again(client, db):
    floor(db, client)
    response = client.post("/checkin", data={**check_in_form(), "submit": "1"})
    body = response.get_data(as_text=True)
    assert "Check the client&#39;s details below, then press Check in again." in body
    assert "New client" in body
    assert visits(db) == []


def test_the_plain_code_is_stored_nowhere(client, db):
    floor(db, client)
    check_in(client, client_code="zqxv93")
    assert len(visits(db)) == 1
    for table in Base.metadata.sorted_tables:
        text_columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not text_columns:
            continue
        hits = db.execute(
            select(func.count())
            .select_from(table)
            .where(or_(*(func.upper(c).contains("ZQXV93") for c in text_columns)))
        ).scalar()
        assert hits == 0, table.name


def test_returning_client_is_recognised_with_visits_and_flags(client, app, db):
    site, _booths, desk = floor(db, client)
    digest = code_digest("JOMA07", app.config["SITESYS_CLIENT_CODE_KEY"])
    known = make_client(db, site, code_digest=digest, display_tag="Amber Heron 27")
    nurse = make_staff(db, Role.NURSE, [site])
    old = make_visit(db, site, desk, client=known, status=VisitStatus.LEFT)
    add_flag(
        db, nurse, known, kind=FlagKind.SEIZURE_HISTORY, note="Seizure after benzos", ends_on=None
    )
    page = client.post("/checkin", data={**check_in_form(client_code="jo ma 07"), "find": "1"})
    body = page.get_data(as_text=True)
    assert "Amber Heron 27" in body and "Seizure history: Seizure after benzos" in body
    assert "<dt>Visits</dt><dd>1</dd>" in body
    check_in(client, client_code="JOMA07")
    assert {v.client_id for v in visits(db)} == {known.id}
    assert old.id in {v.id for v in visits(db)}


def test_anonymous_walk_in_has_no_client_record(client, db):
    floor(db, client)
    response = check_in(client, client_code=None, walk_in="y")
    assert response.status_code == 302
    [visit] = visits(db)
    assert visit.client_id is None and visit.status is VisitStatus.WAITING
    assert db.scalar(select(func.count()).select_from(Client)) == 0


def test_first_visit_details_are_optional_and_kept(client, db):
    floor(db, client)
    check_in(client, age_band="25_34", gender="prefer_not_to_say")
    new = db.scalar(select(Client))
    assert new.age_band.value == "25_34" and new.gender.value == "prefer_not_to_say"


def restricted(db, app, site, manager_or_nurse):
    digest = code_digest("JOMA07", app.config["SITESYS_CLIENT_CODE_KEY"])
    known = make_client(db, site, code_digest=digest)
    add_flag(
        db,
        manager_or_nurse,
        known,
        kind=FlagKind.SERVICE_RESTRICTION,
        note="Threatened staff",
        ends_on=utcnow().date().replace(year=utcnow().year + 1),
    )
    return known


def test_active_restriction_blocks_the_desk(client, app, db):
    site, _booths, _desk = floor(db, client)
    restricted(db, app, site, make_staff(db, Role.MANAGER, [site]))
    response = check_in(client, override_reason="Trying anyway")
    assert response.status_code == 409
    assert "Check-in is blocked: Service restriction until" in response.get_data(as_text=True)
    assert visits(db) == []


def test_manager_overrides_a_restriction_with_a_reason(client, app, db):
    site, _booths, manager = floor(db, client, Role.MANAGER)
    restricted(db, app, site, manager)
    assert check_in(client).status_code == 409
    response = check_in(client, override_reason="Agreed with the team: calm today")
    assert response.status_code == 302
    [visit] = visits(db)
    assert visit.restriction_override_reason == "Agreed with the team: calm today"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "visit.restriction_overridden"))
    assert event is not None and event.actor_id == manager.id
    assert "calm" not in str(event.detail)


def test_expired_restriction_no_longer_blocks(client, app, db):
    site, _booths, _desk = floor(db, client)
    known = restricted(db, app, site, make_staff(db, Role.MANAGER, [site]))
    known.flags[0].ends_on = utcnow().date().replace(year=2000)
    db.flush()
    assert check_in(client).status_code == 302
    [visit] = visits(db)
    assert visit.client_id == known.id and visit.restriction_override_reason is None


def test_a_second_check_in_shows_the_open_visit(client, db):
    floor(db, client)
    check_in(client)
    response = check_in(client)
    [visit] = visits(db)
    assert response.headers["Location"] == f"/visits/{visit.id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is already checked in (on the waiting list)" in page


def test_a_resubmitted_form_creates_one_visit(client, db):
    floor(db, client)
    form = confirmed(client, check_in_form())
    first = client.post("/checkin", data=form)
    second = client.post("/checkin", data=form)
    assert first.status_code == second.status_code == 302
    assert len(visits(db)) == 1
    assert "Already checked in" in client.get("/checkin").get_data(as_text=True)


@pytest.mark.parametrize("next_client", ["coded", "walk-in"])
def test_a_form_brought_back_for_the_next_client_saves_nothing_and_says_so(client, db, next_client):
    """Back, then the same page (its submission key) used for someone else: not "Already checked
    in" with the previous client, which left the next one unchecked-in without a word."""
    floor(db, client)
    key = check_in_form()["submission_key"]
    first = client.post("/checkin", data=confirmed(client, check_in_form(submission_key=key)))
    assert first.status_code == 302
    [earlier] = visits(db)
    if next_client == "coded":
        form = confirmed(client, check_in_form(client_code="bobo11", submission_key=key))
    else:
        form = {**check_in_form(client_code=None, walk_in="y", submission_key=key), "submit": "1"}
    refused = client.post("/checkin", data=form)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert (
        f"This form had already checked in {earlier.display_tag}, so nothing was saved for this "
        "client. Press Check in again." in page
    )
    assert visits(db) == [earlier]
    assert db.scalar(select(func.count()).select_from(Client)) == 1
    fresh = re.search(r'name="submission_key" type="hidden" value="([^"]+)"', page)
    if fresh is None:
        fresh = re.search(
            r'id="submission_key" name="submission_key" type="hidden" value="([^"]+)"', page
        )
    assert fresh and fresh.group(1) != key
    again = client.post("/checkin", data={**form, "submission_key": fresh.group(1)})
    assert again.status_code == 302 and len(visits(db)) == 2


@pytest.mark.parametrize("where", ["waiting", "booth"])
def test_a_resubmitted_walk_in_creates_one_visit_and_one_audit_event(client, db, where):
    """A walk-in has no client to find already in: the form's unique key (or its booth, now
    taken by the first submission) is what finds the visit the first one made."""
    _site, booths, _desk = floor(db, client)
    booth = "waiting" if where == "waiting" else str(booths[0].id)
    form = {**check_in_form(client_code=None, walk_in="y", booth=booth), "submit": "1"}
    first = client.post("/checkin", data=form)
    second = client.post("/checkin", data=form)
    assert first.status_code == second.status_code == 302
    [visit] = visits(db)
    assert visit.booth_id == (None if where == "waiting" else booths[0].id)
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "visit.checked_in")).all()
    assert len(events) == 1
    page = client.get("/checkin").get_data(as_text=True)
    placed = "the waiting list" if where == "waiting" else "Booth 1"
    assert f"Already checked in: {visit.display_tag}, {placed}." in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"client_code": "12"}, "does not follow this site&#39;s recipe"),
        ({"client_code": ""}, "Enter the client&#39;s code, or tick Anonymous walk-in."),
        ({"substances": ["moonrock"]}, "Choose substances from this site&#39;s list."),
        ({"substances": []}, "Choose what the client plans to use."),
        ({"route": "intravenous-ish"}, "Choose inject, smoke, snort, oral or other."),
        ({"booth": "999999"}, "Choose one of the free booths or the waiting list."),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(client, db, overrides, message):
    floor(db, client)
    form = {**check_in_form(**overrides), "submit": "1"}
    response = client.post("/checkin", data=form)
    assert response.status_code in (409, 422)
    assert message in response.get_data(as_text=True)
    assert visits(db) == []
    assert db.scalar(select(func.count()).select_from(Client)) == 0


def test_a_booth_of_another_site_is_refused(client, db):
    floor(db, client)
    theirs = make_booth(db, make_site(db))
    response = check_in(client, booth=str(theirs.id))
    assert "Choose one of the free booths or the waiting list." in response.get_data(as_text=True)
    assert visits(db) == []


def test_a_booth_taken_since_the_form_loaded_keeps_the_form(client, db):
    site, booths, desk = floor(db, client)
    form = confirmed(client, check_in_form(booth=str(booths[0].id), substances=["cocaine"]))
    make_visit(db, site, desk, booth=booths[0])
    response = client.post("/checkin", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Booth 1 was just taken — choose another." in body
    assert 'value="cocaine" checked' in body or 'checked id="substances-3"' in body
    assert 'value="joma07"' in body
    assert len(visits(db)) == 1


def test_smoking_goes_to_a_smoking_booth(client, db):
    site, booths, _desk = floor(db, client)
    smoking = make_booth(db, site, label="S1", kind=BoothKind.SMOKING)
    refused = check_in(client, route="smoke", booth=str(booths[0].id))
    assert (
        "Booth 1 is not a smoking booth: choose a smoking booth for someone who will smoke."
        in refused.get_data(as_text=True)
    )
    assert visits(db) == []
    assert check_in(client, route="smoke", booth=str(smoking.id)).status_code == 302
    [visit] = visits(db)
    assert visit.booth_id == smoking.id and visit.status is VisitStatus.IN_BOOTH


def test_injecting_is_refused_a_smoking_booth_in_a_plain_sentence(client, db):
    site, _booths, _desk = floor(db, client)
    smoking = make_booth(db, site, label="S1", kind=BoothKind.SMOKING)
    refused = check_in(client, route="inject", booth=str(smoking.id))
    assert refused.status_code == 409
    assert (
        "Booth S1 is a smoking booth: choose another booth for someone who will inject."
        in refused.get_data(as_text=True)
    )
    assert visits(db) == []


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (BoothStatus.OUT_OF_SERVICE, "Booth 1 is out of service — choose another."),
        (BoothStatus.NEEDS_CLEANING, "Booth 1 needs cleaning — choose another."),
    ],
)
def test_a_booth_not_free_since_the_form_loaded_says_why_and_keeps_the_form(
    client, db, status, message
):
    _site, booths, _desk = floor(db, client)
    form = confirmed(client, check_in_form(booth=str(booths[0].id), substances=["cocaine"]))
    booths[0].status = status
    booths[0].out_of_service_reason = (
        "Lock broken" if status is BoothStatus.OUT_OF_SERVICE else None
    )
    db.flush()
    response = client.post("/checkin", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert message in body and "was just taken" not in body
    assert 'value="cocaine" checked' in body or 'checked id="substances-3"' in body
    assert 'value="joma07"' in body
    assert visits(db) == []
    db.refresh(booths[0])
    assert booths[0].status is status


@pytest.mark.parametrize("button", ["find", "submit"])
def test_a_code_with_anonymous_walk_in_ticked_is_refused_not_dropped(client, db, button):
    floor(db, client)
    form = {**check_in_form(client_code="joma07", walk_in="y"), button: "1"}
    response = client.post("/checkin", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        '<span class="error-message" id="client_code-error">'
        "Clear the client code or untick Anonymous walk-in.</span>" in body
    )
    assert visits(db) == []
    assert db.scalar(select(func.count()).select_from(Client)) == 0
    written = select(func.count()).where(
        or_(AuditEvent.action.like("visit.%"), AuditEvent.action.like("client.%"))
    )
    assert db.scalar(written) == 0


def test_a_blank_code_with_anonymous_walk_in_ticked_is_a_walk_in(client, db):
    floor(db, client)
    response = check_in(client, client_code="  ", walk_in="y")
    assert response.status_code == 302
    [visit] = visits(db)
    assert visit.client_id is None


def test_a_code_too_long_is_told_once(client, db):
    floor(db, client)
    response = client.post("/checkin", data={**check_in_form(client_code="A" * 61), "submit": "1"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert body.count('id="client_code-error"') == 1
    assert body.count("A client code is at most 40 characters.") == 2  # summary and field
    assert visits(db) == []


def test_checkboxes_are_not_each_marked_required(client, db):
    """A `required` checkbox in a list makes the browser demand every one be ticked."""
    floor(db, client)
    page = client.get("/checkin").get_data(as_text=True)
    checkboxes = re.findall(r'<input[^>]*type="checkbox"[^>]*>', page)
    assert any('name="substances"' in box for box in checkboxes)
    assert any('name="services"' in box for box in checkboxes)
    assert [box for box in checkboxes if "required" in box] == []


def test_a_manager_overriding_without_a_reason_is_told_on_the_field(client, app, db):
    site, _booths, manager = floor(db, client, Role.MANAGER)
    restricted(db, app, site, manager)
    response = check_in(client, override_reason="   ")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert (
        '<span class="error-message" id="override_reason-error">'
        "Write the reason for overriding the restriction.</span>" in body
    )
    assert 'aria-invalid="true" id="override_reason"' in body
    assert visits(db) == []
    assert (
        db.scalar(select(AuditEvent).where(AuditEvent.action == "visit.restriction_overridden"))
        is None
    )


@pytest.mark.parametrize("role", [Role.ADMIN])
def test_check_in_refuses_roles_without_floor_duties(client, db, role):
    site = make_site(db)
    sign_in(client, db, make_staff(db, role, [site]))
    assert client.get("/checkin").status_code == 403
    assert client.post("/checkin", data=check_in_form()).status_code == 403


def test_the_form_offers_only_free_booths_even_after_a_lookup(client, db):
    site, booths, desk = floor(db, client)
    make_visit(db, site, desk, booth=booths[0])
    for page in (
        client.get("/checkin"),
        client.post("/checkin", data={**check_in_form(), "find": "1"}),
        client.post("/checkin", data={**check_in_form(substances=[]), "submit": "1"}),
    ):
        body = page.get_data(as_text=True)
        assert "> Booth 1</label>" not in body and "> Booth 2</label>" in body


def test_a_walk_in_check_in_reads_and_writes_in_a_fixed_number_of_statements(
    client, db, count_queries
):
    """The desk's busiest request: the sign-in check, the pick-list and the drug alerts about
    what the client named, then the visit, its substance and the audit event, sealed at commit.
    The waiting list needs no booth read, and a first submission no look for an earlier one (its
    unique key would refuse a second)."""
    floor(db, client)
    form = {**check_in_form(client_code=None, walk_in="y"), "submit": "1"}
    client.get("/checkin")
    with count_queries() as counter:
        response = client.post("/checkin", data=form)
    assert response.status_code == 302
    # Sealing the audit event into the site's chain at commit: the chain's last event read and
    # the new one sealed after it, under PostgreSQL's chain lock (audit/chain.py).
    sealing = 3 if db.get_bind().dialect.name == "postgresql" else 2
    assert counter.count == 6 + sealing, "\n".join(counter.statements)


def test_a_check_in_into_a_booth_reads_only_that_booth(client, db, count_queries):
    """Accepting the form reads the booth chosen (so one taken meanwhile is answered "just
    taken"), not every booth of the site; the service then takes it under the write lock."""
    _site, booths, _desk = floor(db, client)
    form = {**check_in_form(client_code=None, walk_in="y", booth=str(booths[1].id)), "submit": "1"}
    client.get("/checkin")
    with count_queries() as counter:
        response = client.post("/checkin", data=form)
    assert response.status_code == 302
    booth_reads = [
        s
        for s in counter.statements
        if s.lstrip().upper().startswith("SELECT") and "FROM booths" in s
    ]
    assert len(booth_reads) == 2, "\n".join(counter.statements)  # the form's, then the lock's
    assert all("booths.id =" in s for s in booth_reads), "\n".join(booth_reads)
    [visit] = visits(db)
    assert visit.booth_id == booths[1].id and visit.status is VisitStatus.IN_BOOTH


def test_a_bad_code_on_find_client_does_not_speak_of_saving(client, db):
    """Looking a client up never saves anything, so its problems are not "Nothing was saved"."""
    floor(db, client)
    found = client.post("/checkin", data={**check_in_form(client_code="a" * 41), "find": "1"})
    page = found.get_data(as_text=True)
    assert "A client code is at most 40 characters." in page
    assert "<h2>Please check:</h2>" in page and "Nothing was saved yet" not in page
    checked = client.post("/checkin", data={**check_in_form(client_code="a" * 41), "submit": "1"})
    assert "Nothing was saved yet. Please check:" in checked.get_data(as_text=True)
    assert visits(db) == []


def test_the_check_in_service_itself_refuses_a_role_without_desk_duties(db):
    from sitesys.checkin.models import DrugChecked, Route
    from sitesys.checkin.services import CheckInRequest
    from sitesys.checkin.services import check_in as check_in_service
    from sitesys.refusals import NotAllowed
    from tests.factories import make_substances

    site = make_site(db)
    make_substances(db, site)
    admin = make_staff(db, Role.ADMIN, [site])
    request = CheckInRequest(
        submission_key="9b2f7c1e-0d4a-4c4e-9a51-7d0f5d1c2b3a",
        route=Route.INJECT,
        drug_checked=DrugChecked.NO,
        substances=["heroin"],
    )
    with pytest.raises(NotAllowed, match="Only front desk staff, a nurse or a manager can check"):
        check_in_service(db, admin, site, request)
    assert visits(db) == []


def test_a_client_already_in_is_a_warning_on_their_visit_and_a_double_tap_a_note(client, db):
    floor(db, client)
    form = confirmed(client, check_in_form())
    client.post("/checkin", data=form)
    [visit] = visits(db)
    page = client.get("/checkin").get_data(as_text=True)
    assert f'<li class="flash flash-success">Checked in {visit.display_tag} (new client)' in page
    client.post("/checkin", data=form)
    page = client.get("/checkin").get_data(as_text=True)
    assert f'<li class="flash flash-info">Already checked in: {visit.display_tag}' in page
    again = check_in(client)
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert f'<li class="flash flash-warning">{visit.display_tag} is already checked in' in page
    assert visits(db) == [visit]
