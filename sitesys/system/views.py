"""Liveness and readiness for the load balancer and the service manager; no sign-in needed."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError

from sitesys.clock import utcnow
from sitesys.db import get_session
from sitesys.system.models import SchedulerHeartbeat

bp = Blueprint("system", __name__)

#: The scheduler beats every 30 seconds; two missed beats and a margin mean it is down.
HEARTBEAT_STALE_AFTER = timedelta(seconds=120)


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
        heartbeat = db.scalar(
            select(SchedulerHeartbeat).where(SchedulerHeartbeat.name == "scheduler")
        )
        if heartbeat is None:
            checks["scheduler"] = "never seen"
        elif utcnow() - heartbeat.beat_at > HEARTBEAT_STALE_AFTER:
            checks["scheduler"] = "stale"
        else:
            checks["scheduler"] = "ok"
    except SQLAlchemyError:
        db.rollback()
        checks["database"] = "unreachable"
    ready = all(value == "ok" for value in checks.values()) and len(checks) == 3
    return jsonify(status="ready" if ready else "not ready", checks=checks), 200 if ready else 503
