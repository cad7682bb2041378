"""The one base of every rule's refusal, so that a view handles them all the same way.

A service that will not make a change (a booth just taken, a visit already closed, a role that
may not do this) raises a subclass of `Refused` whose message is written for staff. The view's
`committing` block (sitesys/db.py) rolls the request back and shows that message; nothing of the
refused change is kept.
"""

from __future__ import annotations


class Refused(Exception):
    """A change a rule refused; `str(refusal)` is the sentence staff are shown."""

    #: How the message is shown: most refusals are errors; some are only warnings
    #: (a visit that moved on meanwhile).
    category = "error"


class NotAllowed(Refused):
    """The actor's role does not hold the capability the change needs."""
