"""Staff roles; what each may do is in auth/permissions.py."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l


class Role(enum.StrEnum):
    FRONT_DESK = "front_desk"
    NURSE = "nurse"
    MANAGER = "manager"
    ADMIN = "admin"
    DRUG_CHECKER = "drug_checker"

    @property
    def label(self) -> str:
        return str(LABELS[self.value])

    @property
    def needs_site(self) -> bool:
        """Whether the role works at a site (an account without one can do nothing); admins
        set up every site and need none.
        """
        return self is not Role.ADMIN


#: Each role's name, translated where it is shown (import-time choices keep these lazy).
LABELS = {
    "front_desk": _l("Front desk"),
    "nurse": _l("Nurse"),
    "manager": _l("Manager"),
    "admin": _l("Admin"),
    "drug_checker": _l("Drug checker"),
}


#: Where each role lands after signing in: the desk at Check in, nurses at the Board, managers at
#: their queue of incidents to review. The home page stays in the navigation for anyone who
#: prefers to start there; the admin and the drug checker start on it.
LANDING_ENDPOINTS = {
    Role.FRONT_DESK: "checkin.new",
    Role.NURSE: "board.index",
    Role.MANAGER: "incidents.index",
}
