"""Writing event-log entries: copies, not references, and never a secret."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from scimlink.db.models import Event, new_id
from scimlink.db.types import utcnow
from scimlink.metrics import PUSHES
from scimlink.scim.errors import ScimError

USER_CREATED = "User Created"
USER_UPDATED = "User Updated"
USER_DELETED = "User Deleted"
GROUP_CREATED = "Group Created"
GROUP_UPDATED = "Group Updated"
GROUP_DELETED = "Group Deleted"
MEMBER_ADDED = "Group Member Added"
MEMBER_REMOVED = "Group Member Removed"
EVENT_NAMES = (
    USER_CREATED,
    USER_UPDATED,
    USER_DELETED,
    GROUP_CREATED,
    GROUP_UPDATED,
    GROUP_DELETED,
    MEMBER_ADDED,
    MEMBER_REMOVED,
)


@dataclass(frozen=True)
class Destination:
    connector_id: str
    name: str
    app: str
    app_name: str


@dataclass(frozen=True)
class Source:
    kind: str
    id: str
    name: str


@dataclass
class EventRecord:
    """One finished push, ready to be stored."""

    event: str
    activity: str
    success: bool = True
    source: Source | None = None
    user_id: str | None = None
    user_email: str | None = None
    group_id: str | None = None
    group_name: str | None = None
    error: dict[str, Any] | None = None
    details: dict[str, Any] = field(default_factory=dict)


def error_record(error: ScimError, attempts: int) -> dict[str, Any]:
    """What an admin needs to understand a failed push."""
    return {
        "httpStatus": error.status,
        "scimType": error.scim_type,
        "detail": error.detail,
        "reason": error.reason,
        "request": f"{error.method} {error.url}",
        "requestBody": error.request_body,
        "response": error.response_excerpt,
        "attempts": attempts,
    }


def write_events(
    session: Session, destination: Destination, records: list[EventRecord]
) -> None:
    """Store many entries in one statement; large groups make thousands."""
    if not records:
        return
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "timestamp": now,
            "event": r.event,
            "status": "Success" if r.success else "Failed",
            "connector_id": destination.connector_id,
            "connector_name": destination.name,
            "connector_app": destination.app,
            "source_kind": r.source.kind if r.source else None,
            "source_id": r.source.id if r.source else None,
            "source_name": r.source.name if r.source else None,
            "user_id": r.user_id,
            "user_email": r.user_email,
            "group_id": r.group_id,
            "group_name": r.group_name,
            "activity": r.activity,
            "error": r.error,
            "details": r.details or None,
        }
        for r in records
    ]
    for start in range(0, len(rows), 1000):
        session.execute(insert(Event), rows[start : start + 1000])
    for r in records:
        PUSHES.labels(
            app=destination.app,
            event=r.event,
            status="Success" if r.success else "Failed",
        ).inc()
