"""A connector's health: failing apps back off and recover by themselves."""

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from scimlink.db.models import Connector


def set_health(session: Session, connector_id: str, **values: Any) -> None:
    """Change health fields without touching the connector's updated_at.

    Workers rebuild their view of a connector when updated_at moves, so
    health bookkeeping must not look like a configuration change.
    """
    session.execute(
        update(Connector)
        .where(Connector.id == connector_id)
        .values(updated_at=Connector.updated_at, **values)
    )


def mark_healthy(session: Session, connector_id: str) -> None:
    connector = session.get(Connector, connector_id)
    if connector is not None and (
        connector.health != "in_sync" or connector.consecutive_failures
    ):
        set_health(
            session,
            connector_id,
            health="in_sync",
            health_detail=None,
            consecutive_failures=0,
            paused_until=None,
        )


def record_failure(
    session: Session,
    connector_id: str,
    summary: str,
    *,
    failing_after: int,
    paused_until: datetime | None,
) -> int:
    """Count one more failed push; returns the consecutive failures."""
    connector = session.get(Connector, connector_id)
    if connector is None:
        return 0
    failures = connector.consecutive_failures + 1
    values: dict[str, Any] = {"consecutive_failures": failures}
    if failures >= failing_after or paused_until is not None:
        values.update(health="failing", health_detail=summary)
    if paused_until is not None:
        values["paused_until"] = paused_until
    set_health(session, connector_id, **values)
    return failures
