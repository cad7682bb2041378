"""What other pages show of care, drawn by include: each page's template asks for its panel
(`care_visit_panel(visit)`, `care_follow_ups(client)`...), so the pages of other features need
no change of their views to show it.
"""

from __future__ import annotations

import uuid
from typing import Any

from sitesys.auth.guard import current_site
from sitesys.auth.permissions import Capability, can
from sitesys.care.education import education_of_visit, topics
from sitesys.care.forms import CareForm, CorrectCareForm, StrikeReferralForm
from sitesys.care.models import Referral
from sitesys.care.nursing import care_of_visit, may_record_on
from sitesys.care.referrals import (
    FollowUp,
    follow_ups_of_client,
    referrals_of_client,
    referrals_of_incident,
    referrals_of_visit,
)
from sitesys.care.screens import ScreenStatus, screen_status
from sitesys.care.views import bp
from sitesys.checkin.models import Visit
from sitesys.clients.models import Client
from sitesys.db import get_session
from sitesys.incidents.kinds import IncidentType


@bp.app_template_global("care_follow_ups")
def care_follow_ups(client: Client | None) -> list[FollowUp]:
    """At the desk: the client's referrals to ask about."""
    if client is None or not can(Capability.REFER):
        return []
    return follow_ups_of_client(get_session(), current_site(), client.id)


@bp.app_template_global("care_referrals_of_visit")
def care_referrals_of_visit(visit: Visit) -> dict[str, Any]:
    return {
        "referrals": referrals_of_visit(get_session(), visit) if can(Capability.REFER) else [],
        "follow_ups": care_follow_ups(visit.client) if visit.client is not None else [],
        "strike_form": StrikeReferralForm(),
    }


@bp.app_template_global("care_bladder")
def care_bladder(visit: Visit) -> ScreenStatus | None:
    """On the visit page: whether the bladder screen is offered, or the one recorded."""
    if not can(Capability.SCREEN_CLIENTS):
        return None
    return screen_status(get_session(), current_site(), visit)


@bp.app_template_global("care_education")
def care_education(visit: Visit) -> dict[str, Any]:
    """On the visit page: the site's topics to tick, and what was covered this visit."""
    if not can(Capability.REFER):
        return {"topics": [], "given": [], "strike_form": None}
    db = get_session()
    return {
        "topics": topics(db, current_site()),
        "given": education_of_visit(db, visit),
        "strike_form": StrikeReferralForm(),
    }


@bp.app_template_global("care_nursing")
def care_nursing(visit: Visit) -> dict[str, Any] | None:
    """On the visit page: wound care and blood-borne virus tests recorded, and the form to
    record one (for those who may).
    """
    if not can(Capability.RECORD_CARE):
        return None
    return {
        "rows": care_of_visit(get_session(), visit),
        "may_record": may_record_on(visit),
        "form": CareForm(formdata=None),
        "strike_form": StrikeReferralForm(formdata=None),
        "correct_form": CorrectCareForm(formdata=None),
    }


@bp.app_template_global("care_new_key")
def care_new_key() -> str:
    """A fresh submission key for a one-tap form drawn on another feature's page."""
    return str(uuid.uuid4())


@bp.app_template_global("care_referrals_of_client")
def care_referrals_of_client(client: Client) -> list[Referral]:
    if not can(Capability.REFER):
        return []
    return referrals_of_client(get_session(), current_site(), client.id)


@bp.app_template_global("care_referrals_of_incident")
def care_referrals_of_incident(incident_id: uuid.UUID) -> list[Referral]:
    if not can(Capability.REFER):
        return []
    return referrals_of_incident(get_session(), current_site(), incident_id)


@bp.app_template_global("care_crisis_offer")
def care_crisis_offer(types: list[IncidentType]) -> bool:
    """Whether an incident report offers a crisis-team referral: a mental-health crisis."""
    return IncidentType.MENTAL_HEALTH_CRISIS in types
