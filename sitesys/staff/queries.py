"""The staff list the admin reads: filtered by name, role and whether accounts are active."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from sitesys.auth.models import Staff
from sitesys.auth.roles import Role

#: Which accounts the list shows by default: those that can sign in.
ACTIVE = "active"
INACTIVE = "inactive"
ALL = "all"


@dataclass
class StaffFilters:
    """Part of a name or username, a role, and ACTIVE, INACTIVE or ALL."""

    text: str | None = None
    role: Role | None = None
    status: str = ACTIVE


def staff_statement(filters: StaffFilters) -> Select[tuple[Staff]]:
    """Every account matching the filters, by username."""
    statement = select(Staff).options(selectinload(Staff.sites)).order_by(Staff.username)
    if filters.text:
        pattern = f"%{filters.text.lower()}%"
        statement = statement.where(
            or_(Staff.username.like(pattern), Staff.display_name.ilike(pattern))
        )
    if filters.role is not None:
        statement = statement.where(Staff.role == filters.role)
    if filters.status != ALL:
        statement = statement.where(Staff.is_active.is_(filters.status != INACTIVE))
    return statement
