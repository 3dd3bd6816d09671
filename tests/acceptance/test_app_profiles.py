"""Every app profile proven end to end against a strict emulator of that app.

One scenario drives the API with its embedded worker through a user's whole
life (and a group's, where the app has groups) and, after each step, waits
for the app to show it. The emulators reject any request the real app would
refuse for its shape, so a clean run means the profile shaped every request.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.emulators import Emulator, make_emulator
from tests.support.scim2_server import Scim2Server
from tests.support.scim_app import AppView
from tests.support.serving import serve
from tests.support.waiting import wait_for

from scimlink.apps import get_profile

pytestmark = pytest.mark.acceptance

TOKEN = "emulator-token-0123456789"
# How long an app may take to show a change (the product aims for seconds).
STEP_SECONDS = 5.0

# Emulator key -> (connector app key, path the app serves its endpoint under).
EMULATED_APPS: dict[str, tuple[str, str]] = {
    "aws": ("aws", "/a1b2c3d4-5678/scim/v2"),
    "apple_business_manager": ("apple_business_manager", "/feeds/business/scim"),
    "apple_school_manager": ("apple_school_manager", "/feeds/school/scim"),
    "atlassian": ("atlassian", "/scim/directory/0a1b2c3d"),
    "auth0": ("auth0", "/scim/v2/connections/con_0123"),
    "scim2_strict": ("scim2", "/scim/v2"),
    "scim2_put_only": ("scim2", "/scim/v2"),
}
REAL_SERVER = "scim2_server"

PEOPLE = [
    {"email": "zoe.obrien@example.com", "firstName": "Zoë", "lastName": "O'Brien"},
    {
        "email": "jose.d'arcy@example.com",
        "firstName": "José",
        "lastName": "Núñez-D'Arcy",
    },
    {"email": "renee.lefevre@example.com", "firstName": "Renée", "lastName": "Lefèvre"},
]
GROUP_NAME = "Équipe d'Ingénierie"
GROUP_RENAMED = "Équipe Produit & Données"


@dataclass
class AppSide:
    """The app a connector pushes to, and a test's direct view of what it holds."""

    key: str
    app: str
    endpoint: str
    token: str
    emulator: Emulator | None = None
    view: AppView | None = None

    def users(self) -> dict[str, dict[str, Any]]:
        """Users by lowercased userName."""
        if self.view is not None:
            found = self.view.users().values()
        else:
            assert self.emulator is not None
            found = _copied(self.emulator.users)
        return {str(u["userName"]).lower(): u for u in found}

    def user(self, email: str) -> dict[str, Any] | None:
        return self.users().get(email.lower())

    def groups(self) -> dict[str, dict[str, Any]]:
        """Groups by displayName."""
        if self.view is not None:
            return self.view.groups()
        assert self.emulator is not None
        return {str(g["displayName"]): g for g in _copied(self.emulator.groups)}

    def member_ids(self, group_id: str) -> set[str]:
        """What the app really holds, even where reading a group hides members."""
        if self.view is not None:
            return self.view.group_member_ids(group_id)
        assert self.emulator is not None
        return set(self.emulator.members_of(group_id))


