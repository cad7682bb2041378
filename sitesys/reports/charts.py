"""The report's charts: SVG drawn on the server with pygal (bars and lines) and, for the hour ×
weekday heat map pygal has no chart for, the project's own SVG template
(templates/reports/_heatmap.svg). Each chart has a title, a sentence saying what it shows, and
its numbers as a table beside it (the template draws those); pygal's scripts are left out (the
page allows none), and the SVG is shown as an image so it prints.

A publication's charts draw only what it publishes: a withheld figure is drawn as nothing.
"""

from __future__ import annotations

import base64
import hashlib
import sys
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from threading import Lock

import pygal
from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pygal.style import Style

from sitesys.reports.exports import shown_figure
from sitesys.reports.report import Report
from sitesys.reports.visits import hour_label

# pygal adds an import hook for its map plugins (pygal.maps.*) that has no find_spec, so every
# later import it is asked about warns (an error under the tests). No map is used: take it out.
sys.meta_path[:] = [
    finder for finder in sys.meta_path if not isinstance(finder, pygal.PluginImportFixer)
]

#: Colours with at least 3:1 contrast on white (docs: style.md), and print-safe.
_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1b1b1b",
    foreground_strong="#1b1b1b",
    foreground_subtle="#505050",
    colors=("#1d4f91", "#b03a2e", "#2e7d32"),
    font_family="system-ui, sans-serif",
    title_font_size=18,
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=14,
)

#: The weekdays as the heat map shows them (its rows are keyed by visits.WEEKDAYS).
_WEEKDAY_NAMES = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))


def shown_weekdays() -> list[str]:
    """The weekdays in the reader's language, Monday first."""
    return [str(day) for day in _WEEKDAY_NAMES]


def shown_row(row: str) -> str:
    """A breakdown row in the reader's language: rows are keyed by their English words (a
    substance's name or a date, which are data, are shown as they are).
    """
    if not row:
        return row
    text: str = _(row)
    return text


def month_short(day: date) -> str:
    """A month on the trend chart's axis ("Dec 2026" in English)."""
    locale = get_locale()
    if locale is None or locale.language == "en":
        return day.strftime("%b %Y")
    text: str = format_date(day, "LLL y")
    return text


#: Published figures by (site, key, row): (text, withheld); None for the internal view.
Published = Mapping[tuple[str, str, str], tuple[str, bool]] | None


@dataclass
class Chart:
    key: str
    title: str
    summary: str
    #: A data: URI of the SVG (pygal), or None for the heat map (drawn by its template).
    image: str | None
    #: The numbers: a header row, then rows.
    table: list[list[str]] = field(default_factory=list)
    #: For the heat map: 7 rows of 24 (shade 0-4, text).
    cells: list[list[tuple[int, str]]] = field(default_factory=list)


def _number(report: Report, published: Published, key: str, row: str) -> tuple[float | None, str]:
    column = report.columns[-1]
    if published is not None:
        text, withheld = published.get((column, key, row), ("", False))
        return (None if withheld else float(text or 0)), shown_figure(text)
    value = report.value(column, key, row)
    return (float(value) if value is not None else None), str(value if value is not None else "")


#: Charts drawn lately, by what they show: drawing is most of a report page's time, and a past
#: month's charts are asked for again and again with the same numbers. The key is everything
#: the drawing is made from (kind, settings, titles, labels and values, in the reader's
#: language), so a cached drawing is always the one the chart would draw.
_DRAWN: OrderedDict[str, str] = OrderedDict()
_DRAWN_KEPT = 128
_DRAWN_LOCK = Lock()


def _drawing_key(chart: pygal.graph.graph.Graph) -> str:
    own = object.__getattribute__(chart, "__dict__")
    settings = sorted(vars(own["config"]).items())
    shown = sorted(
        (name, value)
        for name, value in own.items()
        if name not in ("config", "uuid", "state", "xml_filters", "raw_series")
    )
    made_of = repr((type(chart).__name__, settings, shown, own["raw_series"]))
    return hashlib.sha256(made_of.encode()).hexdigest()


def _svg(chart: pygal.graph.graph.Graph) -> str:
    key = _drawing_key(chart)
    with _DRAWN_LOCK:
        drawn = _DRAWN.get(key)
        if drawn is not None:
            _DRAWN.move_to_end(key)
            return drawn
    svg = chart.render(is_unicode=True)
    drawn = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    with _DRAWN_LOCK:
        _DRAWN[key] = drawn
        while len(_DRAWN) > _DRAWN_KEPT:
            _DRAWN.popitem(last=False)
    return drawn


def _most(title: str, leader: str, most: int, noun: str) -> str:
    """The sentence under a bar chart naming its longest bar."""
    text: str
    if noun == "visits":
        text = ngettext(
            "%(title)s: the most was %(leader)s (%(num)d visit).",
            "%(title)s: the most was %(leader)s (%(num)d visits).",
            most,
            title=title,
            leader=leader,
        )
    else:
        text = ngettext(
            "%(title)s: the most was %(leader)s (%(num)d incident).",
            "%(title)s: the most was %(leader)s (%(num)d incidents).",
            most,
            title=title,
            leader=leader,
        )
    return text


