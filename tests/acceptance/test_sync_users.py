"""Users pushed to a real SCIM server (PyPI's scim2-server) end to end."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.support.scim2_server import Scim2Server
from tests.support.scim_app import AppView
from tests.support.waiting import wait_for

pytestmark = pytest.mark.acceptance


def _setup(api: TestClient, server: Scim2Server, count: int) -> dict[str, Any]:
    directory = api.post("/api/v1/directories", json={"name": "Employees"}).json()
    users = []
    for i in range(count):
        response = api.post(
            "/api/v1/users",
            json={
                "directoryId": directory["id"],
                "email": f"person{i}@example.com",
                "firstName": f"Zoë{i}",
                "lastName": "O'Brien",
                "phoneNumber": f"+1 202-555-{i:04d}",
                "attributes": {"department": "Data"},
            },
        )
        assert response.status_code == 201, response.text
        users.append(response.json())
    connector = api.post(
        "/api/v1/connectors",
        json={
            "name": "Test app",
            "app": "scim2",
            "endpoint": server.base_url,
            "token": server.token,
        },
    )
    assert connector.status_code == 201, connector.text
    return {"directory": directory, "users": users, "connector": connector.json()}


def _publish(api: TestClient, setup: dict[str, Any]) -> None:
    response = api.post(
        f"/api/v1/connectors/{setup['connector']['id']}/publish",
        json={"directoryIds": [setup["directory"]["id"]]},
    )
    assert response.status_code == 200, response.text


def test_publish_creates_every_user_once(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """Publishing a directory of 30 users puts exactly those 30 in the app."""
    setup = _setup(live_api, scim_server, 30)
    _publish(live_api, setup)

    wait_for(lambda: len(app_view.users()) == 30)
    users = app_view.users()
    assert set(users) == {f"person{i}@example.com" for i in range(30)}
    alice = users["person3@example.com"]
    assert alice["name"] == {"givenName": "Zoë3", "familyName": "O'Brien"}
    assert alice["emails"][0]["value"] == "person3@example.com"
    assert alice["active"] is True

    connector_id = setup["connector"]["id"]
    status = wait_for(
        lambda: (
            (s := live_api.get(f"/api/v1/connectors/{connector_id}/status").json())
            and s["totalUsers"] == 30
            and s["pending"] == 0
            and s
        )
    )
    assert status["health"] == "in_sync"
    created = live_api.get(
        "/api/v1/events", params={"connectorId": connector_id, "event": "User Created"}
    ).json()
    assert len(created["items"]) == 30
    assert all(e["status"] == "Success" for e in created["items"])


def test_changes_reach_the_app(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """Update, suspend, reactivate and delete each show up in the app."""
    setup = _setup(live_api, scim_server, 2)
    _publish(live_api, setup)
    wait_for(lambda: len(app_view.users()) == 2)
    user_id = setup["users"][0]["id"]

    live_api.patch(f"/api/v1/users/{user_id}", json={"lastName": "García Márquez"})
    wait_for(
        lambda: (
            app_view.users()["person0@example.com"]["name"].get("familyName")
            == "García Márquez"
        )
    )

    live_api.patch(f"/api/v1/users/{user_id}", json={"status": "suspended"})
    wait_for(lambda: app_view.users()["person0@example.com"]["active"] is False)

    live_api.patch(f"/api/v1/users/{user_id}", json={"status": "active"})
    wait_for(lambda: app_view.users()["person0@example.com"]["active"] is True)

    live_api.delete(f"/api/v1/users/{user_id}")
    wait_for(lambda: "person0@example.com" not in app_view.users())
    assert "person1@example.com" in app_view.users()

    deleted = wait_for(
        lambda: live_api.get("/api/v1/events", params={"event": "User Deleted"}).json()[
            "items"
        ]
    )
    assert deleted[0]["user"]["email"] == "person0@example.com"
    assert "deleted" in deleted[0]["activity"]


def test_existing_account_is_adopted_not_duplicated(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """An account already in the app with the same userName is adopted."""
    app_view.client.post(
        "/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "person0@example.com",
            "name": {"givenName": "Old"},
        },
    )
    setup = _setup(live_api, scim_server, 1)
    _publish(live_api, setup)
    wait_for(
        lambda: (
            app_view.users()["person0@example.com"]["name"].get("givenName") == "Zoë0"
        )
    )
    assert len(app_view.users()) == 1


def test_unpublish_with_delete_users_removes_them(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """Unpublish with deleteUsers deletes every user it took out of scope."""
    setup = _setup(live_api, scim_server, 5)
    _publish(live_api, setup)
    wait_for(lambda: len(app_view.users()) == 5)
    response = live_api.post(
        f"/api/v1/connectors/{setup['connector']['id']}/unpublish",
        json={"deleteUsers": True},
    )
    assert response.status_code == 200, response.text
    wait_for(lambda: len(app_view.users()) == 0)


def test_unpublish_without_delete_keeps_users(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """Unpublish without deleteUsers leaves the users in the app, active."""
    setup = _setup(live_api, scim_server, 3)
    _publish(live_api, setup)
    wait_for(lambda: len(app_view.users()) == 3)
    connector_id = setup["connector"]["id"]
    live_api.post(f"/api/v1/connectors/{connector_id}/unpublish", json={})
    wait_for(
        lambda: (
            live_api.get(f"/api/v1/connectors/{connector_id}/status").json()["pending"]
            == 0
        )
    )
    users = app_view.users()
    assert len(users) == 3
    assert all(u["active"] for u in users.values())


def test_reconcile_repairs_drift_in_the_app(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """A reconcile restores an edited account and re-creates a deleted one."""
    setup = _setup(live_api, scim_server, 3)
    _publish(live_api, setup)
    wait_for(lambda: len(app_view.users()) == 3)
    connector_id = setup["connector"]["id"]
    users = app_view.users()
    edited = users["person0@example.com"]
    app_view.client.put(
        f"/Users/{edited['id']}",
        json={**edited, "name": {"givenName": "Tampered", "familyName": "X"}},
    )
    app_view.client.delete(f"/Users/{users['person1@example.com']['id']}")
    before = len(
        live_api.get("/api/v1/events", params={"connectorId": connector_id}).json()[
            "items"
        ]
    )

    response = live_api.post(f"/api/v1/connectors/{connector_id}/sync")
    assert response.status_code == 202
    assert response.json()["queued"] == 3

    wait_for(
        lambda: (
            (u := app_view.users())
            .get("person0@example.com", {})
            .get("name", {})
            .get("givenName")
            == "Zoë0"
            and "person1@example.com" in u
        )
    )
    wait_for(
        lambda: (
            live_api.get(f"/api/v1/connectors/{connector_id}/status").json()["pending"]
            == 0
        )
    )
    assert len(app_view.users()) == 3
    after = live_api.get("/api/v1/events", params={"connectorId": connector_id}).json()[
        "items"
    ]
    # Two repairs are logged; the untouched account costs a read, no entry.
    assert len(after) - before == 2