def _copied(table: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    # The emulator serves from another thread; retry a copy caught mid-change.
    for _ in range(20):
        try:
            return copy.deepcopy(list(table.values()))
        except RuntimeError:
            continue
    return copy.deepcopy(list(table.values()))


@pytest.fixture(params=[*EMULATED_APPS, REAL_SERVER])
def app_side(request: pytest.FixtureRequest) -> Iterator[AppSide]:
    if request.param == REAL_SERVER:
        server: Scim2Server = request.getfixturevalue("scim_server")
        view = AppView(server.base_url, server.token)
        yield AppSide(
            REAL_SERVER, "scim2", server.base_url, server.token or "", view=view
        )
        view.close()
        return
    app, prefix = EMULATED_APPS[request.param]
    emulator = make_emulator(request.param, token=TOKEN, prefix=prefix)
    with serve(emulator.asgi) as base_url:
        yield AppSide(request.param, app, base_url + prefix, TOKEN, emulator=emulator)


_diagnose: list[Callable[[], str]] = []


def _step(probe: Callable[[], Any]) -> Any:
    try:
        return wait_for(probe, timeout=STEP_SECONDS)
    except AssertionError as error:
        # Say what the app refused and what the log says, not only "False".
        context = "\n".join(describe() for describe in _diagnose)
        raise AssertionError(f"{error}\n{context}") from None


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


class Scenario:
    """The identity-source side: API calls on one directory and one connector."""

    def __init__(self, api: TestClient, side: AppSide) -> None:
        self.api = api
        self.side = side
        self.profile = get_profile(side.app)
        self.directory = _ok(
            api.post("/api/v1/directories", json={"name": "Personnel"}), 201
        )
        self.users: dict[str, dict[str, Any]] = {}
        self.connector: dict[str, Any] = {}
        _diagnose[:] = [self.describe]

    def describe(self) -> str:
        """The app's refusals and the connector's failed events, for failures."""
        lines = []
        if self.side.emulator is not None:
            lines += [f"rejected: {r}" for r in self.side.emulator.rejections]
        if self.connector:
            lines += [
                f"failed: {e['event']}: {e['activity']} {e.get('error')}"
                for e in self.events(status="Failed")
            ]
        return "\n".join(lines)

    def create_user(self, person: dict[str, str], phone: str) -> dict[str, Any]:
        user = _ok(
            self.api.post(
                "/api/v1/users",
                json={
                    "directoryId": self.directory["id"],
                    "phoneNumber": phone,
                    "attributes": {"department": "R&D"},
                    **person,
                },
            ),
            201,
        )
        self.users[person["email"]] = user
        return user

    def create_connector(self) -> None:
        self.connector = _ok(
            self.api.post(
                "/api/v1/connectors",
                json={
                    "name": f"{self.profile.name} ({self.side.key})",
                    "app": self.side.app,
                    "endpoint": self.side.endpoint,
                    "token": self.side.token,
                    "groupExport": self.profile.supports_groups,
                    "deprovision": "delete",
                },
            ),
            201,
        )

    @property
    def connector_url(self) -> str:
        return f"/api/v1/connectors/{self.connector['id']}"

    def settle(self) -> None:
        """Wait until the connector has nothing left to push."""
        _step(lambda: _ok(self.api.get(f"{self.connector_url}/status"))["pending"] == 0)

    def events(self, **filters: str) -> list[dict[str, Any]]:
        params = {"connectorId": self.connector["id"], "limit": "500", **filters}
        items: list[dict[str, Any]] = _ok(
            self.api.get("/api/v1/events", params=params)
        )["items"]
        return items


def _holds_person(held: dict[str, Any] | None, person: dict[str, str]) -> bool:
    if held is None or held.get("active") is not True:
        return False
    name = held.get("name") or {}
    return bool(
        name.get("givenName") == person["firstName"]
        and name.get("familyName") == person["lastName"]
    )


def test_app_profile_end_to_end(live_api: TestClient, app_side: AppSide) -> None:
    """Users (and groups where supported) go through their whole life cleanly."""
    run = Scenario(live_api, app_side)
    side = app_side
    zoe, jose, renee = PEOPLE
    for i, person in enumerate(PEOPLE):
        run.create_user(person, f"+33 1 45 67 89 {i:02d}")
    run.create_connector()

    # Publish: every user is created once, with its awkward name intact.
    _ok(
        live_api.post(
            f"{run.connector_url}/publish",
            json={"directoryIds": [run.directory["id"]]},
        )
    )
    _step(lambda: all(_holds_person(side.user(p["email"]), p) for p in PEOPLE))
    assert len(side.users()) == len(PEOPLE)
    held = side.user(zoe["email"])
    assert held is not None
    if "displayName" in run.profile.required_attributes:
        assert held["displayName"] == "Zoë O'Brien"
    assert [e["value"] for e in held["emails"]] == [zoe["email"]]

    # Update an attribute.
    zoe_id = run.users[zoe["email"]]["id"]
    _ok(live_api.patch(f"/api/v1/users/{zoe_id}", json={"lastName": "Ó Briain"}))
    zoe = {**zoe, "lastName": "Ó Briain"}
    _step(lambda: _holds_person(side.user(zoe["email"]), zoe))

    # Suspend, then reactivate.
    _ok(live_api.patch(f"/api/v1/users/{zoe_id}", json={"status": "suspended"}))
    _step(lambda: (u := side.user(zoe["email"])) and u.get("active") is False)
    _ok(live_api.patch(f"/api/v1/users/{zoe_id}", json={"status": "active"}))
    _step(lambda: _holds_person(side.user(zoe["email"]), zoe))

    if run.profile.supports_groups:
        _group_lifecycle(run, zoe, jose, renee)

    _deprovision_by_deletion(run, renee)
    _deprovision_by_deactivation(run, jose)

    run.settle()
    if side.emulator is not None:
        assert side.emulator.shape_rejections == []
    failed = run.events(status="Failed")
    expected = [
        e
        for e in failed
        if e["event"] == "Group Updated" and not run.profile.can_rename_groups
    ]
    assert failed == expected
    assert len(expected) == (0 if run.profile.can_rename_groups else 1)


def _group_lifecycle(
    run: Scenario, zoe: dict[str, str], jose: dict[str, str], renee: dict[str, str]
) -> None:
    api, side = run.api, run.side

    def app_id(person: dict[str, str]) -> str:
        held = side.user(person["email"])
        assert held is not None
        return str(held["id"])

    def members() -> set[str]:
        group = side.groups().get(GROUP_NAME) or side.groups().get(GROUP_RENAMED)
        return side.member_ids(group["id"]) if group else set()

    group = _ok(
        api.post(
            "/api/v1/groups",
            json={
                "directoryId": run.directory["id"],
                "name": GROUP_NAME,
                "description": "Ceux qui construisent",
            },
        ),
        201,
    )
    group_url = f"/api/v1/groups/{group['id']}"
    _ok(
        api.post(
            f"{group_url}/members",
            json={"userIds": [run.users[p["email"]]["id"] for p in (zoe, jose)]},
        )
    )

    # Assign: the group appears with its in-scope members.
    _ok(api.post(f"{run.connector_url}/groups", json={"groupIds": [group["id"]]}))
    _step(lambda: members() == {app_id(zoe), app_id(jose)})

    # Add one member, remove another.
    renee_id = run.users[renee["email"]]["id"]
    _ok(api.post(f"{group_url}/members", json={"userIds": [renee_id]}))
    _step(lambda: app_id(renee) in members())
    jose_id = run.users[jose["email"]]["id"]
    assert api.delete(f"{group_url}/members/{jose_id}").status_code in (200, 204)
    _step(lambda: members() == {app_id(zoe), app_id(renee)})

    # Rename: done where the app allows it, else refused clearly in the log.
    _ok(api.patch(group_url, json={"name": GROUP_RENAMED}))
    if run.profile.can_rename_groups:
        _step(lambda: GROUP_RENAMED in side.groups())
        assert GROUP_NAME not in side.groups()
    else:
        refused = _step(lambda: run.events(event="Group Updated", status="Failed"))
        activity = refused[0]["activity"]
        assert GROUP_RENAMED in activity
        assert run.profile.name in activity
        assert "does not allow renaming" in activity
        assert GROUP_NAME in side.groups()
    assert members() == {app_id(zoe), app_id(renee)}

    # Unassign: the group goes, its users stay.
    _ok(
        api.post(
            f"{run.connector_url}/groups/unassign", json={"groupIds": [group["id"]]}
        )
    )
    _step(lambda: not side.groups())
    assert len(side.users()) == len(PEOPLE)


def _deprovision_by_deletion(run: Scenario, person: dict[str, str]) -> None:
    """Deleting a user removes the account (Atlassian: deactivates it); the
    same person coming back is active again, where the app allows it."""
    api, side = run.api, run.side
    user_id = run.users[person["email"]]["id"]
    assert api.delete(f"/api/v1/users/{user_id}").status_code in (200, 204)
    if run.profile.delete_deactivates:
        _step(lambda: (u := side.user(person["email"])) and u.get("active") is False)
    else:
        _step(lambda: side.user(person["email"]) is None)
    deleted = _step(lambda: run.events(event="User Deleted"))
    assert person["email"] in deleted[0]["activity"]

    if run.profile.default_deprovision == "deactivate":
        # The app keeps a deleted userName from reuse: why deactivation is
        # this profile's default.
        return
    run.create_user(person, "+33 1 45 67 89 99")
    _step(lambda: _holds_person(side.user(person["email"]), person))
    assert len([u for u in side.users() if u == person["email"].lower()]) == 1


def _deprovision_by_deactivation(run: Scenario, person: dict[str, str]) -> None:
    """With deprovisioning set to deactivate, a deleted user stays, inactive,
    and is adopted and reactivated when it comes back."""
    api, side = run.api, run.side
    _ok(api.patch(run.connector_url, json={"deprovision": "deactivate"}))
    user_id = run.users[person["email"]]["id"]
    assert api.delete(f"/api/v1/users/{user_id}").status_code in (200, 204)
    _step(lambda: (u := side.user(person["email"])) and u.get("active") is False)
    _step(
        lambda: any(
            person["email"] in e["activity"] and "deactivated" in e["activity"]
            for e in run.events(event="User Updated")
        )
    )

    run.create_user(person, "+33 1 45 67 89 98")
    _step(lambda: _holds_person(side.user(person["email"]), person))
    assert len([u for u in side.users() if u == person["email"].lower()]) == 1
