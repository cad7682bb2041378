"""Charts are drawn once for the numbers they show: the same report again is answered with the
same drawings without drawing them again, and a changed number is always drawn afresh."""

from __future__ import annotations

import re

import pygal.graph.public

from sitesys.reports.charts import _DRAWN, trend_chart
from tests.factories import sign_in
from tests.reports.scenes import march

MONTHS = [("Jan 2026", 120, 1, 3), ("Feb 2026", 130, 0, 2)]


def _drawings(monkeypatch) -> list[str]:
    drawn: list[str] = []
    render = pygal.graph.public.PublicApi.render

    def counted(self, *args, **kwargs):
        drawn.append(type(self).__name__)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(pygal.graph.public.PublicApi, "render", counted)
    # Drawings kept by earlier tests of this process would otherwise answer the first asking.
    _DRAWN.clear()
    return drawn


def test_the_same_report_again_is_not_drawn_again(client, db, monkeypatch):
    drawn = _drawings(monkeypatch)
    scene = march(db)
    sign_in(client, db, scene.manager, scene.site)
    path = f"/reports/?period=month&month=2026-03&site={scene.site.id}"
    first = re.findall(r"data:image/svg[^\"]+", client.get(path).get_data(as_text=True))
    drawn_first = len(drawn)
    again = re.findall(r"data:image/svg[^\"]+", client.get(path).get_data(as_text=True))
    assert first == again and len(first) >= 3
    assert drawn_first >= 3 and len(drawn) == drawn_first


def test_a_changed_number_is_drawn_afresh(monkeypatch):
    drawn = _drawings(monkeypatch)
    before = trend_chart(MONTHS)
    changed = trend_chart([MONTHS[0], ("Feb 2026", 131, 0, 2)])
    assert before.image != changed.image
    assert trend_chart(MONTHS).image == before.image
    assert len(drawn) == 2
