"""Publishing an alert (from scratch or from a drug check), renewing and withdrawing it, its
poster, and the history.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from sitesys.alerts.forms import AlertForm, HistoryFilterForm, RenewForm, WithdrawForm
from sitesys.alerts.loaders import get_alert_or_404
from sitesys.alerts.models import Severity
from sitesys.alerts.services import (
    AlertInput,
    acknowledgement_status,
    active_alerts,
    alert_history,
    draft_from_sample,
    has_acknowledged,
    publish_alert,
    renew_alert,
    withdraw_alert,
)
from sitesys.alerts.views import bp
from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, can, requires
from sitesys.clock import local_date, local_instant, utcnow, written
from sitesys.db import committing, get_session
from sitesys.drugchecks.loaders import get_sample_or_404
from sitesys.drugchecks.models import SampleForm
from sitesys.drugchecks.qr import qr_data_uri
from sitesys.forms import choices
from sitesys.pagination import paginate
from sitesys.sites.models import Site, SubstanceOption


def _pick_list(site_ids: list[int]) -> dict[str, str]:
    """The substances of the manager's sites, code to label (the first site's label wins)."""
    rows = get_session().execute(
        select(SubstanceOption.code, SubstanceOption.label)
        .where(SubstanceOption.site_id.in_(site_ids), SubstanceOption.is_active.is_(True))
        .order_by(SubstanceOption.position, SubstanceOption.label)
    )
    labels: dict[str, str] = {}
    for code, label in rows:
        labels.setdefault(code, label)
    return labels


def _wall(value: datetime, site: Site) -> tuple[date, time]:
    local = value.astimezone(site.zone)
    return local.date(), local.time().replace(second=0, microsecond=0)


def _instant(day: date | None, wall: time | None, site: Site) -> datetime:
    return local_instant(day or local_date(utcnow(), site.zone), wall or time(0), site.zone)


def _fill(form: AlertForm, draft: AlertInput, site: Site) -> None:
    form.title.data, form.sold_as.data, form.found.data = draft.title, draft.sold_as, draft.found
    form.advice.data, form.harms.data = draft.advice, draft.harms
    form.colour.data, form.markings.data = draft.colour, draft.markings
    form.where_sold.data = draft.where_sold
    form.form.data = draft.form.value if draft.form else ""
    form.severity.data = draft.severity.value
    form.sites.data = draft.site_ids
    form.substances.data = draft.substances
    form.starts_on.data, form.starts_time.data = _wall(draft.starts_at, site)
    form.ends_on.data, form.ends_time.data = _wall(draft.ends_at, site)
    form.sample_id.data = str(draft.sample_id) if draft.sample_id else ""


def _sample_id(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value or "")
    except ValueError:
        return None


@bp.route("/new", methods=["GET", "POST"])
@requires(Capability.PUBLISH_ALERTS)
def new() -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    staff = current_staff()
    own = [each for each in staff.sites if each.is_active]
    form = AlertForm()
    form.sites.choices = choices((each.id, each.name) for each in own)
    labels = _pick_list([each.id for each in own])
    form.substances.choices = choices(labels.items())
    sample_id = _sample_id(request.values.get("sample") or form.sample_id.data)
    sample = get_sample_or_404(db, sample_id, site) if sample_id else None
    if request.method == "GET":
        now = utcnow()
        if sample is not None:
            draft = draft_from_sample(sample, labels, site, now)
        else:
            draft = AlertInput(
                title="",
                sold_as="",
                found="",
                advice="",
                severity=Severity.WARNING,
                starts_at=now,
                ends_at=now + timedelta(days=7),
                site_ids=[site.id],
                substances=[],
            )
        _fill(form, draft, site)
        form.submission_key.data = str(uuid.uuid4())
    status = 200
    if form.validate_on_submit():
        draft = AlertInput(
            title=form.title.data or "",
            sold_as=form.sold_as.data or "",
            found=form.found.data or "",
            advice=form.advice.data or "",
            harms=form.harms.data,
            colour=form.colour.data,
            form=SampleForm(form.form.data) if form.form.data else None,
            markings=form.markings.data,
            where_sold=form.where_sold.data,
            severity=Severity(form.severity.data),
            starts_at=_instant(form.starts_on.data, form.starts_time.data, site),
            ends_at=_instant(form.ends_on.data, form.ends_time.data, site),
            site_ids=list(form.sites.data or []),
            substances=list(form.substances.data or []),
            sample_id=sample.id if sample else None,
        )
        with committing(db, show_refusal=False) as outcome:
            published = publish_alert(
                db, staff, draft, submission_key=form.submission_key.data or "", substances=labels
            )
            if published.replayed:
                outcome.say(_("This alert was already published by your first tap."), "info")
            else:
                outcome.say(
                    _(
                        "Published: %(title)s. Every screen shows it now.",
                        title=published.alert.title,
                    )
                )
        if outcome.refusal is None:
            return redirect(url_for("alerts.show", alert_id=published.alert.id))
        form.ends_on.errors = [str(outcome.refusal)]
    if form.errors:
        status = 422
    return render_template("alerts/new.html", form=form, sample=sample), status


@bp.get("/")
@requires(Capability.ACKNOWLEDGE_ALERTS)
def index() -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    now = utcnow()
    filters = HistoryFilterForm(request.args)
    state = filters.state.data if filters.validate() and filters.state.data else "all"
    search = filters.q.data if not filters.q.errors else None
    page = paginate(db, alert_history([site.id], search=search, state=state, now=now))
    return render_template(
        "alerts/index.html",
        active=active_alerts(db, site, now),
        page=page,
        filters=filters,
        now=now,
    )


@bp.get("/<uuid:alert_id>")
@requires(Capability.ACKNOWLEDGE_ALERTS)
def show(alert_id: uuid.UUID) -> ResponseReturnValue:
    return _show_page(get_alert_or_404(get_session(), alert_id, current_site()))


def _show_page(alert: Any, status: int = 200, **forms: Any) -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    now = utcnow()
    status_of = acknowledgement_status(db, alert) if can(Capability.PUBLISH_ALERTS) else None
    renew = forms.get("renew_form") or RenewForm()
    if not renew.ends_on.data:
        renew.ends_on.data, renew.ends_time.data = _wall(
            min(max(alert.ends_at, now) + timedelta(days=7), now + timedelta(days=30)), site
        )
    acknowledged = has_acknowledged(db, alert, current_staff())
    return (
        render_template(
            "alerts/show.html",
            alert=alert,
            now=now,
            status_of=status_of,
            acknowledged=acknowledged,
            withdraw_form=forms.get("withdraw_form") or WithdrawForm(),
            renew_form=renew,
            labels=_pick_list([site.id]),
        ),
        status,
    )


@bp.post("/<uuid:alert_id>/withdraw")
@requires(Capability.PUBLISH_ALERTS)
def withdraw(alert_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    alert = get_alert_or_404(db, alert_id, current_site(), for_update=True)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _show_page(alert, 422, withdraw_form=form)
    with committing(db) as outcome:
        withdraw_alert(db, current_staff(), alert, form.reason.data or "")
        outcome.say(_("The alert is withdrawn. It stays in the history with your reason."))
    return redirect(url_for("alerts.show", alert_id=alert.id))


@bp.post("/<uuid:alert_id>/renew")
@requires(Capability.PUBLISH_ALERTS)
def renew(alert_id: uuid.UUID) -> ResponseReturnValue:
    db = get_session()
    site = current_site()
    alert = get_alert_or_404(db, alert_id, site, for_update=True)
    form = RenewForm()
    if not form.validate_on_submit():
        return _show_page(alert, 422, renew_form=form)
    ends_at = _instant(form.ends_on.data, form.ends_time.data, site)
    with committing(db, show_refusal=False) as outcome:
        renew_alert(db, current_staff(), alert, ends_at)
        outcome.say(
            _(
                "Renewed until %(when)s.",
                when=written(ends_at.astimezone(site.zone), "%-d %b %Y %H:%M"),
            )
        )
    if outcome.refusal is not None:
        form.ends_on.errors = [str(outcome.refusal)]
        return _show_page(alert, 422, renew_form=form)
    return redirect(url_for("alerts.show", alert_id=alert.id))


@bp.get("/<uuid:alert_id>/poster")
@requires(Capability.ACKNOWLEDGE_ALERTS)
def poster(alert_id: uuid.UUID) -> ResponseReturnValue:
    """An A4 poster in large plain type, with a QR code of the site's public alerts page."""
    site = current_site()
    alert = get_alert_or_404(get_session(), alert_id, site)
    public_url = qr = None
    if site.public_alerts_enabled:
        public_url = url_for("public_alerts.site", public_id=site.public_id, _external=True)
        qr = qr_data_uri(public_url)
    return render_template(
        "alerts/poster.html",
        alert=alert,
        finished=alert.finished_at <= utcnow(),
        public_url=public_url,
        qr=qr,
        labels=_pick_list([site.id]),
        ends_on=local_date(alert.ends_at, site.zone),
    )
