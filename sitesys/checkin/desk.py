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
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sitesys.clients.codes import code_digest, code_problem, normalise_code
from sitesys.clients.services import ClientSummary, summarise
from sitesys.sites.models import Site

#: A code typed with "Anonymous walk-in" ticked: the desk meant one or the other, and guessing
#: would either lose a client's visit or record a walk-in by name.
WALK_IN_WITH_CODE = "Clear the client code or untick Anonymous walk-in."


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
    normalised = normalise_code(code or "")
    if walk_in:
        return Lookup(problem=WALK_IN_WITH_CODE if normalised else None)
    problem = code_problem(normalised, site.code_pattern)
    if problem is not None:
        return Lookup(problem=problem)
    digest = code_digest(normalised, keys.client_code)
    earlier = tuple(code_digest(normalised, key) for key in keys.old_client_codes)
    return Lookup(
        digest=digest,
        summary=summarise(session, site, digest, earlier),
        confirmation=_confirmation(digest, keys.confirmation),
    )


def _confirmation(digest: str, key: str) -> str:
    """Proof that the desk was shown this client's details (reveals nothing about the code)."""
    return hmac.new(key.encode(), f"confirm-client:{digest}".encode(), hashlib.sha256).hexdigest()
