"""The audit log as a person reads it: records by what staff call them (a booth's label, a
client's tag, an incident's reference), and an event's detail with its field names in words.

The trail itself keeps ids (a name can change, an id cannot); these names are looked up when a
page of the log is drawn, a query per kind of record on the page. Models are the shared
vocabulary, so this module reads them without asking their features anything.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import Staff
from sitesys.checkin.models import OverrideRequest, Visit
from sitesys.clients.models import Client, ClientFlag
from sitesys.db import Base
from sitesys.drugchecks.models import Sample
from sitesys.handovers.models import Handover
from sitesys.incidents.models import Incident
from sitesys.sites.models import Booth, Site

#: A record as the trail names it: (its kind, its id as text).
RecordKey = tuple[str, str]

#: Each kind of record named in words, and how.
_NAMERS: dict[str, tuple[type[Base], Callable[[Any], str]]] = {
    "booth": (Booth, lambda booth: _("Booth %(booth)s", booth=booth.label)),
    "client": (Client, lambda client: client.display_tag),
    "visit": (Visit, lambda visit: _("Visit of %(tag)s", tag=visit.display_tag)),
    "incident": (
        Incident,
        lambda incident: _("Incident %(reference)s", reference=incident.reference),
    ),
    "client_flag": (
        ClientFlag,
        lambda flag: _("%(flag)s of %(tag)s", flag=flag.kind.label, tag=flag.client.display_tag),
    ),
    "staff": (Staff, lambda staff: staff.display_name),
    "site": (Site, lambda site: site.name),
    "override_request": (
        OverrideRequest,
        lambda request: _("Override request for %(tag)s", tag=request.client.display_tag),
    ),
    "handover": (Handover, lambda handover: _("%(shift)s handover", shift=handover.shift_name)),
    "drug_sample": (Sample, lambda sample: _("Sample %(reference)s", reference=sample.reference)),
}

#: Detail keys that hold the id of a record of a kind above.
_DETAIL_RECORDS = {
    "booth_id": "booth",
    "visit_id": "visit",
    "client_id": "client",
    "incident_id": "incident",
    "override_request_id": "override_request",
    "sample_id": "drug_sample",
    "site_id": "site",
    "owner_id": "staff",
    "staff_id": "staff",
}

#: Detail keys and kinds of record in words, in the reader's language (the trail keeps the
#: keys; a key not listed here is read by `words` from its English spelling).
_WORDS = {
    "action_id": _l("Action"),
    "addendum_id": _l("Addendum"),
    "address": _l("Address"),
    "age_band_given": _l("Age band given"),
    "alert_ids": _l("Alert ids"),
    "amendment_id": _l("Amendment"),
    "at_sign_in": _l("At sign in"),
    "audience": _l("Audience"),
    "audit_minimum_years": _l("Audit minimum years"),
    "backdated": _l("Backdated"),
    "bladder_screen": _l("Bladder screen"),
    "booth": _l("Booth"),
    "booth_id": _l("Booth"),
    "change": _l("Change"),
    "changed": _l("Changed"),
    "client": _l("Client"),
    "client_code_key": _l("Client code key"),
    "client_flag": _l("Client flag"),
    "clients": _l("Clients"),
    "clients_left": _l("Clients left"),
    "clients_years": _l("Clients years"),
    "code": _l("Code"),
    "counted": _l("Counted"),
    "custody": _l("Custody"),
    "custody_alert": _l("Custody alert"),
    "custody_from": _l("Custody from"),
    "decision": _l("Decision"),
    "departure": _l("Departure"),
    "difference": _l("Difference"),
    "digest_changed": _l("Digest changed"),
    "display": _l("Display"),
    "drug_alert": _l("Drug alert"),
    "drug_checked_from": _l("Drug checked from"),
    "drug_component": _l("Drug component"),
    "drug_result_amendment": _l("Drug result amendment"),
    "drug_sample": _l("Drug sample"),
    "drug_sample_test": _l("Drug sample test"),
    "due_on": _l("Due on"),
    "education_given": _l("Education given"),
    "education_topic": _l("Education topic"),
    "expected_substance": _l("Expected substance"),
    "fields": _l("Fields"),
    "finding": _l("Finding"),
    "first_day": _l("First day"),
    "form": _l("Form"),
    "format": _l("Format"),
    "found": _l("Found"),
    "from_key": _l("From key"),
    "from_status": _l("From status"),
    "full_set_advised": _l("Full set advised"),
    "gender_given": _l("Gender given"),
    "given": _l("Given"),
    "handover": _l("Handover"),
    "handover_alert": _l("Handover alert"),
    "incident": _l("Incident"),
    "incident_id": _l("Incident"),
    "item": _l("Item"),
    "items": _l("Items"),
    "kept_days": _l("Kept days"),
    "kind": _l("Kind"),
    "last_day": _l("Last day"),
    "level": _l("Level"),
    "locked": _l("Locked"),
    "method": _l("Method"),
    "minutes": _l("Minutes"),
    "new_client": _l("New client"),
    "notes_years": _l("Notes years"),
    "observation": _l("Observation"),
    "outcome": _l("Outcome"),
    "overdue_alert": _l("Overdue alert"),
    "override_request": _l("Override request"),
    "owner_id": _l("Owner"),
    "page": _l("Page"),
    "previous": _l("Previous"),
    "prompts_emergency": _l("Prompts emergency"),
    "quantities": _l("Quantities"),
    "quantity": _l("Quantity"),
    "readback": _l("Readback"),
    "reason": _l("Reason"),
    "referral": _l("Referral"),
    "referral_service": _l("Referral service"),
    "removed": _l("Removed"),
    "result": _l("Result"),
    "review_action_id": _l("Review action"),
    "role": _l("Role"),
    "role_from": _l("Role from"),
    "role_to": _l("Role to"),
    "sample_id": _l("Sample"),
    "scale": _l("Scale"),
    "service_id": _l("Service"),
    "services": _l("Services"),
    "sessions_ended": _l("Sessions ended"),
    "shift": _l("Shift"),
    "sign_in_failure_days": _l("Sign in failure days"),
    "site": _l("Site"),
    "site_id": _l("Site"),
    "site_ids": _l("Site ids"),
    "sites": _l("Sites"),
    "staff": _l("Staff"),
    "state": _l("State"),
    "status": _l("Status"),
    "stock_item": _l("Stock item"),
    "stock_movement": _l("Stock movement"),
    "substance_option": _l("Substance option"),
    "supply_item": _l("Supply item"),
    "test_id": _l("Test"),
    "to_key": _l("To key"),
    "to_status": _l("To status"),
    "topics": _l("Topics"),
    "type": _l("Type"),
    "urgency": _l("Urgency"),
    "visit": _l("Visit"),
    "visit_id": _l("Visit"),
    "visit_supply": _l("Visit supply"),
    "walk_in": _l("Walk in"),
}

#: Detail keys whose values are field names (to be read in words too).
_FIELD_LISTS = {"fields", "changed"}


def english_words(name: str) -> str:
    """A code's name in English words: "physical_harm" → "Physical harm", "booth_id" → "Booth"."""
    text = name.removesuffix("_id").replace("_", " ").replace(".", ": ").strip()
    return text[:1].upper() + text[1:]


