"""Admin pages for a site's shifts and the stock counted at handover."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.orm import Session

from sitesys.auth.guard import current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.db import get_session
from sitesys.forms import ConfirmForm
from sitesys.handovers.forms import ShiftForm, StockItemForm
from sitesys.handovers.models import Shift, StockItem
from sitesys.handovers.setup import (
    SetupError,
    add_shift,
    add_stock_item,
    retire_shift,
    retire_stock_item,
    site_shifts,
    stock_items,
)
from sitesys.sites.models import Site


def _site_or_404(session: Session, site_id: int) -> Site:
    site = session.get(Site, site_id)
    if site is None:
        abort(404)
    return site


@requires(Capability.MANAGE_SITES)
def setup(site_id: int) -> ResponseReturnValue:
    db = get_session()
    site = _site_or_404(db, site_id)
    shift_form = ShiftForm(prefix="shift")
    item_form = StockItemForm(prefix="item")
    actor = current_staff()
    try:
        if shift_form.submit.data and shift_form.validate_on_submit():
            add_shift(
                db,
                actor,
                site,
                shift_form.name.data or "",
                shift_form.start.data,
                shift_form.end.data,
            )
            db.commit()
            flash(f"Added the {shift_form.name.data} shift.", "success")
            return redirect(url_for("handovers.setup", site_id=site.id))
        if item_form.submit.data and item_form.validate_on_submit():
            add_stock_item(db, actor, site, item_form.name.data or "")
            db.commit()
            flash(f"{item_form.name.data} is counted at handover from now on.", "success")
            return redirect(url_for("handovers.setup", site_id=site.id))
    except SetupError as refused:
        db.rollback()
        (shift_form.name if shift_form.submit.data else item_form.name).errors = [str(refused)]
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "handovers/setup.html",
        site=site,
        shifts=site_shifts(db, site),
        items=stock_items(db, site),
        shift_form=shift_form,
        item_form=item_form,
        confirm=ConfirmForm(),
    )
    return page, status


@requires(Capability.MANAGE_SITES)
def retire(kind: str, record_id: int) -> ResponseReturnValue:
    """Stop using a shift, or stop counting a stock item; history keeps their names."""
    db = get_session()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    site_id: int
    if kind == "shifts":
        shift = db.get(Shift, record_id)
        if shift is None:
            abort(404)
        retire_shift(db, current_staff(), shift)
        message, site_id = f"The {shift.name} shift is no longer used.", shift.site_id
    else:
        item = db.get(StockItem, record_id)
        if item is None:
            abort(404)
        retire_stock_item(db, current_staff(), item)
        message, site_id = f"{item.name} is no longer counted.", item.site_id
    db.commit()
    flash(message, "success")
    return redirect(url_for("handovers.setup", site_id=site_id))
