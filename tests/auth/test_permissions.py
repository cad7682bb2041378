"""The permission rules in one module: every view declares who may open it, and the navigation,
templates and services ask the same rules."""

from __future__ import annotations

import pytest

from sitesys.auth.guard import PUBLIC_ENDPOINTS
from sitesys.auth.permissions import GRANTS, Capability, ensure, who_may
from sitesys.auth.roles import Role
from sitesys.refusals import NotAllowed
from tests.factories import make_site, make_staff, sign_in


def test_every_view_declares_who_may_open_it(app):
    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS
        and not hasattr(app.view_functions[rule.endpoint], "sitesys_capability")
        and not getattr(app.view_functions[rule.endpoint], "sitesys_any_staff", False)
    ]
    assert undeclared == []


def test_every_capability_has_a_rule_and_words():
    assert set(GRANTS) == set(Capability)
    assert all(capability.doing for capability in Capability)


def test_a_service_refuses_a_role_without_the_capability_in_words_naming_who_may(db):
    desk = make_staff(db, Role.FRONT_DESK, [make_site(db)])
    with pytest.raises(NotAllowed, match="Only a nurse or a manager can start an emergency"):
        ensure(desk, Capability.START_RESPONSE)
    assert who_may(Capability.READ_AUDIT_LOG) == "a manager or an admin"


@pytest.mark.parametrize(
    ("role", "links"),
    [
        (Role.FRONT_DESK, ["Home", "Check in", "Board", "Drug alerts"]),
        (
            Role.NURSE,
            ["Home", "Check in", "Board", "Incidents", "Handover", "Drug checks", "Drug alerts"],
        ),
        (
            Role.MANAGER,
            [
                "Home",
                "Check in",
                "Board",
                "Incidents",
                "Handover",
                "Drug checks",
                "Drug alerts",
                "Audit log",
            ],
        ),
        (Role.ADMIN, ["Home", "Staff", "Sites and booths", "Audit log"]),
        (Role.DRUG_CHECKER, ["Home", "Drug checks", "Drug alerts"]),
    ],
)
def test_the_navigation_offers_exactly_the_views_the_role_may_open(client, db, role, links):
    site = make_site(db)
    sign_in(client, db, make_staff(db, role, [site]))
    page = client.get("/").get_data(as_text=True)
    nav = page[page.index("<nav") : page.index("</nav>")]
    shown = [label for label in links if f">{label}</a>" in nav]
    assert shown == links
    labels = {"Check in", "Board", "Incidents", "Handover", "Staff", "Audit log"}
    for endpoint_label in labels | {"Drug checks", "Drug alerts"}:
        if endpoint_label not in links:
            assert f">{endpoint_label}</a>" not in nav
