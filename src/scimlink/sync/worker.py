"""The sync worker: claims pending pushes and carries them out in threads.

Runs embedded in ``scimlink serve`` or alone as ``scimlink worker``; any
number of workers may share a database. Each connector has its own request
rate and concurrency, so a slow or failing app never holds up another.
"""

import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import structlog
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from scimlink.apps import MissingRequiredAttributesError
from scimlink.connectors.service import reconcile_due
from scimlink.connectors.vault import TokenVault
from scimlink.db.models import Connector, Event, GroupLink, SyncTask, UserLink
from scimlink.db.types import utcnow
from scimlink.directory.installation import get_installation_settings
from scimlink.mapping import InvalidMappingError
from scimlink.metrics import PENDING_TASKS, PUSH_SECONDS
from scimlink.scim.errors import (
    ConfigurationError,
    ScimError,
    TransientError,
)
from scimlink.sync import events, group_push, health, queue, user_push
from scimlink.sync.events import EventRecord
from scimlink.sync.runtime import ConnectorRuntime, build_runtime
from scimlink.sync.sources import directory_source, scope_source
from scimlink.sync.wakeup import wait_for_work

log = structlog.get_logger(__name__)

FAILING_AFTER = 3  # consecutive failed pushes before a connector shows failing
TELL_ADMIN_AFTER = 3  # transient attempts before the event log hears of it
HOUSEKEEPING_SECONDS = 60.0


