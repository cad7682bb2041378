"""The versions kept of an incident's report (while it was drafted) and of its review."""

from __future__ import annotations

import uuid

from flask import render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from sitesys.auth.guard import current_site
from sitesys.auth.permissions import Capability, requires
from sitesys.db import get_session
from sitesys.incidents.loaders import get_incident_or_404
from sitesys.incidents.reports import DRAFT_REPORT
from sitesys.incidents.review import REVIEW
from sitesys.incidents.views import bp
from sitesys.pagination import page_number
from sitesys.versions.queries import version_history

#: The parts of an incident that keep versions, by the name in their address.
EDITABLE = {"report": DRAFT_REPORT, "review": REVIEW}


@bp.get("/<uuid:incident_id>/versions/<any(report, review):part>")
@requires(Capability.REPORT_INCIDENTS)
def versions(incident_id: uuid.UUID, part: str) -> ResponseReturnValue:
    """Every saved version of the draft report or of the review: read by whoever may read the
    incident, as its page shows both.
    """
    db = get_session()
    incident = get_incident_or_404(db, incident_id, current_site())
    editable = EDITABLE[part]
    return render_template(
        "versions/history.html",
        history=version_history(db, incident, editable, page_number()),
        editable=editable,
        title=_(
            "Incident %(reference)s · versions of the %(part)s",
            reference=incident.reference,
            part=editable.label,
        ),
        back=url_for("incidents.show", incident_id=incident.id),
    )
