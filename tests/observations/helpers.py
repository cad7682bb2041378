from __future__ import annotations

import uuid
from typing import Any

from sitesys.auth.roles import Role
from tests.factories import make_booth, make_site, make_staff, make_substances, make_visit, sign_in


def nurse_with_visit(db: Any, client: Any, role: Role = Role.NURSE, **visit: Any) -> Any:
    site = make_site(db)
    make_substances(db, site)
    booth = make_booth(db, site, label="1")
    nurse = make_staff(db, role, [site])
    sign_in(client, db, nurse)
    found = make_visit(db, site, nurse, booth=booth, **visit)
    return site, found, nurse


def full(**readings: Any) -> dict[str, Any]:
    form: dict[str, Any] = {"consciousness": "A", "submission_key": str(uuid.uuid4())}
    form.update({k: v for k, v in readings.items() if v is not None})
    return form


HIGH = {
    "respiratory_rate": "7",
    "spo2": "88",
    "pulse": "130",
    "systolic_bp": "95",
    "temperature": "36.5",
    "consciousness": "V",
    "poss": "4",
    "rass": "-4",
}
