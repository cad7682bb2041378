"""Form pieces every feature uses: trimming, choices, large checkbox lists."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Choices for a select or checkbox list, from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of large checkboxes (touch-friendly, no Ctrl-click)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
