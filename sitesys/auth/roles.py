"""Staff roles: what each kind of worker may do."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    FRONT_DESK = "front_desk"
    NURSE = "nurse"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return {
            "front_desk": "Front desk",
            "nurse": "Nurse",
            "manager": "Manager",
            "admin": "Admin",
        }[self.value]


#: Roles that work the floor: see the board and move visits along.
FLOOR_ROLES = (Role.FRONT_DESK, Role.NURSE, Role.MANAGER)
#: Roles that may read and record clinical detail.
CLINICAL_ROLES = (Role.NURSE, Role.MANAGER)