def words(name: str) -> str:
    """A code's name in words, in the reader's language: the stored key is never changed, only
    read. A key with no words of its own is looked up by its English reading (the catalogue
    may have it: a field's label, a state's), else shown in English.
    """
    known = _WORDS.get(name)
    if known is not None:
        return str(known)
    english = english_words(name)
    text: str = _(english) if english else english
    return text


def _key(value: object) -> str | None:
    return None if value is None or isinstance(value, bool) else str(value)


def _wanted(events: Iterable[AuditEvent]) -> dict[str, set[str]]:
    wanted: dict[str, set[str]] = defaultdict(set)
    for event in events:
        if event.record_type in _NAMERS and event.record_id:
            wanted[event.record_type].add(event.record_id)
        for key, kind in _DETAIL_RECORDS.items():
            value = _key((event.detail or {}).get(key))
            if value is not None:
                wanted[kind].add(value)
    return wanted


def _ids(model: type[Base], keys: set[str]) -> list[Any]:
    """The keys as the model's primary key type; a key that is not one is left out."""
    python_type = model.__table__.primary_key.columns.values()[0].type.python_type  # type: ignore[attr-defined]
    ids: list[Any] = []
    for key in keys:
        try:
            ids.append(uuid.UUID(key) if python_type is uuid.UUID else int(key))
        except ValueError:
            continue
    return ids


def record_names(session: Session, events: Sequence[AuditEvent]) -> dict[RecordKey, str]:
    """What staff call each record these events name (themselves or in their detail)."""
    names: dict[RecordKey, str] = {}
    for kind, keys in _wanted(events).items():
        model, namer = _NAMERS[kind]
        ids = _ids(model, keys)
        if not ids:
            continue
        column = model.__table__.primary_key.columns.values()[0]  # type: ignore[attr-defined]
        for record in session.scalars(select(model).where(column.in_(ids))):
            names[(kind, str(record.id))] = namer(record)  # type: ignore[attr-defined]
    return names


def record_words(event: AuditEvent, names: dict[RecordKey, str]) -> str:
    """The record an event is about, as staff call it, or its kind in words and a short id."""
    if not event.record_type:
        return ""
    named = names.get((event.record_type, event.record_id or ""))
    if named is not None:
        return named
    short = f" {event.record_id[:8]}" if event.record_id else ""
    return f"{words(event.record_type)}{short}"


def _value_words(key: str, value: Any, names: dict[RecordKey, str]) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value is None:
        return str(_("none"))
    kind = _DETAIL_RECORDS.get(key)
    if kind is not None:
        return names.get((kind, str(value)), str(value))
    if isinstance(value, list | tuple):
        return ", ".join(_value_words(key, item, names) for item in value) or str(_("none"))
    if isinstance(value, dict):
        return "; ".join(f"{words(k)}: {_value_words(k, v, names)}" for k, v in value.items())
    if isinstance(value, str) and (key in _FIELD_LISTS or value.replace("_", "").isalpha()):
        # A state or a field's name ("in_booth", "physical_harm"), not free text.
        return words(value).lower() if key not in _FIELD_LISTS else words(value)
    return str(value)


def detail_words(
    detail: dict[str, Any] | None, names: dict[RecordKey, str]
) -> list[tuple[str, str]]:
    """An event's detail as (field in words, value in words) pairs."""
    return [(words(key), _value_words(key, value, names)) for key, value in (detail or {}).items()]
