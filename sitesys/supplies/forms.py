"""The visit page's supply steppers."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, IntegerField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from sitesys.forms import UUID_PATTERN, PlainSelectField, SiteSysForm, strip


class SuppliesForm(SiteSysForm):
    """One stepper per item: `qty-<item id>` the quantity wanted, `shown-<item id>` the quantity
    the page showed (a quantity changed meanwhile is refused rather than overwritten).
    """

    def quantities(
        self, formdata: Mapping[str, str], item_ids: list[int]
    ) -> tuple[dict[int, int], dict[int, int]] | None:
        """(wanted, shown) for the items the form carries; None when a box is not a whole number."""
        wanted: dict[int, int] = {}
        shown: dict[int, int] = {}
        for item_id in item_ids:
            raw = formdata.get(f"qty-{item_id}")
            if raw is None:
                continue
            raw = raw.strip() or "0"
            was = (formdata.get(f"shown-{item_id}") or "0").strip()
            if not raw.isdigit() or not was.isdigit():
                return None
            wanted[item_id], shown[item_id] = int(raw), int(was)
        return wanted, shown


def _key() -> HiddenField:
    return HiddenField(validators=[Regexp(UUID_PATTERN, message=_l("Reload the form."))])


class ReceiveForm(SiteSysForm):
    item = PlainSelectField(_l("Item"), validators=[InputRequired(_l("Choose the item."))])
    quantity = IntegerField(
        _l("Quantity"), validators=[InputRequired(_l("Enter how many.")), NumberRange(1, 10_000)]
    )
    batch = StringField(
        _l("Batch number"),
        validators=[InputRequired(_l("Give the batch number.")), Length(max=40)],
        filters=[strip],
    )
    expires_on = DateField(_l("Expiry date"), validators=[Optional()])
    submission_key = _key()
    submit = SubmitField(_l("Record delivery"))


class DisposeForm(SiteSysForm):
    item = PlainSelectField(_l("Item"), validators=[InputRequired(_l("Choose the item."))])
    batch = PlainSelectField(_l("Batch"), validators=[Optional()])
    quantity = IntegerField(
        _l("Quantity"), validators=[InputRequired(_l("Enter how many.")), NumberRange(1, 10_000)]
    )
    reason = StringField(
        _l("Reason"),
        validators=[InputRequired(_l("Give the reason.")), Length(max=120)],
        filters=[strip],
        description=_l("Expired, damaged, recalled…"),
    )
    submission_key = _key()
    submit = SubmitField(_l("Record disposal"))


class CountForm(SiteSysForm):
    item = PlainSelectField(_l("Item"), validators=[InputRequired(_l("Choose the item."))])
    counted = IntegerField(
        _l("Number counted"),
        validators=[InputRequired(_l("Enter the number counted.")), NumberRange(0, 100_000)],
    )
    submission_key = _key()
    submit = SubmitField(_l("Record stock-take"))


class ReorderForm(SiteSysForm):
    level = IntegerField(_l("Reorder level"), validators=[Optional(), NumberRange(0, 10_000)])
    submit = SubmitField(_l("Set"))
