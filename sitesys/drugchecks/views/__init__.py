"""The drug-checking bench: the blueprint and its route modules (the public look-up is its own
blueprint, in public.py, as it is reached without signing in).
"""

from __future__ import annotations

from flask import Blueprint

from sitesys.drugchecks.components import component_name

bp = Blueprint("drugchecks", __name__, url_prefix="/drug-checks")

#: A spectrometer component's name as the reader reads it (the common ones are translated).
bp.add_app_template_global(component_name, "component_name")

from sitesys.drugchecks.views import bench, components, samples  # noqa: E402,F401
