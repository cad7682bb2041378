"""Setting sites up: their settings, booths and substance pick-list (a booth's state, cleaned or
out of service, is changed in booths.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import time
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.care.models import DEFAULT_TOPICS, EducationTopic
from sitesys.handovers.models import DEFAULT_STOCK_ITEMS, StockItem
from sitesys.i18n import CLIENT_LOCALES, DEFAULT_LOCALE, STAFF_LOCALES
from sitesys.refusals import Refused
from sitesys.sites.models import (
    DEFAULT_CODE_HINT,
    DEFAULT_CODE_PATTERN,
    DEFAULT_SUBSTANCES,
    MIN_CLIENTS_YEARS,
    MIN_NOTES_YEARS,
    Booth,
    BoothKind,
    BoothStatus,
    Site,
    SubstanceOption,
)
from sitesys.supplies.models import DEFAULT_SUPPLIES, EMERGENCY_STOCK, SupplyItem
from sitesys.versions import version_of


class SiteError(Refused):
    """A site or booth change that breaks a rule; the message is shown as it is."""


class BoothKindLocked(SiteError):
    """An occupied booth's kind cannot change under its client."""


class SettingsChanged(SiteError):
    """The settings form was opened before someone else saved; saving it would undo their change."""


@dataclass
class SiteSettings:
    """A site's settings; what is not given takes the defaults a new site starts with."""

    name: str
    time_zone: str = "Europe/London"
    closing_time: time = time(22, 0)
    idle_timeout_minutes: int = 15
    absolute_timeout_hours: int = 12
    booth_check_minutes: int = 5
    aftercare_check_minutes: int = 15
    close_watch_minutes: int = 2
    draft_reminder_hours: int = 12
    is_active: bool = True
    code_hint: str = DEFAULT_CODE_HINT
    code_pattern: str = DEFAULT_CODE_PATTERN
    handover_ack_minutes: int = 30
    custody_alert_minutes: int = 30
    result_days: int = 30
    public_alerts_enabled: bool = True
    retain_notes_years: int = 8
    retain_clients_years: int = 3
    privacy_contact: str = ""
    privacy_legal_basis: str = ""
    naloxone_prompt_minutes: int = 3
    desk_rescue_actions: bool = False
    two_factor_for_all: bool = False
    bladder_screen_days: int = 28
    suppression_threshold: int = 10
    default_language: str = "en_GB"
    client_languages: str = "en_GB"
    code_hints: dict[str, str] = field(default_factory=dict)


def _check_name_free(session: Session, name: str, site_id: int | None) -> None:
    """Site names are unique ignoring case ("demo site" beside "Demo Site" would be read as one),
    compared in Python as shift names are: SQLite's lower() folds ASCII letters only.
    """
    if not name.strip():
        raise SiteError(_("Enter the site's name."))
    for other_id, other_name in session.execute(select(Site.id, Site.name)):
        if other_id != site_id and other_name.casefold() == name.casefold():
            raise SiteError(_("A site called %(name)s already exists.", name=other_name))


def create_site(session: Session, actor: Staff | None, settings: SiteSettings) -> Site:
    """Create a site with the default pick-lists (substances at the desk, stock counted at
    handover); names are unique.
    """
    _check_name_free(session, settings.name, None)
    _check_retention(settings)
    _check_languages(settings)
    site = Site(**vars(settings))
    session.add(site)
    session.flush()
    for position, (code, label) in enumerate(DEFAULT_SUBSTANCES):
        session.add(SubstanceOption(site_id=site.id, code=code, label=label, position=position))
    add_default_stock_items(session, site)
    for position, (code, label) in enumerate(DEFAULT_TOPICS):
        session.add(EducationTopic(site_id=site.id, code=code, label=label, position=position))
    for position, (code, label, unit) in enumerate(DEFAULT_SUPPLIES):
        session.add(
            SupplyItem(site_id=site.id, code=code, label=label, unit=unit, position=position)
        )
    for position, (code, label, unit) in enumerate(EMERGENCY_STOCK, start=50):
        session.add(
            SupplyItem(
                site_id=site.id,
                code=code,
                label=label,
                unit=unit,
                position=position,
                on_visits=False,
            )
        )
    record_event(
        session,
        "site.created",
        actor=actor,
        record=site,
    )
    return site


def add_default_stock_items(session: Session, site: Site) -> None:
    """The stock every new site counts at handover, until its admin adds or retires items."""
    for position, name in enumerate(DEFAULT_STOCK_ITEMS):
        session.add(StockItem(site_id=site.id, name=name, position=position))
    session.flush()


def settings_version(site: Site) -> str:
    """A digest of a site's settings as they are now, carried by the settings form as it opens."""
    return version_of({field.name: getattr(site, field.name) for field in fields(SiteSettings)})


def update_site(
    session: Session, actor: Staff, site: Site, settings: SiteSettings, *, opened_version: str
) -> None:
    """Change a site's settings, only if they are still as the form was opened with (a form
    from a second tab would otherwise put back everything the first tab changed); every changed
    setting is named in the audit event.
    """
    # Locked while compared and written (PostgreSQL), so two saves at once cannot both pass.
    session.refresh(site, with_for_update=True)
    if opened_version != settings_version(site):
        raise SettingsChanged(
            _(
                "These settings were changed by someone else since you opened them; "
                "nothing was saved. Here they are now."
            )
        )
    _check_name_free(session, settings.name, site.id)
    _check_retention(settings)
    _check_languages(settings)
    changed = sorted(key for key, value in vars(settings).items() if getattr(site, key) != value)
    values: dict[str, Any] = {
        f"{key}_{end}": _audit_value(value)
        for key in changed
        if key not in FREE_TEXT_SETTINGS
        for end, value in (("from", getattr(site, key)), ("to", getattr(settings, key)))
    }
    for key, value in vars(settings).items():
        setattr(site, key, value)
    record_event(
        session,
        "site.updated",
        actor=actor,
        record=site,
        changed=changed,
        **values,
    )
    session.flush()


