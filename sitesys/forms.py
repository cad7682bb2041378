"""Form pieces every feature uses: trimming, choices, large checkbox lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms import RadioField, SelectMultipleField, ValidationError, widgets
from wtforms.fields.choices import SelectChoice


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Choices for a select or checkbox list, from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class PlainChoiceMessage:
    """A choice field that refuses a value not on the form in the desk's own words.

    A value not offered (another site's booth, a substance not on the pick-list, a tampered
    form) is refused with `invalid_choice` rather than WTForms' "Not a valid choice".
    """

    data: Any

    def __init__(
        self,
        *args: Any,
        invalid_choice: str = "Choose from the list.",
        optional: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.invalid_choice = invalid_choice
        #: Nothing chosen is fine (a reading the nurse could not take).
        self.optional = optional

    def pre_validate(self, form: Any) -> None:
        if self.optional and not any(self.raw_data or []):  # type: ignore[attr-defined]
            self.data = None
            return
        try:
            super().pre_validate(form)  # type: ignore[misc]
        except ValidationError as error:
            raise ValidationError(self.invalid_choice) from error


class MultiCheckboxField(PlainChoiceMessage, SelectMultipleField):
    """Several choices as a list of large checkboxes (touch-friendly, no Ctrl-click)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class RadioChoiceField(PlainChoiceMessage, RadioField):
    """One choice among large radio buttons."""
