"""Two-factor sign-in (issue 20): a code from a phone app after the password for managers and
admins (and every role where a site asks), enrolment by QR code, recovery codes shown once and
used once, codes never accepted twice, wrong codes counted by the lockout, a lost phone reset by
an admin; the secret encrypted at rest and never in the audit trail or a URL.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from config import Config, ConfigError
from sitesys.audit.models import AuditEvent
from sitesys.auth.models import LoginFailure, RecoveryCode, Staff, StaffSession
from sitesys.auth.roles import Role
from sitesys.auth.two_factor import (
    STEP_SECONDS,
    SecretBox,
    code_at,
    hash_recovery_codes,
    new_recovery_codes,
    normalise_recovery,
    time_step,
)
from sitesys.clock import utcnow
from sitesys.db import get_database
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    TWO_FACTOR_KEY,
    make_site,
    make_staff,
    sign_in,
    sign_in_with_code,
    totp_code,
)
from tests.sites.test_views import SITE_FORM


def events(db, action: str) -> list[AuditEvent]:
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def sessions(db, staff: Staff) -> int:
    """The account's open sessions."""
    return int(
        db.scalar(
            select(func.count())
            .select_from(StaffSession)
            .where(StaffSession.staff_id == staff.id, StaffSession.ended_at.is_(None))
        )
        or 0
    )


