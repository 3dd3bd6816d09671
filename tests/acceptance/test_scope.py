"""Users entering and leaving a connector's scope, end to end."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.support.scim2_server import Scim2Server
from tests.support.scim_app import AppView
from tests.support.waiting import wait_for

pytestmark = pytest.mark.acceptance


def _post(api: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/api/v1{path}", json=body)
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def _user(api: TestClient, directory_id: str, email: str) -> str:
    body = {
        "directoryId": directory_id,
        "email": email,
        "firstName": "A",
        "lastName": "B",
    }
    return str(_post(api, "/users", body)["id"])


def _connector(api: TestClient, server: Scim2Server, **extra: Any) -> str:
    body = {
        "name": "App",
        "app": "scim2",
        "endpoint": server.base_url,
        "token": server.token,
        **extra,
    }
    return str(_post(api, "/connectors", body)["id"])


def _idle(api: TestClient, connector_id: str) -> None:
    wait_for(
        lambda: (
            api.get(f"/api/v1/connectors/{connector_id}/status").json()["pending"] == 0
        )
    )


def test_sso_assignment_through_a_group_brings_users_in_and_out(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """Users reach the app through a group assigned to a published SSO config."""
    directory = _post(live_api, "/directories", {"name": "Staff"})["id"]
    ana = _user(live_api, directory, "ana@example.com")
    bo = _user(live_api, directory, "bo@example.com")
    _user(live_api, directory, "cy@example.com")
    group = _post(live_api, "/groups", {"directoryId": directory, "name": "Wiki users"})
    _post(live_api, f"/groups/{group['id']}/members", {"userIds": [ana, bo]})
    sso = _post(live_api, "/sso-configs", {"name": "Wiki", "protocol": "saml"})
    _post(
        live_api, f"/sso-configs/{sso['id']}/assignments", {"groupIds": [group["id"]]}
    )
    connector = _connector(live_api, scim_server)
    _post(live_api, f"/connectors/{connector}/publish", {"ssoConfigIds": [sso["id"]]})

    wait_for(lambda: set(app_view.users()) == {"ana@example.com", "bo@example.com"})

    # Leaving the group takes Bo out of scope: deleted (the default action).
    assert (
        live_api.delete(f"/api/v1/groups/{group['id']}/members/{bo}").status_code == 204
    )
    wait_for(lambda: set(app_view.users()) == {"ana@example.com"})

    # A direct assignment brings Cy in.
    cy = live_api.get("/api/v1/users", params={"email": "cy@example.com"}).json()
    _post(
        live_api,
        f"/sso-configs/{sso['id']}/assignments",
        {"userIds": [cy["items"][0]["id"]]},
    )
    wait_for(lambda: set(app_view.users()) == {"ana@example.com", "cy@example.com"})
    _idle(live_api, connector)
    events = live_api.get("/api/v1/events", params={"connectorId": connector}).json()
    sources = {e["source"]["name"] for e in events["items"] if e["source"]}
    assert "Wiki" in sources


def test_moving_a_user_between_directories(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """Moving out of scope deactivates (as configured); moving back reactivates."""
    staff = _post(live_api, "/directories", {"name": "Staff"})["id"]
    alumni = _post(live_api, "/directories", {"name": "Alumni"})["id"]
    ana = _user(live_api, staff, "ana@example.com")
    connector = _connector(live_api, scim_server, deprovision="deactivate")
    _post(live_api, f"/connectors/{connector}/publish", {"directoryIds": [staff]})
    wait_for(lambda: app_view.users().get("ana@example.com", {}).get("active") is True)

    live_api.patch(f"/api/v1/users/{ana}", json={"directoryId": alumni})
    wait_for(lambda: app_view.users()["ana@example.com"]["active"] is False)

    live_api.patch(f"/api/v1/users/{ana}", json={"directoryId": staff})
    wait_for(lambda: app_view.users()["ana@example.com"]["active"] is True)
    assert len(app_view.users()) == 1


def test_same_change_to_two_connectors_is_two_pushes(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """A failing app never delays another connector; each logs its own entry."""
    directory = _post(live_api, "/directories", {"name": "Staff"})["id"]
    _user(live_api, directory, "ana@example.com")
    good = _connector(live_api, scim_server)
    broken = str(
        _post(
            live_api,
            "/connectors",
            {
                "name": "Broken",
                "app": "scim2",
                "endpoint": "http://127.0.0.1:9/scim",
                "token": "x",
            },
        )["id"]
    )
    for connector in (good, broken):
        _post(
            live_api, f"/connectors/{connector}/publish", {"directoryIds": [directory]}
        )

    wait_for(lambda: "ana@example.com" in app_view.users(), timeout=5)
    status = wait_for(
        lambda: (
            (s := live_api.get(f"/api/v1/connectors/{broken}/status").json())
            and s["health"] == "failing"
            and s
        )
    )
    assert "127.0.0.1" in status["healthDetail"]
    failed = wait_for(
        lambda: live_api.get(
            "/api/v1/events", params={"connectorId": broken, "status": "Failed"}
        ).json()["items"]
    )
    assert failed[0]["error"]["reason"] == "refused"
    assert "retrying" in failed[0]["activity"]
    ok = live_api.get(
        "/api/v1/events", params={"connectorId": good, "status": "Success"}
    ).json()["items"]
    assert [e["event"] for e in ok] == ["User Created"]
