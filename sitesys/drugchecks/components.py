"""The components a spectrometer's library may match: the common ones every site starts with,
and each site's own list on top (substances change fast).

The common list lives here, in code, so that every site has it from its first sample without a
copy per site; a site adds its own components and hides common ones it never sees
(`ComponentOption`). Each component says which finding it counts as, if any: what reports count
as "unexpected fentanyl" when the client expected something else.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.drugchecks.models import ComponentOption, Finding
from sitesys.drugchecks.samples import DrugCheckRefused
from sitesys.sites.models import Site


@dataclass(frozen=True)
class Component:
    code: str
    label: str
    finding: Finding | None = None
    #: One of the common components (else the site's own).
    is_common: bool = True
    is_active: bool = True


_F, _N, _X, _B = Finding.FENTANYL, Finding.NITAZENES, Finding.XYLAZINE, Finding.BENZODIAZEPINES

#: The common components, in the order they are offered.
COMMON_COMPONENTS: tuple[Component, ...] = (
    Component("ketamine", "Ketamine"),
    Component("2_fdck", "2-FDCK (fluorodeschloroketamine)"),
    Component("heroin", "Heroin (diacetylmorphine)"),
    Component("fentanyl", "Fentanyl", _F),
    Component("fluorofentanyl", "Fluorofentanyl", _F),
    Component("carfentanil", "Carfentanil", _F),
    Component("protonitazene", "Protonitazene", _N),
    Component("metonitazene", "Metonitazene", _N),
    Component("isotonitazene", "Isotonitazene", _N),
    Component("n_pyrrolidino_etonitazene", "N-pyrrolidino etonitazene", _N),
    Component("xylazine", "Xylazine", _X),
    Component("medetomidine", "Medetomidine"),
    Component("bromazolam", "Bromazolam", _B),
    Component("etizolam", "Etizolam", _B),
    Component("flualprazolam", "Flualprazolam", _B),
    Component("alprazolam", "Alprazolam", _B),
    Component("diazepam", "Diazepam", _B),
    Component("cocaine", "Cocaine"),
    Component("levamisole", "Levamisole"),
    Component("phenacetin", "Phenacetin"),
    Component("lidocaine", "Lidocaine"),
    Component("benzocaine", "Benzocaine"),
    Component("methamphetamine", "Methamphetamine"),
    Component("amphetamine", "Amphetamine"),
    Component("mdma", "MDMA"),
    Component("mda", "MDA"),
    Component("mephedrone", "Mephedrone (4-MMC)"),
    Component("3_mmc", "3-MMC"),
    Component("caffeine", "Caffeine"),
    Component("paracetamol", "Paracetamol"),
    Component("mannitol", "Mannitol"),
    Component("inositol", "Inositol"),
    Component("lactose", "Lactose"),
    Component("glucose", "Glucose"),
    Component("sucrose", "Sucrose"),
    Component("starch", "Starch"),
    Component("dimethyl_sulfone", "Dimethyl sulfone (MSM)"),
)
_COMMON = {component.code: component for component in COMMON_COMPONENTS}

#: The common components' names in the reader's language, for display only: a test keeps the
#: (English) name it was recorded with, and a site's own components are shown as the site wrote
#: them.
COMMON_NAMES = {
    "ketamine": _l("Ketamine"),
    "2_fdck": _l("2-FDCK (fluorodeschloroketamine)"),
    "heroin": _l("Heroin (diacetylmorphine)"),
    "fentanyl": _l("Fentanyl"),
    "fluorofentanyl": _l("Fluorofentanyl"),
    "carfentanil": _l("Carfentanil"),
    "protonitazene": _l("Protonitazene"),
    "metonitazene": _l("Metonitazene"),
    "isotonitazene": _l("Isotonitazene"),
    "n_pyrrolidino_etonitazene": _l("N-pyrrolidino etonitazene"),
    "xylazine": _l("Xylazine"),
    "medetomidine": _l("Medetomidine"),
    "bromazolam": _l("Bromazolam"),
    "etizolam": _l("Etizolam"),
    "flualprazolam": _l("Flualprazolam"),
    "alprazolam": _l("Alprazolam"),
    "diazepam": _l("Diazepam"),
    "cocaine": _l("Cocaine"),
    "levamisole": _l("Levamisole"),
    "phenacetin": _l("Phenacetin"),
    "lidocaine": _l("Lidocaine"),
    "benzocaine": _l("Benzocaine"),
    "methamphetamine": _l("Methamphetamine"),
    "amphetamine": _l("Amphetamine"),
    "mdma": _l("MDMA"),
    "mda": _l("MDA"),
    "mephedrone": _l("Mephedrone (4-MMC)"),
    "3_mmc": _l("3-MMC"),
    "caffeine": _l("Caffeine"),
    "paracetamol": _l("Paracetamol"),
    "mannitol": _l("Mannitol"),
    "inositol": _l("Inositol"),
    "lactose": _l("Lactose"),
    "glucose": _l("Glucose"),
    "sucrose": _l("Sucrose"),
    "starch": _l("Starch"),
    "dimethyl_sulfone": _l("Dimethyl sulfone (MSM)"),
}


def component_name(code: str, label: str) -> str:
    """A component's name as the reader reads it: a common component still under its common
    name is shown in the reader's language; anything else as it was written.
    """
    common = _COMMON.get(code)
    if common is not None and common.label == label and code in COMMON_NAMES:
        return str(COMMON_NAMES[code])
    return label


def component_code(label: str) -> str:
    """The stable code of a component a site adds, derived once from its name."""
    return "".join(c if c.isalnum() else "_" for c in label.casefold()).strip("_")[:40]


def site_components(session: Session, site: Site) -> list[Component]:
    """The site's component list: the common ones (less those it hid), then its own, each with
    whether it is offered now.
    """
    own = {
        option.code: option
        for option in session.scalars(
            select(ComponentOption)
            .where(ComponentOption.site_id == site.id)
            .order_by(ComponentOption.label)
        )
    }
    listed = []
    for common in COMMON_COMPONENTS:
        hidden = own.get(common.code)
        listed.append(
            Component(
                common.code,
                common.label,
                common.finding,
                is_common=True,
                is_active=hidden is None or hidden.is_active,
            )
        )
    listed += [
        Component(option.code, option.label, option.finding, False, option.is_active)
        for option in own.values()
        if option.code not in _COMMON
    ]
    return listed


def common_component(code: str) -> Component | None:
    return _COMMON.get(code)


def add_component(
    session: Session, actor: Staff, site: Site, label: str, finding: Finding | None
) -> ComponentOption:
    """Add a component to the site's list (a new adulterant, say); its code is derived once."""
    ensure(actor, Capability.CHECK_DRUGS)
    label = label.strip()
    code = component_code(label)
    if not code:
        raise DrugCheckRefused(_("Enter the component's name."))
    known = {component.code: component for component in site_components(session, site)}
    if code in known:
        raise DrugCheckRefused(
            _("%(component)s is already on the list.", component=known[code].label)
        )
    option = ComponentOption(
        site_id=site.id, code=code, label=label[:80], finding=finding, is_active=True
    )
    session.add(option)
    session.flush()
    record_event(
        session,
        "drug_component.added",
        actor=actor,
        record=option,
        code=code,
        finding=finding.value if finding else None,
    )
    return option


def set_component_offered(
    session: Session, actor: Staff, site: Site, code: str, offered: bool
) -> Component:
    """Offer a component at the bench again, or stop offering it; tests keep what they found."""
    ensure(actor, Capability.CHECK_DRUGS)
    known = {component.code: component for component in site_components(session, site)}
    component = known.get(code)
    if component is None:
        raise DrugCheckRefused(_("That component is not on this site's list."))
    option = session.scalar(
        select(ComponentOption).where(
            ComponentOption.site_id == site.id, ComponentOption.code == code
        )
    )
    if option is None:
        option = ComponentOption(
            site_id=site.id, code=code, label=component.label, finding=component.finding
        )
        session.add(option)
    option.is_active = offered
    session.flush()
    record_event(
        session,
        "drug_component.offered" if offered else "drug_component.hidden",
        actor=actor,
        record=option,
        code=code,
    )
    return Component(code, component.label, component.finding, component.is_common, offered)
