"""Staff roles; what each may do is in auth/permissions.py."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    FRONT_DESK = "front_desk"
    NURSE = "nurse"
    MANAGER = "manager"
    ADMIN = "admin"
    DRUG_CHECKER = "drug_checker"

    @property
    def label(self) -> str:
        return {
            "front_desk": "Front desk",
            "nurse": "Nurse",
            "manager": "Manager",
            "admin": "Admin",
            "drug_checker": "Drug checker",
        }[self.value]

    @property
    def needs_site(self) -> bool:
        """Whether the role works at a site (an account without one can do nothing); admins
        set up every site and need none.
        """
        return self is not Role.ADMIN


#: Where each role lands after signing in: the desk at Check in, nurses at the Board, managers at
#: their queue of incidents to review. The home page stays in the navigation for anyone who
#: prefers to start there; the admin and the drug checker start on it.
LANDING_ENDPOINTS = {
    Role.FRONT_DESK: "checkin.new",
    Role.NURSE: "board.index",
    Role.MANAGER: "incidents.index",
}
