"""Forms of the handover: the lead's draft, actions, acknowledgement, addenda, and set-up."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from sitesys.forms import (
    UUID_PATTERN,
    DayMonthYearField,
    RadioChoiceField,
    SiteSysForm,
    choices,
    not_before_date_from,
    on_the_calendar,
    strip,
)
from sitesys.handovers.models import SEVERITY_LABELS, Handover, IllnessSeverity
from sitesys.handovers.services import draft_version

TEXT_LIMIT = 5000
SEVERITY_CHOICES = choices((s.value, SEVERITY_LABELS[s.value]) for s in IllnessSeverity)


class DraftForm(SiteSysForm):
    """The fixed part of the draft; per-person severity and stock counts are added per handover."""

    summary = TextAreaField(
        _l("Summary"),
        validators=[Optional(), Length(max=TEXT_LIMIT)],
        filters=[strip],
        description=_l("How the shift went and what the next lead most needs to know."),
    )
    situation_awareness = TextAreaField(
        _l("Situation awareness and contingencies"),
        validators=[Optional(), Length(max=TEXT_LIMIT)],
        filters=[strip],
        description=_l("If this happens, then do that."),
    )
    notes = TextAreaField(
        _l("Notes"), validators=[Optional(), Length(max=TEXT_LIMIT)], filters=[strip]
    )
    #: The version of the draft this form was loaded with (services.draft_version); a save
    #: from an older version that would change the draft is refused, so that one tab cannot
    #: write over what another tab saved. A form without one is treated as out of date.
    version = HiddenField()
    save = SubmitField(_l("Save draft"))


def draft_form_for(handover: Handover, *, as_saved: bool = False, **kwargs: Any) -> DraftForm:
    """The draft form of one handover, with a severity choice per person and a count per item:
    filled with the draft as saved on a GET (or with `as_saved`), with what was sent on a POST.
    """

    class HandoverDraftForm(DraftForm):
        pass

    for person in handover.people:
        setattr(
            HandoverDraftForm,
            f"severity_{person.id}",
            RadioChoiceField(
                person.display_tag,
                choices=SEVERITY_CHOICES,
                optional=True,
                invalid_choice=_l("Choose stable, watcher or unstable."),
            ),
        )
    for row in handover.stock:
        setattr(
            HandoverDraftForm,
            f"stock_{row.id}",
            IntegerField(
                row.item,
                validators=[Optional(), NumberRange(0, 9999, _l("Enter a count from 0 to 9999."))],
                render_kw={"inputmode": "numeric"},
            ),
        )
    form = HandoverDraftForm(**({"formdata": None} if as_saved else {}), **kwargs)
    if as_saved or not form.is_submitted():
        for person in handover.people:
            getattr(form, f"severity_{person.id}").data = (
                person.severity.value if person.severity else None
            )
        for row in handover.stock:
            getattr(form, f"stock_{row.id}").data = row.count
        form.summary.data = handover.summary
        form.situation_awareness.data = handover.situation_awareness
        form.notes.data = handover.notes
        form.version.data = draft_version(handover)
    return form


class ActionForm(SiteSysForm):
    what = StringField(
        _l("What"),
        validators=[InputRequired(_l("Say what needs doing.")), Length(max=300)],
        filters=[strip],
    )
    owner = StringField(
        _l("Owner"),
        validators=[InputRequired(_l("Say who owns it.")), Length(max=80)],
        filters=[strip],
    )
    by_when = StringField(
        _l("By when"),
        validators=[Optional(), Length(max=40)],
        filters=[strip],
        description=_l("For example 21:00, or before the client leaves."),
    )
    submit = SubmitField(_l("Add action"))


class AcknowledgeForm(SiteSysForm):
    readback_note = TextAreaField(
        _l("Read-back note"),
        validators=[Optional(), Length(max=1000)],
        filters=[strip],
        description=_l("Optional: your synthesis of what you were handed."),
    )
    submit = SubmitField(_l("Acknowledge handover"))


class AddendumForm(SiteSysForm):
    text = TextAreaField(
        _l("Addendum"),
        validators=[InputRequired(_l("Write the correction.")), Length(max=TEXT_LIMIT)],
        filters=[strip],
    )
    reason = StringField(
        _l("Reason"),
        validators=[InputRequired(_l("Give the reason for the addendum.")), Length(max=200)],
        filters=[strip],
    )
    submission_key = HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the page."))])
    submit = SubmitField(_l("Add addendum"))


class ShiftForm(SiteSysForm):
    name = StringField(
        _l("Shift name"),
        validators=[InputRequired(_l("Name the shift.")), Length(max=40)],
        filters=[strip],
    )
    start = TimeField(_l("Starts at"), validators=[InputRequired(_l("Enter the start time."))])
    end = TimeField(
        _l("Ends at"),
        validators=[InputRequired(_l("Enter the end time."))],
        description=_l("An end at or before the start means the shift runs past midnight."),
    )
    submit = SubmitField(_l("Add shift"))


class StockItemForm(SiteSysForm):
    name = StringField(
        _l("Item"),
        validators=[InputRequired(_l("Name the item.")), Length(max=60)],
        filters=[strip],
    )
    submit = SubmitField(_l("Add item"))


class HistoryFilterForm(SiteSysForm):
    class Meta:
        csrf = False

    date_from = DayMonthYearField(_l("From date"), validators=[Optional(), on_the_calendar])
    date_to = DayMonthYearField(
        _l("To date"), validators=[Optional(), on_the_calendar, not_before_date_from]
    )
    shift = StringField(_l("Shift"), validators=[Optional(), Length(max=40)], filters=[strip])
    submit = SubmitField(_l("Filter"))
