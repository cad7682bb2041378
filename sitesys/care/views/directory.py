"""The site's referral directory: the services staff refer to, kept by managers."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.care.forms import ReferralServiceForm
from sitesys.care.loaders import get_referral_service_or_404
from sitesys.care.models import ReferralType
from sitesys.care.referrals import ServiceDetails, add_service, directory, retire_service
from sitesys.care.views import bp
from sitesys.db import committing, get_session
from sitesys.forms import ConfirmForm


@bp.route("/referrals/directory", methods=["GET", "POST"])
@requires(Capability.MANAGE_CARE_LISTS)
def directory_page() -> ResponseReturnValue:
    db, site = get_session(), current_site()
    form = ReferralServiceForm()
    if request.method == "POST" and form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            service = add_service(
                db,
                current_staff(),
                site,
                ServiceDetails(
                    name=form.name.data or "",
                    type=ReferralType(form.type.data),
                    how_to_refer=form.how_to_refer.data or "",
                    opening_hours=form.opening_hours.data or "",
                    phone=form.phone.data or "",
                    notes=form.notes.data or "",
                ),
            )
            outcome.say(_("%(service)s added to the directory.", service=service.name))
        if outcome.refusal is None:
            return redirect(url_for("care.directory_page"))
        form.name.errors = [str(outcome.refusal)]
    return (
        render_template(
            "care/directory.html",
            form=form,
            services=directory(db, site, active_only=False),
            confirm=ConfirmForm(),
        ),
        422 if any(f.errors for f in form) else 200,
    )


@bp.post("/referrals/directory/<int:service_id>/retire")
@requires(Capability.MANAGE_CARE_LISTS)
def retire(service_id: int) -> ResponseReturnValue:
    db = get_session()
    service = get_referral_service_or_404(db, service_id, current_site(), for_update=True)
    if ConfirmForm().validate_on_submit():
        with committing(db) as outcome:
            retire_service(db, current_staff(), service)
            outcome.say(
                _(
                    "%(service)s is no longer offered; past referrals keep its name.",
                    service=service.name,
                )
            )
    return redirect(url_for("care.directory_page"))
