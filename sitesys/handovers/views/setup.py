"""Admin pages for a site's shifts and the stock counted at handover."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.db import committing, get_session
from sitesys.forms import ConfirmForm
from sitesys.handovers.forms import ShiftForm, StockItemForm
from sitesys.handovers.loaders import (
    get_shift_or_404,
    get_stock_item_or_404,
)
from sitesys.handovers.setup import (
    add_shift,
    add_stock_item,
    retire_shift,
    retire_stock_item,
    site_shifts,
    stock_items,
)
from sitesys.handovers.views import bp
from sitesys.sites.loaders import get_site_or_404, sites_managed_by


@bp.route("/setup/<int:site_id>", methods=["GET", "POST"])
@requires(Capability.MANAGE_SITES)
def setup(site_id: int) -> ResponseReturnValue:
    db = get_session()
    site = get_site_or_404(db, site_id, sites_managed_by(current_staff()))
    shift_form = ShiftForm(prefix="shift")
    item_form = StockItemForm(prefix="item")
    actor = current_staff()
    if shift_form.submit.data and shift_form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            add_shift(
                db,
                actor,
                site,
                shift_form.name.data or "",
                shift_form.start.data,
                shift_form.end.data,
            )
            outcome.say(_("Added the %(shift)s shift.", shift=shift_form.name.data))
        if not outcome.refused:
            return redirect(url_for("handovers.setup", site_id=site.id))
        shift_form.name.errors = [str(outcome.refusal)]
    elif item_form.submit.data and item_form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            add_stock_item(db, actor, site, item_form.name.data or "")
            outcome.say(_("%(item)s is counted at handover from now on.", item=item_form.name.data))
        if not outcome.refused:
            return redirect(url_for("handovers.setup", site_id=site.id))
        item_form.name.errors = [str(outcome.refusal)]
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


@bp.post("/setup/<any(shifts, items):kind>/<int:record_id>/retire")
@requires(Capability.MANAGE_SITES)
def retire(kind: str, record_id: int) -> ResponseReturnValue:
    """Stop using a shift, or stop counting a stock item; history keeps their names."""
    db = get_session()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if kind == "shifts":
        shift = get_shift_or_404(db, record_id, for_update=True)
        with committing(db) as outcome:
            retire_shift(db, current_staff(), shift)
            outcome.say(_("The %(shift)s shift is no longer used.", shift=shift.name))
        site_id = shift.site_id
    else:
        item = get_stock_item_or_404(db, record_id, for_update=True)
        with committing(db) as outcome:
            retire_stock_item(db, current_staff(), item)
            outcome.say(_("%(item)s is no longer counted.", item=item.name))
        site_id = item.site_id
    return redirect(url_for("handovers.setup", site_id=site_id))
