"""Choosing what to report: the period and the sites; and what an export asks for."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, StringField
from wtforms.validators import Optional, Regexp

from sitesys.forms import (
    PlainSelectField,
    SiteSysForm,
    choices,
    not_before_date_from,
    on_the_calendar,
)
from sitesys.reports.exports import Audience
from sitesys.reports.periods import (
    MAX_DAYS,
    PERIOD_KIND_LABELS,
    Period,
    PeriodKind,
    last_full_month,
    month,
    quarter,
    year,
)

#: The choice of every site the reader may see, side by side with their total.
ALL_SITES = "all"


class ReportForm(SiteSysForm):
    """The report's choices, read from the address (the page is bookmarkable)."""

    class Meta:
        csrf = False

    period = PlainSelectField(
        _l("Period"),
        coerce=str,
        choices=choices((kind.value, PERIOD_KIND_LABELS[kind.value]) for kind in PeriodKind),
        default=PeriodKind.MONTH.value,
        invalid_choice=_l("Choose a kind of period from the list."),
    )
    month = StringField(
        _l("Month"),
        validators=[Optional(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Choose a month."))],
        render_kw={"type": "month"},
        description=_l("For a month."),
    )
    quarter = PlainSelectField(
        _l("Quarter"), coerce=str, validators=[Optional()], description=_l("For a quarter."),
        invalid_choice=_l("Choose a quarter from the list."),
    )  # fmt: skip
    year = PlainSelectField(
        _l("Year"), coerce=str, validators=[Optional()], description=_l("For a year."),
        invalid_choice=_l("Choose a year from the list."),
    )  # fmt: skip
    date_from = DateField(
        _l("From"),
        validators=[Optional(), on_the_calendar],
        description=_l("For dates of your choice."),
    )
    date_to = DateField(
        _l("To"),
        validators=[Optional(), on_the_calendar, not_before_date_from],
        description=_l("The last day included."),
    )
    site = PlainSelectField(
        _l("Sites"),
        coerce=str,
        validators=[Optional()],
        invalid_choice=_l("Choose a site from the list."),
    )

    def offer_periods(self, today: date) -> None:
        """The quarters and years to choose from: the last eight of each."""
        quarters = []
        y, q = today.year, (today.month - 1) // 3 + 1
        for _step in range(8):
            quarters.append((f"{y}-Q{q}", _("Q%(quarter)s %(year)s", quarter=q, year=y)))
            y, q = (y - 1, 4) if q == 1 else (y, q - 1)
        self.quarter.choices = choices(quarters)
        self.year.choices = choices((str(n), str(n)) for n in range(today.year, today.year - 8, -1))

    def chosen_period(self, today: date) -> tuple[Period, list[str]]:
        """The period asked for, or the last full month with the reasons it was not given."""
        default = last_full_month(today)
        if not self.validate():
            return default, [error for field in self for error in field.errors]
        kind = self.period.data or PeriodKind.MONTH.value
        if kind == PeriodKind.MONTH and self.month.data:
            y, m = self.month.data.split("-")
            return month(int(y), int(m)), []
        if kind == PeriodKind.QUARTER and self.quarter.data:
            y, q = self.quarter.data.split("-Q")
            return quarter(int(y), int(q)), []
        if kind == PeriodKind.YEAR and self.year.data:
            return year(int(self.year.data)), []
        if kind == PeriodKind.CUSTOM:
            first, last = self.date_from.data, self.date_to.data
            if first is None or last is None:
                return default, [_("Enter both dates of the period.")]
            if (last - first).days + 1 > MAX_DAYS:
                return default, [_("Choose a period of at most %(days)s days.", days=MAX_DAYS)]
            return Period(first, last), []
        return default, []

    def chosen_site(self) -> int | None:
        """The one site asked for, or None for all of the reader's sites."""
        value = self.site.data or ALL_SITES
        return None if value == ALL_SITES or not value.isdigit() else int(value)


class ExportForm(SiteSysForm):
    """A download or a printout of the report on the page (its choices stay in the address)."""

    audience = HiddenField(
        validators=[Regexp(f"^({'|'.join(a.value for a in Audience)})$", message=_l("Choose."))]
    )
