"""Form pieces every feature uses: the base form, trimming, choices, large checkbox lists."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import get_locale, get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    SubmitField,
    ValidationError,
    widgets,
)
from wtforms.fields.choices import SelectChoice

from sitesys.clock import written

#: WTForms' own messages for input it cannot read, in the words staff see everywhere else (and
#: in their language: each is translated when a form asks for it).
HOUSE_WORDING = {
    "This field is required.": _l("Fill this in."),
    "Not a valid integer value.": _l("Enter a whole number."),
    "Not a valid decimal value.": _l("Enter a number."),
    "Not a valid float value.": _l("Enter a number."),
    "Not a valid date value.": _l("Enter a date."),
    "Not a valid datetime value.": _l("Enter a date and a time."),
    "Not a valid time value.": _l("Enter a time, such as 14:30."),
    "Not a valid choice.": _l("Choose one of the options given."),
    "'%(value)s' is not a valid choice for this field.": _l("Choose from the options given."),
    "'%(value)s' are not valid choices for this field.": _l("Choose from the options given."),
    "Number must be between %(min)s and %(max)s.": _l("Enter a number from %(min)s to %(max)s."),
    "Number must be at least %(min)s.": _l("Enter a number of at least %(min)s."),
    "Number must be at most %(max)s.": _l("Enter a number of at most %(max)s."),
    "Field must be between %(min)d and %(max)d characters long.": _l(
        "Use %(min)d to %(max)d characters."
    ),
}


def _house_plural(singular: str, n: int) -> str | None:
    """WTForms' length messages, which depend on a count, in house wording: the form of the
    language for `n` (French says "1 caractère", "2 caractères"). The placeholders are left for
    WTForms to fill, so the catalogue is read as it is, not formatted here.
    """
    translations = get_translations()
    if singular == "Field cannot be longer than %(max)d character.":
        return str(
            translations.ungettext(
                "Use at most %(max)d character.", "Use at most %(max)d characters.", n
            )
        )
    if singular == "Field must be at least %(min)d character long.":
        return str(
            translations.ungettext(
                "Use at least %(min)d character.", "Use at least %(min)d characters.", n
            )
        )
    return None


class _HouseWording:
    """What WTForms asks for its messages (gettext, ngettext), answered in HOUSE_WORDING in the
    request's language; a message of WTForms' own not reworded is looked up as it is.
    """

    def gettext(self, string: str) -> str:
        wording = HOUSE_WORDING.get(string)
        return str(wording) if wording is not None else str(get_translations().ugettext(string))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        house = _house_plural(singular, n)
        if house is not None:
            return house
        return str(get_translations().ungettext(singular, plural, n))


_HOUSE_WORDING = _HouseWording()


class SiteSysForm(FlaskForm):
    """Every SiteSys form: Flask-WTF's (CSRF), with WTForms' own messages in house wording."""

    class Meta:
        def get_translations(self, form: Any) -> _HouseWording:
            return _HOUSE_WORDING


class ConfirmForm(SiteSysForm):
    """A bare form for a confirmed POST action (the CSRF token is the point)."""

    submit = SubmitField(_l("Confirm"))


#: A submission key (a UUID the form was drawn with): the same key sent twice is one record.
UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


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
        invalid_choice: str | None = None,
        optional: bool = False,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.invalid_choice = invalid_choice or _l("Choose from the list.")
        #: Nothing chosen is fine (a reading the nurse could not take).
        self.optional = optional

    def pre_validate(self, form: Any) -> None:
        if self.optional and not any(self.raw_data or []):  # type: ignore[attr-defined]
            self.data = None
            return
        try:
            super().pre_validate(form)  # type: ignore[misc]
        except ValidationError as error:
            raise ValidationError(str(self.invalid_choice)) from error


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
            _(
                "Enter a date from %(earliest)s to %(latest)s.",
                earliest=written(EARLIEST_DATE, "%-d %B %Y"),
                latest=written(LATEST_DATE, "%-d %B %Y"),
            )
        )


def not_before_date_from(form: Any, field: Field) -> None:
    """For a filter's "To date": refused when before its "From date" (which would match nothing
    without saying why).
    """
    start = getattr(form, "date_from", None)
    if field.data and start is not None and start.data and field.data < start.data:
        raise ValidationError(_("The end date is before the start date."))


#: How a date is typed at a site in the UK: day, month, year.
# TRANSLATORS: a date field's placeholder: day, month, year in this order (the field reads them so)
DATE_TYPED = _l("dd/mm/yyyy")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def year_first() -> bool:
    """Whether the request's locale writes a date year first (fr_CA: 2026-12-06) rather than
    day first (en_GB, es, pt, ar: 06/12/2026), read from its short date pattern in Babel.
    """
    locale = get_locale()
    if locale is None:
        return False
    pattern: str = locale.date_formats["short"].pattern
    return pattern.find("y") < pattern.find("d")


def _placeholder() -> str:
    if year_first():
        # TRANSLATORS: how a date typed year first is shown empty: the letters for year, month
        # and day in your language (aaaa-mm-jj in French).
        return str(_("yyyy-mm-dd"))
    # TRANSLATORS: how a date typed day first is shown empty (jj/mm/aaaa in French).
    return str(_("dd/mm/yyyy"))


class DayMonthYearField(DateField):
    """A date typed and shown in the order of the request's language (day/month/year in
    en_GB, 06/12/2026; year-month-day in fr_CA, 2026-12-06), whatever language the tablet is
    set up in: a browser's own date input follows the device, and a tablet set up in US English
    would ask for month/day first. The ISO form (2026-12-06) is read in every language.
    """

    widget = widgets.TextInput()

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any) -> None:
        # A field is built with its form, in the request: the placeholder is in its language.
        render_kw = {
            "placeholder": _placeholder(),
            "inputmode": "numeric",
            "autocomplete": "off",
            **(kwargs.pop("render_kw", None) or {}),
        }
        super().__init__(label, validators, format="%d/%m/%Y", render_kw=render_kw, **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        if not isinstance(self.data, date):
            return ""
        return self.data.strftime("%Y-%m-%d" if year_first() else "%d/%m/%Y")

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        if not text:
            self.data = None
            return
        self.data = None
        if iso := _ISO_DATE.fullmatch(text):
            year, month, day = (int(part) for part in iso.groups())
        elif typed := _DAY_MONTH_YEAR.fullmatch(text):
            day, month, year = (int(part) for part in typed.groups())
            year = year + 2000 if year < 100 else year
        elif year_first():
            raise ValueError(_("Enter the date as year-month-day, for example 2026-12-06."))
        else:
            raise ValueError(_("Enter the date as day/month/year, for example 06/12/2026."))
        try:
            self.data = date(year, month, day)
        except ValueError:
            raise ValueError(
                _("That date is not on the calendar: check the day and the month.")
            ) from None
