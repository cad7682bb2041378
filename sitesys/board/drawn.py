"""Sharing a drawn board between the tablets of a site, within one worker process.

After a change to the floor every tablet's next poll finds its stamp out of date and asks for the
board again: twenty reads of the database and twenty renders of the same board within three
seconds. The first is drawn and kept here under the site, the viewer's role and the change digest
(see `freshness.py`); the others are served from it while that digest is still the site's latest
and the clock has not reached the moment the board would look different. That is exactly when a
tablet already showing this board is answered "no change", so a kept board is never older than
what the 204 path accepts.

What differs between tablets is put in per request: the CSRF token (bound to each sign-in) and the
time the board was confirmed current.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from flask import Flask

#: Stand-ins in a kept board for what each request fills in.
TOKEN_SLOT = "\x00csrf-token\x00"  # noqa: S105 (a placeholder, not a secret)
CHECKED_SLOT = "\x00checked-at\x00"
#: Stand-in for a form's submission key (a quick check from a tile): each one filled with a key
#: of its own per request, so two tablets served the same kept board never share a key.
KEY_SLOT = "\x00submission-key\x00"
#: Boards kept per worker (a few per site and role are plenty).
LIMIT = 64
#: Where an app keeps its drawn boards (`app.extensions`).
EXTENSION = "sitesys_drawn_boards"

Key = tuple[int, str, str]


@dataclass(frozen=True)
class DrawnBoard:
    html: str
    stable_until: datetime

    def for_request(self, token: str, checked_at: str) -> str:
        return fill_keys(self.html.replace(TOKEN_SLOT, token).replace(CHECKED_SLOT, checked_at))


def fill_keys(html: str) -> str:
    """Give every submission key stand-in a fresh key of its own."""
    if KEY_SLOT not in html:
        return html
    parts = html.split(KEY_SLOT)
    keys = [str(uuid.uuid4()) for _ in parts[1:]]
    return parts[0] + "".join(key + part for key, part in zip(keys, parts[1:], strict=True))


class DrawnBoards:
    """The latest drawn boards, at most `LIMIT`, safe to share between a worker's threads."""

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._lock = threading.Lock()
        self._boards: OrderedDict[Key, DrawnBoard] = OrderedDict()

    def get(self, site_id: int, role: str, digest: str, now: datetime) -> DrawnBoard | None:
        key = (site_id, role, digest)
        with self._lock:
            drawn = self._boards.get(key)
            if drawn is None:
                return None
            if now >= drawn.stable_until:
                del self._boards[key]
                return None
            self._boards.move_to_end(key)
            return drawn

    def put(self, site_id: int, role: str, digest: str, drawn: DrawnBoard) -> None:
        with self._lock:
            self._boards[(site_id, role, digest)] = drawn
            self._boards.move_to_end((site_id, role, digest))
            while len(self._boards) > self._limit:
                self._boards.popitem(last=False)


def boards_of(app: Flask) -> DrawnBoards:
    """The drawn boards of this worker (one store per app)."""
    boards = app.extensions.get(EXTENSION)
    if not isinstance(boards, DrawnBoards):
        boards = app.extensions[EXTENSION] = DrawnBoards()
    return boards


def forget_boards(app: Flask) -> None:
    """Drop every kept board (the next poll of each site draws afresh)."""
    app.extensions.pop(EXTENSION, None)
