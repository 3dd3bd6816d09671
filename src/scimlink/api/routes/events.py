"""/events: the event log, filtered, and exported as CSV."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from scimlink.api.deps import CurrentAdmin, Cursor, DbSession, Limit
from scimlink.db.models import Event
from scimlink.directory.installation import get_installation_settings
from scimlink.errors import NotFound
from scimlink.events.queries import event_dict, event_query, page_of_events

router = APIRouter(prefix="/events", tags=["events"])

CSV_COLUMNS = [
    "timestamp",
    "localTime",
    "event",
    "status",
    "connector",
    "app",
    "source",
    "user",
    "group",
    "activity",
    "error",
]


# A cell starting with one of these runs as a formula in spreadsheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@router.get("")
def list_events(
    db: DbSession,
    _: CurrentAdmin,
    limit: Limit = 100,
    cursor: Cursor = None,
    connector_id: str | None = Query(None, alias="connectorId"),
    event: str | None = Query(None),
    status: Literal["Success", "Failed"] | None = Query(None),
    source_id: str | None = Query(None, alias="sourceId"),
    user_id: str | None = Query(None, alias="userId"),
    q: str | None = Query(None),
    since: datetime | None = Query(None),
    until: datetime | None = Query(None),
) -> dict[str, Any]:
    zone = ZoneInfo(get_installation_settings(db).timezone)
    query = event_query(
        connector_id, event, status, source_id, user_id, q, since, until
    )
    rows, next_cursor = page_of_events(db, query, limit, cursor)
    return {"items": [event_dict(e, zone) for e in rows], "nextCursor": next_cursor}


def spreadsheet_safe(value: str) -> str:
    """Keep a cell from being read as a formula by spreadsheet programs."""
    if value[:1] in FORMULA_STARTS:
        return f"'{value}"
    return value


@router.get("/export.csv")
def export_events(
    db: DbSession,
    _: CurrentAdmin,
    connector_id: str | None = Query(None, alias="connectorId"),
    event: str | None = Query(None),
    status: Literal["Success", "Failed"] | None = Query(None),
    source_id: str | None = Query(None, alias="sourceId"),
    user_id: str | None = Query(None, alias="userId"),
    q: str | None = Query(None),
    since: datetime | None = Query(None),
    until: datetime | None = Query(None),
) -> StreamingResponse:
    zone = ZoneInfo(get_installation_settings(db).timezone)
    query = event_query(
        connector_id, event, status, source_id, user_id, q, since, until
    )
    rows = list(db.scalars(query.order_by(Event.timestamp.desc(), Event.id.desc())))

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        # The byte order mark makes spreadsheet programs read the file as UTF-8.
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for e in rows:
            writer.writerow(
                [
                    e.timestamp.isoformat(),
                    e.timestamp.astimezone(zone).isoformat(),
                    e.event,
                    e.status,
                    spreadsheet_safe(e.connector_name),
                    e.connector_app,
                    spreadsheet_safe(e.source_name or ""),
                    spreadsheet_safe(e.user_email or ""),
                    spreadsheet_safe(e.group_name or ""),
                    spreadsheet_safe(e.activity),
                    spreadsheet_safe(str((e.error or {}).get("detail", ""))),
                ]
            )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="scimlink-events.csv"'},
    )


@router.get("/{event_id}")
def get_event(event_id: str, db: DbSession, _: CurrentAdmin) -> dict[str, Any]:
    event = db.get(Event, event_id)
    if event is None:
        raise NotFound("event", event_id)
    zone = ZoneInfo(get_installation_settings(db).timezone)
    return event_dict(event, zone)
