"""Recording pending pushes in the same transaction as the change itself.

Nothing here talks to an app: a row in ``sync_tasks`` says "push this object
to this connector", and a worker picks it up. Upserting on the unique
(connector, kind, object) key merges quick successive changes into one push.
"""

from collections.abc import Collection, Iterable
from typing import Any, Literal

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from scimlink.db.models import SyncTask
from scimlink.db.types import utcnow
from scimlink.sync import scope
from scimlink.sync.wakeup import notify_work_after_commit

TaskKind = Literal["user", "group"]
OnLeave = Literal["keep", "delete"] | None

BATCH = 500


def enqueue(
    session: Session,
    kind: TaskKind,
    pairs: Iterable[tuple[str, str]],
    *,
    on_leave: OnLeave = None,
) -> int:
    """Record that each (connector, object) pair needs a push; returns count."""
    now = utcnow()
    rows = [
        {
            "connector_id": connector_id,
            "kind": kind,
            "object_id": object_id,
            "on_leave": on_leave,
            "version": 1,
            "due_at": now,
            "attempts": 0,
            "created_at": now,
        }
        for connector_id, object_id in sorted(set(pairs))
    ]
    for start in range(0, len(rows), BATCH):
        session.execute(_upsert(session, rows[start : start + BATCH]))
    if rows:
        notify_work_after_commit(session)
    return len(rows)


def _upsert(session: Session, rows: list[dict[str, Any]]) -> Any:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SyncTask).values(rows)
    excluded = statement.excluded
    return statement.on_conflict_do_update(
        index_elements=["connector_id", "kind", "object_id"],
        set_={
            "version": SyncTask.version + 1,
            "due_at": excluded.due_at,
            "attempts": 0,
            # An unpublish's instruction survives later ordinary changes.
            "on_leave": func.coalesce(excluded.on_leave, SyncTask.on_leave),
        },
    )


def users_changed(session: Session, user_ids: Collection[str]) -> int:
    """Queue a push of these users to every connector they matter to.

    Call it before a change that may take users out of scope and again after
    a change that may bring them in; the upsert makes the second call cheap.
    """
    session.flush()
    return enqueue(session, "user", scope.connectors_touching_users(session, user_ids))


def groups_changed(session: Session, group_ids: Collection[str]) -> int:
    """Queue a push of these groups to every connector that exports them."""
    session.flush()
    pairs = scope.connectors_touching_groups(session, group_ids)
    return enqueue(session, "group", pairs)
