import re
import secrets
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.history.clients import synthetic_code, synthetic_tag
from bench.history.generator import HistoryRequest, generate_history
from config import Config
from sitesys import create_app
from sitesys.checkin.models import Visit, VisitKind, VisitStatus, VisitSubstance
from sitesys.clients.codes import code_digest
from sitesys.clients.models import Client
from sitesys.clients.services import find_client
from sitesys.db import get_database
from sitesys.handovers.setup import site_shifts
from sitesys.handovers.shifts import occurrence
from sitesys.observations.models import Observation, ObservationKind
from sitesys.observations.scoring import assess
from sitesys.sites.models import DEFAULT_CODE_PATTERN, Booth, Site

TABLES = {
    "clients": Client,
    "visits": Visit,
    "visit_substances": VisitSubstance,
    "observations": Observation,
}


def _run(app, *args):
    return app.test_cli_runner().invoke(args=["generate-history", *args])


def _printed_counts(output):
    return {
        name: int(count.replace(",", ""))
        for name, count in re.findall(r"^\s+([a-z_]+)\s+([\d,]+)$", output, re.MULTILINE)
    }


def test_generates_a_consistent_history_and_prints_what_it_made(committed_app):
    result = _run(
        committed_app, "--days", "4", "--visits-per-day", "60", "--site", "Bench St", "--seed", "7"
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"total rows\s+[\d,]+ in [\d.]+ s \([\d,]+ rows/s\)", result.output)
    printed = _printed_counts(result.output)
    with Session(get_database(committed_app).engine) as session:
        site = session.scalar(select(Site).where(Site.name == "Bench St"))
        assert site is not None
        assert session.scalar(select(func.count()).select_from(Booth)) == 20
        for name, model in TABLES.items():
            in_database = session.scalar(select(func.count()).select_from(model))
            assert printed[name] == in_database, name
        visits = list(session.scalars(select(Visit)))
        assert len(visits) == 4 * 60
        per_day = Counter(v.checked_in_at.astimezone(site.zone).date() for v in visits)
        assert sorted(per_day.values()) == [60] * 4
        assert max(per_day) < func_today(site)
        by_id = {v.id: v for v in visits}
        for visit in visits:
            assert visit.status in (VisitStatus.LEFT, VisitStatus.LEFT_WITHOUT_CHECKOUT)
            assert visit.checked_in_at.tzinfo is not None
            steps = [visit.checked_in_at, visit.booth_entered_at, visit.aftercare_at, visit.left_at]
            present = [step for step in steps if step is not None]
            assert present == sorted(present), visit.id
            assert visit.left_at is not None and visit.substances
            # The bulk insert names no kind: the database's default makes it a visit to use.
            assert visit.kind is VisitKind.CONSUMPTION and visit.route is not None
        observations = list(session.scalars(select(Observation)))
        assert len(observations) > len(visits) * 2
        for observation in observations:
            visit = by_id[observation.visit_id]
            assert visit.checked_in_at <= observation.recorded_at <= visit.left_at
        full = [o for o in observations if o.kind is ObservationKind.FULL]
        quick = [o for o in observations if o.kind is ObservationKind.QUICK_CHECK]
        assert full and quick
        for observation in full:
            news2 = assess(observation.vitals()).news2
            assert news2 is not None and observation.news2_total == news2.total
            assert observation.level == news2.level
        # A regular can be checked in by code at the desk: the digest is the site's real one.
        key = committed_app.config["SITESYS_CLIENT_CODE_KEY"]
        assert re.fullmatch(DEFAULT_CODE_PATTERN, synthetic_code(0))
        regular = find_client(session, site, code_digest(synthetic_code(0), key))
        assert regular is not None and regular.display_tag == synthetic_tag(0)
        assert all(c.created_at <= first_visit(session, c) for c in session.scalars(select(Client)))


def func_today(site):
    from sitesys.clock import utcnow

    return utcnow().astimezone(site.zone).date()


def first_visit(session, client):
    return session.scalar(select(func.min(Visit.checked_in_at)).where(Visit.client_id == client.id))


