"""Markup rules axe cannot see on pages no test draws: a name given with `aria-label` belongs on
an element that can carry one (a landmark, a control, a widget role), never on a paragraph or a
plain container, where screen readers ignore it (WCAG 1.3.1, 4.1.2; issue 23, finding 9)."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
GENERIC = re.compile(
    r"<(p|div|span|strong|em|small|b|i|li|td|dd|dt)\b(?![^>]*\brole=)[^>]*\baria-label=", re.S
)


def test_no_paragraph_or_plain_container_is_named_with_aria_label():
    offenders = [
        f"{path.relative_to(TEMPLATES)}: <{found.group(1)} …aria-label>"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for found in GENERIC.finditer(path.read_text())
    ]
    assert offenders == []
