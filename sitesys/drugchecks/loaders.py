"""Loading drug-check records for a request: of the current site, or they do not exist (404)."""

from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.drugchecks.models import Sample, SampleTest, SampleVisit
from sitesys.sites.loaders import one_or_404
from sitesys.sites.models import Site


def get_sample_or_404(
    session: Session, sample_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> Sample:
    """A sample of this site, with its tests and visits; another site's is answered exactly like
    a missing one.
    """
    statement = (
        select(Sample)
        .where(Sample.id == sample_id, Sample.site_id == site.id)
        .options(
            joinedload(Sample.received_by),
            selectinload(Sample.tests).selectinload(SampleTest.components),
            selectinload(Sample.tests).joinedload(SampleTest.recorded_by),
            selectinload(Sample.visit_links).joinedload(SampleVisit.visit),
            selectinload(Sample.findings),
            selectinload(Sample.amendments),
        )
    )
    if for_update:
        statement = statement.with_for_update(of=Sample)
    sample = session.scalar(statement)
    if sample is None:
        abort(404)
    return sample


def get_test_or_404(
    session: Session, sample: Sample, test_id: int, *, for_update: bool = False
) -> SampleTest:
    """One of the sample's tests."""
    statement = select(SampleTest).where(
        SampleTest.id == test_id, SampleTest.sample_id == sample.id
    )
    return one_or_404(session, statement, for_update)
