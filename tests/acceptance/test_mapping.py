"""Attribute mapping as an admin uses it through the API, end to end."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.emulators import Emulator, make_emulator
from tests.support.scim2_server import Scim2Server
from tests.support.scim_app import AppView
from tests.support.serving import serve
from tests.support.waiting import wait_for

pytestmark = pytest.mark.acceptance

API = "/api/v1"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LOOPBACK_ENDPOINT = "http://127.0.0.1:9/scim/v2"

DEFAULT_ROWS = [
    {"source": "user.email", "target": "username"},
    {"source": "user.email", "target": "email"},
    {"source": "user.firstName", "target": "firstName"},
    {"source": "user.lastName", "target": "lastName"},
    {"source": "user.phoneNumber", "target": "phoneNumber"},
]

CUSTOM_ROWS = [
    {"source": "lower(user.email)", "target": "userName"},
    {"source": "user.email", "target": "email"},
    {"source": "user.firstName", "target": "name.givenName"},
    {"source": "user.lastName", "target": "name.familyName"},
    {"source": 'join(" ", user.firstName, user.lastName)', "target": "displayName"},
    {"source": "user.phoneNumber", "target": "phoneNumber"},
    {"source": "user.custom.department", "target": f"{ENTERPRISE}:department"},
    {"source": "user.custom.employeeNumber", "target": "employeeNumber"},
    {"source": "user.custom.costCenter", "target": f"{ENTERPRISE}:costCenter"},
    {"source": "user.custom.mobile", "target": 'phoneNumbers[type eq "mobile"].value'},
    {"source": "user.custom.city", "target": 'addresses[type eq "work"].locality'},
    {"source": "user.custom.manager", "target": f"{ENTERPRISE}:manager.value"},
]


# -- helpers ---------------------------------------------------------------------------


def _directory(api: TestClient, name: str = "Employees") -> str:
    response = api.post(f"{API}/directories", json={"name": name})
    assert response.status_code == 201, response.text
    directory_id: str = response.json()["id"]
    return directory_id


def _user(api: TestClient, directory_id: str, email: str, **fields: Any) -> str:
    body = {"directoryId": directory_id, "email": email, **fields}
    response = api.post(f"{API}/users", json=body)
    assert response.status_code == 201, response.text
    user_id: str = response.json()["id"]
    return user_id


def _connector(
    api: TestClient,
    endpoint: str,
    token: str,
    *,
    app: str = "scim2",
    name: str = "Test app",
    **extra: Any,
) -> dict[str, Any]:
    body = {"name": name, "app": app, "endpoint": endpoint, "token": token, **extra}
    response = api.post(f"{API}/connectors", json=body)
    assert response.status_code == 201, response.text
    connector: dict[str, Any] = response.json()
    return connector


def _publish(api: TestClient, connector_id: str, directory_id: str) -> None:
    response = api.post(
        f"{API}/connectors/{connector_id}/publish",
        json={"directoryIds": [directory_id]},
    )
    assert response.status_code == 200, response.text


def _settled(api: TestClient, connector_id: str, synced: int) -> None:
    """Wait until `synced` users are in the app and nothing is pending."""

    last: dict[str, Any] = {}

    def settled() -> bool:
        last.update(api.get(f"{API}/connectors/{connector_id}/status").json())
        return bool(last["totalUsers"] == synced and last["pending"] == 0)

    try:
        wait_for(settled)
    except AssertionError as error:
        raise AssertionError(f"connector never settled: {last}") from error


def _events(api: TestClient, connector_id: str, event: str) -> list[dict[str, Any]]:
    response = api.get(
        f"{API}/events", params={"connectorId": connector_id, "event": event}
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _errors(response: Any) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def _has_empty_value(value: Any) -> bool:
    if value is None or value == [] or value == {} or value == "":
        return True
    if isinstance(value, dict):
        return any(_has_empty_value(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_empty_value(v) for v in value)
    return False


def _app_user(view: AppView, user_name: str) -> dict[str, Any]:
    return view.users().get(user_name, {})


@pytest.fixture
def emulator() -> Iterator[tuple[Emulator, str]]:
    """A strict SCIM 2.0 emulator that records every request it answers."""
    app = make_emulator("scim2_strict", token="emulator-token")
    with serve(app.asgi) as base_url:
        yield app, base_url


# -- defaults and editing --------------------------------------------------------------


def test_every_app_gets_its_default_mapping_on_create(api: TestClient) -> None:
    """Each of the six apps starts from §4's rows plus what its profile requires."""
    apps = api.get(f"{API}/apps").json()
    assert len(apps) == 6
    for index, app in enumerate(apps):
        connector = _connector(
            api, LOOPBACK_ENDPOINT, "t0ken", app=app["key"], name=f"c{index}"
        )
        assert connector["mapping"] == app["defaultMapping"]
        assert connector["mapping"][: len(DEFAULT_ROWS)] == DEFAULT_ROWS
        stored = api.get(f"{API}/connectors/{connector['id']}").json()
        assert stored["mapping"] == app["defaultMapping"]

    aws = next(a for a in apps if a["key"] == "aws")
    assert {
        "source": 'join(" ", user.firstName, user.lastName)',
        "target": "displayName",
    } in aws["defaultMapping"]


