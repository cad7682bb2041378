from __future__ import annotations

from sqlalchemy import func, select

from sitesys.auth.models import Staff
from sitesys.auth.passwords import verify_password
from sitesys.auth.roles import Role
from sitesys.sites.models import Booth, Site
from tests.factories import make_site, make_staff

GOOD_PASSWORD = "quiet harbour lantern seven"


def test_create_user_reads_the_password_from_stdin(app, db):
    site = make_site(db, name="Harbour Street")
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "Nia",
            "--role",
            "nurse",
            "--site",
            "Harbour Street",
            "--password-stdin",
        ],
        input=GOOD_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert GOOD_PASSWORD not in result.output
    staff = db.scalar(select(Staff).where(Staff.username == "nia"))
    assert staff is not None and staff.role is Role.NURSE and staff.sites == [site]
    assert verify_password(staff.password_hash, GOOD_PASSWORD)


def test_create_user_prompts_twice_when_not_given_stdin(app, db):
    make_site(db, name="Harbour Street")
    result = app.test_cli_runner().invoke(
        args=["create-user", "sam", "--role", "front_desk", "--site", "Harbour Street"],
        input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert db.scalar(select(Staff).where(Staff.username == "sam")) is not None


def test_create_user_refuses_weak_passwords_unknown_sites_and_siteless_nurses(app, db):
    make_site(db, name="Harbour Street")
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=[
            "create-user",
            "nia",
            "--role",
            "nurse",
            "--site",
            "Harbour Street",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert weak.exit_code != 0 and "at least 12 characters" in weak.output
    unknown = runner.invoke(
        args=["create-user", "nia", "--role", "nurse", "--site", "Nowhere", "--password-stdin"],
        input=GOOD_PASSWORD + "\n",
    )
    assert unknown.exit_code != 0 and "There is no site called 'Nowhere'" in unknown.output
    siteless = runner.invoke(
        args=["create-user", "nia", "--role", "nurse", "--password-stdin"],
        input=GOOD_PASSWORD + "\n",
    )
    assert siteless.exit_code != 0 and "only an admin can work without a site" in siteless.output
    assert db.scalar(select(func.count()).select_from(Staff)) == 0


def test_seed_demo_creates_a_site_and_one_account_per_role_once(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    site = db.scalar(select(Site).where(Site.name == "Demo Site"))
    assert site is not None
    assert db.scalar(select(func.count()).select_from(Booth).where(Booth.site_id == site.id)) == 10
    accounts = {staff.role: staff for staff in db.scalars(select(Staff))}
    assert set(accounts) == set(Role)
    for role, staff in accounts.items():
        line = next(line for line in result.output.splitlines() if staff.username in line)
        assert verify_password(staff.password_hash, line.split()[-1]), role
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "already exist" in again.output
    quiet = runner.invoke(args=["seed-demo", "--skip-if-staff"])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_seed_demo_enrols_the_manager_and_admin_and_prints_their_keys_once(app, db):
    from sitesys.auth.two_factor import secret_box_for

    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    box = secret_box_for(app.config)
    for staff in db.scalars(select(Staff)):
        lines = [line for line in result.output.splitlines() if staff.username in line]
        if staff.role in (Role.MANAGER, Role.ADMIN):
            assert staff.two_factor_secret is not None and len(lines) == 2
            printed = "".join(lines[1].split()[1:])
            assert box.open(staff.two_factor_secret) == printed
            assert printed not in staff.two_factor_secret  # encrypted at rest
        else:
            assert staff.two_factor_secret is None and len(lines) == 1


def test_seed_demo_refuses_when_any_staff_exist(app, db):
    make_staff(db, Role.ADMIN)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert db.scalar(select(Site).where(Site.name == "Demo Site")) is None


def test_db_commands_upgrade_report_check_and_downgrade(throwaway):
    from sitesys.db import get_database
    from tests.conftest import build_app

    app = build_app(throwaway.create("cli"))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    current = runner.invoke(args=["db", "current"])
    assert current.exit_code == 0
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0 and "Models match" in check.output
    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    get_database(app).engine.dispose()
