"""The connectors API as an admin uses it: configuration, tests, rules, roles."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from tests.support.ports import free_port
from tests.support.scim2_server import Scim2Server
from tests.support.scim_app import AppView
from tests.support.waiting import wait_for

from scimlink.db.engine import make_session_factory, transaction
from scimlink.directory.admins import create_admin

pytestmark = pytest.mark.acceptance

API = "/api/v1"
LOOPBACK_ENDPOINT = "http://127.0.0.1:9/scim/v2"
SECRET = "tok-9f8e7d6c5b4a39281706-SECRET"
APP_KEYS = {
    "aws",
    "apple_business_manager",
    "apple_school_manager",
    "atlassian",
    "auth0",
    "scim2",
}


def _create(api: TestClient, **fields: Any) -> Any:
    body = {
        "name": "Wiki",
        "app": "scim2",
        "endpoint": LOOPBACK_ENDPOINT,
        "token": SECRET,
        **fields,
    }
    return api.post(f"{API}/connectors", json=body)


def _created(api: TestClient, **fields: Any) -> dict[str, Any]:
    response = _create(api, **fields)
    assert response.status_code == 201, response.text
    connector: dict[str, Any] = response.json()
    return connector


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    return problem


def _fields(response: Any, status: int = 422) -> dict[str, str]:
    return {e["field"]: e["message"] for e in _problem(response, status)["errors"]}


def _named_admin(engine: Engine, name: str, role: str) -> str:
    with transaction(make_session_factory(engine)) as session:
        _, token = create_admin(session, name, role)
    return str(token)


# -- create, list, get, update, delete -------------------------------------------------


def test_create_list_get_update_delete(api: TestClient) -> None:
    """A connector goes through its whole configuration life through the API."""
    created = _created(api, deprovision="deactivate", rateLimit=5, concurrency=2)
    assert created["name"] == "Wiki"
    assert created["app"] == "scim2"
    assert created["endpoint"] == LOOPBACK_ENDPOINT
    assert created["groupExport"] is False
    assert created["deprovision"] == "deactivate"
    assert created["directories"] == [] and created["ssoConfigs"] == []
    assert created["totalUsers"] == 0 and created["totalGroups"] == 0
    assert created["health"] == "in_sync"
    url = f"{API}/connectors/{created['id']}"

    other = _created(api, name="CRM", app="atlassian")
    listed = api.get(f"{API}/connectors").json()
    assert {c["id"] for c in listed["items"]} == {created["id"], other["id"]}
    assert listed["nextCursor"] is None
    assert api.get(url).json() == created

    updated = api.patch(url, json={"name": "Team wiki", "groupExport": True})
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Team wiki"
    assert updated.json()["groupExport"] is True
    assert updated.json()["deprovision"] == "deactivate"
    assert api.get(url).json()["name"] == "Team wiki"

    assert api.delete(url).status_code == 204
    assert _problem(api.get(url), 404)
    assert [c["id"] for c in api.get(f"{API}/connectors").json()["items"]] == [
        other["id"]
    ]


def test_names_are_unique(api: TestClient) -> None:
    """A second connector with a taken name is a conflict naming the field."""
    _created(api)
    assert "name" in _fields(_create(api, app="aws"), 409)
    assert len(api.get(f"{API}/connectors").json()["items"]) == 1


def test_app_cannot_change(api: TestClient) -> None:
    """Changing a connector's app is refused; the connector keeps its app."""
    connector = _created(api)
    url = f"{API}/connectors/{connector['id']}"
    assert "app" in _fields(api.patch(url, json={"app": "aws"}))
    assert api.get(url).json()["app"] == "scim2"


# -- tokens ----------------------------------------------------------------------------


def test_token_is_never_returned(api: TestClient) -> None:
    """Every answer carries a masked tokenHint and never the token itself."""
    connector = _created(api)
    url = f"{API}/connectors/{connector['id']}"
    answers = [
        connector,
        api.get(url).json(),
        api.get(f"{API}/connectors").json(),
        api.patch(url, json={"name": "Renamed"}).json(),
    ]
    for answer in answers:
        assert SECRET not in json.dumps(answer)
    assert "token" not in connector
    assert connector["tokenHint"]
    assert connector["tokenHint"] != SECRET
    assert len(connector["tokenHint"]) < len(SECRET) / 2

    new_secret = "another-secret-0123456789-abcdef"
    changed = api.patch(url, json={"token": new_secret}).json()
    assert new_secret not in json.dumps(changed)
    assert changed["tokenHint"] != connector["tokenHint"]


