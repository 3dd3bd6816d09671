"""Prometheus metrics served at /metrics."""

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Counter(
    "scimlink_http_requests_total", "API requests served", ["method", "route", "status"]
)
PUSHES = Counter(
    "scimlink_pushes_total", "Pushes to apps, by outcome", ["app", "event", "status"]
)
PUSH_SECONDS = Histogram("scimlink_push_seconds", "Time to carry out one push", ["app"])
PENDING_TASKS = Gauge("scimlink_pending_tasks", "Pushes waiting in the queue")