#: Settings named in site.updated but whose values are not recorded: free text (the audit detail
#: holds no free text) that is shown on the settings page anyway.
FREE_TEXT_SETTINGS = frozenset(
    {"name", "code_hint", "code_pattern", "privacy_contact", "privacy_legal_basis", "code_hints"}
)


def _check_languages(settings: SiteSettings) -> None:
    """Staff screens in a language they are complete in; client pages in at least one language
    SiteSys has, and a code recipe only in those.
    """
    if settings.default_language not in STAFF_LOCALES:
        raise SiteError(_("Choose the language of staff screens from the list."))
    offered = settings.client_languages.split(",")
    if not settings.client_languages or any(code not in CLIENT_LOCALES for code in offered):
        raise SiteError(_("Choose at least one language for the pages clients read."))
    for code, text in settings.code_hints.items():
        if code not in CLIENT_LOCALES or code == DEFAULT_LOCALE or len(text) > 300:
            raise SiteError(_("A code recipe is at most 300 characters, in a language listed."))


def _check_retention(settings: SiteSettings) -> None:
    """Retention shorter than the law allows is refused, whatever sent it."""
    if settings.retain_notes_years < MIN_NOTES_YEARS:
        raise SiteError(
            _(
                "Notes and narratives are kept at least %(years)s years: the legal minimum.",
                years=MIN_NOTES_YEARS,
            )
        )
    if settings.retain_clients_years < MIN_CLIENTS_YEARS:
        raise SiteError(
            _("A client's code is kept at least %(years)s year.", years=MIN_CLIENTS_YEARS)
        )


def _audit_value(value: object) -> str | int | bool:
    """A setting's value as the audit detail holds it: numbers, yes/no and zones as they are,
    times as HH:MM.
    """
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def _check_label_free(session: Session, site: Site, label: str, booth_id: int | None) -> None:
    """Booth labels are unique within a site ignoring case ("s1" beside "S1"), retired booths
    included: their label is still on past visits.
    """
    if not label:
        raise SiteError(_("Enter a label, such as 3."))
    others = session.execute(select(Booth.id, Booth.label).where(Booth.site_id == site.id))
    for other_id, other_label in others:
        if other_id != booth_id and other_label.casefold() == label.casefold():
            raise SiteError(
                _(
                    "%(site)s already has a booth labelled %(booth)s.",
                    site=site.name,
                    booth=other_label,
                )
            )


def add_booth(
    session: Session, actor: Staff | None, site: Site, *, label: str, kind: BoothKind, position: int
) -> Booth:
    """Add a booth to a site; labels are unique within the site."""
    label = label.strip()
    _check_label_free(session, site, label, None)
    booth = Booth(site_id=site.id, label=label, kind=kind, position=position)
    session.add(booth)
    session.flush()
    record_event(
        session,
        "booth.created",
        actor=actor,
        record=booth,
        kind=kind.value,
    )
    return booth


def update_booth(
    session: Session, actor: Staff, booth: Booth, *, label: str, kind: BoothKind, position: int
) -> None:
    label = label.strip()
    _check_label_free(session, booth.site, label, booth.id)
    if kind is not booth.kind and booth.status is BoothStatus.OCCUPIED:
        # The client was placed by the booth's kind (smoke stays out of injecting rooms).
        raise BoothKindLocked(
            _(
                "Booth %(booth)s is occupied: change whether it is a smoking booth once it is "
                "free.",
                booth=booth.label,
            )
        )
    booth.label, booth.kind, booth.position = label, kind, position
    record_event(
        session,
        "booth.updated",
        actor=actor,
        record=booth,
        kind=kind.value,
    )
    session.flush()


def add_substance(session: Session, actor: Staff, site: Site, label: str) -> SubstanceOption:
    """Add a substance to the site's pick-list; its code is derived once and never changes."""
    label = label.strip()
    code = "".join(c if c.isalnum() else "_" for c in label.lower()).strip("_")[:40]
    if not code:
        raise SiteError(_("Enter the substance's name."))
    existing = session.scalar(
        select(SubstanceOption).where(
            SubstanceOption.site_id == site.id, SubstanceOption.code == code
        )
    )
    if existing is not None:
        raise SiteError(_("%(substance)s is already on the list.", substance=label))
    position = 1 + max((option.position for option in site_substances(session, site)), default=0)
    option = SubstanceOption(site_id=site.id, code=code, label=label[:60], position=position)
    session.add(option)
    session.flush()
    record_event(
        session,
        "substance.added",
        actor=actor,
        record=option,
        code=code,
    )
    return option


def set_substance_active(
    session: Session, actor: Staff, option: SubstanceOption, active: bool
) -> None:
    """Show or hide a substance at the desk; visits keep the codes they were given."""
    option.is_active = active
    record_event(
        session,
        "substance.shown" if active else "substance.hidden",
        actor=actor,
        record=option,
    )
    session.flush()


def site_substances(session: Session, site: Site) -> list[SubstanceOption]:
    return list(
        session.scalars(
            select(SubstanceOption)
            .where(SubstanceOption.site_id == site.id)
            .order_by(SubstanceOption.position, SubstanceOption.label)
        )
    )
