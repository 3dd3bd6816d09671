"""Request budgets: one shared budget, or separate ones for reads and writes."""

from scimlink.sync.ratelimit import RateLimiter, RequestLimits


def test_one_budget_is_shared_by_reads_and_writes() -> None:
    """Without a read rate, reads draw from the write budget."""
    limits = RequestLimits(5.0)
    assert limits.reads is limits.writes


def test_reads_get_their_own_budget() -> None:
    """With a read rate, reads leave the write budget untouched."""
    limits = RequestLimits(25.0, 40.0)
    assert limits.reads is not limits.writes
    assert (limits.writes.rate, limits.reads.rate) == (25.0, 40.0)
    for _ in range(40):
        limits.acquire_read()
    assert limits.writes._tokens == 25.0


def test_bucket_allows_a_burst_of_its_rate() -> None:
    """A fresh bucket lets `rate` requests through without waiting."""
    limiter = RateLimiter(3.0)
    for _ in range(3):
        limiter.acquire()
    assert limiter._tokens < 1
