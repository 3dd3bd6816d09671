"""How long a group of 10,000 members takes to reach an app.

For SQLite, and PostgreSQL when SCIMLINK_TEST_POSTGRES_URL (or the default
local server) answers, in a scratch database dropped afterwards: serves the
strict AWS IAM Identity Center emulator of the test suite on loopback (it
refuses more than 100 member changes per request and any replacement of all
members), starts a real `scimlink serve` process, imports
tests/data/people-10k.csv into one directory and puts every user in one
group. Then, with an `aws` connector whose rate limit is raised so that the
emulator, not the limit, is measured:

- publishes the directory and times until all users are in the app;
- assigns the group and times until the app's group holds every member;
- counts the member-changing requests and the largest one.

    .venv/bin/python bench/sync_group.py [--sqlite-only] [--rate 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.emulators import Emulator, make_emulator  # noqa: E402
from tests.support.processes import Installation  # noqa: E402
from tests.support.serving import serve  # noqa: E402

from bench.databases import databases, default_sqlite  # noqa: E402
from bench.sync_users import call  # noqa: E402

PEOPLE = ROOT / "tests" / "data" / "people-10k.csv"
TOKEN = "bench-emulator-token"
PREFIX = "/0123abcd-bench/scim/v2"
TIMEOUT = 1800.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument(
        "--rate", type=float, default=500.0, help="connector requests per second"
    )
    options = parser.parse_args()

    rows = []
    for name, database in databases(default_sqlite, sqlite_only=options.sqlite_only):
        with database() as url, tempfile.TemporaryDirectory() as data_dir:
            installation = Installation(
                Path(data_dir),
                database_url=url,
                extra_env={"SCIMLINK_LOG_LEVEL": "warning"},
            )
            try:
                rows.append((name, *_run(name, installation, options.rate)))
            except BaseException:
                print(installation.report(), file=sys.stderr)
                raise
            finally:
                installation.stop_all()

    print()
    print(
        f"{'database':<12}{'members':>8}{'users s':>9}{'group s':>9}"
        f"{'requests':>10}{'largest':>9}{'refused':>9}"
    )
    for name, members, users_s, group_s, requests, largest, refused in rows:
        print(
            f"{name:<12}{members:>8}{users_s:>9.1f}{group_s:>9.1f}"
            f"{requests:>10}{largest:>9}{refused:>9}"
        )


def _run(
    database: str, installation: Installation, rate: float
) -> tuple[int, float, float, int, int, int]:
    emulator = make_emulator("aws", token=TOKEN, prefix=PREFIX)
    with serve(emulator.asgi) as base:
        token = installation.create_admin()
        server = installation.serve()
        api = httpx.Client(
            base_url=f"{server.url}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        directory = call(api, "POST", "/directories", json={"name": "Everyone"})
        call(
            api,
            "POST",
            "/users/import",
            params={"directoryId": directory["id"]},
            content=PEOPLE.read_bytes(),
            headers={"Content-Type": "text/csv"},
        )
        user_ids = _all_user_ids(api)
        group = call(
            api,
            "POST",
            "/groups",
            json={"directoryId": directory["id"], "name": "All staff"},
        )
        call(api, "POST", f"/groups/{group['id']}/members", json={"userIds": user_ids})
        connector = call(
            api,
            "POST",
            "/connectors",
            json={
                "name": "Bench AWS",
                "app": "aws",
                "endpoint": f"{base}{PREFIX}",
                "token": TOKEN,
                "groupExport": True,
                "rateLimit": rate,
                "concurrency": 16,
            },
        )

        call(
            api,
            "POST",
            f"/connectors/{connector['id']}/publish",
            json={"directoryIds": [directory["id"]]},
        )
        started = time.perf_counter()
        _until(lambda: _status(api, connector["id"])["pending"] == 0)
        users_seconds = time.perf_counter() - started
        # Users without a first or last name are refused: AWS requires both.
        refused = _status(api, connector["id"])["failed"]
        print(
            f"[{database}] {len(emulator.users)} users in the app after "
            f"{users_seconds:.1f} s; {refused} refused for missing names",
            flush=True,
        )

        call(
            api,
            "POST",
            f"/connectors/{connector['id']}/groups",
            json={"groupIds": [group["id"]]},
        )
        started = time.perf_counter()
        _until(lambda: _members(emulator) >= len(emulator.users))
        group_seconds = time.perf_counter() - started
        print(
            f"[{database}] group of {_members(emulator)} members in the app "
            f"after {group_seconds:.1f} s",
            flush=True,
        )

        sizes = _member_request_sizes(emulator)
        api.close()
        server.stop()
    return (
        _members(emulator),
        users_seconds,
        group_seconds,
        len(sizes),
        max(sizes, default=0),
        len(emulator.shape_rejections),
    )


def _status(api: httpx.Client, connector_id: str) -> dict[str, Any]:
    status: dict[str, Any] = call(api, "GET", f"/connectors/{connector_id}/status")
    return status


def _all_user_ids(api: httpx.Client) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 500}
        if cursor:
            params["cursor"] = cursor
        page = call(api, "GET", "/users", params=params)
        ids += [user["id"] for user in page["items"]]
        cursor = page.get("nextCursor")
        if not cursor:
            return ids


def _members(emulator: Emulator) -> int:
    groups = list(emulator.groups)
    return len(emulator.members_of(groups[0])) if groups else 0


def _member_request_sizes(emulator: Emulator) -> list[int]:
    """Member changes carried by each group request that changed members."""
    return [
        request.member_changes
        for request in emulator.requests
        if request.resource_type == "Group" and request.member_changes
    ]


def _until(probe: Callable[[], bool]) -> None:
    deadline = time.perf_counter() + TIMEOUT
    while not probe():
        if time.perf_counter() > deadline:
            raise SystemExit(f"not reached within {TIMEOUT}s")
        time.sleep(0.5)


if __name__ == "__main__":
    main()
