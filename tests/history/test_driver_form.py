"""Rows the generator makes in the driver's form are stored as the application stores them."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, inspect, select, text
from sqlalchemy.orm import Session

from bench.history.bulk import DriverForm
from bench.history.observations import (
    OBSERVATIONS,
    QUICK,
    SHARED_COLUMNS,
    STRIKE_REASON,
    STRIKES,
    VitalsTable,
)
from bench.history.writer import write_days
from sitesys.checkin.models import Visit, VisitService, VisitSubstance
from sitesys.db import get_database
from sitesys.observations.models import Observation
from tests.factories import make_site, make_staff, make_visit, scene

#: Every column but the identifier and the submission key, which differ by construction.
COMPARED = (
    "visit_id",
    "recorded_at",
    "entered_at",
    "recorded_by_id",
    "backdate_reason",
    "note",
    *SHARED_COLUMNS,
    "struck_at",
    "struck_by_id",
    "strike_reason",
)


def _stored(connection: Connection, key: str) -> list[tuple[type, object]]:
    """The row as the database holds it: the driver's own values and their types."""
    # A textual query: no column types, so the values come back as the driver reads them.
    query = text(f"SELECT {', '.join(COMPARED)} FROM observations WHERE submission_key = :key")  # noqa: S608 (fixed column names)
    row = connection.execute(query, {"key": key}).one()
    return [(type(value), value) for value in row]


def test_observations_from_the_vitals_table_are_stored_as_the_application_stores_them(
    committed_app,
):
    """A quick check, a calm and a worrying full set (one struck through), written from the
    vitals table by number, hold the same values of the same types as when the ORM writes them."""
    engine = get_database(committed_app).engine
    at = datetime(2026, 3, 2, 10, 30, 0, 250, tzinfo=UTC)
    with Session(engine.execution_options(sitesys_write=True)) as session:
        site = make_site(session)
        nurse = make_staff(session, sites=[site])
        visit = make_visit(session, site, nurse, at=at - timedelta(minutes=5))
        session.commit()
        visit_id, nurse_id = visit.id, nurse.id
    vitals = VitalsTable.build(random.Random(3))
    chosen = (QUICK, vitals.calm[0], vitals.deteriorating[0])
    driver = DriverForm.of(engine.dialect.name)
    entered_at = at + timedelta(seconds=40)
    struck_at = entered_at + timedelta(minutes=3)
    bulk_rows = [
        (
            driver.uuid(visit_id),
            driver.timestamp(at + timedelta(minutes=n)),
            driver.timestamp(entered_at + timedelta(minutes=n)),
            nurse_id,
            f"bulk-{n}",
            number,
        )
        for n, number in enumerate(chosen)
    ]
    strike = (driver.timestamp(struck_at + timedelta(minutes=2)), nurse_id, STRIKE_REASON, "bulk-2")
    day = date(2026, 3, 2)
    report = write_days(
        engine,
        [day],
        lambda _: (0, {OBSERVATIONS: bulk_rows, STRIKES: [strike]}),
        batch_size=2,
        templates=[vitals.templates()],
    )
    assert report.counts == {"observations": 3}

    with Session(engine.execution_options(sitesys_write=True)) as session:
        for n, number in enumerate(chosen):
            struck = n == 2
            session.add(
                Observation(
                    visit_id=visit_id,
                    recorded_at=at + timedelta(minutes=n),
                    entered_at=entered_at + timedelta(minutes=n),
                    recorded_by_id=nurse_id,
                    submission_key=f"app-{n}",
                    struck_at=struck_at + timedelta(minutes=n) if struck else None,
                    struck_by_id=nurse_id if struck else None,
                    strike_reason=STRIKE_REASON if struck else None,
                    **vitals.sets[number],
                )
            )
        scene(session)
        session.commit()
    with engine.connect() as connection:
        for n in range(len(chosen)):
            assert _stored(connection, f"bulk-{n}") == _stored(connection, f"app-{n}"), n


def _raw(connection: Connection, table: str, where: str, value: object) -> list[list[object]]:
    """A table's rows as the database holds them (driver values and types), in column order."""
    query = text(f"SELECT * FROM {table} WHERE {where} = :value")  # noqa: S608 (fixed names)
    rows = connection.execute(query, {"value": value}).mappings().all()
    return sorted(
        ([(type(v), v) for name, v in row.items() if name not in IDENTIFYING] for row in rows),
        key=repr,
    )


#: Columns that differ between a generated record and its copy by construction.
IDENTIFYING = {"id", "visit_id", "submission_key"}


def _copy(record: Any, **changes: Any) -> Any:
    """A new ORM object with every column value of `record`, but for `changes`."""
    mapper = inspect(type(record))
    values = {attr.key: getattr(record, attr.key) for attr in mapper.column_attrs}
    values.pop("id", None)
    return type(record)(**{**values, **changes})


def test_generated_visits_and_their_rows_are_stored_as_the_application_stores_them(
    committed_app,
):
    """A generated visit, its substances, services and observations, copied through the ORM, are
    stored with the same values of the same types as the generator's own rows."""
    result = committed_app.test_cli_runner().invoke(
        args=["generate-history", "--days", "1", "--visits-per-day", "40", "--seed", "5"]
    )
    assert result.exit_code == 0, result.output
    engine = get_database(committed_app).engine
    with Session(engine.execution_options(sitesys_write=True)) as session:
        visit = session.scalars(
            select(Visit).where(Visit.aftercare_at.is_not(None), Visit.client_id.is_not(None))
        ).first()
        assert visit is not None
        substances = session.scalars(select(VisitSubstance).filter_by(visit_id=visit.id)).all()
        services = session.scalars(select(VisitService).filter_by(visit_id=visit.id)).all()
        observations = session.scalars(select(Observation).filter_by(visit_id=visit.id)).all()
        assert substances and services and observations
        copy_id = uuid.uuid4()
        session.add(_copy(visit, id=copy_id, submission_key=str(uuid.uuid4())))
        session.flush()
        session.add_all(_copy(row, visit_id=copy_id) for row in [*substances, *services])
        session.add_all(
            _copy(row, visit_id=copy_id, submission_key=f"copy-{n}")
            for n, row in enumerate(observations)
        )
        scene(session)
        session.commit()
        generated_id = visit.id
    with engine.connect() as connection:
        tables = ("visits", "visit_substances", "visit_services", "observations")
        for table in tables:
            column = "id" if table == "visits" else "visit_id"
            generated = _raw(connection, table, column, _stored_uuid(engine, generated_id))
            copied = _raw(connection, table, column, _stored_uuid(engine, copy_id))
            assert generated and generated == copied, table


def _stored_uuid(engine: Any, value: uuid.UUID) -> object:
    # How a Uuid column holds it: 32 hex digits on SQLite, a native uuid on PostgreSQL.
    return value.hex if engine.dialect.name == "sqlite" else value
