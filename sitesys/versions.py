"""The version a form was opened with, for refusing a stale form.

A page that holds every field of a record (a report to amend, a review, a site's settings) carries
a digest of those values as they were when it opened. When it is saved, the digest of the values
as they are now must match: otherwise someone saved from another tab meanwhile, and writing the
older page back would silently undo their change.
"""

from __future__ import annotations

import hashlib
import json


def version_of(values: object) -> str:
    """A digest of plain values (dicts, lists, strings, numbers; anything else by its str)."""
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
