"""The care pages, on one blueprint: referrals and their worklist (referrals.py), the site's
referral directory (directory.py), the ketamine bladder screen (screens.py), education given
(education.py), wound care and blood-borne virus tests (nursing.py), and what other pages show
of care (panels.py: the visit page, the client page, the incident report and the desk's client
summary draw them by include).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("care", __name__)

# Each route module declares its views on bp as it is imported.
from sitesys.care.views import (  # noqa: E402
    directory,
    education,
    nursing,
    panels,
    referrals,
    screens,
)

__all__ = ["bp", "directory", "education", "nursing", "panels", "referrals", "screens"]
