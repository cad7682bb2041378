"""The site's list of components a spectrometer may match: the common ones and its own."""

from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.db import committing, get_session
from sitesys.drugchecks.components import (
    add_component,
    component_name,
    set_component_offered,
    site_components,
)
from sitesys.drugchecks.forms import ComponentForm
from sitesys.drugchecks.models import Finding
from sitesys.drugchecks.views import bp
from sitesys.forms import ConfirmForm


@bp.route("/components", methods=["GET", "POST"])
@requires(Capability.CHECK_DRUGS)
def components() -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    form = ComponentForm()
    status = 200
    if form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            option = add_component(
                db,
                current_staff(),
                site,
                form.label.data or "",
                Finding(form.finding.data) if form.finding.data else None,
            )
            outcome.say(
                _(
                    "Added %(component)s to the list.",
                    component=component_name(option.code, option.label),
                )
            )
        if outcome.refusal is None:
            return redirect(url_for("drugchecks.components"))
        form.label.errors = [str(outcome.refusal)]
    if form.errors:
        status = 422
    return (
        render_template(
            "drugchecks/components.html",
            form=form,
            listed=site_components(db, site),
            confirm=ConfirmForm(),
        ),
        status,
    )


@bp.post("/components/<code>/<action>")
@requires(Capability.CHECK_DRUGS)
def component_action(code: str, action: str) -> ResponseReturnValue:
    if action not in ("offer", "hide"):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    db = get_session()
    with committing(db) as outcome:
        component = set_component_offered(
            db, current_staff(), current_site(), code, action == "offer"
        )
        name = component_name(component.code, component.label)
        outcome.say(
            _("%(component)s is offered at the bench.", component=name)
            if action == "offer"
            else _("%(component)s is no longer offered at the bench.", component=name)
        )
    return redirect(url_for("drugchecks.components"))
