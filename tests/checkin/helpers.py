"""Shared steps for check-in tests."""

from __future__ import annotations

import re
import uuid
from typing import Any

from sitesys.auth.roles import Role
from tests.factories import make_booth, make_site, make_staff, make_substances, sign_in


def floor(db: Any, client: Any, role: Role = Role.FRONT_DESK, booths: int = 3) -> Any:
    site = make_site(db)
    make_substances(db, site)
    made = [make_booth(db, site, label=str(n), position=n) for n in range(1, booths + 1)]
    staff = make_staff(db, role, [site])
    sign_in(client, db, staff)
    return site, made, staff


def check_in_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "client_code": "joma07",
        "substances": ["heroin"],
        "route": "inject",
        "drug_checked": "no",
        "booth": "waiting",
        "submission_key": str(uuid.uuid4()),
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def confirmed(client: Any, form: dict[str, Any]) -> dict[str, Any]:
    """Do what the desk does: look the code up first, then check in with the confirmation."""
    page = client.post("/checkin", data={**form, "find": "1"}).get_data(as_text=True)
    match = re.search(r'name="confirmed" type="hidden" value="([0-9a-f]+)"', page)
    if match is None:
        match = re.search(
            r'id="confirmed" name="confirmed" type="hidden" value="([0-9a-f]+)"', page
        )
    assert match, "the lookup did not return a confirmation"
    return {**form, "confirmed": match.group(1), "submit": "1"}


def check_in(client: Any, **overrides: Any) -> Any:
    form = check_in_form(**overrides)
    if not form.get("walk_in"):
        form = confirmed(client, form)
    else:
        form["submit"] = "1"
    return client.post("/checkin", data=form)
