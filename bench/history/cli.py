"""`flask --app wsgi generate-history`: synthetic history for benchmarks and demos (registered
by `sitesys/cli.py` when this package is there; `python -m bench.history` runs it too).
"""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from bench.history import DEFAULT_SITE
from sitesys.db import get_database


@click.command("generate-history")
@with_appcontext
@click.option("--days", type=click.IntRange(min=1), required=True, help="Days of history.")
@click.option("--visits-per-day", type=click.IntRange(min=0), default=1000, show_default=True)
@click.option("--site", "site_name", default=DEFAULT_SITE, show_default=True)
@click.option(
    "--sites",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help='Build a network: SITES sites named after --site with a number ("Bench Site 1" …).',
)
@click.option("--seed", type=int, default=None, help="Make the history reproducible.")
@click.option("--quiet", is_flag=True, help="No progress lines, only the summary.")
def generate_history_command(
    days: int, visits_per_day: int, site_name: str, sites: int, seed: int | None, quiet: bool
) -> None:
    """Fill a site with DAYS of synthetic visits and observations (never in production).

    The site is created with 20 booths when it does not exist. The history ends the day before the
    site's earliest visit, so running it again extends it further into the past.
    """
    # Imported here: every web worker loads this module's command, never the generator.
    from bench.history.generator import HistoryRefused, HistoryRequest, generate_history

    config = current_app.config["SITESYS"]

    def progress(local_date: date, _visits: int) -> None:
        if not quiet and local_date.day == 1:
            click.echo(f"  … {local_date:%B %Y}")

    names = [site_name] if sites == 1 else [f"{site_name} {n}" for n in range(1, sites + 1)]
    for number, name in enumerate(names):
        try:
            report = generate_history(
                get_database().engine,
                HistoryRequest(
                    days=days,
                    visits_per_day=visits_per_day,
                    site_name=name,
                    seed=None if seed is None else seed + number,
                ),
                client_code_key=current_app.config["SITESYS_CLIENT_CODE_KEY"],
                environment=config.env,
                progress=progress,
            )
        except HistoryRefused as refused:
            raise click.ClickException(str(refused)) from refused
        for line in report.lines():
            click.echo(line)
