"""Filtering the event log, newest first, with a stable cursor."""

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from scimlink.api.pagination import decode_cursor, encode_cursor
from scimlink.db.models import Event
from scimlink.errors import InvalidInput


def event_query(
    connector_id: str | None = None,
    event: str | None = None,
    status: str | None = None,
    source_id: str | None = None,
    user_id: str | None = None,
    q: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Select[Event]:
    query = select(Event)
    if connector_id:
        query = query.where(Event.connector_id == connector_id)
    if event:
        query = query.where(Event.event == event)
    if status:
        query = query.where(Event.status == status)
    if source_id:
        query = query.where(Event.source_id == source_id)
    if user_id:
        query = query.where(Event.user_id == user_id)
    if q:
        pattern = f"%{q.strip()}%"
        query = query.where(
            or_(
                Event.activity.ilike(pattern),
                Event.user_email.ilike(pattern),
                Event.group_name.ilike(pattern),
            )
        )
    if since:
        query = query.where(Event.timestamp >= since)
    if until:
        query = query.where(Event.timestamp < until)
    return query


def page_of_events(
    session: Session, query: Select[Event], limit: int, cursor: str | None
) -> tuple[list[Event], str | None]:
    if cursor:
        try:
            stamp, event_id = decode_cursor(cursor).split("|", 1)
            moment = datetime.fromisoformat(stamp)
        except ValueError as exc:
            raise InvalidInput.field(
                "cursor", "The cursor is not one this API returned."
            ) from exc
        query = query.where(
            or_(
                Event.timestamp < moment,
                and_(Event.timestamp == moment, Event.id < event_id),
            )
        )
    rows = list(
        session.scalars(
            query.order_by(Event.timestamp.desc(), Event.id.desc()).limit(limit + 1)
        )
    )
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], encode_cursor(f"{last.timestamp.isoformat()}|{last.id}")


def event_dict(event: Event, zone: Any) -> dict[str, Any]:
    return {
        "id": event.id,
        "event": event.event,
        "destination": {
            "connectorId": event.connector_id,
            "name": event.connector_name,
            "app": event.connector_app,
        },
        "source": {
            "kind": event.source_kind,
            "id": event.source_id,
            "name": event.source_name,
        }
        if event.source_id
        else None,
        "user": {"id": event.user_id, "email": event.user_email}
        if event.user_id
        else None,
        "group": {"id": event.group_id, "name": event.group_name}
        if event.group_id
        else None,
        "activity": event.activity,
        "status": event.status,
        "error": event.error,
        "timestamp": event.timestamp.isoformat().replace("+00:00", "Z"),
        "localTime": event.timestamp.astimezone(zone).isoformat(),
        "details": event.details,
    }
