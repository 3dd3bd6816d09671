"""A slow app with a long backlog never delays another connector's changes.

Two connectors, each to its own emulated SCIM 2.0 app: one app answers every
request only after a pause and has hundreds of users still to create; the
other must still receive a new user within seconds.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.emulators import Emulator, make_emulator
from tests.support.serving import serve
from tests.support.waiting import wait_for

pytestmark = pytest.mark.acceptance

TOKEN = "isolation-token-0123456789"
BACKLOG = 300
# What the product aims for: a change reaches its app within seconds.
REACH_SECONDS = 5.0


@pytest.fixture
def slow_app() -> Iterator[tuple[Emulator, str]]:
    emulator = make_emulator("scim2_strict", token=TOKEN, prefix="/scim/v2")
    emulator.delay(0.2)
    with serve(emulator.asgi) as url:
        yield emulator, f"{url}/scim/v2"
        emulator.delay(0)


@pytest.fixture
def fast_app() -> Iterator[tuple[Emulator, str]]:
    emulator = make_emulator("scim2_strict", token=TOKEN, prefix="/scim/v2")
    with serve(emulator.asgi) as url:
        yield emulator, f"{url}/scim/v2"


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def _connector(api: TestClient, name: str, endpoint: str, directory: str) -> str:
    connector = _ok(
        api.post(
            "/api/v1/connectors",
            json={"name": name, "app": "scim2", "endpoint": endpoint, "token": TOKEN},
        ),
        201,
    )
    _ok(
        api.post(
            f"/api/v1/connectors/{connector['id']}/publish",
            json={"directoryIds": [directory]},
        )
    )
    return str(connector["id"])


def test_slow_backlog_does_not_delay_another_connector(
    live_api: TestClient,
    slow_app: tuple[Emulator, str],
    fast_app: tuple[Emulator, str],
) -> None:
    """A user for the fast app arrives while the slow app's backlog waits."""
    slow, slow_endpoint = slow_app
    fast, fast_endpoint = fast_app
    crowd = _ok(live_api.post("/api/v1/directories", json={"name": "Crowd"}), 201)
    rows = "\n".join(f"p{i:04d}@example.com,P{i},Backlog" for i in range(BACKLOG))
    _ok(
        live_api.post(
            "/api/v1/users/import",
            params={"directoryId": crowd["id"]},
            content=f"email,firstName,lastName\n{rows}\n".encode(),
            headers={"Content-Type": "text/csv"},
        )
    )
    _connector(live_api, "Slow app", slow_endpoint, crowd["id"])
    wait_for(lambda: len(slow.users) >= 1, timeout=REACH_SECONDS)

    few = _ok(live_api.post("/api/v1/directories", json={"name": "Few"}), 201)
    _ok(
        live_api.post(
            "/api/v1/users",
            json={"directoryId": few["id"], "email": "quick@example.com"},
        ),
        201,
    )
    started = time.monotonic()
    _connector(live_api, "Fast app", fast_endpoint, few["id"])
    wait_for(
        lambda: any(u["userName"] == "quick@example.com" for u in fast.users.values()),
        timeout=REACH_SECONDS,
    )

    assert time.monotonic() - started < REACH_SECONDS
    # The slow app is still working through its backlog: it was not drained
    # first, and the fast connector did not wait for it.
    assert len(slow.users) < BACKLOG