def test_rows_are_added_edited_and_removed(api: TestClient) -> None:
    """PATCH with a new mapping adds, edits and removes rows, and GET shows it."""
    connector = _connector(api, LOOPBACK_ENDPOINT, "t0ken")
    url = f"{API}/connectors/{connector['id']}"

    added = [*DEFAULT_ROWS, {"source": "user.custom.title", "target": "title"}]
    assert api.patch(url, json={"mapping": added}).status_code == 200
    assert api.get(url).json()["mapping"] == added

    edited = [dict(row) for row in added]
    edited[2] = {"source": "upper(user.firstName)", "target": "firstName"}
    assert api.patch(url, json={"mapping": edited}).status_code == 200
    assert api.get(url).json()["mapping"] == edited

    removed = [row for row in edited if row["target"] != "phoneNumber"]
    assert api.patch(url, json={"mapping": removed}).status_code == 200
    assert api.get(url).json()["mapping"] == removed


# -- validation on save ----------------------------------------------------------------

BAD_ROWS = [
    pytest.param(
        {"source": "user.nickname", "target": "nickName"},
        "source",
        "user.nickname",
        id="unknown-source",
    ),
    pytest.param(
        {"source": "user.custom.", "target": "title"},
        "source",
        "custom attribute key",
        id="malformed-source",
    ),
    pytest.param(
        {"source": "user.email", "target": "name..givenName"},
        "target",
        "not a valid SCIM attribute path",
        id="malformed-path",
    ),
    pytest.param(
        {"source": "user.email", "target": "favouriteColour"},
        "target",
        "favouriteColour",
        id="unknown-target",
    ),
    pytest.param(
        {"source": "user.email", "target": "id"}, "target", "read-only", id="id"
    ),
    pytest.param(
        {"source": "user.email", "target": "meta"}, "target", "read-only", id="meta"
    ),
    pytest.param(
        {"source": "user.custom.groups", "target": "groups"},
        "target",
        "read-only",
        id="groups",
    ),
    pytest.param(
        {"source": "user.firstName", "target": "userName"},
        "target",
        "row 1",
        id="same-target-twice",
    ),
]


@pytest.mark.parametrize(("row", "field", "says"), BAD_ROWS)
def test_bad_row_refused_on_create_and_update(
    api: TestClient, row: dict[str, str], field: str, says: str
) -> None:
    """A bad row is named by index and field; nothing is stored either way."""
    mapping = [*DEFAULT_ROWS, row]
    where = f"mapping[{len(DEFAULT_ROWS)}].{field}"

    refused = api.post(
        f"{API}/connectors",
        json={
            "name": "Refused",
            "app": "scim2",
            "endpoint": LOOPBACK_ENDPOINT,
            "token": "t0ken",
            "mapping": mapping,
        },
    )
    errors = _errors(refused)
    assert list(errors) == [where]
    assert says in errors[where]
    assert api.get(f"{API}/connectors").json()["items"] == []

    connector = _connector(api, LOOPBACK_ENDPOINT, "t0ken")
    url = f"{API}/connectors/{connector['id']}"
    errors = _errors(api.patch(url, json={"mapping": mapping}))
    assert list(errors) == [where]
    assert says in errors[where]
    assert api.get(url).json()["mapping"] == DEFAULT_ROWS


