"""How fast users reach an app: the initial sync, single changes, and an
unpublish that deletes everyone.

For SQLite, and PostgreSQL when SCIMLINK_TEST_POSTGRES_URL (or the default
local server) answers, in a scratch database dropped afterwards: starts
PyPI's scim2-server and a real `scimlink serve` process (API and embedded
worker, default settings), imports tests/data/people-500.csv, publishes the
directory to a `scim2` connector with the app's default rate limit and
concurrency, then measures

- the seconds until all 500 users are in the app;
- for N single changes of each kind, the latency from the API call
  returning to the change being visible in the app (the app is read
  directly every 10 ms): name update, suspend, reactivate, move out of scope
  (into an unpublished directory), move back in, delete;
- the seconds from an unpublish with deleteUsers until the app is empty.

    .venv/bin/python bench/sync_users.py [--changes 50] [--sqlite-only]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.processes import Installation  # noqa: E402
from tests.support.scim2_server import Scim2Server  # noqa: E402

from bench.databases import databases, default_sqlite  # noqa: E402

PEOPLE = ROOT / "tests" / "data" / "people-500.csv"
POLL = 0.01
CHANGE_TIMEOUT = 60.0
SYNC_TIMEOUT = 900.0
KINDS = ("update", "suspend", "reactivate", "delete", "move out", "move in")


@dataclass
class Figures:
    """What one run measured, on one database."""

    database: str
    users: int = 0
    initial_sync: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    unpublish: float = 0.0


def main() -> None:
    options = _options()
    results = []
    for name, database in databases(default_sqlite, sqlite_only=options.sqlite_only):
        with database() as url, tempfile.TemporaryDirectory() as data_dir:
            installation = Installation(
                Path(data_dir),
                database_url=url,
                poll_seconds=options.poll,
                extra_env={"SCIMLINK_LOG_LEVEL": "warning"},
            )
            try:
                results.append(_run(name, installation, options.changes))
            except BaseException:
                print(installation.report(), file=sys.stderr)
                raise
            finally:
                installation.stop_all()
    _print_table(results, options.changes)


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--changes", type=int, default=50, help="changes per kind")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument(
        "--poll",
        type=float,
        default=0.2,
        help="SCIMLINK_WORKER_POLL_SECONDS for the server (default 0.2)",
    )
    return parser.parse_args()


# --- one run ---------------------------------------------------------------


def _run(database: str, installation: Installation, changes: int) -> Figures:
    figures = Figures(database)
    with Scim2Server() as scim_url:
        app = App(scim_url, "scimlink-test-token")
        token = installation.create_admin()
        server = installation.serve()
        api = httpx.Client(
            base_url=f"{server.url}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=60,
        )
        employees = call(api, "POST", "/directories", json={"name": "Employees"})
        parked = call(api, "POST", "/directories", json={"name": "Parked"})
        report = call(
            api,
            "POST",
            "/users/import",
            params={"directoryId": employees["id"]},
            content=PEOPLE.read_bytes(),
            headers={"Content-Type": "text/csv"},
        )
        figures.users = int(report["created"])
        connector = call(
            api,
            "POST",
            "/connectors",
            json={
                "name": "Bench app",
                "app": "scim2",
                "endpoint": scim_url,
                "token": "scimlink-test-token",
            },
        )
        print(
            f"[{database}] connector: rateLimit {connector['rateLimit']}/s, "
            f"concurrency {connector['concurrency']}",
            flush=True,
        )

        call(
            api,
            "POST",
            f"/connectors/{connector['id']}/publish",
            json={"directoryIds": [employees["id"]]},
        )
        started = time.perf_counter()
        _until(lambda: app.count() == figures.users, SYNC_TIMEOUT, interval=0.05)
        figures.initial_sync = time.perf_counter() - started
        print(
            f"[{database}] {figures.users} users in the app after "
            f"{figures.initial_sync:.1f} s",
            flush=True,
        )
        _until(lambda: _pending(api, connector["id"]) == 0, SYNC_TIMEOUT, 0.1)

        users = call(api, "GET", "/users", params={"limit": changes})["items"]
        figures.latencies = _measure_changes(api, app, users, parked, employees)
        for kind in KINDS:
            print(f"[{database}] {kind}: {_summary(figures.latencies[kind])}")

        call(
            api,
            "POST",
            f"/connectors/{connector['id']}/unpublish",
            json={"deleteUsers": True},
        )
        started = time.perf_counter()
        _until(lambda: app.count() == 0, SYNC_TIMEOUT, interval=0.05)
        figures.unpublish = time.perf_counter() - started
        print(f"[{database}] app empty after {figures.unpublish:.1f} s", flush=True)
        api.close()
        app.close()
        server.stop()
    return figures


@dataclass(frozen=True)
class Change:
    """One kind of single change: the API request, and how the app shows it."""

    kind: str
    method: str
    body: dict[str, Any] | None
    shows: Callable[[dict[str, Any] | None], bool]


def _changes(i: int, parked_id: str, employees_id: str) -> list[Change]:
    """The changes made to the i-th user, in the order they are made."""
    new_name = f"Renamed{i}"
    return [
        Change(
            "update",
            "PATCH",
            {"lastName": new_name},
            lambda a: a is not None and a["name"].get("familyName") == new_name,
        ),
        Change(
            "suspend",
            "PATCH",
            {"status": "suspended"},
            lambda a: a is not None and a.get("active") is False,
        ),
        Change(
            "reactivate",
            "PATCH",
            {"status": "active"},
            lambda a: a is not None and a.get("active") is True,
        ),
        Change("move out", "PATCH", {"directoryId": parked_id}, lambda a: a is None),
        Change(
            "move in", "PATCH", {"directoryId": employees_id}, lambda a: a is not None
        ),
        Change("delete", "DELETE", None, lambda a: a is None),
    ]


def _measure_changes(
    api: httpx.Client,
    app: App,
    users: list[dict[str, Any]],
    parked: dict[str, Any],
    employees: dict[str, Any],
) -> dict[str, list[float]]:
    """One change at a time: wait for each to show before the next."""
    latencies: dict[str, list[float]] = {kind: [] for kind in KINDS}
    for i, user in enumerate(users):
        for change in _changes(i, parked["id"], employees["id"]):
            call(api, change.method, f"/users/{user['id']}", json=change.body)
            latencies[change.kind].append(_until_shown(app, user["email"], change))
    return latencies


def _until_shown(app: App, email: str, change: Change) -> float:
    """Seconds until the app shows the change, reading it every POLL seconds."""
    started = time.perf_counter()
    while not change.shows(app.account(email)):
        if time.perf_counter() - started > CHANGE_TIMEOUT:
            raise SystemExit(f"{change.kind} of {email} not visible in the app")
        time.sleep(POLL)
    return time.perf_counter() - started


# --- reading the app directly ----------------------------------------------


class App:
    """The app's view of users, read straight from the SCIM server."""

    def __init__(self, base_url: str, token: str) -> None:
        self.client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}
        )
        self._ids: dict[str, str] = {}

    def count(self) -> int:
        page = self.client.get("/Users", params={"count": 0}).json()
        return int(page["totalResults"])

    def account(self, user_name: str) -> dict[str, Any] | None:
        """The account by id once known (cheapest), else by a filter."""
        known = self._ids.get(user_name)
        if known is not None:
            response = self.client.get(f"/Users/{known}")
            if response.status_code == 200:
                account: dict[str, Any] = response.json()
                return account
            del self._ids[user_name]
        page = self.client.get(
            "/Users", params={"filter": f'userName eq "{user_name}"'}
        ).json()
        found = page.get("Resources") or []
        if not found:
            return None
        self._ids[user_name] = str(found[0]["id"])
        first: dict[str, Any] = found[0]
        return first

    def close(self) -> None:
        self.client.close()


