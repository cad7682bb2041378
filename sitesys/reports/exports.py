"""What leaves SiteSys from a report: the long, tidy CSV (internal or for publication) and the
printed report, each audited (who, what, which period, which sites, internal or publication).
"""

from __future__ import annotations

import csv
import enum
import io
from collections.abc import Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.incidents.queue import neutralise
from sitesys.reports.figures import Value
from sitesys.reports.indicators import INDICATORS, Measure, indicator
from sitesys.reports.report import Report, derived_hidden, publication_marks
from sitesys.reports.suppression import Mark

#: The publication CSV's columns: stable English names a reader's scripts rely on. `label` is
#: the indicator's name in the language of whoever downloaded it.
CSV_COLUMNS = ("period", "site", "indicator", "label", "breakdown", "value", "suppressed")
#: The internal CSV's columns, named in the reader's language (no label: the key is enough).
INTERNAL_COLUMNS = (
    # TRANSLATORS: a CSV column header (the report's period)
    _l("period"),
    # TRANSLATORS: a CSV column header
    _l("site"),
    # TRANSLATORS: a CSV column header (the indicator's key)
    _l("indicator"),
    # TRANSLATORS: a CSV column header (the row of a breakdown)
    _l("breakdown"),
    # TRANSLATORS: a CSV column header
    _l("value"),
    # TRANSLATORS: a CSV column header (true when the figure is withheld)
    _l("suppressed"),
)
#: What a withheld figure reads in a publication.
WITHHELD = "suppressed"


def shown_figure(text: str) -> str:
    """A published figure as a page shows it: a withheld one in the reader's language (the CSV
    keeps the stable English marker).
    """
    if text == WITHHELD:
        word: str = _("suppressed")
        return word
    return text


class Audience(enum.StrEnum):
    INTERNAL = "internal"
    PUBLICATION = "publication"

    @property
    def label(self) -> str:
        return str({"internal": _l("Internal"), "publication": _l("For publication")}[self.value])


class Format(enum.StrEnum):
    CSV = "csv"
    PRINT = "print"


def shown(value: Value) -> str:
    """A figure as text: whole numbers without a decimal point, none as empty."""
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value))


def published(report: Report, audience: Audience) -> Iterator[tuple[str, str, str, str, bool]]:
    """Each figure as (site, indicator key, breakdown, value text, withheld), in the registry's
    order; for publication, small counts read "<threshold" and withheld ones "suppressed".
    """
    marks = publication_marks(report) if audience is Audience.PUBLICATION else {}
    small = f"<{report.threshold}"
    for column in report.columns:
        for item in INDICATORS:
            rows = report.breakdown_rows(item.key) if item.breakdown else [""]
            for row in rows:
                value = report.value(column, item.key, row)
                if audience is Audience.INTERNAL:
                    yield column, item.key, row, shown(value), False
                    continue
                mark = marks.get((column, item.key, row), Mark.SHOWN)
                if mark is Mark.SMALL:
                    yield column, item.key, row, small, True
                elif mark is Mark.PROTECTING or (
                    item.measure is not Measure.COUNT
                    and derived_hidden(report, marks, column, item)
                ):
                    yield column, item.key, row, WITHHELD, True
                else:
                    yield column, item.key, row, shown(value), False


def _audit(
    session: Session, actor: Staff, report: Report, audience: Audience, what: Format
) -> None:
    """One event per site reported on, so each site's trail shows who took its figures."""
    for site in report.sites:
        record_event(
            session,
            "report.exported",
            actor=actor,
            record=site,
            format=what.value,
            audience=audience.value,
            first_day=report.period.first.isoformat(),
            last_day=report.period.last.isoformat(),
            sites=[each.id for each in report.sites],
        )


def export_csv(session: Session, actor: Staff, report: Report, audience: Audience) -> str:
    """The report as a long, tidy CSV, every cell safe from spreadsheet formulas; audited."""
    ensure(actor, Capability.READ_REPORTS)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    internal = audience is Audience.INTERNAL
    writer.writerow([str(name) for name in INTERNAL_COLUMNS] if internal else CSV_COLUMNS)
    period = f"{report.period.first.isoformat()}/{report.period.last.isoformat()}"
    for site, key, row, value, withheld in published(report, audience):
        label = () if internal else (str(indicator(key).label),)
        cells = (period, site, key, *label, row, value, str(withheld).lower())
        writer.writerow([neutralise(cell) for cell in cells])
    _audit(session, actor, report, audience, Format.CSV)
    return buffer.getvalue()


def record_print(session: Session, actor: Staff, report: Report, audience: Audience) -> None:
    """The printable report was opened (to print or save as PDF): audited as an export."""
    ensure(actor, Capability.READ_REPORTS)
    _audit(session, actor, report, audience, Format.PRINT)
