"""The reports page for managers (their sites) and admins (every site), and its exports."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.clock import local_date, utcnow
from sitesys.db import committing, get_session
from sitesys.forms import choices
from sitesys.reports.access import NotYourSite, chosen_sites, reportable_sites
from sitesys.reports.charts import Chart, month_short, report_charts, shown_weekdays, trend_chart
from sitesys.reports.exports import (
    Audience,
    export_csv,
    published,
    record_print,
    shown,
    shown_figure,
)
from sitesys.reports.figures import monthly_trend
from sitesys.reports.forms import ALL_SITES, ExportForm, ReportForm
from sitesys.reports.indicators import INDICATORS, Section
from sitesys.reports.periods import months_to
from sitesys.reports.report import Report, build_report
from sitesys.source_language import source_language
from sitesys.templating import site_zone

bp = Blueprint("reports", __name__, url_prefix="/reports")


def _report() -> tuple[Report, ReportForm, list[str]]:
    """The report the address asks for; another's site is answered as a missing page."""
    db = get_session()
    reader = current_staff()
    form = ReportForm(request.args)
    today = local_date(utcnow(), site_zone())
    form.offer_periods(today)
    sites = reportable_sites(db, reader)
    options = [(str(site.id), site.name) for site in sites]
    if len(sites) > 1:
        options.insert(0, (ALL_SITES, _("All my sites, side by side, with the total")))
    form.site.choices = choices(options)
    if not request.args.get("site"):
        working_at = g.get("site")
        form.site.data = str(working_at.id) if working_at in sites else ALL_SITES
    period, problems = form.chosen_period(today)
    if not form.month.data or problems:
        form.month.data = period.first.strftime("%Y-%m")
    try:
        chosen = chosen_sites(db, reader, form.chosen_site())
    except NotYourSite:
        abort(404)
    if not chosen:
        abort(404)
    # Figures are counted in the source language: breakdown rows are keyed by their English
    # words (as the daily figures keep them) and translated where they are shown.
    with source_language():
        report = build_report(db, chosen, period)
    return report, form, problems


@bp.get("/")
@requires(Capability.READ_REPORTS)
def index() -> ResponseReturnValue:
    report, form, problems = _report()
    return render_template(
        "reports/index.html",
        report=report,
        form=form,
        problems=problems,
        sections=list(Section),
        indicators=INDICATORS,
        charts=[*report_charts(report), _trend(report, Audience.INTERNAL)],
        export=ExportForm(),
        value=lambda column, key, row: shown(report.value(column, key, row)),
        weekdays=shown_weekdays(),
        query=request.query_string.decode(),
    )


def _trend(report: Report, audience: Audience) -> Chart:
    """The twelve months to the period's end; small counts withheld from a publication."""
    months = months_to(report.period)
    with source_language():
        found = monthly_trend(get_session(), report.sites, [(m.first, m.last) for m in months])
    rows = [
        (month_short(m.first), f.visits, f.overdoses, f.incidents)
        for m, f in zip(months, found, strict=True)
    ]
    return trend_chart(rows, report.threshold if audience is Audience.PUBLICATION else None)


def _audience() -> Audience:
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    return Audience(form.audience.data)


@bp.post("/export.csv")
@requires(Capability.READ_REPORTS)
def export() -> ResponseReturnValue:
    """The report as a CSV download, internal or for publication; audited."""
    audience = _audience()
    report, _form, _problems = _report()
    db = get_session()
    text = ""
    with committing(db) as outcome:
        text = export_csv(db, current_staff(), report, audience)
    if outcome.refusal is not None:
        abort(403)
    name = f"report-{report.period.slug}-{audience.value}.csv"
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/print")
@requires(Capability.READ_REPORTS)
def printable() -> ResponseReturnValue:
    """The report laid out for A4, internal or for publication; audited as an export."""
    audience = _audience()
    report, _form, _problems = _report()
    db = get_session()
    with committing(db) as outcome:
        record_print(db, current_staff(), report, audience)
    if outcome.refusal is not None:
        abort(403)
    figures = {
        (site, key, row): (value, withheld)
        for site, key, row, value, withheld in published(report, audience)
    }
    public = figures if audience is Audience.PUBLICATION else None
    return render_template(
        "reports/print.html",
        report=report,
        audience=audience,
        figures=figures,
        sections=list(Section),
        indicators=INDICATORS,
        charts=[*report_charts(report, public), _trend(report, audience)],
        value=lambda column, key, row: shown_figure(
            figures.get((column, key, row), ("", False))[0]
        ),
        weekdays=shown_weekdays(),
    )