def test_every_bad_row_gets_its_own_message(api: TestClient) -> None:
    """Several bad rows in one save give one precise error each, in row order."""
    connector = _connector(api, LOOPBACK_ENDPOINT, "t0ken")
    url = f"{API}/connectors/{connector['id']}"
    mapping = [
        *DEFAULT_ROWS,
        {"source": "user.nickname", "target": "nickName"},
        {"source": "user.custom.title", "target": "meta"},
        {"source": "user.custom.title", "target": "title"},
        {"source": "user.custom.title", "target": "title"},
    ]
    errors = _errors(api.patch(url, json={"mapping": mapping}))
    assert list(errors) == [
        "mapping[5].source",
        "mapping[6].target",
        "mapping[8].target",
    ]
    assert "row 8" in errors["mapping[8].target"]
    assert api.get(url).json()["mapping"] == DEFAULT_ROWS


def test_unmapped_required_attribute_is_refused(api: TestClient) -> None:
    """Removing the row that writes a required attribute names that attribute."""
    connector = _connector(api, LOOPBACK_ENDPOINT, "t0ken", app="aws")
    url = f"{API}/connectors/{connector['id']}"
    before = api.get(url).json()["mapping"]
    without_family_name = [r for r in before if r["target"] != "lastName"]

    errors = _errors(api.patch(url, json={"mapping": without_family_name}))
    assert list(errors) == ["mapping"]
    assert "name.familyName" in errors["mapping"]
    assert api.get(url).json()["mapping"] == before

    without_user_name = [r for r in DEFAULT_ROWS if r["target"] != "username"]
    refused = api.post(
        f"{API}/connectors",
        json={
            "name": "No userName",
            "app": "scim2",
            "endpoint": LOOPBACK_ENDPOINT,
            "token": "t0ken",
            "mapping": without_user_name,
        },
    )
    assert "userName" in _errors(refused)["mapping"]


def test_second_value_of_a_single_valued_attribute_is_refused(api: TestClient) -> None:
    """AWS takes one phone number: a second phone type is refused on its row."""
    connector = _connector(api, LOOPBACK_ENDPOINT, "t0ken", app="aws")
    url = f"{API}/connectors/{connector['id']}"
    before = api.get(url).json()["mapping"]
    mapping = [
        *before,
        {
            "source": "user.custom.mobile",
            "target": 'phoneNumbers[type eq "mobile"].value',
        },
    ]
    errors = _errors(api.patch(url, json={"mapping": mapping}))
    where = f"mapping[{len(before)}].target"
    assert list(errors) == [where]
    assert "exactly one value of 'phoneNumbers'" in errors[where]
    assert api.get(url).json()["mapping"] == before

    # The same row is fine where the app takes many phone numbers.
    other = _connector(api, LOOPBACK_ENDPOINT, "t0ken", name="Generic")
    mapping = [*other["mapping"], mapping[-1]]
    assert (
        api.patch(
            f"{API}/connectors/{other['id']}", json={"mapping": mapping}
        ).status_code
        == 200
    )


# -- empty values ----------------------------------------------------------------------


