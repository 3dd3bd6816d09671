"""Groups and their memberships exported to apps, end to end.

Each scenario runs against PyPI's scim2-server and, where it matters, against
strict emulators: one that limits member changes per request and refuses to
replace a member list, AWS (which never shows members on reads), and a server
that takes PUT only.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from tests.emulators import Emulator, make_emulator
from tests.support.scim2_server import Scim2Server
from tests.support.serving import serve
from tests.support.waiting import wait_for

pytestmark = pytest.mark.acceptance

TOKEN = "group-export-token"
QUICK = 5.0  # seconds a single change may take to show, with margin over 2 s
BULK = 60.0  # seconds for an initial sync of a few hundred users


@dataclass
class Target:
    """One app under test: where it listens and how to read it directly."""

    app: str
    base_url: str
    token: str
    emulator: Emulator | None = None
    client: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self.client = httpx.Client(
            base_url=self.base_url,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
        )

    def _all(self, resource: str) -> list[dict[str, Any]]:
        if self.emulator is not None:
            table = self.emulator.users if resource == "Users" else self.emulator.groups
            return list(table.values())
        found: list[dict[str, Any]] = []
        while True:
            page = self.client.get(
                f"/{resource}", params={"startIndex": len(found) + 1, "count": 100}
            ).json()
            items = page.get("Resources", [])
            found += items
            if not items or len(found) >= int(page.get("totalResults", 0)):
                return found

    def user_ids(self) -> dict[str, str]:
        """App ids by userName."""
        return {u["userName"]: u["id"] for u in self._all("Users")}

    def groups(self) -> dict[str, dict[str, Any]]:
        """Groups by displayName."""
        return {g["displayName"]: g for g in self._all("Groups")}

    def members(self, name: str) -> set[str] | None:
        """App ids of the members of the group named `name`; None if absent."""
        group = self.groups().get(name)
        if group is None:
            return None
        return {str(m["value"]) for m in group.get("members") or []}

    def member_emails(self, name: str) -> set[str] | None:
        ids = self.members(name)
        if ids is None:
            return None
        by_id = {v: k for k, v in self.user_ids().items()}
        return {by_id.get(i, f"unknown:{i}") for i in ids}

    def close(self) -> None:
        self.client.close()


def _emulated(app_key: str, connector_app: str) -> Iterator[Target]:
    emulator = make_emulator(app_key, token=TOKEN, prefix="/scim/v2")
    with serve(emulator.asgi) as url:
        target = Target(connector_app, f"{url}/scim/v2", TOKEN, emulator)
        yield target
        target.close()


def _real_server() -> Iterator[Target]:
    server = Scim2Server()
    server.start()
    target = Target("scim2", server.base_url, server.token or "")
    yield target
    target.close()
    server.stop()


TARGETS = {
    "scim2-server": _real_server,
    "scim2_strict": lambda: _emulated("scim2_strict", "scim2"),
    "aws": lambda: _emulated("aws", "aws"),
}


@pytest.fixture(params=list(TARGETS))
def target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """Every app the scenarios must hold for."""
    yield from TARGETS[request.param]()


@pytest.fixture(params=["scim2-server", "scim2_strict"])
def filterable_target(request: pytest.FixtureRequest) -> Iterator[Target]:
    """Apps where a test may seed a group of its own beforehand."""
    yield from TARGETS[request.param]()


@pytest.fixture
def put_only() -> Iterator[Target]:
    yield from _emulated("scim2_put_only", "scim2")


# --- building the identity source through the API ---------------------------


def _post(api: TestClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = api.post(f"/api/v1{path}", json=body)
    assert response.status_code in (200, 201, 202), response.text
    return dict(response.json())


def _users(api: TestClient, directory_id: str, prefix: str, count: int) -> list[str]:
    return [
        str(
            _post(
                api,
                "/users",
                {
                    "directoryId": directory_id,
                    "email": f"{prefix}{i}@example.com",
                    "firstName": f"{prefix.title()}{i}",
                    "lastName": "Member",
                },
            )["id"]
        )
        for i in range(count)
    ]


def _connector(api: TestClient, target: Target, **extra: Any) -> str:
    body = {
        "name": "Groups app",
        "app": target.app,
        "endpoint": target.base_url,
        "token": target.token,
        "groupExport": True,
        "rateLimit": 1000,
        "concurrency": 8,
        **extra,
    }
    return str(_post(api, "/connectors", body)["id"])


@dataclass
class World:
    """A directory, its users, a group of them, and a connector."""

    directory: str
    users: list[str]
    group: str
    connector: str


def _world(
    api: TestClient,
    target: Target,
    *,
    members: int,
    group_name: str = "Engineering",
    **connector: Any,
) -> World:
    directory = str(_post(api, "/directories", {"name": "Staff"})["id"])
    users = _users(api, directory, "member", members)
    group = str(
        _post(
            api,
            "/groups",
            {"directoryId": directory, "name": group_name, "description": "Builders"},
        )["id"]
    )
    _post(api, f"/groups/{group}/members", {"userIds": users})
    connector_id = _connector(api, target, **connector)
    return World(directory, users, group, connector_id)


def _publish_and_assign(api: TestClient, world: World) -> None:
    _post(
        api,
        f"/connectors/{world.connector}/publish",
        {"directoryIds": [world.directory]},
    )
    _post(api, f"/connectors/{world.connector}/groups", {"groupIds": [world.group]})


def _emails(count: int, prefix: str = "member") -> set[str]:
    return {f"{prefix}{i}@example.com" for i in range(count)}


def _events(api: TestClient, **params: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": "500", **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/events", params=query).json()
        items += page["items"]
        cursor = page.get("nextCursor")
        if not cursor:
            return items


def _status(api: TestClient, connector_id: str) -> dict[str, Any]:
    return dict(api.get(f"/api/v1/connectors/{connector_id}/status").json())


def _idle(api: TestClient, connector_id: str, timeout: float = BULK) -> None:
    wait_for(lambda: _status(api, connector_id)["pending"] == 0, timeout=timeout)


def _assert_clean(target: Target) -> None:
    """The emulated app refused nothing and no request changed >100 members."""
    if target.emulator is None:
        return
    assert target.emulator.rejections == []
    group_requests = [r for r in target.emulator.requests if r.resource_type == "Group"]
    assert max((r.member_changes for r in group_requests), default=0) <= 100


# --- scenarios ---------------------------------------------------------------


def test_large_group_arrives_with_in_scope_members_only(
    live_api: TestClient, target: Target
) -> None:
    """A 250-member group reaches the app with its 240 in-scope members."""
    directory = str(_post(live_api, "/directories", {"name": "Staff"})["id"])
    users = _users(live_api, directory, "member", 250)
    group = str(
        _post(live_api, "/groups", {"directoryId": directory, "name": "Engineering"})[
            "id"
        ]
    )
    _post(live_api, f"/groups/{group}/members", {"userIds": users})
    # The connector reaches users only through an SSO configuration that 240
    # of the 250 are assigned to; the directory itself is not published.
    sso = str(
        _post(live_api, "/sso-configs", {"name": "Portal", "protocol": "saml"})["id"]
    )
    _post(live_api, f"/sso-configs/{sso}/assignments", {"userIds": users[:240]})
    connector = _connector(live_api, target)
    _post(live_api, f"/connectors/{connector}/publish", {"ssoConfigIds": [sso]})
    _post(live_api, f"/connectors/{connector}/groups", {"groupIds": [group]})

    wait_for(lambda: len(target.members("Engineering") or ()) == 240, timeout=BULK)
    _idle(live_api, connector)
    assert target.member_emails("Engineering") == _emails(240)
    assert len(target.user_ids()) == 240
    assert len(target.groups()) == 1
    _assert_clean(target)

    created = _events(live_api, connectorId=connector, event="Group Created")
    assert [e["status"] for e in created] == ["Success"]
    added = _events(live_api, connectorId=connector, event="Group Member Added")
    assert sorted(e["user"]["email"] for e in added) == sorted(_emails(240))
    assert all(e["status"] == "Success" for e in added)
    status = _status(live_api, connector)
    assert status["totalGroups"] == 1
    assert status["totalUsers"] == 240


def _ready(api: TestClient, target: Target, world: World, count: int) -> None:
    _publish_and_assign(api, world)
    wait_for(lambda: len(target.members("Engineering") or ()) == count, timeout=BULK)
    _idle(api, world.connector)


def _user_events(api: TestClient, user_id: str, event: str) -> list[dict[str, Any]]:
    return _events(api, userId=user_id, event=event)


def test_member_changes_reach_the_app_one_by_one(
    live_api: TestClient, target: Target
) -> None:
    """Adding and removing a member sends that member only, with an entry each."""
    world = _world(live_api, target, members=3)
    _ready(live_api, target, world, 3)
    newcomer = _users(live_api, world.directory, "newcomer", 1)[0]

    _post(live_api, f"/groups/{world.group}/members", {"userIds": [newcomer]})
    wait_for(
        lambda: (
            target.member_emails("Engineering")
            == _emails(3) | {"newcomer0@example.com"}
        ),
        timeout=QUICK,
    )
    added = wait_for(
        lambda: _user_events(live_api, newcomer, "Group Member Added"), timeout=QUICK
    )
    assert [(e["user"]["email"], e["group"]["name"]) for e in added] == [
        ("newcomer0@example.com", "Engineering")
    ]

    leaver = world.users[0]
    response = live_api.delete(f"/api/v1/groups/{world.group}/members/{leaver}")
    assert response.status_code == 204
    wait_for(
        lambda: (
            target.member_emails("Engineering")
            == {"member1@example.com", "member2@example.com", "newcomer0@example.com"}
        ),
        timeout=QUICK,
    )
    removed = wait_for(
        lambda: _user_events(live_api, leaver, "Group Member Removed"), timeout=QUICK
    )
    assert [e["user"]["email"] for e in removed] == ["member0@example.com"]
    # Leaving the group leaves the user in the app.
    assert "member0@example.com" in target.user_ids()
    # One membership each time: 3 added at first, then exactly one more.
    _idle(live_api, world.connector)
    all_added = _events(
        live_api, connectorId=world.connector, event="Group Member Added"
    )
    assert len(all_added) == 4
    _assert_clean(target)
    if target.emulator is not None:
        patches = [
            r
            for r in target.emulator.requests
            if r.resource_type == "Group" and r.method == "PATCH"
        ]
        assert [r.member_changes for r in patches][-2:] == [1, 1]


def test_rename_updates_the_group_in_the_app(
    live_api: TestClient, target: Target
) -> None:
    """Renaming the group renames it in the app and logs Group Updated."""
    world = _world(live_api, target, members=2)
    _ready(live_api, target, world, 2)

    response = live_api.patch(
        f"/api/v1/groups/{world.group}", json={"name": "Platform"}
    )
    assert response.status_code == 200, response.text
    wait_for(lambda: set(target.groups()) == {"Platform"}, timeout=QUICK)
    assert target.member_emails("Platform") == _emails(2)
    updated = wait_for(
        lambda: _events(live_api, connectorId=world.connector, event="Group Updated"),
        timeout=QUICK,
    )
    assert updated[0]["status"] == "Success"
    assert "Platform" in updated[0]["activity"]
    _assert_clean(target)


def test_deleting_the_group_deletes_it_in_the_app_users_stay(
    live_api: TestClient, target: Target
) -> None:
    """A group deleted in the identity source is deleted in the app only."""
    world = _world(live_api, target, members=3)
    _ready(live_api, target, world, 3)

    assert live_api.delete(f"/api/v1/groups/{world.group}").status_code == 204
    wait_for(lambda: target.groups() == {}, timeout=QUICK)
    deleted = wait_for(
        lambda: _events(live_api, connectorId=world.connector, event="Group Deleted"),
        timeout=QUICK,
    )
    assert [e["group"]["name"] for e in deleted] == ["Engineering"]
    assert set(target.user_ids()) == _emails(3)
    _idle(live_api, world.connector, QUICK)
    assert _status(live_api, world.connector)["totalGroups"] == 0
    _assert_clean(target)


def test_unassigning_deletes_the_group_in_the_app_users_stay(
    live_api: TestClient, target: Target
) -> None:
    """Unassigning deletes the group in the app; reassigning brings it back."""
    world = _world(live_api, target, members=3)
    _ready(live_api, target, world, 3)

    _post(
        live_api,
        f"/connectors/{world.connector}/groups/unassign",
        {"groupIds": [world.group]},
    )
    wait_for(lambda: target.groups() == {}, timeout=QUICK)
    assert set(target.user_ids()) == _emails(3)
    wait_for(
        lambda: _events(live_api, connectorId=world.connector, event="Group Deleted"),
        timeout=QUICK,
    )
    _idle(live_api, world.connector, QUICK)
    assert _status(live_api, world.connector)["totalGroups"] == 0

    _post(
        live_api, f"/connectors/{world.connector}/groups", {"groupIds": [world.group]}
    )
    wait_for(lambda: target.member_emails("Engineering") == _emails(3), timeout=QUICK)
    _assert_clean(target)


def test_member_leaving_scope_is_removed_from_the_group(
    live_api: TestClient, target: Target
) -> None:
    """A member unassigned from the published SSO app leaves the group there."""
    directory = str(_post(live_api, "/directories", {"name": "Staff"})["id"])
    users = _users(live_api, directory, "member", 3)
    group = str(
        _post(live_api, "/groups", {"directoryId": directory, "name": "Engineering"})[
            "id"
        ]
    )
    _post(live_api, f"/groups/{group}/members", {"userIds": users})
    sso = str(
        _post(live_api, "/sso-configs", {"name": "Portal", "protocol": "saml"})["id"]
    )
    _post(live_api, f"/sso-configs/{sso}/assignments", {"userIds": users})
    # Deactivation keeps the account, so its membership must be removed.
    connector = _connector(live_api, target, deprovision="deactivate")
    _post(live_api, f"/connectors/{connector}/publish", {"ssoConfigIds": [sso]})
    _post(live_api, f"/connectors/{connector}/groups", {"groupIds": [group]})
    wait_for(lambda: target.member_emails("Engineering") == _emails(3), timeout=BULK)

    _post(live_api, f"/sso-configs/{sso}/assignments/remove", {"userIds": [users[2]]})
    wait_for(
        lambda: (
            target.member_emails("Engineering")
            == {"member0@example.com", "member1@example.com"}
        ),
        timeout=QUICK,
    )
    removed = wait_for(
        lambda: _user_events(live_api, users[2], "Group Member Removed"), timeout=QUICK
    )
    assert removed[0]["status"] == "Success"
    user_ids = target.user_ids()
    assert "member2@example.com" in user_ids
    _assert_clean(target)


def test_existing_group_of_the_same_name_is_adopted(
    live_api: TestClient, filterable_target: Target
) -> None:
    """A group already in the app with the same displayName is adopted."""
    target = filterable_target
    seeded = target.client.post(
        "/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Engineering",
        },
    )
    assert seeded.status_code == 201, seeded.text
    world = _world(live_api, target, members=3)
    _ready(live_api, target, world, 3)

    groups = target.groups()
    assert list(groups) == ["Engineering"]
    assert groups["Engineering"]["id"] == seeded.json()["id"]
    created = _events(live_api, connectorId=world.connector, event="Group Created")
    assert len(created) == 1
    assert created[0]["details"]["adopted"] is True
    _assert_clean(target)


def test_put_only_app_gets_full_member_lists(
    live_api: TestClient, put_only: Target
) -> None:
    """Without PATCH every change is a PUT carrying the complete member list."""
    target = put_only
    world = _world(live_api, target, members=3)
    _ready(live_api, target, world, 3)
    newcomer = _users(live_api, world.directory, "newcomer", 1)[0]
    _post(live_api, f"/groups/{world.group}/members", {"userIds": [newcomer]})
    wait_for(lambda: len(target.members("Engineering") or ()) == 4, timeout=QUICK)
    live_api.delete(f"/api/v1/groups/{world.group}/members/{world.users[0]}")
    wait_for(
        lambda: (
            target.member_emails("Engineering")
            == {"member1@example.com", "member2@example.com", "newcomer0@example.com"}
        ),
        timeout=QUICK,
    )
    _idle(live_api, world.connector, QUICK)

    assert target.emulator is not None
    assert target.emulator.rejections == []
    writes = [
        r
        for r in target.emulator.requests
        if r.resource_type == "Group" and r.method in ("PUT", "PATCH", "POST")
    ]
    assert all(r.method != "PATCH" for r in writes)
    last = writes[-1]
    assert last.method == "PUT"
    assert len(last.body["members"]) == 3
    removed = _user_events(live_api, world.users[0], "Group Member Removed")
    assert len(removed) == 1


def test_group_export_only_where_the_app_has_groups(api: TestClient) -> None:
    """Apps without groups refuse group export; assigning needs it switched on."""
    refused = api.post(
        "/api/v1/connectors",
        json={
            "name": "Auth0",
            "app": "auth0",
            "endpoint": "http://127.0.0.1:9/scim",
            "token": "t",
            "groupExport": True,
        },
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "groupExport"

    users_only = _post(
        api,
        "/connectors",
        {
            "name": "Auth0",
            "app": "auth0",
            "endpoint": "http://127.0.0.1:9/scim",
            "token": "t",
        },
    )
    switched = api.patch(
        f"/api/v1/connectors/{users_only['id']}", json={"groupExport": True}
    )
    assert switched.status_code == 422, switched.text

    directory = _post(api, "/directories", {"name": "Staff"})["id"]
    group = _post(api, "/groups", {"directoryId": directory, "name": "Eng"})["id"]
    no_groups = api.post(
        f"/api/v1/connectors/{users_only['id']}/groups", json={"groupIds": [group]}
    )
    assert no_groups.status_code == 409
    assert "users only" in no_groups.json()["detail"]

    export_off = _post(
        api,
        "/connectors",
        {
            "name": "Wiki",
            "app": "scim2",
            "endpoint": "http://127.0.0.1:9/scim",
            "token": "t",
        },
    )
    for path in ("groups", "groups/unassign"):
        response = api.post(
            f"/api/v1/connectors/{export_off['id']}/{path}", json={"groupIds": [group]}
        )
        assert response.status_code == 409
        assert "Group export is off" in response.json()["detail"]
