"""Scenes for drug-checking and alert tests: samples and alerts built directly (they flush and
never commit), each returning what it made.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from sitesys.alerts.models import AlertSubstance, DrugAlert, Severity
from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.drugchecks.codes import new_sample_code, sample_code_digest
from sitesys.drugchecks.models import ResultOutcome, Sample, SampleForm
from sitesys.sites.models import Site
from tests.factories import scene


def code_key(app: Flask) -> str:
    return str(app.config["SITESYS_CLIENT_CODE_KEY"])


def make_sample(
    session: Session,
    app: Flask,
    site: Site,
    staff: Staff,
    *,
    result_at: datetime | None = None,
    received_at: datetime | None = None,
    **overrides: Any,
) -> tuple[Sample, str]:
    """A sample and the code on its slip; with `result_at`, a result given then."""
    code = overrides.pop("code", None) or new_sample_code()
    received = received_at or (result_at - timedelta(minutes=10) if result_at else utcnow())
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "site_id": site.id,
        "code_digest": sample_code_digest(code, code_key(app)),
        "code_issued_at": received,
        "submission_key": str(uuid.uuid4()),
        "expected_substance": "ketamine",
        "form": SampleForm.POWDER,
        "received_at": received,
        "received_by_id": staff.id,
    }
    if result_at is not None:
        values.update(
            outcome=ResultOutcome.UNEXPECTED,
            found_summary="Fentanyl was found as well as ketamine.",
            advice="Do not use it alone; use much less.",
            result_at=result_at,
            result_by_id=staff.id,
        )
    values.update(overrides)
    sample = Sample(**values)
    session.add(sample)
    scene(session)
    return sample, code


def make_alert(
    session: Session,
    publisher: Staff,
    sites: list[Site],
    *,
    substances: tuple[str, ...] = ("ketamine",),
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    **overrides: Any,
) -> DrugAlert:
    """An alert covering `sites`, active from a minute ago for a week unless told otherwise."""
    start = starts_at or utcnow() - timedelta(minutes=1)
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "title": "Fentanyl found in ketamine",
        "sold_as": "Ketamine, white powder",
        "found": "Fentanyl with ketamine",
        "advice": "Do not use alone. Start with a tiny amount.",
        "severity": Severity.DANGER,
        "starts_at": start,
        "ends_at": ends_at or start + timedelta(days=7),
        "published_at": start,
        "published_by_id": publisher.id,
        "submission_key": str(uuid.uuid4()),
    }
    values.update(overrides)
    alert = DrugAlert(**values)
    alert.sites = list(sites)
    alert.substances = [AlertSubstance(code=code) for code in substances]
    session.add(alert)
    scene(session)
    return alert
