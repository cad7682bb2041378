"""Every audit event says where it came from: the source address (after the trusted proxies)
and the device (a wall-board display's name, or the browser's user agent).
"""

from __future__ import annotations

from dataclasses import replace

from flask import g
from sqlalchemy import select

from sitesys import create_app
from sitesys.audit.models import AuditEvent
from sitesys.audit.origin import request_origin
from sitesys.audit.services import record_event
from sitesys.auth.roles import Role
from tests.conftest import test_config as config_for
from tests.factories import make_site, make_staff, sign_in

TABLET = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) Safari/604.1"


def test_an_event_written_by_a_request_carries_its_address_and_device(client, db):
    site = make_site(db)
    manager = make_staff(db, Role.MANAGER, [site])
    sign_in(client, db, manager, site)
    response = client.post(
        "/logout", headers={"User-Agent": TABLET}, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert response.status_code in (302, 303)
    event = db.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == manager.id).order_by(AuditEvent.id)
    ).all()[-1]
    assert (event.source_address, event.device) == ("10.1.2.3", TABLET)


def test_an_event_without_a_request_has_no_origin(db):
    event = record_event(db, "test.job", actor=None)
    assert (event.source_address, event.device) == (None, None)


def test_a_named_display_is_the_device_and_a_long_agent_is_shortened(app):
    with app.test_request_context(
        headers={"User-Agent": "x" * 500}, environ_base={"REMOTE_ADDR": "10.0.0.7"}
    ):
        assert request_origin() == ("10.0.0.7", "x" * 120)
        g.audit_device = "Board: treatment room"
        assert request_origin() == ("10.0.0.7", "Board: treatment room")


def test_the_address_is_the_trusted_proxys_only_when_proxies_are_configured(database_url):
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    for proxies, expected in ((0, "10.0.0.5"), (1, "203.0.113.9")):
        app = create_app(replace(config_for(database_url), trusted_proxies=proxies))
        seen: list[tuple[str | None, str | None]] = []

        # Before every other hook (the sign-in guard would answer first): what would be recorded.
        app.before_request_funcs.setdefault(None, []).insert(
            0, lambda seen=seen: seen.append(request_origin())
        )
        app.test_client().get("/", headers=forwarded, environ_base={"REMOTE_ADDR": "10.0.0.5"})
        assert seen and seen[0][0] == expected
