"""A server-rendered SVG chart of a visit's observations: no script, nothing from elsewhere.

Styled by classes from the site stylesheet, so it works under the strict Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from sitesys.observations.models import Observation, ObservationKind

WIDTH = 640
PANEL_HEIGHT = 96
GAP = 22
LEFT = 185
RIGHT = 16


@dataclass(frozen=True)
class Series:
    key: str
    title: str
    unit: str
    floor: float
    ceiling: float
    value: Callable[[Observation], float | int | None]


SERIES = (
    Series("respiratory_rate", "Respiratory rate", "/min", 0, 40, lambda o: o.respiratory_rate),
    Series("spo2", "SpO2", "%", 80, 100, lambda o: o.spo2),
    Series("pulse", "Pulse", "/min", 40, 160, lambda o: o.pulse),
    # Full sets only: a partial set's total is a floor, not a score to draw a trend through.
    Series("news2", "NEWS2", "", 0, 12, lambda o: None if o.news2_partial else o.news2_total),
)


def _points(observations: Sequence[Observation], series: Series) -> list[tuple[datetime, float]]:
    points = []
    for observation in observations:
        value = series.value(observation)
        if value is not None:
            points.append((observation.recorded_at, float(value)))
    return points


def render_chart(observations: Sequence[Observation], zone: ZoneInfo) -> Markup | None:
    """Respiratory rate, SpO2, pulse and NEWS2 over the visit; None when nothing was measured."""
    scored = sorted(
        (o for o in observations if o.kind is ObservationKind.FULL and o.struck_at is None),
        key=lambda o: o.recorded_at,
    )
    if not scored:
        return None
    start, end = scored[0].recorded_at, scored[-1].recorded_at
    span = max((end - start).total_seconds(), 1.0)
    plot_width = WIDTH - LEFT - RIGHT

    def x(at: datetime) -> float:
        if start == end:
            return LEFT + plot_width / 2
        return LEFT + plot_width * (at - start).total_seconds() / span

    height = len(SERIES) * (PANEL_HEIGHT + GAP) + 20
    parts = [
        f'<svg class="obs-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        'aria-labelledby="obs-chart-title">',
        '<title id="obs-chart-title">'
        "Respiratory rate, SpO2, pulse and NEWS2 over the visit</title>",
    ]
    for index, series in enumerate(SERIES):
        top = index * (PANEL_HEIGHT + GAP) + 8
        points = _points(scored, series)
        values = [value for _, value in points]
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
            f"{escape(series.title)}{escape(unit)}</text>"
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{top + 10}" text-anchor="end">{high:g}</text>'
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{top + PANEL_HEIGHT}" text-anchor="end">'
            f"{low:g}</text>"
        )
        if points:
            coordinates = " ".join(f"{x(at):.1f},{y(value):.1f}" for at, value in points)
            parts.append(f'<polyline class="series" points="{coordinates}"></polyline>')
            for at, value in points:
                label = f"{series.title} {value:g}{series.unit} at {at.astimezone(zone):%H:%M}"
                parts.append(
                    f'<circle class="point" cx="{x(at):.1f}" cy="{y(value):.1f}" r="4">'
                    f"<title>{escape(label)}</title></circle>"
                )
        else:
            parts.append(
                f'<text class="axis" x="{LEFT + 8}" y="{top + PANEL_HEIGHT / 2 + 5:.1f}">'
                "Not measured</text>"
            )
        parts.append("</g>")
    bottom = len(SERIES) * (PANEL_HEIGHT + GAP) + 4
    parts.append(
        f'<text class="axis" x="{LEFT}" y="{bottom}">{start.astimezone(zone):%H:%M}</text>'
    )
    parts.append(
        f'<text class="axis" x="{WIDTH - RIGHT}" y="{bottom}" text-anchor="end">'
        f"{end.astimezone(zone):%H:%M}</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