def test_stored_token_is_encrypted(api: TestClient, engine: Engine) -> None:
    """The connectors table holds no plaintext token, only a ciphertext."""
    connector = _created(api)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM connectors")).mappings().all()
    assert len(rows) == 1
    row = dict(rows[0])
    assert row["id"] == connector["id"]
    assert all(SECRET not in str(value) for value in row.values())
    assert SECRET[:12] not in str(row)
    assert row["token_encrypted"]


# -- test connection -------------------------------------------------------------------


def test_connection_test_succeeds_saved_and_unsaved(api: TestClient) -> None:
    """Against scim2-server both tests succeed and report the capabilities."""
    with Scim2Server() as base_url:
        unsaved = api.post(
            f"{API}/connectors/test",
            json={"app": "scim2", "endpoint": base_url, "token": "scimlink-test-token"},
        )
        connector = _created(api, endpoint=base_url, token="scimlink-test-token")
        saved = api.post(f"{API}/connectors/{connector['id']}/test")

    for response in (unsaved, saved):
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["ok"] is True
        assert result["reason"] == "success"
        assert result["capabilities"]["patch"] is True
        assert result["capabilities"]["filter"] is True
        assert "scimlink-test-token" not in response.text


def test_connection_test_reports_a_rejected_token(api: TestClient) -> None:
    """A wrong token is reported as unauthorized, saved or not."""
    with Scim2Server(token="the-right-token") as base_url:
        unsaved = api.post(
            f"{API}/connectors/test",
            json={"app": "scim2", "endpoint": base_url, "token": "a-wrong-token"},
        )
        connector = _created(api, endpoint=base_url, token="a-wrong-token")
        saved = api.post(f"{API}/connectors/{connector['id']}/test")

    for response in (unsaved, saved):
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["ok"] is False
        assert result["reason"] == "unauthorized"
        assert result["status"] == 401
        assert result["message"]


def test_connection_test_reports_a_closed_port(api: TestClient) -> None:
    """Nothing listening on the port is reported as a refused connection."""
    endpoint = f"http://127.0.0.1:{free_port()}/scim/v2"
    unsaved = api.post(
        f"{API}/connectors/test",
        json={"app": "scim2", "endpoint": endpoint, "token": SECRET},
    )
    connector = _created(api, endpoint=endpoint)
    saved = api.post(f"{API}/connectors/{connector['id']}/test")

    for response in (unsaved, saved):
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["ok"] is False
        assert result["reason"] == "refused"
        assert SECRET not in response.text


# -- rules on what is saved ------------------------------------------------------------


def test_https_is_required_except_on_loopback(api: TestClient) -> None:
    """A plain-http endpoint off loopback is refused, naming endpoint and https."""
    message = _fields(_create(api, endpoint="http://example.com/scim"))["endpoint"]
    assert "https" in message
    assert api.get(f"{API}/connectors").json()["items"] == []

    unsaved = api.post(
        f"{API}/connectors/test",
        json={"endpoint": "http://example.com/scim", "token": SECRET},
    )
    assert "endpoint" in _fields(unsaved)

    connector = _created(api, endpoint="https://scim.example.com/scim/v2")
    url = f"{API}/connectors/{connector['id']}"
    assert "endpoint" in _fields(
        api.patch(url, json={"endpoint": "http://example.com/scim"})
    )
    assert api.get(url).json()["endpoint"] == "https://scim.example.com/scim/v2"

    for loopback in ("http://127.0.0.1:8080/scim", "http://localhost:8080/scim"):
        assert api.patch(url, json={"endpoint": loopback}).status_code == 200


def test_sso_configuration_links_to_one_connector(api: TestClient) -> None:
    """A second connector publishing a held SSO configuration gets a 409 naming it."""
    sso = api.post(f"{API}/sso-configs", json={"name": "Wiki SSO", "protocol": "saml"})
    assert sso.status_code == 201, sso.text
    sso_id = sso.json()["id"]
    holder = _created(api, name="Holder")
    second = _created(api, name="Second")

    first = api.post(
        f"{API}/connectors/{holder['id']}/publish", json={"ssoConfigIds": [sso_id]}
    )
    assert first.status_code == 200, first.text
    assert first.json()["ssoConfigs"] == [{"id": sso_id, "name": "Wiki SSO"}]

    refused = api.post(
        f"{API}/connectors/{second['id']}/publish", json={"ssoConfigIds": [sso_id]}
    )
    problem = _problem(refused, 409)
    assert "Holder" in problem["detail"]
    assert problem["errors"][0]["field"] == "ssoConfigIds[0]"
    assert api.get(f"{API}/connectors/{second['id']}").json()["ssoConfigs"] == []

    again = api.post(
        f"{API}/connectors/{holder['id']}/publish", json={"ssoConfigIds": [sso_id]}
    )
    assert again.status_code == 200, again.text


