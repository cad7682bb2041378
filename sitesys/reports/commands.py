"""`flask --app wsgi reports rebuild --site NAME --from DATE --to DATE`: count a site's days
again and keep them (idempotent: a second run writes the same rows).
"""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup
from sqlalchemy import select

from sitesys.db import get_database
from sitesys.sites.models import Site

reports_cli = AppGroup("reports", help="Reports: the daily figures kept per site.")


@reports_cli.command("rebuild")
@click.option("--site", "site_name", required=True, help="The site's name.")
@click.option("--from", "first", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "last", required=True, type=click.DateTime(["%Y-%m-%d"]))
def rebuild_command(site_name: str, first: datetime, last: datetime) -> None:
    """Count the site's local days FROM to TO again from its visits and keep them."""
    # Imported here: every web worker loads the command's group, never the counting.
    from sitesys.reports.daily import rebuild

    if last < first:
        raise click.BadParameter("--to is before --from.")
    with get_database().new_session(write=True) as session:
        site = session.scalar(select(Site).where(Site.name == site_name))
        if site is None:
            raise click.ClickException(f"No site is called {site_name}.")
        kept = rebuild(session, site, first.date(), last.date())
        session.commit()
    click.echo(f"Kept {kept} days of {site_name} ({first:%Y-%m-%d} to {last:%Y-%m-%d}).")