def test_unset_attributes_are_left_out_on_create(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """A user without phone or custom values is created without those attributes."""
    directory_id = _directory(live_api)
    _user(live_api, directory_id, "bare@example.com", firstName="Bare")
    connector = _connector(
        live_api, scim_server.base_url, scim_server.token or "", mapping=CUSTOM_ROWS
    )
    _publish(live_api, connector["id"], directory_id)
    _settled(live_api, connector["id"], 1)

    held = _app_user(app_view, "bare@example.com")
    assert "phoneNumbers" not in held
    assert "addresses" not in held
    assert ENTERPRISE not in held
    assert "familyName" not in held["name"]
    assert held["displayName"] == "Bare"

    sent = _events(live_api, connector["id"], "User Created")[0]["details"]["request"]
    assert not _has_empty_value(sent), sent


def test_cleared_values_are_removed_in_the_app(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """Clearing a phone number or a custom attribute removes it in the app."""
    directory_id = _directory(live_api)
    user_id = _user(
        live_api,
        directory_id,
        "ada@example.com",
        firstName="Ada",
        lastName="Lovelace",
        phoneNumber="+44 20 7946 0000",
        attributes={"department": "Analytics", "mobile": "+44 7700 900000"},
    )
    connector = _connector(
        live_api, scim_server.base_url, scim_server.token or "", mapping=CUSTOM_ROWS
    )
    _publish(live_api, connector["id"], directory_id)
    _settled(live_api, connector["id"], 1)
    held = _app_user(app_view, "ada@example.com")
    assert {p["type"] for p in held["phoneNumbers"]} == {"work", "mobile"}
    assert held[ENTERPRISE]["department"] == "Analytics"

    response = live_api.patch(f"{API}/users/{user_id}", json={"phoneNumber": None})
    assert response.status_code == 200, response.text
    assert response.json()["phoneNumber"] is None
    wait_for(
        lambda: (
            [p["type"] for p in _app_user(app_view, "ada@example.com")["phoneNumbers"]]
            == ["mobile"]
        )
    )

    response = live_api.patch(
        f"{API}/users/{user_id}",
        json={"attributes": {"department": None, "mobile": None}},
    )
    assert response.status_code == 200, response.text
    wait_for(lambda: "phoneNumbers" not in _app_user(app_view, "ada@example.com"))
    wait_for(
        lambda: (
            "department"
            not in _app_user(app_view, "ada@example.com").get(ENTERPRISE, {})
        )
    )
    held = _app_user(app_view, "ada@example.com")
    assert held["name"] == {"givenName": "Ada", "familyName": "Lovelace"}
    assert held["emails"][0]["value"] == "ada@example.com"

    for event in _events(live_api, connector["id"], "User Updated"):
        operations = event["details"]["operations"]["Operations"]
        assert all(not _has_empty_value(op.get("value", "x")) for op in operations)


@pytest.mark.parametrize("rules", ["scim2_strict", "scim2_put_only"])
def test_no_request_ever_carries_an_empty_value(
    live_api: TestClient, rules: str
) -> None:
    """With PATCH or PUT, clearing values sends no null, empty string or empty list."""
    app = make_emulator(rules, token="emulator-token")
    with serve(app.asgi) as base_url:
        directory_id = _directory(live_api)
        user_id = _user(
            live_api,
            directory_id,
            "ada@example.com",
            firstName="Ada",
            lastName="Lovelace",
            phoneNumber="+44 20 7946 0000",
            attributes={"department": "Analytics", "city": "London"},
        )
        connector = _connector(live_api, base_url, app.token, mapping=CUSTOM_ROWS)
        _publish(live_api, connector["id"], directory_id)
        _settled(live_api, connector["id"], 1)

        response = live_api.patch(
            f"{API}/users/{user_id}",
            json={
                "phoneNumber": None,
                "lastName": "",
                "attributes": {"department": None, "city": None},
            },
        )
        assert response.status_code == 200, response.text
        wait_for(lambda: len(_events(live_api, connector["id"], "User Updated")) == 1)
        _settled(live_api, connector["id"], 1)

    [held] = app.users.values()
    assert "phoneNumbers" not in held
    assert "addresses" not in held
    assert "department" not in held.get(ENTERPRISE, {})
    assert "familyName" not in held["name"]
    assert held["name"]["givenName"] == "Ada"
    writes = [r for r in app.requests if r.method in ("POST", "PUT", "PATCH")]
    update = "PATCH" if rules == "scim2_strict" else "PUT"
    assert [r.method for r in writes] == ["POST", update]
    for request in writes:
        body = request.body
        if request.method == "PATCH":
            body = [op.get("value", "x") for op in body["Operations"]]
        assert not _has_empty_value(body), (request.method, request.body)
    assert app.rejections == []


def test_blank_first_name_is_removed_not_sent_empty(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """Setting a first name to the empty string removes givenName in the app."""
    directory_id = _directory(live_api)
    user_id = _user(
        live_api,
        directory_id,
        "grace@example.com",
        firstName="Grace",
        lastName="Hopper",
    )
    connector = _connector(live_api, scim_server.base_url, scim_server.token or "")
    _publish(live_api, connector["id"], directory_id)
    _settled(live_api, connector["id"], 1)

    assert (
        live_api.patch(f"{API}/users/{user_id}", json={"firstName": ""}).status_code
        == 200
    )
    wait_for(
        lambda: (
            _app_user(app_view, "grace@example.com").get("name")
            == {"familyName": "Hopper"}
        )
    )


# -- custom mappings in a real app -----------------------------------------------------


def _ada(api: TestClient, directory_id: str, manager: str | None = None) -> str:
    attributes = {
        "department": "Analytical Engines",
        "employeeNumber": "E-1815",
        "costCenter": "CC-42",
        "mobile": "+44 7700 900123",
        "city": "London",
    }
    if manager is not None:
        attributes["manager"] = manager
    return _user(
        api,
        directory_id,
        "Ada.Lovelace@Example.com",
        firstName="Ada",
        lastName="Lovelace",
        phoneNumber="+44 20 7946 0123",
        attributes=attributes,
    )


def test_custom_mappings_arrive_in_the_app(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """Extension, type-selected and transformed targets hold the mapped values."""
    directory_id = _directory(live_api)
    _ada(live_api, directory_id)
    connector = _connector(
        live_api, scim_server.base_url, scim_server.token or "", mapping=CUSTOM_ROWS
    )
    _publish(live_api, connector["id"], directory_id)
    _settled(live_api, connector["id"], 1)

    held = app_view.users()["ada.lovelace@example.com"]
    assert held["displayName"] == "Ada Lovelace"
    assert held["name"] == {"givenName": "Ada", "familyName": "Lovelace"}
    assert held[ENTERPRISE] == {
        "department": "Analytical Engines",
        "employeeNumber": "E-1815",
        "costCenter": "CC-42",
    }
    phones = {p["type"]: p["value"] for p in held["phoneNumbers"]}
    assert phones == {"work": "+44 20 7946 0123", "mobile": "+44 7700 900123"}
    assert [(a["type"], a["locality"]) for a in held["addresses"]] == [
        ("work", "London")
    ]
    assert ENTERPRISE in held["schemas"]


def test_manager_value_is_the_managers_id_in_the_app(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """A report pushed after its manager carries the manager's id in the app."""
    directory_id = _directory(live_api)
    _user(live_api, directory_id, "boss@example.com", firstName="Charles")
    connector = _connector(
        live_api, scim_server.base_url, scim_server.token or "", mapping=CUSTOM_ROWS
    )
    _publish(live_api, connector["id"], directory_id)
    _settled(live_api, connector["id"], 1)

    _ada(live_api, directory_id, manager="Boss@Example.com")
    _settled(live_api, connector["id"], 2)

    users = app_view.users()
    manager_id = users["boss@example.com"]["id"]
    assert (
        users["ada.lovelace@example.com"][ENTERPRISE]["manager"]["value"] == manager_id
    )


def test_report_pushed_before_its_manager_gets_it_on_a_later_push(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """A report synced before its manager gets manager.value on its next push."""
    directory_id = _directory(live_api)
    ada_id = _ada(live_api, directory_id, manager="boss@example.com")
    connector = _connector(
        live_api, scim_server.base_url, scim_server.token or "", mapping=CUSTOM_ROWS
    )
    _publish(live_api, connector["id"], directory_id)
    _settled(live_api, connector["id"], 1)
    assert "manager" not in app_view.users()["ada.lovelace@example.com"][ENTERPRISE]

    _user(live_api, directory_id, "boss@example.com", firstName="Charles")
    _settled(live_api, connector["id"], 2)
    live_api.patch(f"{API}/users/{ada_id}", json={"lastName": "King"})

    manager_id = app_view.users()["boss@example.com"]["id"]
    wait_for(
        lambda: (
            app_view.users()["ada.lovelace@example.com"][ENTERPRISE]
            .get("manager", {})
            .get("value")
            == manager_id
        )
    )


def test_report_is_re_pushed_once_its_manager_is_created(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """Creating the manager alone fills the manager.value of an earlier report."""
    directory_id = _directory(live_api)
    _ada(live_api, directory_id, manager="boss@example.com")
    connector = _connector(
        live_api, scim_server.base_url, scim_server.token or "", mapping=CUSTOM_ROWS
    )
    _publish(live_api, connector["id"], directory_id)
    _settled(live_api, connector["id"], 1)

    _user(live_api, directory_id, "boss@example.com", firstName="Charles")
    _settled(live_api, connector["id"], 2)

    manager_id = app_view.users()["boss@example.com"]["id"]
    wait_for(
        lambda: (
            app_view.users()["ada.lovelace@example.com"][ENTERPRISE]
            .get("manager", {})
            .get("value")
            == manager_id
        ),
        timeout=5,
    )


# -- matching attribute ----------------------------------------------------------------


def test_matching_attribute_is_validated_against_the_profile(api: TestClient) -> None:
    """Each profile allows its own matching attributes; others are a 422."""
    for attribute in ("userName", "externalId", "emails.value"):
        connector = _connector(
            api,
            LOOPBACK_ENDPOINT,
            "t0ken",
            name=f"by {attribute}",
            matchingAttribute=attribute,
        )
        assert connector["matchingAttribute"] == attribute

    refused = api.post(
        f"{API}/connectors",
        json={
            "name": "AWS",
            "app": "aws",
            "endpoint": LOOPBACK_ENDPOINT,
            "token": "t0ken",
            "matchingAttribute": "emails.value",
        },
    )
    errors = _errors(refused)
    assert list(errors) == ["matchingAttribute"]
    assert "userName, externalId" in errors["matchingAttribute"]

    aws = _connector(api, LOOPBACK_ENDPOINT, "t0ken", app="aws", name="AWS")
    assert aws["matchingAttribute"] == "userName"
    url = f"{API}/connectors/{aws['id']}"
    assert api.patch(url, json={"matchingAttribute": "externalId"}).status_code == 200
    assert "matchingAttribute" in _errors(
        api.patch(url, json={"matchingAttribute": "displayName"})
    )
    assert api.get(url).json()["matchingAttribute"] == "externalId"


def test_matching_attribute_must_be_mapped(api: TestClient) -> None:
    """Matching by emails.value with no email row is refused on create and update."""
    without_email = [r for r in DEFAULT_ROWS if r["target"] != "email"]
    refused = api.post(
        f"{API}/connectors",
        json={
            "name": "No email",
            "app": "scim2",
            "endpoint": LOOPBACK_ENDPOINT,
            "token": "t0ken",
            "mapping": without_email,
            "matchingAttribute": "emails.value",
        },
    )
    assert "emails.value" in _errors(refused)["mapping"]

    connector = _connector(api, LOOPBACK_ENDPOINT, "t0ken", mapping=without_email)
    url = f"{API}/connectors/{connector['id']}"
    errors = _errors(api.patch(url, json={"matchingAttribute": "emails.value"}))
    assert "emails.value" in errors["mapping"]
    assert api.get(url).json()["matchingAttribute"] == "userName"


def test_matching_by_email_adopts_the_existing_account(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """Matching by emails.value adopts an account with another userName."""
    app_view.client.post(
        "/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "ada-old-login",
            "emails": [{"type": "work", "value": "ada@example.com"}],
        },
    )
    directory_id = _directory(live_api)
    _user(live_api, directory_id, "ada@example.com", firstName="Ada")
    connector = _connector(
        live_api,
        scim_server.base_url,
        scim_server.token or "",
        matchingAttribute="emails.value",
    )
    _publish(live_api, connector["id"], directory_id)
    _settled(live_api, connector["id"], 1)

    users = app_view.users()
    assert list(users) == ["ada@example.com"]
    assert _events(live_api, connector["id"], "User Created") == []
    adopted = _events(live_api, connector["id"], "User Updated")
    assert adopted[0]["details"]["adopted"] is True


# -- preview ---------------------------------------------------------------------------


def test_preview_equals_what_the_app_receives(
    live_api: TestClient, scim_server: Scim2Server, app_view: AppView
) -> None:
    """The previewed resource matches the app's stored one on every mapped attribute."""
    directory_id = _directory(live_api)
    _user(live_api, directory_id, "boss@example.com", firstName="Charles")
    connector = _connector(
        live_api, scim_server.base_url, scim_server.token or "", mapping=CUSTOM_ROWS
    )
    _publish(live_api, connector["id"], directory_id)
    _settled(live_api, connector["id"], 1)
    ada_id = _ada(live_api, directory_id, manager="boss@example.com")
    preview_response = live_api.get(
        f"{API}/connectors/{connector['id']}/preview", params={"userId": ada_id}
    )
    assert preview_response.status_code == 200, preview_response.text
    preview = preview_response.json()
    _settled(live_api, connector["id"], 2)

    held = app_view.users()["ada.lovelace@example.com"]
    mapped = [key for key in preview if key != "schemas"]
    assert {"userName", "displayName", ENTERPRISE, "addresses"} <= set(mapped)
    for key in mapped:
        assert held[key] == preview[key], key
    assert set(preview["schemas"]) == set(held["schemas"])
    assert (
        preview[ENTERPRISE]["manager"]["value"]
        == app_view.users()["boss@example.com"]["id"]
    )


def test_preview_of_an_unsaved_mapping(api: TestClient) -> None:
    """POST preview shows a tried mapping without saving it."""
    directory_id = _directory(api)
    ada_id = _ada(api, directory_id)
    connector = _connector(api, LOOPBACK_ENDPOINT, "t0ken")
    url = f"{API}/connectors/{connector['id']}"
    tried = [*DEFAULT_ROWS, {"source": "upper(user.custom.city)", "target": "title"}]

    response = api.post(f"{url}/preview", json={"userId": ada_id, "mapping": tried})
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "LONDON"
    assert api.get(url).json()["mapping"] == DEFAULT_ROWS
    saved = api.get(f"{url}/preview", params={"userId": ada_id}).json()
    assert "title" not in saved
    assert saved["userName"] == "Ada.Lovelace@example.com"


def test_preview_refuses_an_invalid_mapping_row_by_row(api: TestClient) -> None:
    """An invalid tried mapping gets one error per bad row, as on save."""
    directory_id = _directory(api)
    ada_id = _ada(api, directory_id)
    connector = _connector(api, LOOPBACK_ENDPOINT, "t0ken")
    tried = [
        *DEFAULT_ROWS,
        {"source": "user.nickname", "target": "nickName"},
        {"source": "user.email", "target": "id"},
    ]
    response = api.post(
        f"{API}/connectors/{connector['id']}/preview",
        json={"userId": ada_id, "mapping": tried},
    )
    errors = _errors(response)
    assert list(errors) == ["mapping[5].source", "mapping[6].target"]

    unknown = api.get(
        f"{API}/connectors/{connector['id']}/preview", params={"userId": "nobody"}
    )
    assert unknown.status_code == 404


# -- re-push on mapping change ---------------------------------------------------------


def test_mapping_change_re_pushes_only_changed_users(
    live_api: TestClient, emulator: tuple[Emulator, str]
) -> None:
    """A new title row updates the 3 users with a title and sends nothing for 7."""
    app, base_url = emulator
    directory_id = _directory(live_api)
    with_title = set()
    for i in range(10):
        attributes = {"title": f"Engineer {i}"} if i < 3 else {}
        user_id = _user(
            live_api,
            directory_id,
            f"person{i}@example.com",
            firstName=f"P{i}",
            lastName="Doe",
            attributes=attributes,
        )
        if i < 3:
            with_title.add(user_id)
    connector = _connector(live_api, base_url, app.token)
    _publish(live_api, connector["id"], directory_id)
    _settled(live_api, connector["id"], 10)
    assert len(app.users) == 10
    seen = len(app.requests)

    mapping = [
        *connector["mapping"],
        {"source": "user.custom.title", "target": "title"},
    ]
    response = live_api.patch(
        f"{API}/connectors/{connector['id']}", json={"mapping": mapping}
    )
    assert response.status_code == 200, response.text
    wait_for(lambda: len(_events(live_api, connector["id"], "User Updated")) >= 3)
    _settled(live_api, connector["id"], 10)

    updated = _events(live_api, connector["id"], "User Updated")
    assert len(updated) == 3
    assert {e["user"]["id"] for e in updated} == with_title
    titled = {u["id"] for u in app.users.values() if u.get("title")}
    assert len(titled) == 3
    later = app.requests[seen:]
    assert {r.resource_id for r in later if r.resource_type == "User"} <= titled
    assert len([r for r in later if r.method in ("PATCH", "PUT")]) == 3
    assert app.rejections == []
