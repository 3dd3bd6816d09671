"""Per-connector request rate limits shared by a worker's threads.

Writes and reads draw from one budget unless the app documents a separate
budget for reads (AWS IAM Identity Center allows 25 writes and 40 reads per
second), in which case each has its own.
"""

import threading
import time


# Limitation: the limit holds per worker process; several worker processes
# each apply it in full.
class RateLimiter:
    """Token bucket: ``rate`` requests per second, bursts up to ``rate``."""

    def __init__(self, rate: float) -> None:
        self.rate = max(rate, 0.01)
        self._capacity = max(1.0, self.rate)
        self._tokens = self._capacity
        self._updated = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Block until one request may be sent."""
        while True:
            with self._lock:
                now = time.monotonic()
                self._tokens = min(
                    self._capacity, self._tokens + (now - self._updated) * self.rate
                )
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self.rate
            time.sleep(wait)


class RequestLimits:
    """The write budget, and the read budget when the app gives reads one."""

    def __init__(self, rate: float, read_rate: float | None = None) -> None:
        self.writes = RateLimiter(rate)
        self.reads = RateLimiter(read_rate) if read_rate else self.writes

    def acquire(self) -> None:
        """Block until one write (or any request, with one budget) may go."""
        self.writes.acquire()

    def acquire_read(self) -> None:
        """Block until one read may go."""
        self.reads.acquire()
