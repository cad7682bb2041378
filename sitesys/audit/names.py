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
    "booth": (Booth, lambda booth: f"Booth {booth.label}"),
    "client": (Client, lambda client: client.display_tag),
    "visit": (Visit, lambda visit: f"Visit of {visit.display_tag}"),
    "incident": (Incident, lambda incident: f"Incident {incident.reference}"),
    "client_flag": (ClientFlag, lambda flag: f"{flag.kind.label} of {flag.client.display_tag}"),
    "staff": (Staff, lambda staff: staff.display_name),
    "site": (Site, lambda site: site.name),
    "override_request": (
        OverrideRequest,
        lambda request: f"Override request for {request.client.display_tag}",
    ),
    "handover": (Handover, lambda handover: f"{handover.shift_name} handover"),
    "drug_sample": (Sample, lambda sample: f"Sample {sample.reference}"),
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

#: Detail keys whose values are field names (to be read in words too).
_FIELD_LISTS = {"fields", "changed"}


def words(name: str) -> str:
    """A code's name in words: "physical_harm" → "Physical harm", "booth_id" → "Booth"."""
    text = name.removesuffix("_id").replace("_", " ").replace(".", ": ").strip()
    return text[:1].upper() + text[1:]


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
        return "yes" if value else "no"
    if value is None:
        return "none"
    kind = _DETAIL_RECORDS.get(key)
    if kind is not None:
        return names.get((kind, str(value)), str(value))
    if isinstance(value, list | tuple):
        return ", ".join(_value_words(key, item, names) for item in value) or "none"
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
