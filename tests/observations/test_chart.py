from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.observations.chart import (
    LABEL_WIDTH,
    LEFT,
    MIN_SPACING,
    RIGHT,
    WIDTH,
    positions,
    render_chart,
    time_labels,
)
from sitesys.observations.scoring import Consciousness
from sitesys.observations.services import (
    ObservationInput,
    record_observation,
    record_quick_check,
    strike_observation,
)
from tests.factories import make_booth, make_site, make_staff, make_visit


def test_chart_draws_the_four_series_and_leaves_out_struck_and_quick_checks(db):
    start = utcnow()
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, booth=make_booth(db, site), at=start)
    recorded = []
    for minutes, rate in ((1, 16), (6, 10), (11, 7)):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            recorded.append(
                record_observation(
                    db,
                    nurse,
                    visit,
                    ObservationInput(
                        Consciousness.ALERT,
                        respiratory_rate=rate,
                        spo2=95,
                        pulse=90,
                        systolic_bp=120,
                        temperature=Decimal("36.8"),
                    ),
                    str(uuid.uuid4()),
                )
            )
    with time_machine.travel(start + timedelta(minutes=12), tick=False):
        # Breathing 7 a minute asks for a full set; the nurse went ahead with a quick check.
        record_quick_check(db, nurse, visit, str(uuid.uuid4()), despite_advice=True)
    strike_observation(db, nurse, recorded[1], "Wrong client")
    svg = render_chart([*recorded], ZoneInfo("Europe/London"))
    assert svg is not None
    text = str(svg)
    assert text.count("<polyline") == 4
    assert "Respiratory rate 16/min" in text and "Respiratory rate 7/min" in text
    assert "Respiratory rate 10/min" not in text
    assert "<script" not in text and "style=" not in text


def test_no_chart_without_a_full_observation(db):
    assert render_chart([], ZoneInfo("Europe/London")) is None


def test_a_partial_sets_total_is_not_drawn_as_a_news2_score(db):
    """Breathing and pulse only: their readings are drawn, but a NEWS2 line through a total
    that counts nothing for the parameters never measured would read as a real, low score."""
    start = utcnow()
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, booth=make_booth(db, site), at=start)
    recorded = []
    for minutes in (1, 6):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            recorded.append(
                record_observation(
                    db,
                    nurse,
                    visit,
                    ObservationInput(Consciousness.ALERT, respiratory_rate=16, pulse=72),
                    str(uuid.uuid4()),
                )
            )
    assert all(o.news2_partial and o.news2_total == 0 for o in recorded)
    text = str(render_chart(recorded, ZoneInfo("Europe/London")))
    assert "Respiratory rate 16/min" in text and "Pulse 72/min" in text
    assert "NEWS2 0" not in text


def chart_of(svg):
    """The x of each point of the first panel, and the time labels under the chart."""
    text = str(svg)
    first_panel = text.split('<g class="panel panel-respiratory_rate">')[1].split("</g>")[0]
    xs = [float(part.split('"')[0]) for part in first_panel.split('cx="')[1:]]
    axis = text.split('<g class="time-axis">')[1].split("</g>")[0]
    labels = [
        (float(part.split('"')[0]), part.split(">")[1].split("<")[0])
        for part in axis.split('<text class="axis" x="')[1:]
    ]
    return xs, labels


def test_readings_in_the_same_minute_stand_apart_under_one_time(db):
    start = utcnow().replace(hour=10, minute=32, second=0, microsecond=0)
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, booth=make_booth(db, site), at=start)
    recorded = []
    # Three sets within the same minute (a nurse correcting a reading, a second nurse), then
    # one twenty minutes later.
    for seconds, rate in ((5, 16), (20, 14), (40, 12), (20 * 60, 18)):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            recorded.append(
                record_observation(
                    db,
                    nurse,
                    visit,
                    ObservationInput(Consciousness.ALERT, respiratory_rate=rate),
                    str(uuid.uuid4()),
                )
            )
    xs, labels = chart_of(render_chart(recorded, ZoneInfo("UTC")))
    assert len(xs) == 4
    assert all(later - earlier >= MIN_SPACING for earlier, later in itertools.pairwise(xs))
    assert xs[0] >= LEFT and xs[-1] <= WIDTH - RIGHT
    # The minute is written once, the later set's time too, and no two labels touch.
    assert [text for _x, text in labels] == ["10:32", "10:52"]
    assert all(b[0] - a[0] >= LABEL_WIDTH for a, b in itertools.pairwise(labels))


def test_many_readings_fit_the_chart_in_order_with_times_that_do_not_overlap():
    start = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    # Sixty sets: bursts in the same minute and longer gaps, more than the width can space
    # at MIN_SPACING.
    times = [start + timedelta(minutes=(i // 3) * 4, seconds=i % 3) for i in range(60)]
    width = WIDTH - LEFT - RIGHT
    xs = positions(times, LEFT, width)
    assert xs == sorted(xs) and len(set(xs)) == 60
    assert xs[0] >= LEFT and xs[-1] <= LEFT + width + 1e-9
    spacing = min(b - a for a, b in itertools.pairwise(xs))
    assert spacing >= width / 59 - 1e-9
    labels = time_labels(xs, [f"{t:%H:%M}" for t in times])
    assert labels[0] == (xs[0], "10:00") and labels[-1] == (xs[-1], "11:16")
    assert all(b[0] - a[0] >= LABEL_WIDTH for a, b in itertools.pairwise(labels))
    assert len({text for _x, text in labels}) == len(labels)


def test_one_reading_stands_in_the_middle_with_its_time():
    at = datetime(2025, 1, 15, 10, 32, tzinfo=UTC)
    [x] = positions([at], LEFT, 400)
    assert x == LEFT + 200
    assert time_labels([x], ["10:32"]) == [(x, "10:32")]


def test_readings_far_apart_keep_their_place_in_time():
    start = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    times = [start, start + timedelta(minutes=10), start + timedelta(minutes=40)]
    assert positions(times, 0, 400) == [0, 100, 400]


def test_two_sets_seconds_apart_sit_together_in_the_middle_not_at_either_end():
    at = datetime(2025, 1, 15, 10, 32, tzinfo=UTC)
    first, second = positions([at, at + timedelta(seconds=20)], 0, 400)
    assert second - first == MIN_SPACING
    assert 150 < first < second < 250
