"""Supplies: each site's catalogue of what it hands out, and the quantities given on a visit.

Quantities replace the service ticks of a visit (checkin.models.VisitService): the migration
carried each kit ticked before as a quantity of 1, and the ticks themselves are kept.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import Audited, Base

#: What every new site hands out (code, label, unit), in the order staff see them. The codes are
#: stable (reports and stock count them); sites add their own and may hide these.
DEFAULT_SUPPLIES = (
    ("sterile_kit", "Sterile injecting kit", "kit"),
    ("snorting_kit", "Snorting kit / straws", "kit"),
    ("foil", "Foil", "sheet"),
    ("pipe", "Pipe", "pipe"),
    ("fentanyl_strips", "Fentanyl test strips", "strip"),
    ("naloxone_in", "Naloxone kit (intranasal)", "kit"),
    ("naloxone_im", "Naloxone kit (intramuscular)", "kit"),
    ("condoms", "Condoms", "condom"),
    ("sharps_bin", "Sharps bin", "bin"),
    ("water", "Water", "bottle"),
)

#: A naloxone kit ticked before quantities (or at the desk), whose kind was not recorded: kept
#: apart from the two kinds rather than guessed. Hidden from the visit page.
NALOXONE_UNSPECIFIED = ("naloxone_kit", "Naloxone kit (kind not recorded)", "kit")

#: The service ticks that are supplies, and the catalogue item each is given as.
TICKED_SUPPLIES = {
    "sterile_kit": "sterile_kit",
    "snorting_kit": "snorting_kit",
    "foil": "foil",
    "naloxone_kit": NALOXONE_UNSPECIFIED[0],
}

#: The most of one item recorded on a visit (a typing slip is refused, not counted).
MOST_PER_VISIT = 99


class SupplyItem(Audited, Base):
    """One entry of a site's supply catalogue."""

    audit_type = "supply_item"

    __tablename__ = "supply_items"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(80))
    #: What one of it is ("kit", "sheet", "bottle").
    unit: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)


class VisitSupply(Audited, Base):
    """How many of one item a visit was given: one row per visit and item (two tablets saving
    the same item give one row), its quantity set from the visit page's steppers.
    """

    audit_type = "visit_supply"

    __tablename__ = "visit_supplies"
    __table_args__ = (
        UniqueConstraint("visit_id", "item_id"),
        Index("ix_visit_supplies_site_recorded", "site_id", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    visit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"))
    quantity: Mapped[int]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    changed_at: Mapped[datetime | None]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))

    item: Mapped[SupplyItem] = relationship()
    recorded_by: Mapped[Staff] = relationship(foreign_keys=[recorded_by_id])
