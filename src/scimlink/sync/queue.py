"""Claiming, finishing and rescheduling sync tasks with leases.

A worker leases a task by a conditional UPDATE, so any number of workers on
any number of hosts can share one database: only one of them wins each task,
and a task whose worker died becomes claimable again when its lease expires.
"""

import random
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from scimlink.db.models import Connector, SyncTask
from scimlink.db.types import utcnow

LEASE = timedelta(seconds=120)
MAX_BACKOFF_SECONDS = 600.0


@dataclass(frozen=True)
class ClaimedTask:
    id: int
    connector_id: str
    kind: str
    object_id: str
    on_leave: str | None
    version: int
    attempts: int


def claim(
    sessions: sessionmaker[Session],
    owner: str,
    capacity: dict[str, int],
    limit: int,
) -> list[ClaimedTask]:
    """Lease up to ``limit`` due tasks, at most ``capacity[c]`` per connector.

    Connectors absent from ``capacity`` get their configured concurrency.
    Connectors take turns, one task each, so that a connector with a long
    backlog never keeps another connector's changes waiting.
    """
    now = utcnow()
    with sessions() as session, session.begin():
        waiting = _due_per_connector(session, capacity, limit, now)
        claimed: list[ClaimedTask] = []
        while waiting and len(claimed) < limit:
            for connector_id in list(waiting):
                tasks = waiting[connector_id]
                if not tasks or capacity[connector_id] <= 0:
                    del waiting[connector_id]
                    continue
                task = tasks.popleft()
                if _lease(session, task, owner, now):
                    capacity[connector_id] -= 1
                    claimed.append(_claimed(task))
                if len(claimed) >= limit:
                    break
        return claimed


def _due_per_connector(
    session: Session, capacity: dict[str, int], limit: int, now: datetime
) -> dict[str, deque[SyncTask]]:
    """Each running connector's earliest due tasks, as many as it has room for.

    One indexed query per connector: connectors are few, backlogs can be long.
    """
    connectors = session.execute(
        select(Connector.id, Connector.concurrency)
        .where(or_(Connector.paused_until.is_(None), Connector.paused_until <= now))
        .order_by(Connector.id)
    ).all()
    waiting: dict[str, deque[SyncTask]] = {}
    for connector_id, concurrency in connectors:
        room = min(capacity.setdefault(connector_id, concurrency), limit)
        if room <= 0:
            continue
        # A few spare candidates make up for those another worker takes first.
        tasks = session.scalars(
            select(SyncTask)
            .where(SyncTask.connector_id == connector_id)
            .where(SyncTask.due_at <= now)
            .where(or_(SyncTask.lease_expires.is_(None), SyncTask.lease_expires < now))
            .order_by(SyncTask.due_at, SyncTask.id)
            .limit(room * 2)
        ).all()
        if tasks:
            waiting[connector_id] = deque(tasks)
    # The connector whose work has waited longest takes the first turn.
    return dict(sorted(waiting.items(), key=lambda item: item[1][0].due_at))


def _lease(session: Session, task: SyncTask, owner: str, now: datetime) -> bool:
    """Take the task unless another worker leased or a change bumped it."""
    won = session.execute(
        update(SyncTask)
        .where(SyncTask.id == task.id, SyncTask.version == task.version)
        .where(or_(SyncTask.lease_expires.is_(None), SyncTask.lease_expires < now))
        .values(lease_owner=owner, lease_expires=now + LEASE)
    ).rowcount  # type: ignore[attr-defined]
    return bool(won)


def _claimed(task: SyncTask) -> ClaimedTask:
    return ClaimedTask(
        task.id,
        task.connector_id,
        task.kind,
        task.object_id,
        task.on_leave,
        task.version,
        task.attempts,
    )


def finish(session: Session, task: ClaimedTask) -> None:
    """Done: drop the task, unless a newer change arrived meanwhile."""
    gone = session.execute(
        delete(SyncTask).where(SyncTask.id == task.id, SyncTask.version == task.version)
    ).rowcount  # type: ignore[attr-defined]
    if not gone:
        session.execute(
            update(SyncTask)
            .where(SyncTask.id == task.id)
            .values(lease_owner=None, lease_expires=None, attempts=0)
        )


def retry_later(
    session: Session, task: ClaimedTask, retry_after: float | None = None
) -> datetime:
    """Release the task with exponential backoff and jitter (or Retry-After)."""
    attempts = task.attempts + 1
    delay = retry_after if retry_after is not None else backoff_seconds(attempts)
    due = utcnow() + timedelta(seconds=delay)
    session.execute(
        update(SyncTask)
        .where(SyncTask.id == task.id)
        .values(
            lease_owner=None,
            lease_expires=None,
            attempts=attempts,
            # A newer change (higher version) means "retry now".
            due_at=due if _unchanged(session, task) else utcnow(),
        )
    )
    return due


def backoff_seconds(attempts: int) -> float:
    """Full-jitter exponential backoff: random in [base/2, base]."""
    base = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** min(attempts, 20))
    return random.uniform(base / 2, base)


def release(session: Session, task: ClaimedTask) -> None:
    session.execute(
        update(SyncTask)
        .where(SyncTask.id == task.id)
        .values(lease_owner=None, lease_expires=None)
    )


def _unchanged(session: Session, task: ClaimedTask) -> bool:
    version = session.scalar(select(SyncTask.version).where(SyncTask.id == task.id))
    return version == task.version