@pytest.mark.parametrize("app", ["apple_business_manager", "auth0"])
def test_group_export_refused_for_users_only_apps(api: TestClient, app: str) -> None:
    """Apps without groups refuse group export on create and on update."""
    assert "groupExport" in _fields(_create(api, app=app, groupExport=True))
    connector = _created(api, app=app)
    url = f"{API}/connectors/{connector['id']}"
    assert "groupExport" in _fields(api.patch(url, json={"groupExport": True}))
    assert api.get(url).json()["groupExport"] is False


def test_unknown_app_lists_the_valid_keys(api: TestClient) -> None:
    """An unknown app is a 422 on `app` whose message lists every valid key."""
    message = _fields(_create(api, app="salesforce"))["app"]
    assert "salesforce" in message
    for key in APP_KEYS:
        assert key in message
    unsaved = api.post(
        f"{API}/connectors/test",
        json={"app": "salesforce", "endpoint": LOOPBACK_ENDPOINT, "token": SECRET},
    )
    assert "app" in _fields(unsaved)


def test_apps_lists_the_six_profiles(api: TestClient) -> None:
    """GET /apps describes each profile with the fields the console needs."""
    response = api.get(f"{API}/apps")
    assert response.status_code == 200, response.text
    apps = {app["key"]: app for app in response.json()}
    assert set(apps) == APP_KEYS
    for app in apps.values():
        assert app["name"]
        assert isinstance(app["supportsGroups"], bool)
        assert app["defaultMapping"][0] == {
            "source": "user.email",
            "target": "username",
        }
        assert "userName" in app["requiredAttributes"]
    assert {k for k, a in apps.items() if a["supportsGroups"]} == {
        "aws",
        "atlassian",
        "scim2",
    }
    assert "name.familyName" in apps["aws"]["requiredAttributes"]


def test_last_updated_by_records_the_admin(api: TestClient, engine: Engine) -> None:
    """Each change records the admin who made it."""
    first = _named_admin(engine, "ada-admin", "admin")
    second = _named_admin(engine, "grace-owner", "owner")
    created = api.post(
        f"{API}/connectors",
        json={
            "name": "Wiki",
            "app": "scim2",
            "endpoint": LOOPBACK_ENDPOINT,
            "token": SECRET,
        },
        headers={"Authorization": f"Bearer {first}"},
    ).json()
    assert created["lastUpdatedBy"] == "ada-admin"

    url = f"{API}/connectors/{created['id']}"
    updated = api.patch(
        url,
        json={"deprovision": "deactivate"},
        headers={"Authorization": f"Bearer {second}"},
    )
    assert updated.json()["lastUpdatedBy"] == "grace-owner"
    assert api.get(url).json()["lastUpdatedBy"] == "grace-owner"

    directory = api.post(f"{API}/directories", json={"name": "Staff"}).json()
    published = api.post(
        f"{url}/publish",
        json={"directoryIds": [directory["id"]]},
        headers={"Authorization": f"Bearer {first}"},
    )
    assert published.json()["lastUpdatedBy"] == "ada-admin"


def test_viewer_cannot_change_connectors(api: TestClient, viewer_token: str) -> None:
    """A viewer reads connectors but gets 403 on every write, and nothing changes."""
    connector = _created(api, app="aws")
    url = f"{API}/connectors/{connector['id']}"
    group = api.post(f"{API}/directories", json={"name": "Staff"}).json()
    user = api.post(
        f"{API}/users", json={"directoryId": group["id"], "email": "v@example.com"}
    ).json()
    viewer = {"Authorization": f"Bearer {viewer_token}"}
    writes: list[tuple[str, str, dict[str, Any] | None]] = [
        (
            "POST",
            f"{API}/connectors",
            {"name": "X", "app": "scim2", "endpoint": LOOPBACK_ENDPOINT, "token": "t"},
        ),
        (
            "POST",
            f"{API}/connectors/test",
            {"endpoint": LOOPBACK_ENDPOINT, "token": "t"},
        ),
        ("PATCH", url, {"name": "Hijacked"}),
        ("PUT", url, {"name": "Hijacked"}),
        ("DELETE", url, None),
        ("POST", f"{url}/test", None),
        ("POST", f"{url}/publish", {"directoryIds": [group["id"]]}),
        ("POST", f"{url}/unpublish", {}),
        ("POST", f"{url}/groups", {"groupIds": []}),
        ("POST", f"{url}/groups/unassign", {"groupIds": []}),
        ("POST", f"{url}/sync", None),
        ("POST", f"{url}/users/{user['id']}/sync", None),
    ]
    for method, path, body in writes:
        response = api.request(method, path, json=body, headers=viewer)
        assert response.status_code == 403, (method, path, response.text)

    assert api.get(url, headers=viewer).status_code == 200
    assert api.get(url).json() == connector
    assert len(api.get(f"{API}/connectors").json()["items"]) == 1