# --- helpers ---------------------------------------------------------------


def call(api: httpx.Client, method: str, path: str, **kwargs: Any) -> Any:
    response = api.request(method, path, **kwargs)
    if response.status_code >= 300:
        raise SystemExit(f"{method} {path}: {response.status_code} {response.text}")
    return response.json() if response.content else None


def _pending(api: httpx.Client, connector_id: str) -> int:
    return int(call(api, "GET", f"/connectors/{connector_id}/status")["pending"])


def _until(probe: Callable[[], bool], timeout: float, interval: float) -> None:
    deadline = time.perf_counter() + timeout
    while not probe():
        if time.perf_counter() > deadline:
            raise SystemExit(f"not reached within {timeout}s")
        time.sleep(interval)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def _summary(values: list[float]) -> str:
    return (
        f"p50 {statistics.median(values) * 1000:.0f} ms, "
        f"p95 {_percentile(values, 0.95) * 1000:.0f} ms, "
        f"max {max(values) * 1000:.0f} ms"
    )


def _print_table(results: list[Figures], changes: int) -> None:
    print()
    for figures in results:
        print(f"== {figures.database}: {figures.users} users, scim2 connector ==")
        print(f"initial sync, all users in the app   {figures.initial_sync:8.1f} s")
        print(f"unpublish deleteUsers, app empty     {figures.unpublish:8.1f} s")
        print(f"single changes ({changes} of each), API return -> visible in the app:")
        print(f"  {'change':<12}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
        for kind in KINDS:
            values = figures.latencies[kind]
            print(
                f"  {kind:<12}"
                f"{statistics.median(values) * 1000:9.0f}"
                f"{_percentile(values, 0.95) * 1000:9.0f}"
                f"{max(values) * 1000:9.0f}"
            )
        print()


if __name__ == "__main__":
    main()
