"""Client-code key rotation without losing returning clients: a new key becomes current, old
keys find clients for look-up only and the client found is moved to the current key there and
then; an old key is retired only when an admin chooses, and the command says how many clients
then look new.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from config import Config, ConfigError
from sitesys.audit.models import AuditEvent
from sitesys.clients.codes import code_digest, code_key_id
from sitesys.clients.models import Client, RetiredCodeKey
from tests.checkin.helpers import check_in_form, confirmed
from tests.checkin.helpers import floor as desk_floor

OLD = "old-client-code-key-" + "a" * 32
NEW = "new-client-code-key-" + "b" * 32


def _register(client, code):
    form = confirmed(client, check_in_form(client_code=code))
    response = client.post("/checkin", data={**form, "submit": "1"})
    assert response.status_code == 302


def _find(client, code):
    return client.post("/checkin", data={**check_in_form(client_code=code), "find": "1"})


@pytest.fixture
def rotated(app, client, db, monkeypatch):
    """Two clients registered under OLD; then NEW added as current, OLD kept for look-up."""
    monkeypatch.setitem(app.config, "SITESYS_CLIENT_CODE_KEY", OLD)
    monkeypatch.setitem(app.config, "SITESYS_CLIENT_CODE_OLD_KEYS", ())
    site, _booths, _desk = desk_floor(db, client)
    _register(client, "JOMA07")
    _register(client, "KEPA12")
    monkeypatch.setitem(app.config, "SITESYS_CLIENT_CODE_KEY", NEW)
    monkeypatch.setitem(app.config, "SITESYS_CLIENT_CODE_OLD_KEYS", (OLD,))
    return site


def _client(db, site, code, key):
    return db.scalar(
        select(Client).where(
            Client.site_id == site.id, Client.code_digest == code_digest(code, key)
        )
    )


def test_new_clients_are_registered_under_the_current_key(app, client, db, monkeypatch):
    site, _booths, _desk = desk_floor(db, client)
    _register(client, "JOMA07")
    registered = _client(db, site, "JOMA07", app.config["SITESYS_CLIENT_CODE_KEY"])
    assert registered.code_key_id == code_key_id(app.config["SITESYS_CLIENT_CODE_KEY"])


def test_a_client_under_an_old_key_is_found_and_moved_to_the_current_key(client, db, rotated):
    before = _client(db, rotated, "JOMA07", OLD)
    page = _find(client, "JOMA07").get_data(as_text=True)
    assert "New client" not in page and before.display_tag in page
    db.expire_all()
    after = _client(db, rotated, "JOMA07", NEW)
    assert after is not None and after.id == before.id
    assert after.code_key_id == code_key_id(NEW)
    assert _client(db, rotated, "JOMA07", OLD) is None
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "client.code_rekeyed"))
    assert event.record_id == str(before.id)
    assert event.detail == {
        "from_key": code_key_id(OLD),
        "to_key": code_key_id(NEW),
        "digest_changed": True,
    }
    # Checked in under the current key: the same client, not a new one.
    form = confirmed(client, check_in_form(client_code="JOMA07"))
    client.post("/checkin", data={**form, "submit": "1"})
    assert len(db.scalars(select(Client).where(Client.site_id == rotated.id)).all()) == 2


def test_status_counts_clients_under_each_key(app, client, db, rotated):
    _find(client, "JOMA07")
    result = app.test_cli_runner().invoke(args=["client-keys", "status"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{code_key_id(NEW):<14} {'current':<16} 1" in lines
    assert f"{code_key_id(OLD):<14} {'old':<16} 1" in lines


def test_retiring_an_old_key_is_an_admins_choice_and_says_who_then_looks_new(
    app, client, db, rotated
):
    _find(client, "JOMA07")  # returned: moved to the new key
    runner = app.test_cli_runner()
    asked = runner.invoke(args=["client-keys", "retire", code_key_id(OLD)], input="n\n")
    assert asked.exit_code == 1
    assert "1 client(s) are still under key" in asked.output
    assert db.get(RetiredCodeKey, code_key_id(OLD)) is None
    result = runner.invoke(args=["client-keys", "retire", code_key_id(OLD), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Key {code_key_id(OLD)} retired: 1 client(s) under it now look new" in result.output
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "client_code_key.retired"))
    assert event.detail == {"clients_left": 1} and event.actor_id is None
    assert "New client" in _find(client, "KEPA12").get_data(as_text=True)
    assert "New client" not in _find(client, "JOMA07").get_data(as_text=True)
    status = runner.invoke(args=["client-keys", "status"]).output.splitlines()
    assert f"{code_key_id(OLD):<14} {'retired':<16} 1" in status


def test_the_current_key_cannot_be_retired(app, client, db, rotated):
    result = app.test_cli_runner().invoke(args=["client-keys", "retire", code_key_id(NEW), "--yes"])
    assert result.exit_code == 1
    assert "That is the current key" in result.output


def test_old_keys_are_read_from_the_environment_and_checked():
    environ = {"SITESYS_ENV": "test", "SITESYS_CLIENT_CODE_KEY": NEW}
    config = Config.from_env({**environ, "SITESYS_CLIENT_CODE_OLD_KEYS": f" {OLD} , x" + OLD})
    assert config.client_code_old_keys == (OLD, "x" + OLD)
    with pytest.raises(ConfigError, match="must not hold the current key"):
        Config.from_env({**environ, "SITESYS_CLIENT_CODE_OLD_KEYS": NEW})
    production = {
        "SITESYS_ENV": "production",
        "SITESYS_SECRET_KEY": "s" * 40,
        "SITESYS_CLIENT_CODE_KEY": NEW,
        "DATABASE_URL": "sqlite:///x.sqlite3",
    }
    with pytest.raises(ConfigError, match="at least 32 characters"):
        Config.from_env({**production, "SITESYS_CLIENT_CODE_OLD_KEYS": "short"})