def test_regulars_make_most_visits(committed_app):
    report = generate_history(
        get_database(committed_app).engine,
        HistoryRequest(days=20, visits_per_day=150, seed=3),
        client_code_key="k",
        environment="test",
    )
    assert report.rows["visits"] == 3000
    with Session(get_database(committed_app).engine) as session:
        visits = Counter(
            session.scalars(select(Visit.client_id).where(Visit.client_id.is_not(None)))
        )
        walk_ins = session.scalar(
            select(func.count()).select_from(Visit).where(Visit.client_id.is_(None))
        )
    busiest = sorted(visits.values(), reverse=True)
    core = busiest[: max(1, len(busiest) // 5)]
    assert sum(core) / sum(busiest) > 0.5
    assert 0.02 < walk_ins / 3000 < 0.09


def test_a_second_run_extends_the_history_into_the_past(committed_app):
    engine = get_database(committed_app).engine
    first = generate_history(
        engine,
        HistoryRequest(days=2, visits_per_day=30, seed=1),
        client_code_key="k",
        environment="test",
    )
    second = generate_history(
        engine,
        HistoryRequest(days=3, visits_per_day=30, seed=1),
        client_code_key="k",
        environment="test",
    )
    assert second.last_day == first.first_day - timedelta(days=1)
    assert second.first_day == first.first_day - timedelta(days=3)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 150
        tags = list(session.scalars(select(Client.display_tag)))
        assert len(tags) == len(set(tags))


def test_refuses_to_run_in_production(committed_database):
    url = committed_database.fresh_url()
    app = create_app(
        Config(
            env="production",
            secret_key=secrets.token_urlsafe(48),
            client_code_key=secrets.token_urlsafe(48),
            database_url=url,
        )
    )
    result = _run(app, "--days", "1", "--visits-per-day", "10")
    assert result.exit_code != 0
    assert "refuses to run in production" in result.output
    with Session(get_database(app).engine) as session:
        assert session.scalar(select(func.count()).select_from(Visit)) == 0
        assert session.scalar(select(func.count()).select_from(Site)) == 0
    committed_database.empty(app)
    get_database(app).engine.dispose()


def test_history_has_incidents_at_published_rates_and_a_handover_per_shift(committed_app):
    from sitesys.handovers.models import Handover, HandoverStatus
    from sitesys.incidents.kinds import ActionKind, IncidentStatus
    from sitesys.incidents.models import Incident, IncidentAction

    result = _run(
        committed_app, "--days", "6", "--visits-per-day", "400", "--site", "Busy St", "--seed", "11"
    )
    assert result.exit_code == 0, result.output
    printed = _printed_counts(result.output)
    with Session(get_database(committed_app).engine) as session:
        visits = session.scalar(select(func.count()).select_from(Visit))
        incidents = list(session.scalars(select(Incident)))
        # About 5 per 1,000 visits: 12 expected in 2,400; allow the randomness of so few.
        assert 3 <= len(incidents) <= 30 and printed["incidents"] == len(incidents)
        assert all(i.status in (IncidentStatus.IN_REVIEW, IncidentStatus.CLOSED) for i in incidents)
        by_visit = {v.id: v for v in session.scalars(select(Visit))}
        for incident in incidents:
            visit = by_visit[incident.visit_id]
            assert (
                visit.checked_in_at <= incident.started_at <= (visit.left_at or incident.started_at)
            )
            assert incident.submitted_at > incident.response_ended_at > incident.started_at
        with_naloxone = set(
            session.scalars(
                select(IncidentAction.incident_id).where(IncidentAction.kind == ActionKind.NALOXONE)
            )
        )
        assert 0 < len(with_naloxone) < len(incidents)
        handovers = list(session.scalars(select(Handover)))
        # One per shift of every day, except a shift still running when the history ends (now).
        site = session.scalar(select(Site).where(Site.name == "Busy St"))
        days = {v.checked_in_at.astimezone(site.zone).date() for v in by_visit.values()}
        expected = {
            shift.key
            for day in days
            for definition in (s.definition() for s in site_shifts(session, site))
            if (shift := occurrence(definition, day, site.zone)).ends_at <= datetime.now(UTC)
        }
        assert {h.shift_key for h in handovers} == expected and len(expected) >= 17
        assert printed["handovers"] == len(handovers)
        assert {h.shift_name for h in handovers} == {"Early", "Late", "Night"}
        assert all(h.status is HandoverStatus.ACKNOWLEDGED for h in handovers)
        assert all(h.acknowledged_by_id != h.outgoing_lead_id for h in handovers)
        assert sum(len(h.snapshot["clients"]) for h in handovers) > 0
        assert visits == 2400


def test_sites_builds_a_network_of_numbered_sites(committed_app):
    result = _run(
        committed_app, "--days", "2", "--visits-per-day", "20", "--site", "Net", "--sites", "3",
        "--seed", "5", "--quiet",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    with Session(get_database(committed_app).engine) as session:
        counts = dict(
            session.execute(
                select(Site.name, func.count(Visit.id))
                .join(Visit, Visit.site_id == Site.id)
                .group_by(Site.name)
            ).all()
        )
    assert counts == {"Net 1": 40, "Net 2": 40, "Net 3": 40}
