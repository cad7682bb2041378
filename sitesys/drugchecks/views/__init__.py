"""The drug-checking bench: the blueprint and its route modules (the public look-up is its own
blueprint, in public.py, as it is reached without signing in).
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("drugchecks", __name__, url_prefix="/drug-checks")

from sitesys.drugchecks.views import bench, components, samples  # noqa: E402,F401
