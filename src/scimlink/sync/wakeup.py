"""An in-process signal that wakes embedded workers as soon as work is queued.

Workers also poll the database, so other processes and hosts are served too;
the signal only shortens the wait when API and worker share a process.
"""

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session

_work_queued = threading.Event()


def notify_work() -> None:
    _work_queued.set()


def wait_for_work(timeout: float) -> None:
    _work_queued.wait(timeout)
    _work_queued.clear()


def notify_work_after_commit(session: Session) -> None:
    """Wake workers when the session's transaction commits.

    Woken earlier, a worker on a database with concurrent transactions
    (PostgreSQL) would look before the work is visible and then sleep a
    whole poll interval.
    """
    if session.info.get("notify_work"):
        return
    session.info["notify_work"] = True
    event.listen(session, "after_commit", _committed, once=True)


def _committed(session: Session) -> None:
    session.info.pop("notify_work", None)
    notify_work()
