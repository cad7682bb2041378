"""Liveness and readiness for the load balancer and the service manager (no sign-in needed),
the scheduler's heartbeat for monitoring, and the admins' status page.

Readiness is the web node's own: its database and its migrations. A scheduler that has stopped
does not make a web node unready (issue 20, finding 6: every healthy node would leave the load
balancer); it is reported at /healthz/scheduler, on the status page, and in a banner to admins.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import Blueprint, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from sitesys.auth.permissions import Capability, can, requires
from sitesys.clock import utcnow
from sitesys.db import get_session
from sitesys.system.heartbeat import HEARTBEAT_STALE_AFTER, scheduler_state

bp = Blueprint("system", __name__)


@cache
def migration_head() -> str | None:
    # Imported on the first readiness check, not by every web worker as it starts (finding 13).
    from alembic.script import ScriptDirectory

    from sitesys.migrations_config import alembic_config

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> ResponseReturnValue:
    checks: dict[str, str] = {}
    db = get_session()
    try:
        db.execute(text("SELECT 1"))
        checks["database"] = "ok"
        revision = db.execute(text("SELECT version_num FROM alembic_version")).scalar()
        checks["migrations"] = "ok" if revision == migration_head() else "behind"
    except SQLAlchemyError:
        db.rollback()
        checks["database"] = "unreachable"
    ready = checks.get("database") == "ok" and checks.get("migrations") == "ok"
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503


@bp.get("/healthz/scheduler")
def scheduler_health() -> ResponseReturnValue:
    """For monitoring the scheduler process: 200 while it beats, 503 once it is stale."""
    state = scheduler_state(get_session(), utcnow())
    body: dict[str, Any] = {"status": state.status}
    if state.beat_at is not None:
        body["last_beat"] = state.beat_at.isoformat()
    return jsonify(body), 200 if state.ok else 503


@bp.get("/system/status")
@requires(Capability.MANAGE_SITES)
def status() -> ResponseReturnValue:
    return render_template(
        "system/status.html",
        scheduler=scheduler_state(get_session(), utcnow()),
        stale_after=int(HEARTBEAT_STALE_AFTER.total_seconds()),
    )


@bp.app_context_processor
def _scheduler_banner() -> dict[str, Any]:
    """Admins see a banner on every page while the scheduler is stale (a query for them only;
    never for a page drawn without the database, which has nobody signed in).
    """
    if not current_user.is_authenticated or not can(Capability.MANAGE_SITES):
        return {}
    state = scheduler_state(get_session(), utcnow())
    return {"scheduler_stale": None if state.ok else state}