# -- delete keeps the event log --------------------------------------------------------


def test_delete_keeps_events_and_the_apps_users(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """After delete, the connector's events remain and its users stay in the app."""
    directory = live_api.post(f"{API}/directories", json={"name": "Staff"}).json()
    live_api.post(
        f"{API}/users", json={"directoryId": directory["id"], "email": "k@example.com"}
    )
    connector = _created(
        live_api, endpoint=scim_server.base_url, token=scim_server.token
    )
    live_api.post(
        f"{API}/connectors/{connector['id']}/publish",
        json={"directoryIds": [directory["id"]]},
    )
    events_url = f"{API}/events"
    params = {"connectorId": connector["id"]}
    before = wait_for(lambda: live_api.get(events_url, params=params).json()["items"])

    assert live_api.delete(f"{API}/connectors/{connector['id']}").status_code == 204
    after = live_api.get(events_url, params=params).json()["items"]
    assert [e["id"] for e in after] == [e["id"] for e in before]
    assert after[0]["event"] == "User Created"
    assert after[0]["destination"] == {
        "connectorId": connector["id"],
        "name": "Wiki",
        "app": "scim2",
    }
    assert live_api.get(f"{events_url}/{after[0]['id']}").status_code == 200
    assert "k@example.com" in app_view.users()


def test_unpublish_and_unassign_name_what_is_not_linked(api: TestClient) -> None:
    """Unlinking what the connector does not hold is refused and changes nothing."""
    directory = api.post(f"{API}/directories", json={"name": "Staff"}).json()
    connector = _created(api, groupExport=True)
    url = f"{API}/connectors/{connector['id']}"
    assert (
        api.post(f"{url}/publish", json={"directoryIds": [directory["id"]]}).status_code
        == 200
    )

    errors = _fields(
        api.post(
            f"{url}/unpublish",
            json={"directoryIds": [directory["id"], "no-such-directory"]},
        )
    )
    assert "no-such-directory" in errors["directoryIds[1]"]
    errors = _fields(api.post(f"{url}/unpublish", json={"ssoConfigIds": ["nope"]}))
    assert "nope" in errors["ssoConfigIds[0]"]
    errors = _fields(api.post(f"{url}/groups/unassign", json={"groupIds": ["nope"]}))
    assert "not assigned" in errors["groupIds[0]"]
    errors = _fields(api.post(f"{url}/unpublish", json={"deleteUsers": "yes"}))
    assert "deleteUsers" in errors

    held = api.get(url).json()
    assert [d["id"] for d in held["directories"]] == [directory["id"]]


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:abc/v2",
        "http://127.0.0.1:99999/v2",
        "http://127.0.0.1:8000/v2 x",
        "https://scim.example.com/scim/v2/Users",
    ],
)
def test_malformed_endpoints_are_refused(api: TestClient, endpoint: str) -> None:
    """A bad port, blanks or a resource path is a 422 on endpoint, saved or not."""
    assert "endpoint" in _fields(_create(api, endpoint=endpoint))
    unsaved = api.post(
        f"{API}/connectors/test",
        json={"app": "scim2", "endpoint": endpoint, "token": SECRET},
    )
    assert "endpoint" in _fields(unsaved)
    assert api.get(f"{API}/connectors").json()["items"] == []


def test_connection_test_refuses_an_empty_token(api: TestClient) -> None:
    """An empty token is a 422 on token, not a failed network call."""
    response = api.post(
        f"{API}/connectors/test",
        json={"app": "scim2", "endpoint": LOOPBACK_ENDPOINT, "token": " "},
    )
    assert "token" in _fields(response)
