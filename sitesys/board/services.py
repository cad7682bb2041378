"""Reading the whole board in a fixed number of queries, however busy the floor."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from sitesys.board.supply import Supply, read_supply
from sitesys.checkin.models import (
    OPEN_STATUSES,
    Visit,
    VisitStatus,
    VisitSubstance,
)
from sitesys.checkin.services import open_visits, substance_labels
from sitesys.clients.models import ClientFlag
from sitesys.clock import day_start
from sitesys.incidents.floor import open_responses, raised_by_desk
from sitesys.incidents.models import Incident
from sitesys.observations.checks import (
    CheckState,
    check_interval,
    check_state,
    clock_start,
    due_at,
    overdue_at,
)
from sitesys.observations.latest import latest_observations
from sitesys.observations.models import Observation
from sitesys.observations.scoring import EscalationLevel
from sitesys.sites.models import Booth, BoothStatus, Site


@dataclass
class VisitCard:
    """One client on the floor, as every board shows them."""

    visit: Visit
    substances: list[str]
    minutes: int
    check: CheckState
    flags: list[ClientFlag] = field(default_factory=list)
    #: The latest full (scored) observation that is not struck through.
    latest: Observation | None = None
    close_watch: bool = False
    #: An emergency response is running for this visit (shown on every board at once).
    emergency: bool = False
    #: Whole minutes since the check became overdue (0 when it is not).
    overdue_minutes: int = 0
    #: The running response was started by the front desk's "Raise the alarm".
    alarm_by_desk: bool = False

    @property
    def prompts_emergency(self) -> bool:
        return bool(self.latest and self.latest.prompts_emergency)

    @property
    def high_score(self) -> bool:
        return bool(self.latest and self.latest.level is EscalationLevel.HIGH)

    @property
    def tone(self) -> str:
        """The tile's state, one of three that never look alike (colour, icon and words):
        "emergency" (red) for a running response, a red flag or a high NEWS2; "overdue"
        (orange) for a check past its time; "due" (amber) for a check due now; else "ok".
        """
        if self.emergency or self.prompts_emergency or self.high_score:
            return "emergency"
        if self.check is CheckState.OVERDUE:
            return "overdue"
        if self.check is CheckState.DUE:
            return "due"
        return "ok"

    @property
    def is_emergency(self) -> bool:
        return self.tone == "emergency"


@dataclass
class BoothTile:
    booth: Booth
    card: VisitCard | None

    @property
    def state_label(self) -> str:
        if self.card is not None:
            return str(_("Occupied"))
        return self.booth.status.label

    @property
    def is_emergency(self) -> bool:
        return self.card is not None and self.card.is_emergency


@dataclass
class Board:
    site: Site
    read_at: datetime
    tiles: list[BoothTile]
    waiting: list[VisitCard]
    aftercare: list[VisitCard]
    #: Until when this board stays right if nothing is recorded (see board/freshness.py).
    stable_until: datetime
    #: Emergency responses running for someone no longer on the floor (collapsed just outside
    #: after checking out): every board shows them until the response ends.
    responses_off_floor: list[Incident] = field(default_factory=list)
    #: Active drug alerts and samples still on the bench past the custody limit (supply.py).
    supply: Supply = field(default_factory=Supply)
    #: Open services-only visits, oldest first: listed (to open them, and to check them out),
    #: with no tile, timer or check, since nobody uses.
    services: list[Visit] = field(default_factory=list)

    @property
    def urgent(self) -> list[VisitCard]:
        """Emergencies of people waiting or in aftercare: drawn first, ahead of the booths."""
        return [card for card in self.waiting + self.aftercare if card.is_emergency]

    @property
    def calm_waiting(self) -> list[VisitCard]:
        return [card for card in self.waiting if not card.is_emergency]

    @property
    def calm_aftercare(self) -> list[VisitCard]:
        return [card for card in self.aftercare if not card.is_emergency]

    @property
    def free_count(self) -> int:
        return sum(1 for tile in self.tiles if tile.booth.status is BoothStatus.FREE)


def _minutes(now: datetime, since: datetime | None) -> int:
    return 0 if since is None else max(0, int((now - since).total_seconds() // 60))


#: A board is redrawn at least this often, whatever it shows.
LONGEST_STABLE = timedelta(minutes=5)


def _changes_at(
    card: VisitCard, since: datetime | None, base: datetime, interval: timedelta | None
) -> list[datetime]:
    """When this card will look different by the clock alone: its minutes tick over, or a
    check falls due or becomes overdue.
    """
    moments = []
    if since is not None:
        moments.append(since + timedelta(minutes=card.minutes + 1))
    if interval is not None:
        late = overdue_at(base, interval)
        moments += [due_at(base, interval), late]
        if card.check is CheckState.OVERDUE:
            moments.append(late + timedelta(minutes=card.overdue_minutes + 1))
    return moments


def _substance_codes(session: Session, visit_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    """The substances of many visits as plain rows: the board needs their codes, not objects
    (loading them as a relationship of every visit cost the board a fifth of its time).
    """
    codes: dict[uuid.UUID, list[str]] = {}
    if visit_ids:
        rows = session.execute(
            select(VisitSubstance.visit_id, VisitSubstance.code)
            .where(VisitSubstance.visit_id.in_(visit_ids))
            .order_by(VisitSubstance.code)
        )
        for visit_id, code in rows:
            codes.setdefault(visit_id, []).append(code)
    return codes


def _client_flags(
    session: Session, client_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[ClientFlag]]:
    """The safety flags of the clients on the floor, newest first, in one query."""
    flags: dict[uuid.UUID, list[ClientFlag]] = {}
    if client_ids:
        for flag in session.scalars(
            select(ClientFlag)
            .where(ClientFlag.client_id.in_(client_ids))
            .order_by(ClientFlag.created_at.desc())
        ):
            flags.setdefault(flag.client_id, []).append(flag)
    return flags


def read_board(session: Session, site: Site, now: datetime) -> Board:
    """Booths, waiting list and aftercare of a site, with check states computed now."""
    booths = list(
        session.scalars(
            select(Booth)
            .where(Booth.site_id == site.id, Booth.is_retired.is_(False))
            .order_by(Booth.position, Booth.label)
        )
    )
    # A services-only visit takes no tile: nobody uses, so there is nothing to watch or time.
    # It is listed apart, so that the nurse can open it and the desk can check it out.
    everyone = open_visits(session, site, joinedload(Visit.client))
    visits = [visit for visit in everyone if not visit.is_services_only]
    services = [visit for visit in everyone if visit.is_services_only]
    substances = _substance_codes(session, [visit.id for visit in visits])
    flags = _client_flags(session, [visit.client_id for visit in visits if visit.client_id])
    # Hidden substances too: a substance taken off the pick-list keeps its name on the floor.
    labels = substance_labels(session, site.id)
    running = open_responses(session, site.id)
    emergencies = {incident.visit_id: incident for incident in running}
    on_floor = {visit.id for visit in visits}
    # Waiting clients included: a worrying observation of someone waiting shows on their tile.
    latest = latest_observations(session, [visit.id for visit in visits])
    local_now = now.astimezone(site.zone)
    today = local_now.date()
    # Midnight ends restrictions whose last day was today.
    moments = [
        day_start(today + timedelta(days=1), site.zone),
        now + LONGEST_STABLE,
    ]
    supply = read_supply(session, site, now)
    moments += supply.moments
    cards: dict[VisitStatus, list[VisitCard]] = {status: [] for status in OPEN_STATUSES}
    by_booth: dict[int, VisitCard] = {}
    for visit in visits:
        close_watch = latest.close_watch(visit.id)
        interval = check_interval(site, visit.status, close_watch)
        since = visit.checked_in_at if visit.status is VisitStatus.WAITING else visit.used_at
        card = VisitCard(
            visit=visit,
            substances=[labels.get(code, code) for code in substances.get(visit.id, [])],
            minutes=_minutes(now, since),
            check=check_state(
                now, visit.checks_from, latest.last_checked_at.get(visit.id), interval
            ),
            flags=[
                f
                for f in (flags.get(visit.client_id, []) if visit.client_id else [])
                if f.is_active_on(today)
            ],
            latest=latest.latest_full.get(visit.id),
            close_watch=close_watch,
            emergency=visit.id in emergencies,
            alarm_by_desk=visit.id in emergencies and raised_by_desk(emergencies[visit.id]),
        )
        base = clock_start(visit.checks_from, latest.last_checked_at.get(visit.id))
        if card.check is CheckState.OVERDUE and interval is not None:
            card.overdue_minutes = _minutes(now, overdue_at(base, interval))
        moments += _changes_at(card, since, base, interval)
        cards[visit.status].append(card)
        if visit.status is VisitStatus.IN_BOOTH and visit.booth_id is not None:
            by_booth[visit.booth_id] = card
    tiles = [BoothTile(booth, by_booth.get(booth.id)) for booth in booths]
    # Emergencies first (a stable sort: the booths keep their order within each group).
    tiles.sort(key=lambda tile: not tile.is_emergency)
    return Board(
        site=site,
        read_at=now,
        tiles=tiles,
        waiting=cards[VisitStatus.WAITING],
        aftercare=cards[VisitStatus.AFTERCARE],
        stable_until=min(moment for moment in moments if moment > now),
        responses_off_floor=[r for r in running if r.visit_id not in on_floor],
        supply=supply,
        services=sorted(services, key=lambda visit: visit.checked_in_at),
    )


def booth_occupant(session: Session, booth: Booth) -> Visit | None:
    """The visit of whoever is in the booth now, with its client (the booth page links to it)."""
    return session.scalar(
        select(Visit)
        .where(Visit.booth_id == booth.id, Visit.status == VisitStatus.IN_BOOTH)
        .options(joinedload(Visit.client))
    )
