"""A user the app's rules refuse is failed alone and reported plainly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.emulators import Emulator, make_emulator
from tests.support.serving import serve
from tests.support.waiting import wait_for

pytestmark = pytest.mark.acceptance

TOKEN = "refusal-token-0123456789"
PREFIX = "/a1b2c3d4-5678/scim/v2"


@pytest.fixture
def aws() -> Iterator[tuple[Emulator, str]]:
    emulator = make_emulator("aws", token=TOKEN, prefix=PREFIX)
    with serve(emulator.asgi) as url:
        yield emulator, f"{url}{PREFIX}"


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_user_without_a_last_name_fails_alone(
    live_api: TestClient, aws: tuple[Emulator, str]
) -> None:
    """AWS requires a family name: that user fails with a readable entry, the
    others arrive, and the status says that something was refused."""
    emulator, endpoint = aws
    staff = _ok(live_api.post("/api/v1/directories", json={"name": "Staff"}), 201)
    for email, last in (("ana@example.com", "Silva"), ("cher@example.com", "")):
        _ok(
            live_api.post(
                "/api/v1/users",
                json={
                    "directoryId": staff["id"],
                    "email": email,
                    "firstName": email.split("@")[0].title(),
                    "lastName": last,
                },
            ),
            201,
        )
    connector = _ok(
        live_api.post(
            "/api/v1/connectors",
            json={"name": "AWS", "app": "aws", "endpoint": endpoint, "token": TOKEN},
        ),
        201,
    )
    url = f"/api/v1/connectors/{connector['id']}"
    _ok(live_api.post(f"{url}/publish", json={"directoryIds": [staff["id"]]}))

    status = wait_for(
        lambda: (s := _ok(live_api.get(f"{url}/status")))["pending"] == 0 and s
    )
    assert (status["totalUsers"], status["failed"]) == (1, 1)
    assert status["health"] == "in_sync"
    assert "1 object was refused" in status["healthDetail"]
    assert [u["userName"] for u in emulator.users.values()] == ["ana@example.com"]

    failed = _ok(
        live_api.get(
            "/api/v1/events",
            params={"connectorId": connector["id"], "status": "Failed"},
        )
    )["items"]
    assert len(failed) == 1
    entry = failed[0]
    assert entry["error"]["reason"] == "missing_required_attribute"
    assert entry["source"]["name"] == "Staff"
    assert "name.familyName" in entry["activity"]
    assert "for this user. It will be retried" in entry["activity"]
