"""Sites and their booths."""

from __future__ import annotations

import enum
import secrets
from datetime import datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, String, Table, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from sitesys.clock import utcnow
from sitesys.db import Audited, Base

if TYPE_CHECKING:
    from sitesys.auth.models import Staff

# Which staff may work at which site; every query for site data is scoped through this.
staff_sites = Table(
    "staff_sites",
    Base.metadata,
    Column("staff_id", ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


DEFAULT_CODE_HINT = (
    "First two letters of your first name, first two letters of your mother's first name, "
    "and the day of the month you were born (two digits). Example: JOMA07."
)
DEFAULT_CODE_PATTERN = r"[A-Z]{4}[0-9]{2}"

#: The default substance pick-list of a new site (code, label), in desk order.
DEFAULT_SUBSTANCES = (
    ("ketamine", "Ketamine"),
    ("heroin", "Heroin"),
    ("fentanyl", "Fentanyl"),
    ("cocaine", "Cocaine"),
    ("crack", "Crack"),
    ("methamphetamine", "Methamphetamine"),
    ("mdma", "MDMA"),
    ("benzodiazepines", "Benzodiazepines"),
    ("ghb_gbl", "GHB/GBL"),
    ("nitazenes", "Nitazenes"),
    ("unknown", "Unknown"),
    ("other", "Other"),
)


def new_public_id() -> str:
    """A site's name in public links: 72 random bits, so it says nothing of the site, and the
    sites cannot be listed or counted by trying names in turn.
    """
    return secrets.token_urlsafe(9)


#: The shortest retention the law allows (README: Retention): clinical free text is kept at
#: least 8 years (Records Management Code of Practice 2023, adult health records), a client's
#: code digest at least a year (their safety flags must outlast a gap between visits).
MIN_NOTES_YEARS = 8
MIN_CLIENTS_YEARS = 1
DEFAULT_NOTES_YEARS = 8
DEFAULT_CLIENTS_YEARS = 3


class Site(Audited, Base):
    """A supervised consumption site, with the settings its staff work under."""

    audit_type = "site"

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    #: IANA zone the site's clocks, shifts and closing time are read in.
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Time the doors close; the end-of-day job closes visits left open long after it.
    closing_time: Mapped[time] = mapped_column(default=time(22, 0))
    idle_timeout_minutes: Mapped[int] = mapped_column(default=15)
    absolute_timeout_hours: Mapped[int] = mapped_column(default=12)
    booth_check_minutes: Mapped[int] = mapped_column(default=5)
    aftercare_check_minutes: Mapped[int] = mapped_column(default=15)
    close_watch_minutes: Mapped[int] = mapped_column(default=2)
    #: A handover still unacknowledged this long after the shift change is flagged to managers.
    handover_ack_minutes: Mapped[int] = mapped_column(default=30)
    #: An incident report still unsubmitted this long after it began is flagged on home pages.
    draft_reminder_hours: Mapped[int] = mapped_column(default=12)
    #: The response screen prompts "Consider another dose" this long after a naloxone dose (2 or 3).
    naloxone_prompt_minutes: Mapped[int] = mapped_column(default=3)
    #: The self-generated client code recipe, shown at the desk.
    code_hint: Mapped[str] = mapped_column(String(300), default=DEFAULT_CODE_HINT)
    #: Regular expression a normalised client code must match in full.
    code_pattern: Mapped[str] = mapped_column(String(200), default=DEFAULT_CODE_PATTERN)
    #: A drug-check sample neither handed back nor disposed of this long after its result raises
    #: a custody alert on the board and in the handover.
    custody_alert_minutes: Mapped[int] = mapped_column(default=30)
    #: How many days a drug-check result can be read by its sample code on the public page.
    result_days: Mapped[int] = mapped_column(default=30)
    #: Whether the site's active drug alerts are on its public page (its posters link there).
    public_alerts_enabled: Mapped[bool] = mapped_column(default=True)
    #: The ketamine bladder screen is asked of a client at most once in this many days (care/).
    bladder_screen_days: Mapped[int] = mapped_column(default=28)
    #: Reports meant for publication show counts below this as "<10" (small-cell suppression).
    suppression_threshold: Mapped[int] = mapped_column(default=10)
    #: The site's opaque name in public links (/alerts/<public_id>), never shown as its name.
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    #: Whether trained non-clinical staff (the front desk) may log naloxone and rescue breaths in
    #: a running response from their board tile. Off unless the site turns it on.
    desk_rescue_actions: Mapped[bool] = mapped_column(default=False)
    #: Two-factor sign-in for every role working here (managers and admins always have it).
    two_factor_for_all: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Free-text notes and narratives older than this are redacted (system/retention.py).
    retain_notes_years: Mapped[int] = mapped_column(
        default=DEFAULT_NOTES_YEARS, server_default=str(DEFAULT_NOTES_YEARS)
    )
    #: A client with no visit for this long is removed with their digest; visits stay anonymous.
    retain_clients_years: Mapped[int] = mapped_column(
        default=DEFAULT_CLIENTS_YEARS, server_default=str(DEFAULT_CLIENTS_YEARS)
    )
    #: Who runs the site and how to reach them, and the legal basis, for the /privacy page.
    privacy_contact: Mapped[str] = mapped_column(String(300), default="", server_default="")
    privacy_legal_basis: Mapped[str] = mapped_column(String(500), default="", server_default="")
    #: The language staff screens fall back to when a member of staff has not chosen theirs
    #: (sitesys/i18n.py), and the languages its client-facing pages offer, as codes joined by
    #: commas ("en_GB,fr_CA,ar").
    default_language: Mapped[str] = mapped_column(
        String(10), default="en_GB", server_default="en_GB"
    )
    client_languages: Mapped[str] = mapped_column(
        String(60), default="en_GB", server_default="en_GB"
    )
    #: The code recipe in the site's other client languages, by code ({"fr_CA": "…"}); code_hint
    #: is the English one, and the one shown where a language has none.
    code_hints: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")

    booths: Mapped[list[Booth]] = relationship(
        back_populates="site", order_by="Booth.position, Booth.label"
    )
    staff: Mapped[list[Staff]] = relationship(secondary=staff_sites, back_populates="sites")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def client_language_codes(self) -> list[str]:
        """The languages the site's client-facing pages offer, in the order SiteSys lists them."""
        from sitesys.i18n import CLIENT_LOCALES

        chosen = set(self.client_languages.split(","))
        return [code for code in CLIENT_LOCALES if code in chosen]

    def code_recipe(self, language: str) -> str:
        """The client code recipe in a language: the site's own words in it, else its English."""
        return (self.code_hints or {}).get(language) or self.code_hint

    @property
    def audit_site_id(self) -> int | None:
        return self.id


class BoothKind(enum.StrEnum):
    INJECTING = "injecting"
    SMOKING = "smoking"

    @property
    def label(self) -> str:
        return str(BOOTH_KIND_LABELS[self.value])


class BoothStatus(enum.StrEnum):
    FREE = "free"
    OCCUPIED = "occupied"
    NEEDS_CLEANING = "needs_cleaning"
    OUT_OF_SERVICE = "out_of_service"

    @property
    def label(self) -> str:
        return str(BOOTH_STATUS_LABELS[self.value])


#: Booth kinds and states in words (lazy: the booth form's choices are made at import time).
BOOTH_KIND_LABELS = {"injecting": _l("Injecting / other"), "smoking": _l("Smoking")}
BOOTH_STATUS_LABELS = {
    "free": _l("Free"),
    "occupied": _l("Occupied"),
    "needs_cleaning": _l("Needs cleaning"),
    "out_of_service": _l("Out of service"),
}


class Booth(Audited, Base):
    """A consumption booth; it holds one person at a time."""

    audit_type = "booth"
    changes_floor = True

    __tablename__ = "booths"
    __table_args__ = (UniqueConstraint("site_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    label: Mapped[str] = mapped_column(String(20))
    kind: Mapped[BoothKind] = mapped_column(default=BoothKind.INJECTING)
    status: Mapped[BoothStatus] = mapped_column(default=BoothStatus.FREE)
    #: Why a booth is out of service; required while it is.
    out_of_service_reason: Mapped[str | None] = mapped_column(String(200))
    #: Order on the board.
    position: Mapped[int] = mapped_column(default=0)
    #: A retired booth is kept for history but leaves the board and the check-in form.
    is_retired: Mapped[bool] = mapped_column(default=False)

    site: Mapped[Site] = relationship(back_populates="booths")


class SubstanceOption(Audited, Base):
    """One entry of a site's substance pick-list (substances change fast: nitazenes, say)."""

    audit_type = "substance_option"

    __tablename__ = "substance_options"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    #: Stable code kept on visits and used in reports; the label may be reworded.
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
