"""Who comes: a pool of clients in which a core of regulars makes most of the visits."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bench.history.ids import ordered_uuid
from sitesys.clients.codes import code_digest
from sitesys.clients.models import AgeBand, Gender
from sitesys.words import ANIMALS, COLOURS

#: Share of the pool that is the core of regulars, and the share of visits they make.
CORE_SHARE = 0.2
CORE_VISIT_SHARE = 0.6
#: Share of visits by someone who has never been before.
NEW_CLIENT_SHARE = 0.02
#: Share of visits by a person who gives no code (anonymous walk-in).
WALK_IN_SHARE = 0.05

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_AGE_BANDS = (
    (AgeBand.UNDER_25, 12),
    (AgeBand.FROM_25, 30),
    (AgeBand.FROM_35, 28),
    (AgeBand.FROM_45, 15),
    (AgeBand.FROM_55, 5),
    (AgeBand.FROM_65, 1),
    (AgeBand.NOT_SAID, 4),
    (None, 5),
)
_GENDERS = (
    (Gender.MAN, 68),
    (Gender.WOMAN, 24),
    (Gender.NON_BINARY, 2),
    (Gender.ANOTHER, 1),
    (Gender.NOT_SAID, 2),
    (None, 3),
)


def synthetic_code(number: int) -> str:
    """The client code of synthetic client `number`: four letters and a day of the month.

    Synthetic clients have known codes so that a benchmark can check a regular in by code (client 0
    is the most regular of all); they fit the default recipe, e.g. "AAAA01".
    """
    letters_number, day = divmod(number, 31)
    letters = []
    for _ in range(4):
        letters_number, index = divmod(letters_number, len(_LETTERS))
        letters.append(_LETTERS[index])
    return "".join(reversed(letters)) + f"{day + 1:02d}"


def synthetic_tag(number: int) -> str:
    """A display tag unique to the number: colour, animal and a count of the combinations used."""
    colour = COLOURS[number % len(COLOURS)]
    rest = number // len(COLOURS)
    animal = ANIMALS[rest % len(ANIMALS)]
    return f"{colour} {animal} {rest // len(ANIMALS) + 1}"


def _weighted(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Any:
    values = [value for value, _weight in table]
    weights = [weight for _value, weight in table]
    return rng.choices(values, weights)[0]


@dataclass
class ClientPool:
    """The site's clients, the regulars first, and when each last left (nobody is in twice)."""

    site_id: int
    code_key: str
    rng: random.Random
    ids: list[uuid.UUID] = field(default_factory=list)
    busy_until: list[datetime | None] = field(default_factory=list)
    taken_digests: set[str] = field(default_factory=set)
    taken_tags: set[str] = field(default_factory=set)
    #: Display tag of each client, by index (what handover snapshots name them by).
    tags: list[str] = field(default_factory=list)
    next_number: int = 0
    new_rows: list[dict[str, Any]] = field(default_factory=list)

    def add_existing(self, client_id: uuid.UUID, digest: str, tag: str) -> None:
        self.ids.append(client_id)
        self.busy_until.append(None)
        self.taken_digests.add(digest)
        self.taken_tags.add(tag)
        self.tags.append(tag)

    def _register(self, arrives_at: datetime) -> int:
        while True:
            number = self.next_number
            self.next_number += 1
            digest = code_digest(synthetic_code(number), self.code_key)
            tag = synthetic_tag(number)
            if digest not in self.taken_digests and tag not in self.taken_tags:
                break
        self.taken_digests.add(digest)
        self.taken_tags.add(tag)
        self.tags.append(tag)
        client_id = ordered_uuid(self.rng, arrives_at)
        self.ids.append(client_id)
        self.busy_until.append(None)
        self.new_rows.append(
            {
                "id": client_id,
                "site_id": self.site_id,
                "code_digest": digest,
                "display_tag": tag,
                "age_band": _weighted(self.rng, _AGE_BANDS),
                "gender": _weighted(self.rng, _GENDERS),
                "created_at": arrives_at,
            }
        )
        return len(self.ids) - 1

    def _pick_known(self) -> int:
        size = len(self.ids)
        core = max(1, int(size * CORE_SHARE))
        if size == core or self.rng.random() < CORE_VISIT_SHARE:
            return self.rng.randrange(core)
        return self.rng.randrange(core, size)

    def arrival(self, arrives_at: datetime) -> int | None:
        """The index of who arrives at this moment, or None for an anonymous walk-in."""
        roll = self.rng.random()
        if roll < WALK_IN_SHARE:
            return None
        if roll < WALK_IN_SHARE + NEW_CLIENT_SHARE or not self.ids:
            return self._register(arrives_at)
        for _attempt in range(4):
            index = self._pick_known()
            busy = self.busy_until[index]
            if busy is None or busy <= arrives_at:
                return index
        return self._register(arrives_at)

    def leaves(self, index: int, at: datetime) -> None:
        self.busy_until[index] = at

    def take_new_rows(self) -> list[dict[str, Any]]:
        rows, self.new_rows = self.new_rows, []
        return rows
