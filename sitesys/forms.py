"""Form pieces every feature uses: trimming, choices, large checkbox lists."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from wtforms import Field, RadioField, SelectField, SelectMultipleField, ValidationError, widgets
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


class PlainSelectField(PlainChoiceMessage, SelectField):
    """A drop-down that refuses a value not on it (a tampered form) in plain words, not
    WTForms' "Not a valid choice".
    """


#: The dates a filter may ask for. A date is turned into a local midnight, the day after it and
#: then UTC; near year 1 or 9999 that arithmetic overflows (an error page), and no record of
#: SiteSys is dated outside these.
EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def on_the_calendar(_form: object, field: Field) -> None:
    """A date filter within EARLIEST_DATE and LATEST_DATE, said in plain words."""
    if field.data is not None and not EARLIEST_DATE <= field.data <= LATEST_DATE:
        raise ValidationError(
            f"Enter a date from {EARLIEST_DATE:%-d %B %Y} to {LATEST_DATE:%-d %B %Y}."
        )