def password_step(client, username: str, password: str = PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def enrolment_secret(page: str) -> str:
    shown = page.split('data-testid="two-factor-secret">', 1)[1].split("<", 1)[0]
    return "".join(shown.split())


def shown_codes(page: str) -> list[str]:
    return re.findall(r"<code>([0-9A-Z-]{19})</code>", page)


def test_a_manager_is_not_signed_in_until_the_code_is_right(client, db):
    site = make_site(db)
    manager = make_staff(db, Role.MANAGER, [site], username="max")
    response = password_step(client, "max")
    assert response.status_code == 302 and response.headers["Location"] == "/login/code"
    # The password alone opens nothing: no session, every page sends back to sign in.
    assert sessions(db, manager) == 0
    assert client.get("/incidents/").headers["Location"].startswith("/login")
    page = client.get("/login/code").get_data(as_text=True)
    assert "Enter your code" in page and 'autocomplete="one-time-code"' in page

    wrong = client.post("/login/code", data={"code": "000000"})
    assert wrong.status_code == 401
    assert "That code is not right" in wrong.get_data(as_text=True)
    assert sessions(db, manager) == 0
    [failed] = events(db, "auth.two_factor_failed")
    assert failed.actor_id == manager.id and failed.detail["stage"] == "sign_in"

    right = client.post("/login/code", data={"code": totp_code()})
    assert right.status_code == 302 and right.headers["Location"] == "/incidents/"
    assert sessions(db, manager) == 1
    assert [event.actor_id for event in events(db, "auth.signed_in")] == [manager.id]
    assert client.get("/incidents/").status_code == 200


def test_a_code_is_never_accepted_twice(client, db, app):
    make_staff(db, Role.ADMIN, username="ada")
    with time_machine.travel(utcnow(), tick=False):
        code = totp_code()
        assert sign_in_with_code(client, "ada").status_code == 302
        client.post("/logout")
        # The same code again, within its 30 seconds (a code seen over a shoulder): refused.
        password_step(client, "ada")
        replayed = client.post("/login/code", data={"code": code})
        assert replayed.status_code == 401
    assert len(events(db, "auth.signed_in")) == 1


def test_one_step_of_clock_drift_is_allowed_either_side_and_no_more(client, db):
    make_staff(db, Role.ADMIN, username="ada")
    now = utcnow()
    step = time_step(now)
    with time_machine.travel(now, tick=False):
        password_step(client, "ada")
        for offset in (-2, 2):
            code = code_at(TOTP_SECRET, step + offset)
            assert client.post("/login/code", data={"code": code}).status_code == 401
        behind = client.post("/login/code", data={"code": code_at(TOTP_SECRET, step - 1)})
        assert behind.status_code == 302
        client.post("/logout")
        password_step(client, "ada")
        # After step-1 was used, step+1 (a phone a little fast) is still later: accepted.
        ahead = client.post("/login/code", data={"code": code_at(TOTP_SECRET, step + 1)})
        assert ahead.status_code == 302


def test_wrong_codes_count_toward_the_same_lockout_as_wrong_passwords(client, db):
    manager = make_staff(db, Role.MANAGER, [make_site(db)], username="max")
    for _ in range(2):
        assert password_step(client, "max", "not the password at all").status_code == 401
    assert password_step(client, "max").headers["Location"] == "/login/code"
    assert client.post("/login/code", data={"code": "111111"}).status_code == 401
    assert client.post("/login/code", data={"code": "222222"}).status_code == 401
    fifth = client.post("/login/code", data={"code": "333333"})
    assert fifth.status_code == 429
    assert "locked for 10 more minutes" in fifth.get_data(as_text=True)
    # Locked: the right password and then the right code are refused too.
    assert password_step(client, "max").status_code == 429
    assert sessions(db, manager) == 0
    locked = [event for event in events(db, "auth.two_factor_failed") if event.detail["locked"]]
    assert len(locked) == 1
    assert db.scalar(select(func.count()).select_from(LoginFailure)) == 5


def test_the_code_step_is_rate_limited_per_address(client, db):
    make_staff(db, Role.ADMIN, username="ada")
    password_step(client, "ada")
    # Empty codes (refused by the form, so not counted by the lockout): the limit stops them.
    answers = [
        client.post(
            "/login/code", data={"code": ""}, environ_base={"REMOTE_ADDR": "203.0.113.9"}
        ).status_code
        for _ in range(11)
    ]
    assert answers[:10] == [422] * 10 and answers[-1] == 429


def test_an_unenrolled_manager_must_enrol_before_anything_else(client, db):
    site = make_site(db)
    manager = make_staff(db, Role.MANAGER, [site], username="max", two_factor=False)
    response = client.post("/login?next=/board/", data={"username": "max", "password": PASSWORD})
    assert response.headers["Location"] == "/login/two-factor"
    assert sessions(db, manager) == 0
    for path in ("/incidents/", "/board/", "/account/two-factor", "/"):
        assert client.get(path).headers["Location"].startswith("/login")

    page = client.get("/login/two-factor").get_data(as_text=True)
    assert "<svg" in page and "Two-factor QR code" in page  # drawn inline, no outside service
    secret = enrolment_secret(page)
    assert len(secret) == 32
    # The same secret on a reload, until it is confirmed.
    assert enrolment_secret(client.get("/login/two-factor").get_data(as_text=True)) == secret

    wrong = client.post("/login/two-factor", data={"code": "000000"})
    assert wrong.status_code == 422 and "That code is not right" in wrong.get_data(as_text=True)
    assert [e.detail["stage"] for e in events(db, "auth.two_factor_failed")] == ["enrolment"]
    db.refresh(manager)
    assert manager.two_factor_secret is None

    confirmed = client.post(
        "/login/two-factor", data={"code": code_at(secret, time_step(utcnow()))}
    )
    assert confirmed.headers["Location"] == "/account/two-factor/recovery-codes"
    assert sessions(db, manager) == 1
    shown = client.get("/account/two-factor/recovery-codes").get_data(as_text=True)
    codes = shown_codes(shown)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/board/"' in shown  # then on to the page first asked for
    # Shown once only.
    again = client.get("/account/two-factor/recovery-codes")
    assert again.headers["Location"] == "/account/two-factor"
    assert not shown_codes(client.get("/account/two-factor").get_data(as_text=True))

    db.refresh(manager)
    # Encrypted at rest: the stored value is not the secret and opens only under the key.
    assert manager.two_factor_secret and secret not in manager.two_factor_secret
    assert SecretBox(TWO_FACTOR_KEY).open(manager.two_factor_secret) == secret
    with pytest.raises(ValueError, match="does not open"):
        SecretBox("some other key entirely, thirty-two+").open(manager.two_factor_secret)
    stored = list(db.scalars(select(RecoveryCode).where(RecoveryCode.staff_id == manager.id)))
    assert len(stored) == 10
    for row in stored:
        assert row.code_hash.startswith("$argon2id$")
        assert all(normalise_recovery(code) not in row.code_hash for code in codes)
    [enrolled] = events(db, "auth.two_factor_enrolled")
    assert enrolled.actor_id == manager.id and enrolled.detail == {"recovery_codes": 10}


def test_a_nurse_needs_no_code_unless_their_site_asks_it_of_every_role(client, db, app):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site], username="nia")
    assert password_step(client, "nia").headers["Location"] == "/board/"
    client.post("/logout")

    admin_client = app.test_client()
    sign_in(admin_client, db, make_staff(db, Role.ADMIN))
    form = admin_client.get(f"/sites/{site.id}/edit").get_data(as_text=True)
    assert "Every role signs in with two-factor" in form
    version = form.split('name="version" type="hidden" value="', 1)[1].split('"', 1)[0]
    saved = admin_client.post(
        f"/sites/{site.id}/edit",
        data={**SITE_FORM, "name": site.name, "two_factor_for_all": "y", "version": version},
    )
    assert saved.status_code == 302
    db.refresh(site)
    assert site.two_factor_for_all
    [updated] = events(db, "site.updated")
    assert "two_factor_for_all" in updated.detail["changed"]
    assert updated.detail["two_factor_for_all_to"] is True

    assert password_step(client, "nia").headers["Location"] == "/login/two-factor"
    assert sessions(db, nurse) == 0


