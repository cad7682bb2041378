"""Loading an observation for a request: of a visit at the current site, or it does not exist."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.checkin.models import Visit
from sitesys.observations.models import Observation
from sitesys.sites.models import Site


def get_observation_or_404(
    session: Session, observation_id: int, site: Site, *, for_update: bool = False
) -> Observation:
    """An observation of a visit at this site; another site's is answered exactly like a
    missing one. With `for_update` (a POST), its row is locked until commit, so two nurses
    striking it through at once take turns and the second is told it already is.
    """
    statement = (
        select(Observation)
        .join(Visit, Visit.id == Observation.visit_id)
        .where(Observation.id == observation_id, Visit.site_id == site.id)
    )
    if for_update:
        statement = statement.with_for_update(of=Observation)
    observation = session.scalar(statement)
    if observation is None:
        abort(404)
    return observation