class Worker:
    """Pulls due tasks from the database and pushes them to the apps."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        vault: TokenVault,
        *,
        threads: int = 16,
        poll_seconds: float = 0.2,
        reconcile_interval_seconds: float = 0.0,
        verify_tls: bool = True,
    ) -> None:
        self.sessions = sessions
        self.vault = vault
        self.threads = threads
        self.poll_seconds = poll_seconds
        self.verify_tls = verify_tls
        self.reconcile_interval_seconds = reconcile_interval_seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self._runtimes: dict[str, ConnectorRuntime] = {}
        self._runtime_lock = threading.Lock()
        self._in_flight: dict[str, int] = {}
        self._in_flight_lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="scimlink-push")
        self._last_housekeeping = 0.0

    # --- lifecycle ---------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.run, name="scimlink-worker", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._pool.shutdown(wait=True, cancel_futures=True)
        for runtime in self._runtimes.values():
            runtime.close()

    def run(self) -> None:
        log.info("worker.started", owner=self.owner, threads=self.threads)
        while not self._stopping.is_set():
            try:
                claimed = self._claim()
                if not claimed:
                    self._housekeeping()
                    wait_for_work(self.poll_seconds)
            except Exception:
                log.exception("worker.loop_failed")
                time.sleep(self.poll_seconds)
        log.info("worker.stopped", owner=self.owner)

    # --- claiming ----------------------------------------------------------

    def _claim(self) -> int:
        with self._in_flight_lock:
            busy = sum(self._in_flight.values())
            free = self.threads - busy
            if free <= 0:
                return 0
            capacity = {
                connector_id: self._concurrency(connector_id) - count
                for connector_id, count in self._in_flight.items()
                if count
            }
        tasks = queue.claim(self.sessions, self.owner, capacity, free)
        for task in tasks:
            with self._in_flight_lock:
                self._in_flight[task.connector_id] = (
                    self._in_flight.get(task.connector_id, 0) + 1
                )
            self._pool.submit(self._process, task)
        return len(tasks)

    def _concurrency(self, connector_id: str) -> int:
        with self.sessions() as session:
            value = session.scalar(
                select(Connector.concurrency).where(Connector.id == connector_id)
            )
        return int(value or 1)

    # --- one task ----------------------------------------------------------

    def _process(self, task: queue.ClaimedTask) -> None:
        started = time.monotonic()
        runtime: ConnectorRuntime | None = None
        try:
            runtime = self._runtime_for(task.connector_id)
            if runtime is None:
                return
            structlog.contextvars.bind_contextvars(
                connector=runtime.destination.name,
                kind=task.kind,
                object_id=task.object_id,
            )
            if task.kind == "user":
                self._push_user(runtime, task)
            else:
                group_push.push_group(self.sessions, runtime, task)
        except TransientError as error:
            self._transient(runtime, task, error)
        except ConfigurationError as error:
            self._configuration(runtime, task, error)
        except (
            ScimError,
            MissingRequiredAttributesError,
            InvalidMappingError,
        ) as error:
            self._failed(runtime, task, error)
        except Exception as error:
            log.exception("push.crashed")
            if runtime is not None:
                self._transient(runtime, task, error)
        finally:
            if runtime is not None:
                PUSH_SECONDS.labels(app=runtime.destination.app).observe(
                    time.monotonic() - started
                )
                self._release(runtime)
            with self._in_flight_lock:
                self._in_flight[task.connector_id] -= 1
            structlog.contextvars.clear_contextvars()

    def _push_user(self, runtime: ConnectorRuntime, task: queue.ClaimedTask) -> None:
        with self.sessions() as session:
            snapshot = user_push.read_snapshot(
                session, runtime, task.object_id, task.on_leave
            )
        action = user_push.plan(snapshot)
        outcome = user_push.carry_out(runtime, snapshot, action)
        user_push.record(self.sessions, runtime, task, snapshot, outcome)

    def _runtime_for(self, connector_id: str) -> ConnectorRuntime | None:
        with self.sessions() as session:
            connector = session.get(Connector, connector_id)
            if connector is None:
                return None
            with self._runtime_lock:
                cached = self._runtimes.get(connector_id)
                if cached is not None and cached.updated_at == connector.updated_at:
                    cached.in_use += 1
                    return cached
                runtime = build_runtime(
                    connector, self.vault, verify_tls=self.verify_tls
                )
                runtime.in_use += 1
                if cached is not None:
                    # Pushes still running keep the old client until they end.
                    cached.retired = True
                    if cached.in_use == 0:
                        cached.close()
                self._runtimes[connector_id] = runtime
        if (
            runtime.profile.reads_service_provider_config
            and runtime.server_config is None
        ):
            try:
                self._discover(runtime)
            except BaseException:
                self._release(runtime)
                raise
        return runtime

    def _release(self, runtime: ConnectorRuntime) -> None:
        with self._runtime_lock:
            runtime.in_use -= 1
            if runtime.retired and runtime.in_use == 0:
                runtime.close()

    def _discover(self, runtime: ConnectorRuntime) -> None:
        """Read what the server says it supports; remembered on the connector."""
        try:
            result = runtime.client.service_provider_config()
            config = result.resource or {}
        except ScimError as error:
            if isinstance(error, TransientError | ConfigurationError):
                raise
            config = {"unavailable": error.detail}
        with self.sessions() as session, session.begin():
            session.execute(
                update(Connector)
                .where(Connector.id == runtime.connector_id)
                .values(server_config=config)
            )
        with self._runtime_lock:
            self._runtimes.pop(runtime.connector_id, None)

    # --- failures ----------------------------------------------------------

    def _transient(
        self,
        runtime: ConnectorRuntime | None,
        task: queue.ClaimedTask,
        error: Exception,
    ) -> None:
        retry_after = getattr(error, "retry_after", None)
        log.warning("push.retry", error=str(error), attempts=task.attempts + 1)
        with self.sessions() as session, session.begin():
            due = queue.retry_later(session, task, retry_after)
            connector = session.get(Connector, task.connector_id)
            failures = connector.consecutive_failures + 1 if connector else 0
            # An app that keeps failing is paused as a whole rather than
            # hammered by every pending task on its own schedule.
            pause = (
                retry_after or queue.backoff_seconds(failures - FAILING_AFTER + 1)
                if failures >= FAILING_AFTER
                else None
            )
            self._count_failure(session, task.connector_id, error, pause)
            if runtime is not None and task.attempts + 1 == TELL_ADMIN_AFTER:
                self._write_failure(session, runtime, task, error, final=False)
            log.info(
                "push.rescheduled", due=due.isoformat(), connector_failures=failures
            )

    def _configuration(
        self,
        runtime: ConnectorRuntime | None,
        task: queue.ClaimedTask,
        error: ScimError,
    ) -> None:
        log.warning("connector.paused", error=str(error))
        with self.sessions() as session, session.begin():
            connector = session.get(Connector, task.connector_id)
            if connector is None:
                return
            pause = queue.backoff_seconds(connector.consecutive_failures + 1)
            self._count_failure(session, task.connector_id, error, pause)
            queue.retry_later(session, task, pause)
            if runtime is not None and task.attempts == 0:
                self._write_failure(session, runtime, task, error, final=False)

    def _failed(
        self,
        runtime: ConnectorRuntime | None,
        task: queue.ClaimedTask,
        error: Exception,
    ) -> None:
        """An error retrying cannot fix: fail this object, carry on with others."""
        log.warning("push.failed", error=str(error))
        if runtime is None:
            return
        with self.sessions() as session, session.begin():
            if session.get(Connector, task.connector_id) is None:
                return
            self._write_failure(session, runtime, task, error, final=True)
            self._mark_link_failed(session, task, error)
            queue.finish(session, task)

    def _count_failure(
        self,
        session: Session,
        connector_id: str,
        error: Exception,
        pause_seconds: float | None,
    ) -> int:
        paused_until = (
            utcnow() + timedelta(seconds=pause_seconds)
            if pause_seconds is not None
            else None
        )
        return health.record_failure(
            session,
            connector_id,
            _summary(error),
            failing_after=FAILING_AFTER,
            paused_until=paused_until,
        )

    def _mark_link_failed(
        self, session: Session, task: queue.ClaimedTask, error: Exception
    ) -> None:
        key = (task.connector_id, task.object_id)
        link: UserLink | GroupLink | None
        if task.kind == "user":
            link = session.get(UserLink, key)
            if link is None:
                link = UserLink(connector_id=task.connector_id, user_id=task.object_id)
        else:
            link = session.get(GroupLink, key)
            if link is None:
                link = GroupLink(
                    connector_id=task.connector_id, group_id=task.object_id
                )
        session.add(link)
        link.status = "failed"
        link.last_error = _summary(error)

    def _write_failure(
        self,
        session: Session,
        runtime: ConnectorRuntime,
        task: queue.ClaimedTask,
        error: Exception,
        *,
        final: bool,
    ) -> None:
        record = failure_record(session, runtime, task, error, final=final)
        events.write_events(session, runtime.destination, [record])

    # --- housekeeping ------------------------------------------------------

    def _housekeeping(self) -> None:
        now = time.monotonic()
        if now - self._last_housekeeping < HOUSEKEEPING_SECONDS:
            return
        self._last_housekeeping = now
        with self.sessions() as session, session.begin():
            days = get_installation_settings(session).event_retention_days
            cutoff = utcnow() - timedelta(days=days)
            removed = session.execute(delete(Event).where(Event.timestamp < cutoff))
            pending = session.scalar(select(SyncTask.id).limit(1))
            reconciled = reconcile_due(session, self.reconcile_interval_seconds)
        if reconciled:
            log.info("connectors.reconcile_queued", connectors=len(reconciled))
        log.info(
            "events.retention",
            removed=removed.rowcount,  # type: ignore[attr-defined]
            retention_days=days,
        )
        PENDING_TASKS.set(1 if pending else 0)


# Failures found before any request is sent, as the event log names them.
LOCAL_REASONS: dict[type[Exception], str] = {
    MissingRequiredAttributesError: "missing_required_attribute",
    InvalidMappingError: "invalid_mapping",
}


def failure_record(
    session: Session,
    runtime: ConnectorRuntime,
    task: queue.ClaimedTask,
    error: Exception,
    *,
    final: bool,
) -> EventRecord:
    """A Failed entry that says what went wrong and what happens next."""
    from scimlink.db.models import Group, User

    app = runtime.destination.app_name
    attempts = task.attempts + 1
    error_info = (
        events.error_record(error, attempts)
        if isinstance(error, ScimError)
        else {
            "detail": str(error),
            "reason": LOCAL_REASONS.get(type(error), "internal_error"),
            "attempts": attempts,
        }
    )
    follow = (
        "It will be retried when the data or the connector changes, or when an "
        "admin asks."
        if final
        else "scimlink keeps retrying with backoff."
    )
    if task.kind == "user":
        user = session.get(User, task.object_id)
        link = session.get(UserLink, (task.connector_id, task.object_id))
        email = user.email if user else (link.user_email if link else task.object_id)
        in_app = link is not None and link.remote_id is not None
        event = events.USER_UPDATED if in_app else events.USER_CREATED
        source = None
        if user is not None:
            source = scope_source(session, task.connector_id, user) or (
                directory_source(session, user)
            )
        return EventRecord(
            event,
            f"Pushing user {email} to {app} failed: {_summary(error)} {follow}",
            success=False,
            source=source,
            user_id=task.object_id,
            user_email=email,
            error=error_info,
        )
    group = session.get(Group, task.object_id)
    glink = session.get(GroupLink, (task.connector_id, task.object_id))
    name = group.name if group else (glink.group_name if glink else task.object_id)
    event = events.GROUP_UPDATED if glink and glink.remote_id else events.GROUP_CREATED
    return EventRecord(
        event,
        f"Pushing group {name} to {app} failed: {_summary(error)} {follow}",
        success=False,
        group_id=task.object_id,
        group_name=name,
        error=error_info,
    )


def _summary(error: Exception) -> str:
    text = error.summary() if isinstance(error, ScimError) else str(error)
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."
