"""Loading a client or one of their flags for a request: of the current site, or it does not
exist (404).
"""

from __future__ import annotations

import uuid

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from sitesys.clients.models import Client, ClientFlag
from sitesys.sites.models import Site


def get_client_or_404(
    session: Session, client_id: uuid.UUID, site: Site, *, for_update: bool = False
) -> Client:
    """A client of this site; another site's client is answered exactly like a missing one."""
    statement = select(Client).where(Client.id == client_id, Client.site_id == site.id)
    if for_update:
        statement = statement.with_for_update()
    client = session.scalar(statement)
    if client is None:
        abort(404)
    return client


def get_flag_or_404(
    session: Session, flag_id: int, site: Site, *, for_update: bool = False
) -> ClientFlag:
    """A safety flag of a client of this site, with its client; another site's is answered
    exactly like a missing one. Removing a flag asks for the lock, so two removals at once
    remove it once.
    """
    statement = (
        select(ClientFlag)
        .join(ClientFlag.client)
        .where(ClientFlag.id == flag_id, Client.site_id == site.id)
        .options(contains_eager(ClientFlag.client))
    )
    if for_update:
        statement = statement.with_for_update(of=ClientFlag)
    flag = session.scalar(statement)
    if flag is None:
        abort(404)
    return flag