def test_a_reset_password_and_two_factor_are_both_asked_in_turn(client, db, app):
    manager = make_staff(db, Role.MANAGER, [make_site(db)], username="max")
    manager.must_change_password = True
    db.flush()
    assert password_step(client, "max").headers["Location"] == "/login/code"
    # The new-password page waits for the code.
    assert client.get("/login/new-password").headers["Location"] == "/login"
    password_step(client, "max")
    assert client.post("/login/code", data={"code": totp_code()}).headers["Location"] == (
        "/login/new-password"
    )
    done = client.post(
        "/login/new-password",
        data={
            "new_password": "quartz lantern meadow oboe",
            "confirm": "quartz lantern meadow oboe",
        },
    )
    assert done.headers["Location"] == "/incidents/"
    assert sessions(db, manager) == 1


def test_a_recovery_code_signs_in_once(client, db):
    manager = make_staff(db, Role.MANAGER, [make_site(db)], username="max")
    codes = new_recovery_codes()
    for hashed in hash_recovery_codes(codes[:2]):
        db.add(
            RecoveryCode(staff_id=manager.id, locator=hashed.locator, code_hash=hashed.code_hash)
        )
    db.flush()
    password_step(client, "max")
    # Typed in lower case, without its dashes: still the code.
    typed = codes[0].lower().replace("-", " ")
    used = client.post("/login/code", data={"code": typed})
    assert used.status_code == 302 and used.headers["Location"] == "/incidents/"
    assert "1 recovery code left" in client.get("/incidents/").get_data(as_text=True)
    [event] = events(db, "auth.recovery_code_used")
    assert event.actor_id == manager.id and event.detail == {"recovery_codes_left": 1}
    client.post("/logout")

    password_step(client, "max")
    again = client.post("/login/code", data={"code": codes[0]})
    assert again.status_code == 401
    assert sessions(db, manager) == 0
    assert len(events(db, "auth.signed_in")) == 1


def test_staff_see_their_status_and_make_new_recovery_codes_with_a_code(client, db):
    manager = make_staff(db, Role.MANAGER, [make_site(db)], username="max")
    old = new_recovery_codes()[:1]
    [hashed] = hash_recovery_codes(old)
    db.add(RecoveryCode(staff_id=manager.id, locator=hashed.locator, code_hash=hashed.code_hash))
    sign_in(client, db, manager)
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<strong>On</strong>" in page and 'data-testid="recovery-codes-left">1<' in page

    wrong = client.post("/account/two-factor", data={"code": "000000"})
    assert wrong.status_code == 422
    assert events(db, "auth.two_factor_failed")[0].detail["stage"] == "recovery_codes"
    assert db.scalar(select(func.count()).select_from(LoginFailure)) == 1

    made = client.post("/account/two-factor", data={"code": totp_code()})
    assert made.headers["Location"] == "/account/two-factor/recovery-codes"
    codes = shown_codes(client.get("/account/two-factor/recovery-codes").get_data(as_text=True))
    assert len(codes) == 10
    assert len(events(db, "auth.recovery_codes_replaced")) == 1
    left = db.scalars(select(RecoveryCode.locator).where(RecoveryCode.staff_id == manager.id))
    assert len(list(left)) == 10  # the old code is gone with the old set


def test_an_admin_resets_a_lost_phone_with_a_reason_and_the_colleague_enrols_again(client, db, app):
    site = make_site(db)
    admin = make_staff(db, Role.ADMIN, [site])
    manager = make_staff(db, Role.MANAGER, [site], username="max", display_name="Max")
    db.add(RecoveryCode(staff_id=manager.id, locator="ABC", code_hash="$argon2id$x"))
    colleague = app.test_client()
    sign_in(colleague, db, manager)
    sign_in(client, db, admin)
    page = client.get(f"/staff/{manager.id}/edit").get_data(as_text=True)
    assert "Reset two-factor sign-in" in page and "Phone lost or stolen" in page
    assert 'class="confirm-step"' in page  # asked in the page, not at once

    # No reason chosen: nothing changes.
    client.post(f"/staff/{manager.id}/reset-two-factor", data={})
    db.refresh(manager)
    assert manager.two_factor_secret is not None

    done = client.post(f"/staff/{manager.id}/reset-two-factor", data={"reason": "lost_device"})
    assert done.headers["Location"] == f"/staff/{manager.id}/edit"
    db.refresh(manager)
    assert manager.two_factor_secret is None and manager.two_factor_last_step is None
    assert not list(db.scalars(select(RecoveryCode).where(RecoveryCode.staff_id == manager.id)))
    [reset] = events(db, "staff.two_factor_reset")
    assert reset.actor_id == admin.id and reset.record_id == str(manager.id)
    assert reset.detail == {"reason": "lost_device", "sessions_ended": 1}
    # Their session ended; at the next sign-in they set it up again.
    ended = colleague.get("/incidents/")
    assert ended.headers["Location"].startswith("/login")
    assert password_step(colleague, "max").headers["Location"] == "/login/two-factor"


