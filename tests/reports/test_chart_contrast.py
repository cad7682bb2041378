"""The reports page's charts can be read: every piece of text in their SVG has at least 4.5:1
contrast against the chart's white background, and none is faded by an opacity (WCAG 1.4.3)."""

from __future__ import annotations

import base64
import re

from tests.factories import sign_in
from tests.reports.scenes import march

TEXT_SELECTOR = re.compile(r"text|title|label|legend|value", re.I)


def _luminance(colour: str) -> float:
    named = {"black": "#000000", "white": "#ffffff"}
    colour = named.get(colour, colour)
    red, green, blue = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def _contrast(colour: str, background: str = "white") -> float:
    lighter, darker = sorted((_luminance(colour), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_every_chart_text_has_4_5_to_1_contrast_and_no_fading(client, db):
    scene = march(db)
    sign_in(client, db, scene.manager, scene.site)
    page = client.get(f"/reports/?period=month&month=2026-03&site={scene.site.id}")
    images = re.findall(
        r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", page.get_data(as_text=True)
    )
    assert len(images) >= 3
    checked = 0
    for encoded in images:
        svg = base64.b64decode(encoded).decode()
        css = "".join(re.findall(r"<style[^>]*>(.*?)</style>", svg, re.S))
        for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", css):
            if not TEXT_SELECTOR.search(selector.split(" ", 1)[-1]):
                continue
            if "tooltip rect" in selector or "background" in selector:
                continue
            for colour in re.findall(r"(?<![-\w])fill:\s*(#[0-9a-fA-F]{6}|black|white)", body):
                if "tooltip" in selector and colour == "white":
                    continue
                assert _contrast(colour) >= 4.5, (selector.strip(), colour)
                checked += 1
            for opacity in re.findall(r"(?<![-\w])(?:fill-)?opacity:\s*([\d.]+)", body):
                if re.search(r"\btext\b", selector) and ":hover" not in selector:
                    assert float(opacity) in (0.0, 1.0), (selector.strip(), opacity)
    assert checked >= 10
