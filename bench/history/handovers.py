"""Handovers in synthetic history: one per shift, given near its end and acknowledged after it.

Each carries the snapshot a lead would have seen: who was on the floor ten minutes before the
shift ended, with counts for the shift, the stock counted and a short narrative.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bench.history.bulk import table_of
from bench.history.ids import ordered_uuid
from sitesys.handovers.models import (
    Handover,
    HandoverPerson,
    HandoverStatus,
    HandoverStock,
    IllnessSeverity,
)
from sitesys.handovers.shifts import occurrence

if TYPE_CHECKING:
    from bench.history.generator import DayRecords, HistoryContext

Row = dict[str, Any]
STOCK = ("Naloxone doses", "Oxygen cylinders")


def generate_handovers(context: HistoryContext, day: DayRecords) -> None:
    """One acknowledged handover per shift of the day, with people and stock rows."""
    rng: random.Random = context.rng
    handovers: list[Row] = []
    people: list[Row] = []
    stock: list[Row] = []
    for definition in context.shifts:
        shift = occurrence(definition, day.local_date, context.zone)
        if shift.ends_at > context.until:
            continue  # still running when the real records begin
        moment = shift.ends_at - timedelta(minutes=10)
        on_floor = [visit for visit in day.visits if visit.checked_in_at <= moment < visit.gone_at]
        in_shift = sum(1 for v in day.visits if shift.starts_at <= v.checked_in_at < shift.ends_at)
        outgoing, incoming = (
            rng.sample(context.nurse_ids, 2)
            if len(context.nurse_ids) > 1
            else (context.nurse_ids[0], context.nurse_ids[0])
        )
        handover_id = ordered_uuid(rng, shift.starts_at)
        clients: list[Row] = [
            {
                "visit_id": str(visit.id),
                "display_tag": context.tag_of(visit),
                "phase": "In booth"
                if visit.aftercare_at is None or moment < visit.aftercare_at
                else "Aftercare",
                "booth": None,
                "minutes_on_site": int((moment - visit.checked_in_at).total_seconds() // 60),
                "news2_total": None,
                "level": None,
                "level_class": None,
                "close_watch": False,
                "check": "Checked",
                "overdue": False,
                "open_alert": False,
                "flags": [],
            }
            for visit in on_floor
        ]
        handovers.append(
            {
                "id": handover_id,
                "site_id": context.site_id,
                "shift_id": definition.id,
                "shift_key": shift.key,
                "shift_name": definition.name,
                "shift_starts_at": shift.starts_at,
                "shift_ends_at": shift.ends_at,
                "status": HandoverStatus.ACKNOWLEDGED,
                "outgoing_lead_id": outgoing,
                "started_at": moment - timedelta(minutes=15),
                "snapshot": {
                    "taken_at": moment.isoformat(),
                    "shift": {
                        "key": shift.key,
                        "name": definition.name,
                        "starts_at": shift.starts_at.isoformat(),
                        "ends_at": shift.ends_at.isoformat(),
                    },
                    "clients": clients,
                    "overdue": [],
                    "booths_out_of_service": [],
                    "incidents": [],
                    "counts": {"visits": in_shift, "incidents": 0, "on_site": len(clients)},
                },
                "snapshot_at": moment,
                "summary": f"{in_shift} visits this shift; {len(clients)} still on site.",
                "situation_awareness": None,
                "notes": None,
                "saved_at": moment,
                "submitted_at": moment + timedelta(minutes=5),
                "acknowledged_at": shift.ends_at + timedelta(minutes=rng.uniform(2, 20)),
                "acknowledged_by_id": incoming,
                "readback_note": None,
            }
        )
        people.extend(
            {
                "handover_id": handover_id,
                "visit_id": visit.id,
                "display_tag": context.tag_of(visit),
                "position": position,
                "severity": IllnessSeverity.WATCHER
                if visit.deteriorates
                else IllnessSeverity.STABLE,
            }
            for position, visit in enumerate(on_floor)
        )
        stock.extend(
            {
                "handover_id": handover_id,
                "item": item,
                "position": position,
                "count": rng.randint(2, 12),
            }
            for position, item in enumerate(STOCK)
        )
    day.add(table_of(Handover), handovers)
    day.add(table_of(HandoverPerson), people)
    day.add(table_of(HandoverStock), stock)
