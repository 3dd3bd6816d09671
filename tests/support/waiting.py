"""Polling until a condition holds, for tests of asynchronous pushes."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    probe: Callable[[], T], *, timeout: float = 20.0, interval: float = 0.05
) -> T:
    """Return the first truthy value of ``probe``; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: T = probe()
    while not last:
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {last!r}")
        time.sleep(interval)
        last = probe()
    return last
