"""The visit page's supply steppers."""

from __future__ import annotations

from collections.abc import Mapping

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
    return HiddenField(validators=[Regexp(UUID_PATTERN, message="Reload the form.")])


class ReceiveForm(SiteSysForm):
    item = PlainSelectField("Item", validators=[InputRequired("Choose the item.")])
    quantity = IntegerField(
        "Quantity", validators=[InputRequired("Enter how many."), NumberRange(1, 10_000)]
    )
    batch = StringField(
        "Batch number",
        validators=[InputRequired("Give the batch number."), Length(max=40)],
        filters=[strip],
    )
    expires_on = DateField("Expiry date", validators=[Optional()])
    submission_key = _key()
    submit = SubmitField("Record delivery")


class DisposeForm(SiteSysForm):
    item = PlainSelectField("Item", validators=[InputRequired("Choose the item.")])
    batch = PlainSelectField("Batch", validators=[Optional()])
    quantity = IntegerField(
        "Quantity", validators=[InputRequired("Enter how many."), NumberRange(1, 10_000)]
    )
    reason = StringField(
        "Reason",
        validators=[InputRequired("Give the reason."), Length(max=120)],
        filters=[strip],
        description="Expired, damaged, recalled…",
    )
    submission_key = _key()
    submit = SubmitField("Record disposal")


class CountForm(SiteSysForm):
    item = PlainSelectField("Item", validators=[InputRequired("Choose the item.")])
    counted = IntegerField(
        "Number counted",
        validators=[InputRequired("Enter the number counted."), NumberRange(0, 100_000)],
    )
    submission_key = _key()
    submit = SubmitField("Record stock-take")


class ReorderForm(SiteSysForm):
    level = IntegerField("Reorder level", validators=[Optional(), NumberRange(0, 10_000)])
    submit = SubmitField("Set")