def _bars(
    report: Report, published: Published, key: str, title: str, horizontal: bool, noun: str
) -> Chart:
    rows = report.breakdown_rows(key)
    points = [(row, *_number(report, published, key, row)) for row in rows]
    if horizontal:
        points = [point for point in points if point[2] not in ("0", "")]
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = kind(
        style=_STYLE, js=[], show_legend=False, width=600, height=300 if not horizontal else 80
        + 30 * max(1, len(points)), x_label_rotation=0,
        show_minor_x_labels=False, print_values=False, truncate_label=-1,
    )  # fmt: skip
    top = int(max((value or 0 for _row, value, _text in points), default=0))
    step = max(1, -(-top // 5))
    chart.y_labels = list(range(0, top + step + 1, step))
    chart.title = title
    labels = [row for row, _value, _text in points]
    if not horizontal:
        chart.x_labels = [str(int(label[-2:])) for label in labels]
        chart.x_labels_major = chart.x_labels[::7]
    else:
        chart.x_labels = [shown_row(label) for label in labels]
    column = _("Visits") if noun == "visits" else _("Incidents")
    chart.add(column, [value for _row, value, _text in points])
    counted = [(row, value) for row, value, _text in points if value]
    if counted:
        leader, most = max(counted, key=lambda item: item[1])
        summary = _most(title, shown_row(leader), int(most), noun)
    else:
        summary = _("%(title)s: none in this period.", title=title)
    return Chart(key, title, summary, _svg(chart), [["", column]]
                 + [[shown_row(row), text] for row, _value, text in points])  # fmt: skip


def heat_map(report: Report, published: Published) -> Chart:
    cells = []
    numbers = {
        (day, hour): _number(report, published, "visits_by_hour", hour_label(day, hour))
        for day in range(7)
        for hour in range(24)
    }
    most = max((value or 0 for value, _text in numbers.values()), default=0)
    for day in range(7):
        row = []
        for hour in range(24):
            value, text = numbers[(day, hour)]
            shade = 0 if not value or not most else 1 + min(3, int(4 * value / (most + 1)))
            row.append((shade, text))
        cells.append(row)
    busiest = max(numbers.items(), key=lambda item: item[1][0] or 0)
    (day, hour), (value, _text) = busiest
    weekdays = shown_weekdays()
    hh = str(hour).zfill(2)
    summary = (
        ngettext(
            "The busiest hour was %(day)s %(start)s to %(end)s (%(num)d visit).",
            "The busiest hour was %(day)s %(start)s to %(end)s (%(num)d visits).",
            int(value), day=weekdays[day], start=hh + ":00", end=hh + ":59",
        ) if value
        else _("No visits in this period.")
    )  # fmt: skip
    table = [["", *[f"{hour:02d}" for hour in range(24)]]]
    table += [[weekdays[day], *[text for _shade, text in cells[day]]] for day in range(7)]
    return Chart("visits_by_hour", _("Visits by weekday and hour"), summary, None, table, cells)


def report_charts(report: Report, published: Published = None) -> list[Chart]:
    """The charts of a report (of its total when several sites are shown)."""
    return [
        _bars(report, published, "visits_by_day", _("Visits per day"), False, "visits"),
        _bars(report, published, "visits_by_substance", _("Substances named"), True, "visits"),
        _bars(report, published, "incidents_by_type", _("Incidents by type"), True, "incidents"),
        heat_map(report, published),
    ]


def trend_chart(months: list[tuple[str, int, int, int]], threshold: int | None = None) -> Chart:
    """Visits, overdoses and incidents over the last twelve months; with a threshold (for
    publication), counts from 1 to threshold - 1 read "<threshold" and are not drawn.
    """

    def drawn(count: int) -> int | None:
        return None if threshold is not None and 0 < count < threshold else count

    def text(count: int) -> str:
        return f"<{threshold}" if drawn(count) is None else str(count)

    chart = pygal.Line(
        style=_STYLE, js=[], width=600, height=320, x_label_rotation=30, legend_at_bottom=True,
        truncate_label=-1,
    )  # fmt: skip
    title = _("Twelve-month trend")
    visits_word, incidents_word = _("Visits"), _("Incidents")
    # TRANSLATORS: clinical
    overdoses_word = _("Opioid overdoses")
    chart.title = title
    chart.x_labels = [label for label, *_rest in months]
    chart.add(visits_word, [drawn(visits) for _m, visits, _o, _i in months])
    chart.add(
        incidents_word, [drawn(incidents) for _m, _v, _o, incidents in months], secondary=True
    )
    chart.add(
        overdoses_word, [drawn(overdoses) for _m, _v, overdoses, _i in months], secondary=True
    )
    first, last = months[0], months[-1]
    summary = _(
        "Visits went from %(first)s in %(first_month)s to %(last)s in %(last_month)s.",
        first=text(first[1]),
        first_month=first[0],
        last=text(last[1]),
        last_month=last[0],
    )
    table = [[_("Month"), visits_word, overdoses_word, incidents_word]]
    table += [[label, text(v), text(o), text(i)] for label, v, o, i in months]
    return Chart("trend", title, summary, _svg(chart), table)
