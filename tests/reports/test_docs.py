"""docs/indicators.md and the registry say the same: every key with its exact rule."""

from __future__ import annotations

from config import PROJECT_ROOT
from sitesys.reports.indicators import INDICATORS


def test_every_indicator_is_documented_with_its_rule():
    text = (PROJECT_ROOT / "docs" / "indicators.md").read_text()
    missing = [item.key for item in INDICATORS if f"| `{item.key}` | {item.label} |" not in text]
    wrong = [item.key for item in INDICATORS if f" | {item.rule} |" not in text]
    assert missing == [] and wrong == []
