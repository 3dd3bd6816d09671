"""An in-process signal that wakes embedded workers as soon as work is queued.

Workers also poll the database, so other processes and hosts are served too;
the signal only shortens the wait when API and worker share a process.
"""

import threading

_work_queued = threading.Event()


def notify_work() -> None:
    _work_queued.set()


def wait_for_work(timeout: float) -> None:
    _work_queued.wait(timeout)
    _work_queued.clear()
