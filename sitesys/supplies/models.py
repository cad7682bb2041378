"""Supplies: each site's catalogue of what it hands out, and the quantities given on a visit.

Quantities replace the service ticks of a visit (checkin.models.VisitService): the migration
carried each kit ticked before as a quantity of 1, and the ticks themselves are kept.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
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

#: The emergency stock the site counts but does not hand out (code, label, unit): used in
#: responses, counted at handover under the same names (handovers.models.DEFAULT_STOCK_ITEMS).
EMERGENCY_STOCK = (
    ("naloxone_doses", "Naloxone doses", "dose"),
    ("oxygen_cylinders", "Oxygen cylinders", "cylinder"),
)

#: A naloxone kit ticked before quantities (or at the desk), whose kind was not recorded: kept
#: apart from the two kinds rather than guessed. Hidden from the visit page.
NALOXONE_UNSPECIFIED = ("naloxone_kit", "Naloxone kit (kind not recorded)", "kit")

#: The default items' labels and units as SiteSys first wrote them, by code.
_ENGLISH = {code: (label, unit) for code, label, unit in (*DEFAULT_SUPPLIES, *EMERGENCY_STOCK)}
_ENGLISH[NALOXONE_UNSPECIFIED[0]] = NALOXONE_UNSPECIFIED[1:]

#: The default items' labels in the reader's language (for display: the catalogue keeps its own).
DEFAULT_NAMES = {
    "sterile_kit": _l("Sterile injecting kit"),
    "snorting_kit": _l("Snorting kit / straws"),
    "foil": _l("Foil"),
    "pipe": _l("Pipe"),
    "fentanyl_strips": _l("Fentanyl test strips"),
    "naloxone_in": _l("Naloxone kit (intranasal)"),
    "naloxone_im": _l("Naloxone kit (intramuscular)"),
    "condoms": _l("Condoms"),
    "sharps_bin": _l("Sharps bin"),
    "water": _l("Water"),
    "naloxone_doses": _l("Naloxone doses"),
    "oxygen_cylinders": _l("Oxygen cylinders"),
    "naloxone_kit": _l("Naloxone kit (kind not recorded)"),
}

#: The default units in the reader's language, by their English word.
UNIT_NAMES = {
    # TRANSLATORS: a unit of supplies, one of it ("Foil (sheet)"; "5 kits left")
    "kit": _l("kit"),
    # TRANSLATORS: a unit of supplies, one of it ("Foil (sheet)"; "5 kits left")
    "sheet": _l("sheet"),
    # TRANSLATORS: a unit of supplies, one of it ("Foil (sheet)"; "5 kits left")
    "pipe": _l("pipe"),
    # TRANSLATORS: a unit of supplies, one of it ("Foil (sheet)"; "5 kits left")
    "strip": _l("strip"),
    # TRANSLATORS: a unit of supplies, one of it ("Foil (sheet)"; "5 kits left")
    "condom": _l("condom"),
    # TRANSLATORS: a unit of supplies, one of it ("Foil (sheet)"; "5 kits left")
    "bin": _l("bin"),
    # TRANSLATORS: a unit of supplies, one of it ("Foil (sheet)"; "5 kits left")
    "bottle": _l("bottle"),
    # TRANSLATORS: a unit of supplies, one of it ("Foil (sheet)"; "5 kits left")
    "dose": _l("dose"),
    # TRANSLATORS: a unit of supplies, one of it ("Foil (sheet)"; "5 kits left")
    "cylinder": _l("cylinder"),
}

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
    #: Handed out on visits (the visit page's steppers); emergency stock is not.
    on_visits: Mapped[bool] = mapped_column(default=True)
    #: How many the site holds, as its stock ledger says (stock.py keeps it; never set directly).
    on_hand: Mapped[int] = mapped_column(default=0)
    #: Below this many, the handover and the manager's home page warn (None: never).
    reorder_level: Mapped[int | None]

    @property
    def name(self) -> str:
        """The item as the reader reads it: a default item still under its default label in the
        reader's language, anything else as the site wrote it.
        """
        english = _ENGLISH.get(self.code)
        if english is not None and english[0] == self.label and self.code in DEFAULT_NAMES:
            return str(DEFAULT_NAMES[self.code])
        return self.label

    @property
    def unit_name(self) -> str:
        """The unit as the reader reads it (a default item's default unit is translated)."""
        english = _ENGLISH.get(self.code)
        if english is not None and english[1] == self.unit and self.unit in UNIT_NAMES:
            return str(UNIT_NAMES[self.unit])
        return self.unit


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


MOVEMENT_KIND_LABELS = {
    "received": _l("Received"),
    "given_out": _l("Given out"),
    "used_in_response": _l("Used in a response"),
    "disposed": _l("Disposed of or expired"),
    "counted": _l("Counted (stock-take)"),
}


class MovementKind(enum.StrEnum):
    RECEIVED = "received"
    GIVEN_OUT = "given_out"
    USED_IN_RESPONSE = "used_in_response"
    DISPOSED = "disposed"
    COUNTED = "counted"

    @property
    def label(self) -> str:
        return str(MOVEMENT_KIND_LABELS[self.value])


class StockBatch(Base):
    """A batch received, with its expiry and how many of it are thought to remain (given out
    and disposed of earliest expiry first).
    """

    __tablename__ = "stock_batches"
    __table_args__ = (Index("ix_stock_batches_item_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"))
    batch: Mapped[str] = mapped_column(String(40))
    expires_on: Mapped[date | None]
    remaining: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    item: Mapped[SupplyItem] = relationship()


class StockMovement(Audited, Base):
    """One line of a site's stock ledger: what changed the count of an item, by how much, and
    the count after it. Never changed or deleted.
    """

    audit_type = "stock_movement"

    __tablename__ = "stock_movements"
    __table_args__ = (Index("ix_stock_movements_site_recorded", "site_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("supply_items.id"))
    kind: Mapped[MovementKind]
    #: The change to the count (negative for what left the stock).
    change: Mapped[int]
    on_hand_after: Mapped[int]
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("stock_batches.id"))
    #: Why stock was disposed of (short, chosen by staff); None otherwise.
    reason: Mapped[str | None] = mapped_column(String(120))
    visit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("visits.id"))
    #: The response-log entry (a naloxone dose) this line follows, for stock used in responses.
    incident_action_id: Mapped[int | None] = mapped_column(ForeignKey("incident_actions.id"))
    #: One per submitted form (received, disposed, counted): a double tap records one line.
    submission_key: Mapped[str | None] = mapped_column(String(36), unique=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))

    item: Mapped[SupplyItem] = relationship()
    batch: Mapped[StockBatch | None] = relationship()
    recorded_by: Mapped[Staff] = relationship()
