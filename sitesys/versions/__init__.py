"""Editable clinical records, saved one way: a version checked on save, every version kept.

A page that holds every field of a record part (a draft report, a review, a handover draft, a
site's settings) carries `version_of` its values as they were when it opened. When it is saved,
the digest of the values as they are now must match: otherwise someone saved from another tab
meanwhile, and writing the older page back would silently undo their change.
`services.save_version` is that rule for clinical records, and keeps each version it lets
through (`models.RecordVersion`); docs/architecture.md says how a record uses it.
"""

from __future__ import annotations

import hashlib
import json


def version_of(values: object) -> str:
    """A digest of plain values (dicts, lists, strings, numbers; anything else by its str)."""
    text = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()
