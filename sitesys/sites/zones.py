"""Sites grouped by their time zone, for figures read for many sites at once: a run of local
days begins and ends at the same instants for every site in one zone, so each group is read by
one statement (`site_id IN …`) rather than one statement per site.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, or_

from sitesys.clock import day_start
from sitesys.sites.models import Site


@dataclass(frozen=True)
class ZoneGroup:
    """Sites sharing a time zone, and the instants [start, end) of their local days."""

    sites: list[Site]
    start: datetime
    end: datetime

    @property
    def site_ids(self) -> list[int]:
        return [site.id for site in self.sites]


def zone_groups(sites: Sequence[Site], first: date, last: date) -> list[ZoneGroup]:
    """The sites by time zone (in the order first met), with the bounds of local days `first`
    to `last` (both included) in that zone.
    """
    grouped: dict[str, list[Site]] = {}
    for site in sites:
        grouped.setdefault(site.time_zone, []).append(site)
    return [
        ZoneGroup(
            members,
            day_start(first, members[0].zone),
            day_start(last + timedelta(days=1), members[0].zone),
        )
        for members in grouped.values()
    ]


def in_local_days(
    groups: Sequence[ZoneGroup],
    site_id: SQLColumnExpression[int],
    at: SQLColumnExpression[datetime],
) -> ColumnElement[bool]:
    """Rows of the groups' sites at an instant within each one's own local days: one statement
    serves every zone (with one zone, as usual, it is `site_id IN (…) AND start <= at < end`).
    """
    return or_(
        *(and_(site_id.in_(group.site_ids), at >= group.start, at < group.end) for group in groups)
    )
