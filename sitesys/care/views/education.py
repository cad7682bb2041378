"""Education given on a visit, striking a topic through, and the site's list of topics."""

from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_site, current_staff
from sitesys.auth.permissions import Capability, requires
from sitesys.care.education import (
    add_topic,
    record_education,
    set_topic_shown,
    strike_education,
    topics,
)
from sitesys.care.forms import EducationForm, StrikeReferralForm, TopicForm
from sitesys.care.loaders import get_education_given_or_404, get_education_topic_or_404
from sitesys.care.views import bp
from sitesys.checkin.loaders import get_visit_or_404
from sitesys.db import committing, get_session
from sitesys.forms import ConfirmForm, choices


@bp.post("/visits/<uuid:visit_id>/education")
@requires(Capability.REFER)
def education(visit_id: uuid.UUID) -> ResponseReturnValue:
    db, site = get_session(), current_site()
    visit = get_visit_or_404(db, visit_id, site, for_update=True)
    form = EducationForm()
    form.topics.choices = choices((str(t.id), t.name) for t in topics(db, site))
    back = redirect(url_for("checkin.visit", visit_id=visit_id) + "#education")
    given = form.given(request.form) if form.validate_on_submit() else None
    if given is None:
        flash(
            form.topics.errors[0] if form.topics.errors else _("Tick at least one topic."), "error"
        )
        return back
    with committing(db) as outcome:
        added = record_education(db, current_staff(), site, visit, given)
        if added:
            outcome.say(
                _("Recorded: %(topics)s.", topics=", ".join(row.topic.name for row in added))
            )
        else:
            outcome.say(_("Those topics were already recorded."), "info")
    return back


@bp.post("/education/<int:row_id>/strike")
@requires(Capability.REFER)
def strike_education_given(row_id: int) -> ResponseReturnValue:
    db = get_session()
    row = get_education_given_or_404(db, row_id, current_site(), for_update=True)
    form = StrikeReferralForm()
    back = redirect(url_for("checkin.visit", visit_id=row.visit_id) + "#education")
    if not form.validate_on_submit():
        flash(_("Give a reason for striking it through."), "error")
        return back
    with committing(db) as outcome:
        strike_education(db, current_staff(), row, form.reason.data or "")
        outcome.say(_("Struck through; it stays on the record."))
    return back


@bp.route("/education/topics", methods=["GET", "POST"])
@requires(Capability.MANAGE_CARE_LISTS)
def topics_page() -> ResponseReturnValue:
    db, site = get_session(), current_site()
    form = TopicForm()
    if request.method == "POST" and form.validate_on_submit():
        with committing(db, show_refusal=False) as outcome:
            topic = add_topic(db, current_staff(), site, form.label.data or "")
            outcome.say(_("%(topic)s added.", topic=topic.label))
        if outcome.refusal is None:
            return redirect(url_for("care.topics_page"))
        form.label.errors = [str(outcome.refusal)]
    return (
        render_template(
            "care/topics.html",
            form=form,
            topics=topics(db, site, active_only=False),
            confirm=ConfirmForm(),
        ),
        422 if any(f.errors for f in form) else 200,
    )


@bp.post("/education/topics/<int:topic_id>/shown")
@requires(Capability.MANAGE_CARE_LISTS)
def topic_shown(topic_id: int) -> ResponseReturnValue:
    db, site = get_session(), current_site()
    topic = get_education_topic_or_404(db, topic_id, site, for_update=True)
    if ConfirmForm().validate_on_submit():
        with committing(db) as outcome:
            shown = request.form.get("shown") == "1"
            set_topic_shown(db, current_staff(), topic, shown)
            outcome.say(
                _("%(topic)s is shown on the visit page.", topic=topic.name)
                if shown
                else _("%(topic)s is hidden on the visit page.", topic=topic.name)
            )
    return redirect(url_for("care.topics_page"))
