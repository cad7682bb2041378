"""The desk's look-up before a check-in: the code typed, the client it names, and the proof that
the desk was shown that client before pressing Check in.

The desk looks a client up first ("Find client") and sees who they are (new or known, their
visits, their safety flags); only then is a check-in saved. A check-in sent without a look-up, or
with a code changed after it, is not saved: the desk is shown the client and asked again. The
proof carried by the form is a keyed digest of the client's code digest, so the page reveals
nothing of the code.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sitesys.checkin.models import Route, Visit
from sitesys.clients.codes import code_digest, code_problem, normalise_code
from sitesys.clients.letters import fold_letters
from sitesys.clients.services import ClientSummary, summarise
from sitesys.sites.models import Site

#: A code typed with "Anonymous walk-in" ticked: the desk meant one or the other, and guessing
#: would either lose a client's visit or record a walk-in by name.
WALK_IN_WITH_CODE = _l("Clear the client code or untick Anonymous walk-in.")


@dataclass(frozen=True)
class DeskKeys:
    """The desk's two keys, handed in by the view (services read no configuration)."""

    #: The client-code key: a code's digest, which is who the client is.
    client_code: str
    #: The app's secret key: signs the proof that the desk was shown a client.
    confirmation: str
    #: Earlier client-code keys, kept for look-up only after a rotation (not the retired ones).
    old_client_codes: tuple[str, ...] = ()


@dataclass
class Lookup:
    """What the code typed at the desk comes to."""

    #: The client's code digest; None for a walk-in, or a code that cannot be used.
    digest: str | None = None
    #: Why the code cannot be used, in words for the desk.
    problem: str | None = None
    #: The client the code names (a new one when nobody has it yet).
    summary: ClientSummary | None = None
    #: The proof the form carries to "Check in" once the desk has seen the client.
    confirmation: str | None = None
    #: The code as it is saved, when that differs from what was typed (accents made plain).
    read_as: str | None = None
    #: The digest of the code as typed, with its accents, when a client registered before codes
    #: were made plain is known by it (clients/letters.py); they are saved anew at check-in.
    earlier_digest: str | None = None

    def confirmed_by(self, proof: str | None) -> bool:
        """Whether the form's proof shows the desk was shown this client (a walk-in, who has no
        details to show, needs none).
        """
        if self.confirmation is None:
            return True
        return proof is not None and hmac.compare_digest(proof, self.confirmation)


def look_up(
    session: Session, site: Site, keys: DeskKeys, *, code: str | None, walk_in: bool
) -> Lookup:
    """Read the code typed (or the walk-in ticked) and find the client it names.

    A code typed with "Anonymous walk-in" ticked is refused, not dropped; a blank code with it
    ticked is a walk-in. Looking up changes nothing.
    """
    typed = normalise_code(code or "")
    if walk_in:
        return Lookup(problem=str(WALK_IN_WITH_CODE) if typed else None)
    plain = fold_letters(typed)
    read_as = plain if plain != typed else None
    problem = code_problem(plain, site.code_pattern)
    if problem is not None:
        return Lookup(problem=problem, read_as=read_as)
    digest = code_digest(plain, keys.client_code)
    # After a key rotation, the same code under the old keys kept for look-up; and a client
    # registered before codes were made plain is known by the code with its accents.
    readings = (plain,) if read_as is None else (plain, typed)
    earlier = tuple(
        found
        for reading in readings
        for found in (
            *(code_digest(reading, key) for key in keys.old_client_codes),
            *((code_digest(typed, keys.client_code),) if reading == typed else ()),
        )
    )
    summary = summarise(session, site, digest, earlier)
    found = summary.client
    earlier_digest = (
        found.code_digest if found is not None and found.code_digest != digest else None
    )
    return Lookup(
        digest=digest,
        summary=summary,
        confirmation=_confirmation(digest, keys.confirmation),
        read_as=read_as,
        earlier_digest=earlier_digest,
    )


def _confirmation(digest: str, key: str) -> str:
    """Proof that the desk was shown this client's details (reveals nothing about the code)."""
    return hmac.new(key.encode(), f"confirm-client:{digest}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class LastChoices:
    """What a returning client chose at their last visit, offered again at the desk."""

    #: Pick-list codes still on the site's list, in the list's order.
    substances: list[str]
    route: Route


def last_choices(
    session: Session, summary: ClientSummary | None, offered: Mapping[str, str]
) -> LastChoices | None:
    """A returning client's substances and route of their last visit, for the desk to preselect
    (the desk can change them). A substance since taken off the site's list is left out; None for
    a new client, a walk-in, or a last visit whose substances are all off the list.
    """
    if summary is None or summary.client is None or summary.visit_count == 0:
        return None
    last = session.scalar(
        select(Visit)
        .where(Visit.client_id == summary.client.id)
        .order_by(Visit.checked_in_at.desc(), Visit.id.desc())
        .options(selectinload(Visit.substances))
        .limit(1)
    )
    if last is None or last.route is None:
        return None  # a services-only visit: nothing was used
    named = {substance.code for substance in last.substances}
    substances = [code for code in offered if code in named]
    if not substances:
        return None
    return LastChoices(substances, last.route)
