"""Education given on a visit: the seeded topics, a few taps with optional minutes, once per
topic and visit, struck through not deleted; the site's list kept by managers."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import func, select, text

from sitesys.audit.models import AuditEvent
from sitesys.care.education import (
    EducationRefused,
    add_topic,
    record_education,
    strike_education,
    topics,
)
from sitesys.care.models import DEFAULT_TOPICS, EducationGiven, EducationTopic
from sitesys.checkin.models import VisitStatus
from sitesys.db import make_engine
from sitesys.i18n import pseudo
from sitesys.migrations_config import alembic_config
from sitesys.refusals import NotAllowed
from sitesys.sites.services import SiteSettings, create_site
from tests.factories import insert_site_row, make_visit, sign_in
from tests.incidents.helpers import make_floor

ISSUE_TOPICS = [
    "Ketamine risks and the bladder",
    "Tolerance and overdose risk",
    "Mixing depressants",
    "Safer snorting",
    "Safer injecting and vein care",
    "Safer smoking",
    "Wound care",
    "Naloxone training",
    "Drug checking",
]


def seed(db, site):
    for position, (code, label) in enumerate(DEFAULT_TOPICS):
        db.add(EducationTopic(site_id=site.id, code=code, label=label, position=position))
    db.flush()
    return {t.code: t for t in topics(db, site)}


def test_a_new_site_starts_with_the_issues_topics(db):
    floor = make_floor(db)
    site = create_site(db, floor.admin, SiteSettings(name="Harbour Street"))
    assert [t.label for t in topics(db, site)] == ISSUE_TOPICS


def test_topics_are_recorded_once_per_visit_with_their_minutes(db):
    floor = make_floor(db)
    by_code = seed(db, floor.site)
    training, bladder = by_code["naloxone_training"], by_code["ketamine_bladder"]
    added = record_education(
        db, floor.desk, floor.site, floor.visit, {training.id: 10, bladder.id: None}
    )
    assert {(row.topic_id, row.minutes) for row in added} == {(training.id, 10), (bladder.id, None)}
    again = record_education(db, floor.nurse, floor.site, floor.visit, {training.id: 5})
    assert again == []
    assert db.scalar(select(func.count()).select_from(EducationGiven)) == 2
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "visit.education_given")
    ).all()
    assert sorted(event.detail["topics"]) == ["ketamine_bladder", "naloxone_training"]
    assert event.detail["minutes"] == 10
    with pytest.raises(EducationRefused, match="1 to 240"):
        record_education(db, floor.desk, floor.site, floor.visit, {by_code["safer_smoking"].id: 0})
    [row] = [r for r in added if r.topic_id == training.id]
    strike_education(db, floor.desk, row, "Was not given")
    assert row.is_struck and db.get(EducationGiven, row.id) is not None
    # Struck through, the topic can be recorded again for the visit.
    assert len(record_education(db, floor.desk, floor.site, floor.visit, {training.id: 15})) == 1


def test_education_needs_an_open_visit_and_the_sites_topics(db):
    floor = make_floor(db)
    by_code = seed(db, floor.site)
    other = make_floor(db)
    theirs = seed(db, other.site)
    with pytest.raises(EducationRefused, match="this site's list"):
        record_education(db, floor.desk, floor.site, floor.visit, {theirs["wound_care"].id: None})
    gone = make_visit(db, floor.site, floor.desk, status=VisitStatus.LEFT)
    with pytest.raises(EducationRefused, match="has left"):
        record_education(db, floor.desk, floor.site, gone, {by_code["wound_care"].id: None})
    with pytest.raises(NotAllowed):
        record_education(db, floor.checker, floor.site, floor.visit, {by_code["wound_care"].id: 1})


def test_managers_add_and_hide_topics(client, db):
    floor = make_floor(db)
    seed(db, floor.site)
    with pytest.raises(NotAllowed):
        add_topic(db, floor.nurse, floor.site, "Heat and hydration")
    topic = add_topic(db, floor.manager, floor.site, "Heat and hydration")
    assert topic.code == "heat_and_hydration"
    with pytest.raises(EducationRefused, match="already has"):
        add_topic(db, floor.manager, floor.site, "heat and hydration")
    sign_in(client, db, floor.manager)
    assert client.get("/education/topics").status_code == 200
    client.post(f"/education/topics/{topic.id}/shown", data={"shown": "0"})
    db.expire_all()
    assert not db.get(EducationTopic, topic.id).is_active
    sign_in(client, db, floor.nurse)
    assert client.get("/education/topics").status_code == 403


def test_the_visit_page_records_topics_in_a_few_taps(client, db):
    floor = make_floor(db)
    by_code = seed(db, floor.site)
    sign_in(client, db, floor.desk)
    page = client.get(f"/visits/{floor.visit.id}").get_data(as_text=True)
    assert "Naloxone training" in page and f'name="minutes-{by_code["wound_care"].id}"' in page
    form = {
        "topics": [str(by_code["naloxone_training"].id), str(by_code["wound_care"].id)],
        f"minutes-{by_code['naloxone_training'].id}": "12",
    }
    response = client.post(f"/visits/{floor.visit.id}/education", data=form)
    assert response.status_code == 302
    client.post(f"/visits/{floor.visit.id}/education", data=form)
    rows = db.scalars(select(EducationGiven).order_by(EducationGiven.topic_id)).all()
    assert {(r.topic.code, r.minutes) for r in rows} == {
        ("naloxone_training", 12),
        ("wound_care", None),
    }
    bad = client.post(
        f"/visits/{floor.visit.id}/education",
        data={
            "topics": [str(by_code["safer_smoking"].id)],
            f"minutes-{by_code['safer_smoking'].id}": "ten",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "enter a whole number" in bad
    page = client.get(f"/visits/{floor.visit.id}").get_data(as_text=True)
    assert "Naloxone training · 12 min" in page


def test_the_migration_gives_existing_sites_the_topics(throwaway):
    url = throwaway.create("topics")
    config = alembic_config(url)
    command.upgrade(config, "care_0002")
    engine = make_engine(url)
    with engine.begin() as connection:
        insert_site_row(connection, public_id="abc")
    command.upgrade(config, "care_0003")
    with engine.connect() as connection:
        labels = connection.scalars(
            text("SELECT label FROM care_education_topics ORDER BY position")
        ).all()
    assert labels == ISSUE_TOPICS
    command.downgrade(config, "care_0002")
    command.upgrade(config, "care_0003")
    engine.dispose()


def test_a_default_topic_is_named_in_the_readers_language_and_a_renamed_one_as_written(client, db):
    floor = make_floor(db)
    by_code = seed(db, floor.site)
    by_code["safer_smoking"].label = "Safer smoking (pipes and foil)"
    db.flush()
    sign_in(client, db, floor.desk)
    page = client.get(f"/visits/{floor.visit.id}?lang=en_XA").get_data(as_text=True)
    assert pseudo("Naloxone training") in page, "a default topic goes through the catalogue"
    assert "Safer smoking (pipes and foil)" in page, "a site's own wording is kept"