def test_an_admin_cannot_reset_their_own_and_others_cannot_reset_at_all(client, db, app):
    site = make_site(db)
    admin = make_staff(db, Role.ADMIN, [site])
    manager = make_staff(db, Role.MANAGER, [site])
    sign_in(client, db, admin)
    client.post(f"/staff/{admin.id}/reset-two-factor", data={"reason": "new_device"})
    db.refresh(admin)
    assert admin.two_factor_secret is not None
    other = app.test_client()
    sign_in(other, db, manager)
    refused = other.post(f"/staff/{admin.id}/reset-two-factor", data={"reason": "new_device"})
    assert refused.status_code == 403
    assert not events(db, "staff.two_factor_reset")


def test_the_secret_is_never_in_the_audit_trail_or_a_url(client, db):
    make_staff(db, Role.ADMIN, username="ada", two_factor=False)
    locations = [password_step(client, "ada").headers["Location"]]
    secret = enrolment_secret(client.get("/login/two-factor").get_data(as_text=True))
    confirmed = client.post(
        "/login/two-factor", data={"code": code_at(secret, time_step(utcnow()))}
    )
    locations.append(confirmed.headers["Location"])
    codes = shown_codes(client.get(locations[-1]).get_data(as_text=True))
    trail = json.dumps([event.detail for event in db.scalars(select(AuditEvent))])
    for text in (secret, *codes, *(normalise_recovery(code) for code in codes)):
        assert text not in trail
        assert all(text not in location for location in locations)


def test_production_checks_the_two_factor_key():
    base = {
        "SITESYS_ENV": "production",
        "DATABASE_URL": "postgresql+psycopg://x/y",
        "SITESYS_SECRET_KEY": "a" * 40,
        "SITESYS_CLIENT_CODE_KEY": "b" * 40,
    }
    assert Config.from_env(base).two_factor_key == ""  # derived from the secret key
    assert Config.from_env({**base, "SITESYS_TWO_FACTOR_KEY": "c" * 40}).two_factor_key == "c" * 40
    with pytest.raises(ConfigError, match="at least 32"):
        Config.from_env({**base, "SITESYS_TWO_FACTOR_KEY": "short"})
    with pytest.raises(ConfigError, match="must differ"):
        Config.from_env({**base, "SITESYS_TWO_FACTOR_KEY": "a" * 40})


def test_recovery_codes_carry_eighty_bits_and_the_step_is_thirty_seconds():
    codes = new_recovery_codes()
    assert len(codes) == 10
    assert all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", c) for c in codes)
    assert STEP_SECONDS == 30
    assert time_step(utcnow() + timedelta(seconds=30)) == time_step(utcnow()) + 1


@pytest.mark.committed
def test_one_code_sent_from_four_tablets_at_once_signs_in_one(committed_app):
    """The replay guard holds under a race: the account's row lock orders the checks, and the
    step the first one spent is refused to the others."""
    with get_database(committed_app).new_session() as session:
        make_staff(session, Role.ADMIN, username="ada")
        session.commit()
    tablets = [committed_app.test_client() for _ in range(4)]
    for tablet in tablets:
        assert password_step(tablet, "ada").headers["Location"] == "/login/code"
    tokens = [tablet.csrf_token() for tablet in tablets]
    barrier = threading.Barrier(len(tablets))
    statuses = [0] * len(tablets)
    code = totp_code()

    def send(index: int) -> None:
        barrier.wait()
        statuses[index] = (
            tablets[index]
            .post(
                "/login/code",
                data={"code": code, "csrf_token": tokens[index]},
                csrf=False,
                environ_base={"REMOTE_ADDR": f"192.0.2.{index + 1}"},
            )
            .status_code
        )

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(tablets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [302, 401, 401, 401]
    with get_database(committed_app).new_session() as session:
        assert len(events(session, "auth.signed_in")) == 1
        assert len(events(session, "auth.two_factor_failed")) == 3
        assert session.scalar(select(func.count()).select_from(StaffSession)) == 1
