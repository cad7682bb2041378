"""Supplies on the visit page (the steppers, drawn by include, and saving them), and the stock
page: counts, batches, warnings, the ledger, and recording deliveries, disposals and stock-takes.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, can, requires
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.checkin.models import Visit
from sitesys.db import committing, get_session
from sitesys.forms import choices
from sitesys.supplies.forms import CountForm, DisposeForm, ReceiveForm, ReorderForm, SuppliesForm
from sitesys.supplies.models import MOST_PER_VISIT, TICKED_SUPPLIES, StockBatch, SupplyItem
from sitesys.supplies.services import catalogue, set_quantities, supplies_of_visit
from sitesys.supplies.stock import (
    StockWarning,
    batches_held,
    count,
    dispose,
    ledger,
    receive,
    set_reorder_level,
    stock_warnings,
)

bp = Blueprint("supplies", __name__)


@bp.app_template_global("supplies_panel")
def supplies_panel(visit: Visit) -> dict[str, Any] | None:
    """The visit page's supplies card: each item shown with the quantity given so far."""
    if not can(Capability.WORK_FLOOR):
        return None
    db = get_session()
    given = {row.item_id: row for row in supplies_of_visit(db, visit)}
    items = catalogue(db, current_site(), on_visits=True)
    shown_ids = {item.id for item in items}
    return {
        "items": [(item, given[item.id].quantity if item.id in given else 0) for item in items],
        # Given earlier of an item since hidden, or of the "kind not recorded" naloxone kit.
        "others": [row for row in given.values() if row.item_id not in shown_ids],
        # Ticks of the days before quantities that are not supplies (education, referral).
        "ticks": [s for s in visit.services if s.service.value not in TICKED_SUPPLIES],
        "most": MOST_PER_VISIT,
    }


@bp.post("/visits/<uuid:visit_id>/supplies")
@requires(Capability.WORK_FLOOR)
def give(visit_id: uuid.UUID) -> ResponseReturnValue:
    db, site = get_session(), current_site()
    visit = get_visit_or_404(db, visit_id, site, for_update=True)
    form = SuppliesForm()
    back = redirect(url_for("checkin.visit", visit_id=visit_id) + "#supplies")
    items = catalogue(db, site, active_only=False)
    asked = form.quantities(request.form, [item.id for item in items]) if form.validate() else None
    if asked is None:
        flash(_("Quantities are whole numbers; nothing was saved."), "error")
        return back
    wanted, shown = asked
    with committing(db) as outcome:
        changes = set_quantities(db, current_staff(), site, visit, wanted, shown=shown)
        if changes:
            outcome.say(
                _(
                    "Recorded: %(quantities)s.",
                    quantities=", ".join(f"{c.item.name} {c.after}" for c in changes),
                )
            )
        else:
            outcome.say(_("No quantity changed."), "info")
    return back


@bp.app_template_global("stock_warnings")
def stock_warnings_for_page() -> list[StockWarning]:
    """The stock warnings, for the handover and the manager's home page."""
    if not can(Capability.KEEP_STOCK):
        return []
    return stock_warnings(get_session(), current_site())


def _item_choices(items: list[SupplyItem]) -> list[Any]:
    return choices(
        [("", _("Choose an item"))] + [(str(i.id), f"{i.name} ({i.unit_name})") for i in items]
    )


def _forms(items: list[SupplyItem], batches: list[StockBatch]) -> dict[str, Any]:
    receive_form, dispose_form, count_form = (
        ReceiveForm(prefix="receive"),
        DisposeForm(prefix="dispose"),
        CountForm(prefix="count"),
    )
    for form in (receive_form, dispose_form, count_form):
        form.item.choices = _item_choices(items)
        if not form.submission_key.data:
            form.submission_key.data = str(uuid.uuid4())
    dispose_form.batch.choices = choices(
        [("", _("Not from a named batch"))]
        + [(str(b.id), f"{b.item.name} · {b.batch} ({b.remaining})") for b in batches]
    )
    return {"receive_form": receive_form, "dispose_form": dispose_form, "count_form": count_form}


def _item(items: list[SupplyItem], value: str | None) -> SupplyItem:
    found = next((i for i in items if str(i.id) == value), None)
    if found is None:
        abort(404)
    return found


@bp.route("/stock", methods=["GET", "POST"])
@requires(Capability.KEEP_STOCK)
def stock() -> ResponseReturnValue:
    """The site's stock: counts, batches, warnings and the ledger; delivery, disposal and
    stock-take recorded from here (one form per POST, told apart by `action`).
    """
    db, site = get_session(), current_site()
    items = catalogue(db, site, active_only=False)
    batches = batches_held(db, site)
    forms = _forms(items, batches)
    error = None
    if request.method == "POST":
        action = request.form.get("action")
        form = forms.get(f"{action}_form")
        if form is not None and form.validate_on_submit():
            with committing(db, show_refusal=False) as outcome:
                _record(action or "", form, items, batches)
                outcome.say(_("Recorded in the stock ledger."))
            if outcome.refusal is None:
                return redirect(url_for("supplies.stock"))
            error = str(outcome.refusal)
        elif form is None:
            error = _("That form was out of date; nothing was recorded.")
    return (
        render_template(
            "supplies/stock.html",
            items=items,
            batches=batches,
            warnings=stock_warnings(db, site),
            lines=ledger(db, site),
            reorder_form=ReorderForm(),
            error=error,
            **forms,
        ),
        422 if request.method == "POST" else 200,
    )


def _record(action: str, form: Any, items: list[SupplyItem], batches: list[StockBatch]) -> None:
    db, staff = get_session(), current_staff()
    item = _item(items, form.item.data)
    if action == "receive":
        receive(
            db,
            staff,
            item,
            form.quantity.data,
            batch=form.batch.data or "",
            expires_on=form.expires_on.data,
            submission_key=form.submission_key.data,
        )
    elif action == "dispose":
        batch = next((b for b in batches if str(b.id) == form.batch.data), None)
        dispose(
            db,
            staff,
            item,
            form.quantity.data,
            reason=form.reason.data or "",
            submission_key=form.submission_key.data,
            batch=batch,
        )
    else:
        count(db, staff, item, form.counted.data, submission_key=form.submission_key.data)


@bp.post("/stock/items/<int:item_id>/reorder")
@requires(Capability.KEEP_STOCK)
def reorder(item_id: int) -> ResponseReturnValue:
    db, site = get_session(), current_site()
    item = _item(catalogue(db, site, active_only=False), str(item_id))
    form = ReorderForm()
    if form.validate_on_submit():
        with committing(db) as outcome:
            set_reorder_level(db, current_staff(), item, form.level.data)
            outcome.say(_("Reorder level of %(item)s saved.", item=item.name))
    else:
        flash(_("Enter a reorder level from 0, or leave it blank."), "error")
    return redirect(url_for("supplies.stock"))
