"""Who may do what, in one place: named capabilities, and the roles that hold each.

Views declare the capability they need (`@requires(Capability.REVIEW_INCIDENTS)`), services
check it again for the actor (`ensure(actor, Capability.START_RESPONSE)`), and the navigation
and templates ask the same rules (`can("review_incidents")`, `can_open("board.index")`). A new
role, or a changed rule, is one edit to `GRANTS`.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import abort, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from sitesys.auth.roles import Role
from sitesys.refusals import NotAllowed

if TYPE_CHECKING:
    from sitesys.auth.models import Staff

F = TypeVar("F", bound=Callable[..., Any])


class Capability(enum.StrEnum):
    """Something a member of staff may do; `doing` says it in a sentence ("... can <doing>")."""

    #: Check a client in at the desk, and find a client by code.
    CHECK_IN = "check_in"
    #: See the board and the visit pages, move visits along, record services.
    WORK_FLOOR = "work_floor"
    #: Read clinical detail: observations, scores, notes, the client page.
    READ_CLINICAL = "read_clinical"
    #: Record and strike through observations, and set a client's SpO2 scale.
    RECORD_OBSERVATIONS = "record_observations"
    #: Start an emergency response from the board or a visit.
    START_RESPONSE = "start_response"
    #: Raise the alarm from a board tile: it starts the response record, and nurses take over.
    RAISE_ALARM = "raise_alarm"
    #: Record (and strike through) actions in a running response, and end it.
    RECORD_RESPONSE_ACTIONS = "record_response_actions"
    #: See the incidents list, write, submit and amend incident reports.
    REPORT_INCIDENTS = "report_incidents"
    #: Take, review, close and reopen incidents; export the incident list.
    REVIEW_INCIDENTS = "review_incidents"
    #: Let a restricted client in, with a reason.
    OVERRIDE_RESTRICTION = "override_restriction"
    #: Add and remove a client's safety flags.
    FLAG_CLIENTS = "flag_clients"
    #: Write, submit and acknowledge shift handovers.
    HAND_OVER = "hand_over"
    #: See handovers flagged late or unacknowledged.
    OVERSEE_HANDOVERS = "oversee_handovers"
    #: Add staff accounts, change roles, reset passwords, deactivate.
    MANAGE_STAFF = "manage_staff"
    #: Set up sites, booths, the substance pick-list, shifts and stock items.
    MANAGE_SITES = "manage_sites"
    #: Register wall-board displays, pair them and revoke them.
    MANAGE_DISPLAYS = "manage_displays"
    #: Read and filter the audit log.
    READ_AUDIT_LOG = "read_audit_log"
    #: Read the audit log of every site, not only the one signed in at.
    READ_EVERY_SITE_AUDIT = "read_every_site_audit"
    #: Record drug-check samples, their tests, results and custody; keep the component list.
    CHECK_DRUGS = "check_drugs"
    #: Tie a checked sample to a client's visit (at the desk, on the visit page, at the bench).
    LINK_SAMPLES = "link_samples"
    #: Publish, renew and withdraw drug alerts, and see who has not acknowledged them.
    PUBLISH_ALERTS = "publish_alerts"
    #: Read the drug alerts of one's sites and acknowledge them (everyone who works a site).
    ACKNOWLEDGE_ALERTS = "acknowledge_alerts"
    #: Offer and record referrals, education given, and their follow-ups (care/).
    REFER = "refer"
    #: Ask and record clinical screens such as the ketamine bladder screen (care/).
    SCREEN_CLIENTS = "screen_clients"
    #: Record wound care and blood-borne virus tests given on a visit, with a note (care/).
    RECORD_CARE = "record_care"
    #: Keep the site's referral directory and education topics (care/).
    MANAGE_CARE_LISTS = "manage_care_lists"
    #: Record stock received, disposed of and counted, and set reorder levels (supplies/).
    KEEP_STOCK = "keep_stock"
    #: See the reports of one's sites (every site's for an admin) and export them.
    READ_REPORTS = "read_reports"

    @property
    def doing(self) -> str:
        return str(_DOING[self])


#: What each capability lets its holder do, as the end of "Only a manager can …".
_DOING = {
    # TRANSLATORS: the end of "Only %(who)s can %(doing)s." (what a role may do)
    Capability.CHECK_IN: _l("check clients in"),
    Capability.WORK_FLOOR: _l("work the floor"),
    Capability.READ_CLINICAL: _l("read clinical records"),
    Capability.RECORD_OBSERVATIONS: _l("record observations"),
    Capability.START_RESPONSE: _l("start an emergency response"),
    Capability.RAISE_ALARM: _l("raise the alarm"),
    Capability.RECORD_RESPONSE_ACTIONS: _l("record response actions"),
    Capability.REPORT_INCIDENTS: _l("write incident reports"),
    Capability.REVIEW_INCIDENTS: _l("review incidents"),
    Capability.OVERRIDE_RESTRICTION: _l("override a service restriction"),
    Capability.FLAG_CLIENTS: _l("change a client's safety flags"),
    Capability.HAND_OVER: _l("hand over shifts"),
    Capability.OVERSEE_HANDOVERS: _l("oversee handovers"),
    Capability.MANAGE_STAFF: _l("manage staff accounts"),
    Capability.MANAGE_SITES: _l("set up sites"),
    Capability.MANAGE_DISPLAYS: _l("manage wall-board displays"),
    Capability.READ_AUDIT_LOG: _l("read the audit log"),
    Capability.READ_EVERY_SITE_AUDIT: _l("read every site's audit log"),
    Capability.CHECK_DRUGS: _l("record drug checks"),
    Capability.LINK_SAMPLES: _l("tie a checked sample to a visit"),
    Capability.PUBLISH_ALERTS: _l("publish drug alerts"),
    Capability.ACKNOWLEDGE_ALERTS: _l("acknowledge drug alerts"),
    Capability.REFER: _l("record referrals and education"),
    Capability.SCREEN_CLIENTS: _l("record clinical screens"),
    Capability.RECORD_CARE: _l("record wound care and blood-borne virus tests"),
    Capability.MANAGE_CARE_LISTS: _l("keep the referral directory and education topics"),
    Capability.KEEP_STOCK: _l("keep the stock"),
    Capability.READ_REPORTS: _l("read reports"),
}

_FLOOR = frozenset({Role.FRONT_DESK, Role.NURSE, Role.MANAGER})
_CLINICAL = frozenset({Role.NURSE, Role.MANAGER})
_MANAGER = frozenset({Role.MANAGER})
_ADMIN = frozenset({Role.ADMIN})
_DRUG_CHECKING = frozenset({Role.NURSE, Role.MANAGER, Role.DRUG_CHECKER})
#: Everyone who works at a site (admins set sites up and work at none).
_SITE_STAFF = frozenset({Role.FRONT_DESK, Role.NURSE, Role.MANAGER, Role.DRUG_CHECKER})

#: The rules: which roles hold each capability.
GRANTS: dict[Capability, frozenset[Role]] = {
    Capability.CHECK_IN: _FLOOR,
    Capability.WORK_FLOOR: _FLOOR,
    Capability.READ_CLINICAL: _CLINICAL,
    Capability.RECORD_OBSERVATIONS: _CLINICAL,
    Capability.START_RESPONSE: _CLINICAL,
    Capability.RAISE_ALARM: _FLOOR,
    Capability.RECORD_RESPONSE_ACTIONS: _CLINICAL,
    Capability.REPORT_INCIDENTS: _CLINICAL,
    Capability.REVIEW_INCIDENTS: _MANAGER,
    Capability.OVERRIDE_RESTRICTION: _MANAGER,
    Capability.FLAG_CLIENTS: _CLINICAL,
    Capability.HAND_OVER: _CLINICAL,
    Capability.OVERSEE_HANDOVERS: _MANAGER,
    Capability.MANAGE_STAFF: _ADMIN,
    Capability.MANAGE_SITES: _ADMIN,
    Capability.MANAGE_DISPLAYS: _ADMIN,
    Capability.READ_AUDIT_LOG: frozenset({Role.MANAGER, Role.ADMIN}),
    Capability.READ_EVERY_SITE_AUDIT: _ADMIN,
    Capability.CHECK_DRUGS: _DRUG_CHECKING,
    Capability.LINK_SAMPLES: _SITE_STAFF,
    Capability.PUBLISH_ALERTS: _MANAGER,
    Capability.ACKNOWLEDGE_ALERTS: _SITE_STAFF,
    Capability.REFER: _FLOOR,
    Capability.SCREEN_CLIENTS: _CLINICAL,
    Capability.RECORD_CARE: _CLINICAL,
    Capability.MANAGE_CARE_LISTS: _MANAGER,
    Capability.KEEP_STOCK: _CLINICAL,
    Capability.READ_REPORTS: frozenset({Role.MANAGER, Role.ADMIN}),
}


def holders(capability: Capability) -> frozenset[Role]:
    """The roles that hold a capability."""
    return GRANTS[capability]


def role_can(role: Role, capability: Capability | str) -> bool:
    return role in GRANTS[Capability(capability)]


#: Who holds a role, as a sentence names them ("Only a nurse or a manager can ...").
_ROLE_NOUNS = {
    # TRANSLATORS: who holds a role, in "Only %(who)s can %(doing)s."
    Role.FRONT_DESK: _l("front desk staff"),
    Role.NURSE: _l("a nurse"),
    Role.MANAGER: _l("a manager"),
    Role.ADMIN: _l("an admin"),
    Role.DRUG_CHECKER: _l("a drug checker"),
}


def who_may(capability: Capability) -> str:
    """The roles holding a capability in words: "a nurse or a manager"."""
    nouns = [str(_ROLE_NOUNS[role]) for role in Role if role in GRANTS[capability]]
    if len(nouns) == 1:
        return nouns[0]
    # TRANSLATORS: the last of several roles: "a nurse, a manager or a drug checker"
    return str(_("%(some)s or %(last)s", some=", ".join(nouns[:-1]), last=nouns[-1]))


def ensure(actor: Staff, capability: Capability, doing: str | None = None) -> None:
    """A service's own check: refuse (NotAllowed) an actor whose role lacks the capability.

    The message names who may: "Only a manager can close incidents." (`doing` in place of the
    capability's own words when the step is narrower than it).
    """
    if not role_can(actor.role, capability):
        raise NotAllowed(
            _(
                "Only %(who)s can %(doing)s.",
                who=who_may(capability),
                doing=doing or capability.doing,
            )
        )


def can(capability: Capability | str) -> bool:
    """Whether the signed-in member of staff holds a capability (False when nobody is)."""
    if not current_user.is_authenticated:
        return False
    return role_can(current_user.role, capability)


def requires(capability: Capability) -> Callable[[F], F]:
    """A view only those holding `capability` may open; anyone else is refused (403).

    The capability is kept on the view, so `can_open` (the navigation, links in templates) asks
    the very rule the view enforces.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not can(capability):
                abort(403)
            return view(*args, **kwargs)

        wrapped.sitesys_capability = capability  # type: ignore[attr-defined]
        return cast(F, wrapped)

    return decorator


def any_staff(view: F) -> F:
    """A view every signed-in member of staff may open (home, sign out, switching site): said
    on purpose, so that a view with no rule at all is caught by the tests.
    """
    view.sitesys_any_staff = True  # type: ignore[attr-defined]
    return view


def can_open(endpoint: str) -> bool:
    """Whether the signed-in member of staff may open a view (False for one not installed)."""
    view = current_app.view_functions.get(endpoint)
    if view is None or not current_user.is_authenticated:
        return False
    capability: Capability | None = getattr(view, "sitesys_capability", None)
    return capability is None or can(capability)
