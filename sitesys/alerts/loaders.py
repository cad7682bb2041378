"""Loading an alert for a request: one covering the signed-in site, or it does not exist (404)."""

from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.alerts.models import DrugAlert, alert_sites
from sitesys.sites.models import Site


def get_alert_or_404(
    session: Session, alert_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> DrugAlert:
    """An alert covering this site; one of other sites only is answered like a missing one."""
    covers = select(alert_sites.c.alert_id).where(alert_sites.c.site_id == site.id)
    statement = (
        select(DrugAlert)
        .where(DrugAlert.id == alert_id, DrugAlert.id.in_(covers))
        .options(
            selectinload(DrugAlert.sites),
            selectinload(DrugAlert.substances),
            joinedload(DrugAlert.published_by),
            joinedload(DrugAlert.withdrawn_by),
        )
    )
    if for_update:
        statement = statement.with_for_update(of=DrugAlert)
    alert = session.scalar(statement)
    if alert is None:
        abort(404)
    return alert
