"""The handover pages, on one blueprint: the history (history.py), starting a handover
(start.py), the handover itself with its actions, acknowledgement and addenda (handover.py),
saving and submitting the draft (draft.py), and the admin's shift and stock set-up (setup.py).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("handovers", __name__, url_prefix="/handovers")

# Each route module declares its views on bp as it is imported.
from sitesys.handovers.views import draft, handover, history, setup, start  # noqa: E402

__all__ = ["bp", "draft", "handover", "history", "setup", "start"]
