"""Pending pushes in the database: merging, leasing, finishing, retrying."""

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, update

from scimlink.db.engine import make_session_factory, transaction
from scimlink.db.models import Connector, SyncTask
from scimlink.db.types import utcnow
from scimlink.sync import outbox, queue

pytestmark = pytest.mark.integration


def _connector(engine: Engine, concurrency: int = 4) -> str:
    with transaction(make_session_factory(engine)) as session:
        connector = Connector(
            name="App",
            app="scim2",
            endpoint="http://127.0.0.1:1/scim",
            token_encrypted="x",
            token_hint="••••",
            concurrency=concurrency,
        )
        session.add(connector)
        session.flush()
        return connector.id


def _tasks(engine: Engine) -> list[SyncTask]:
    with make_session_factory(engine)() as session:
        return list(session.scalars(select(SyncTask).order_by(SyncTask.object_id)))


def test_quick_changes_merge_into_one_task(engine: Engine) -> None:
    """Three changes to one user before a push leave one task, version 3."""
    connector_id = _connector(engine)
    sessions = make_session_factory(engine)
    for _ in range(3):
        with transaction(sessions) as session:
            outbox.enqueue(session, "user", [(connector_id, "u1")])
    tasks = _tasks(engine)
    assert [(t.object_id, t.version) for t in tasks] == [("u1", 3)]


def test_unpublish_instruction_survives_later_changes(engine: Engine) -> None:
    """A later ordinary change keeps the 'delete users' instruction."""
    connector_id = _connector(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        outbox.enqueue(session, "user", [(connector_id, "u1")], on_leave="delete")
    with transaction(sessions) as session:
        outbox.enqueue(session, "user", [(connector_id, "u1")])
    assert _tasks(engine)[0].on_leave == "delete"


def test_enqueue_rolls_back_with_the_change(engine: Engine) -> None:
    """A failed transaction leaves no pending push behind."""
    connector_id = _connector(engine)
    sessions = make_session_factory(engine)
    with pytest.raises(RuntimeError), transaction(sessions) as session:
        outbox.enqueue(session, "user", [(connector_id, "u1")])
        raise RuntimeError("change refused")
    assert _tasks(engine) == []


def test_a_leased_task_is_claimed_once(engine: Engine) -> None:
    """Two workers claiming at once never get the same task."""
    connector_id = _connector(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        outbox.enqueue(session, "user", [(connector_id, f"u{i}") for i in range(6)])
    first = queue.claim(sessions, "worker-a", {}, 10)
    second = queue.claim(sessions, "worker-b", {}, 10)
    assert len(first) == 4  # the connector's concurrency
    assert len(second) == 2
    assert {t.object_id for t in first}.isdisjoint({t.object_id for t in second})


def test_an_expired_lease_is_claimed_again(engine: Engine) -> None:
    """A task whose worker died becomes claimable when its lease expires."""
    connector_id = _connector(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        outbox.enqueue(session, "user", [(connector_id, "u1")])
    assert len(queue.claim(sessions, "dead-worker", {}, 10)) == 1
    assert queue.claim(sessions, "other", {}, 10) == []
    with transaction(sessions) as session:
        session.execute(
            update(SyncTask).values(lease_expires=utcnow() - timedelta(seconds=1))
        )
    assert [t.object_id for t in queue.claim(sessions, "other", {}, 10)] == ["u1"]


def test_finish_keeps_a_task_changed_during_the_push(engine: Engine) -> None:
    """A change arriving mid-push keeps the task for another push."""
    connector_id = _connector(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        outbox.enqueue(session, "user", [(connector_id, "u1"), (connector_id, "u2")])
    claimed = {t.object_id: t for t in queue.claim(sessions, "w", {}, 10)}
    with transaction(sessions) as session:
        outbox.enqueue(session, "user", [(connector_id, "u2")])
    with transaction(sessions) as session:
        queue.finish(session, claimed["u1"])
        queue.finish(session, claimed["u2"])
    tasks = _tasks(engine)
    assert [(t.object_id, t.lease_owner) for t in tasks] == [("u2", None)]


def test_retry_later_backs_off_and_honours_retry_after(engine: Engine) -> None:
    """A transient failure reschedules with backoff, or at Retry-After."""
    connector_id = _connector(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        outbox.enqueue(session, "user", [(connector_id, "u1")])
    (task,) = queue.claim(sessions, "w", {}, 10)
    with transaction(sessions) as session:
        due = queue.retry_later(session, task, retry_after=30)
    assert timedelta(seconds=29) < due - utcnow() <= timedelta(seconds=30)
    assert queue.claim(sessions, "w", {}, 10) == []
    stored = _tasks(engine)[0]
    assert stored.attempts == 1 and stored.lease_owner is None


def test_paused_connector_is_skipped(engine: Engine) -> None:
    """A connector paused after failures gets no claims until the pause ends."""
    connector_id = _connector(engine)
    sessions = make_session_factory(engine)
    with transaction(sessions) as session:
        outbox.enqueue(session, "user", [(connector_id, "u1")])
        session.execute(
            update(Connector).values(paused_until=utcnow() + timedelta(minutes=5))
        )
    assert queue.claim(sessions, "w", {}, 10) == []


def test_backoff_grows_and_is_capped() -> None:
    """Backoff doubles per attempt, with jitter, and never exceeds the cap."""
    assert 0.5 <= queue.backoff_seconds(1) <= 1.0
    assert 4.0 <= queue.backoff_seconds(4) <= 8.0
    assert queue.backoff_seconds(50) <= queue.MAX_BACKOFF_SECONDS
