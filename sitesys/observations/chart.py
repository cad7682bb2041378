"""A server-rendered SVG chart of a visit's observations: no script, nothing from elsewhere.

Styled by classes from the site stylesheet, so it works under the strict Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from sitesys.clock import written
from sitesys.observations.models import Observation, ObservationKind

WIDTH = 640
PANEL_HEIGHT = 96
GAP = 22
LEFT = 185
#: Room right of the plot for half a time label centred on the last reading.
RIGHT = 28
#: The least room between two readings across the chart: sets taken in the same minute (or
#: seconds apart) would otherwise lie on one another.
MIN_SPACING = 28
#: The room a time label ("10:32") takes on the axis; closer labels are left out.
LABEL_WIDTH = 44
#: The shortest time the chart spans, so that sets a minute apart do not look an hour apart.
LEAST_SPAN = timedelta(minutes=10)


@dataclass(frozen=True)
class Series:
    key: str
    title: Any
    unit: str
    floor: float
    ceiling: float
    value: Callable[[Observation], float | int | None]


SERIES = (
    Series("respiratory_rate", _l("Respiratory rate"), "/min", 0, 40, lambda o: o.respiratory_rate),
    Series("spo2", _l("SpO2"), "%", 80, 100, lambda o: o.spo2),
    Series("pulse", _l("Pulse"), "/min", 40, 160, lambda o: o.pulse),
    # Full sets only: a partial set's total is a floor, not a score to draw a trend through.
    Series("news2", "NEWS2", "", 0, 12, lambda o: None if o.news2_partial else o.news2_total),
)


def _points(observations: Sequence[Observation], series: Series) -> list[tuple[Observation, float]]:
    points = []
    for observation in observations:
        value = series.value(observation)
        if value is not None:
            points.append((observation, float(value)))
    return points


def positions(times: Sequence[datetime], left: float, width: float) -> list[float]:
    """Where each reading (oldest first) stands across the plot: in proportion to its time on an
    axis of at least LEAST_SPAN (readings closer in time sit together in the middle, not at
    either end), at least MIN_SPACING from the one before (less only when the readings could
    not fit otherwise: then evenly spaced), and never outside the plot.
    """
    count = len(times)
    span = (times[-1] - times[0]).total_seconds()
    axis = max(span, LEAST_SPAN.total_seconds())
    # Where the axis starts, in seconds before the first reading.
    lead = (axis - span) / 2
    spacing = min(MIN_SPACING, width / (count - 1)) if count > 1 else 0.0
    right = left + width
    placed = [left + width * (lead + (at - times[0]).total_seconds()) / axis for at in times]
    # Push each reading right of the one before, then pull them back within the plot from the
    # right: as `spacing` fits (count - 1) times into the width, both passes keep the order.
    for index in range(1, count):
        placed[index] = max(placed[index], placed[index - 1] + spacing)
    placed[-1] = min(placed[-1], right)
    for index in range(count - 2, -1, -1):
        placed[index] = min(placed[index], placed[index + 1] - spacing)
    # Only rounding could take the first a hair's breadth left of the plot.
    return [max(x, left) for x in placed]


def time_labels(xs: Sequence[float], texts: Sequence[str]) -> list[tuple[float, str]]:
    """The times written under the chart: the first reading's, then each new minute that has
    room beside the last one written; the latest reading's is always written (in place of the
    one before it when they would touch).
    """
    written: list[tuple[float, str]] = []
    for x, text in zip(xs, texts, strict=True):
        if written and (text == written[-1][1] or x - written[-1][0] < LABEL_WIDTH):
            continue
        written.append((x, text))
    last = (xs[-1], texts[-1])
    if written[-1] != last and texts[-1] != written[-1][1]:
        if len(written) > 1 and last[0] - written[-1][0] < LABEL_WIDTH:
            written.pop()
        if last[0] - written[-1][0] >= LABEL_WIDTH:
            written.append(last)
    return written


def render_chart(observations: Sequence[Observation], zone: ZoneInfo) -> Markup | None:
    """Respiratory rate, SpO2, pulse and NEWS2 over the visit; None when nothing was measured."""
    scored = sorted(
        (o for o in observations if o.kind is ObservationKind.FULL and o.struck_at is None),
        key=lambda o: (o.recorded_at, o.id),
    )
    if not scored:
        return None
    plot_width = WIDTH - LEFT - RIGHT
    xs = positions([o.recorded_at for o in scored], LEFT, plot_width)
    x_of = dict(zip(scored, xs, strict=True))

    height = len(SERIES) * (PANEL_HEIGHT + GAP) + 20
    title = _("Respiratory rate, SpO2, pulse and NEWS2 over the visit")
    not_measured = _("Not measured")
    parts = [
        f'<svg class="obs-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        'aria-labelledby="obs-chart-title">',
        f'<title id="obs-chart-title">{escape(title)}</title>',
    ]
    for index, series in enumerate(SERIES):
        top = index * (PANEL_HEIGHT + GAP) + 8
        points = _points(scored, series)
        values = [value for _point, value in points]
        low = min([series.floor, *values])
        high = max([series.ceiling, *values])

        def y(value: float, top: int = top, low: float = low, high: float = high) -> float:
            return top + PANEL_HEIGHT - (value - low) / ((high - low) or 1) * PANEL_HEIGHT

        unit = f" ({series.unit})" if series.unit else ""
        parts.append(f'<g class="panel panel-{series.key}">')
        parts.append(
            f'<rect class="plot" x="{LEFT}" y="{top}" width="{plot_width}" '
            f'height="{PANEL_HEIGHT}"></rect>'
        )
        parts.append(
            f'<text class="axis-title" x="8" y="{top + PANEL_HEIGHT / 2 + 5:.1f}">'
            f"{escape(str(series.title))}{escape(unit)}</text>"
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{top + 10}" text-anchor="end">{high:g}</text>'
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{top + PANEL_HEIGHT}" text-anchor="end">'
            f"{low:g}</text>"
        )
        if points:
            coordinates = " ".join(
                f"{x_of[observation]:.1f},{y(value):.1f}" for observation, value in points
            )
            parts.append(f'<polyline class="series" points="{coordinates}"></polyline>')
            for observation, value in points:
                at = observation.recorded_at.astimezone(zone)
                label = _(
                    "%(title)s %(value)s%(unit)s at %(time)s",
                    title=series.title,
                    value=format(value, "g"),
                    unit=series.unit,
                    time=written(at, "%H:%M"),
                )
                parts.append(
                    f'<circle class="point" cx="{x_of[observation]:.1f}" '
                    f'cy="{y(value):.1f}" r="4"><title>{escape(label)}</title></circle>'
                )
        else:
            parts.append(
                f'<text class="axis" x="{LEFT + 8}" y="{top + PANEL_HEIGHT / 2 + 5:.1f}">'
                f"{escape(not_measured)}</text>"
            )
        parts.append("</g>")
    # The time axis: a tick under each set, and its time where there is room to read it.
    last_panel_bottom = (len(SERIES) - 1) * (PANEL_HEIGHT + GAP) + 8 + PANEL_HEIGHT
    bottom = len(SERIES) * (PANEL_HEIGHT + GAP) + 4
    parts.append('<g class="time-axis">')
    for x in xs:
        parts.append(
            f'<line class="tick" x1="{x:.1f}" y1="{last_panel_bottom}" x2="{x:.1f}" '
            f'y2="{last_panel_bottom + 5}"></line>'
        )
    times = [f"{o.recorded_at.astimezone(zone):%H:%M}" for o in scored]
    for x, text in time_labels(xs, times):
        parts.append(
            f'<text class="axis" x="{x:.1f}" y="{bottom}" text-anchor="middle">{text}</text>'
        )
    parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
