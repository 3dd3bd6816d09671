"""Users and groups pushed end to end to PyPI's django-scim2-server.

A second real SCIM 2.0 server next to scim2-server, with its own reading of
the RFCs. The one that matters here: DELETE of a User only deactivates it, so
a deprovisioned account stays, inactive, with its userName taken, and a user
who comes back must be adopted rather than created again. Each scenario runs
with the API's embedded worker on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest
from fastapi.testclient import TestClient
from tests.support.django_scim_server import DjangoScimServer
from tests.support.scim_app import AppView
from tests.support.waiting import wait_for

pytestmark = pytest.mark.acceptance

T = TypeVar("T")

# How long the app may take to show one change (the product aims for seconds).
STEP_SECONDS = 10.0

PEOPLE = [
    {"email": "zoe.obrien@example.com", "firstName": "Zoë", "lastName": "O'Brien"},
    {
        "email": "jose.d'arcy@example.com",
        "firstName": "José",
        "lastName": "Núñez-D'Arcy",
    },
    {"email": "lukasz.zolc@example.com", "firstName": "Łukasz", "lastName": "Żółć"},
    {"email": "chau.ngo@example.com", "firstName": "Bảo Châu", "lastName": "Ngô"},
    {"email": "misaki.yamada@example.com", "firstName": "美咲", "lastName": "山田"},
]
GROUP_NAME = "Équipe d'Ingénierie"
GROUP_RENAMED = "Équipe Produit & Données"


@pytest.fixture
def django_server() -> Iterator[DjangoScimServer]:
    server = DjangoScimServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def django_view(django_server: DjangoScimServer) -> Iterator[AppView]:
    view = AppView(django_server.base_url, django_server.token)
    yield view
    view.close()


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


class Provisioning:
    """One directory of PEOPLE and a default scim2 connector to the server."""

    def __init__(
        self, api: TestClient, server: DjangoScimServer, view: AppView
    ) -> None:
        self.api = api
        self.server = server
        self.view = view
        self.directory = _ok(
            api.post("/api/v1/directories", json={"name": "Personnel"}), 201
        )
        self.users: dict[str, dict[str, Any]] = {}
        for i, person in enumerate(PEOPLE):
            self.create_user(person, f"+33 1 45 67 89 {i:02d}")
        self.connector = _ok(
            api.post(
                "/api/v1/connectors",
                json={
                    "name": "Django SCIM",
                    "app": "scim2",
                    "endpoint": server.base_url,
                    "token": server.token,
                    "groupExport": True,
                },
            ),
            201,
        )
        self.url = f"/api/v1/connectors/{self.connector['id']}"

    def create_user(self, person: dict[str, str], phone: str) -> dict[str, Any]:
        user: dict[str, Any] = _ok(
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

    def publish(self) -> None:
        _ok(
            self.api.post(
                f"{self.url}/publish", json={"directoryIds": [self.directory["id"]]}
            )
        )
        self.step(lambda: all(self.holds(p) for p in PEOPLE))

    def step(self, probe: Callable[[], T]) -> T:
        """Wait for `probe`; on timeout say what failed and what the server logged."""
        try:
            return wait_for(probe, timeout=STEP_SECONDS)
        except AssertionError as error:
            failed = "\n".join(
                f"failed: {e['event']}: {e['activity']} {e.get('error')}"
                for e in self.events(status="Failed")
            )
            log = self.server.output()
            raise AssertionError(f"{error}\n{failed}\nserver log:\n{log}") from None

    def held(self, email: str) -> dict[str, Any] | None:
        """The account the app holds under this userName, if any."""
        return self.view.users().get(email)

    def holds(self, person: dict[str, str], *, active: bool = True) -> bool:
        held = self.held(person["email"])
        if held is None or held.get("active") is not active:
            return False
        return bool(
            held.get("name")
            == {"givenName": person["firstName"], "familyName": person["lastName"]}
        )

    def app_id(self, person: dict[str, str]) -> str:
        held = self.held(person["email"])
        assert held is not None, person["email"]
        return str(held["id"])

    def events(self, **filters: str) -> list[dict[str, Any]]:
        params = {"connectorId": self.connector["id"], "limit": "500", **filters}
        items: list[dict[str, Any]] = _ok(
            self.api.get("/api/v1/events", params=params)
        )["items"]
        return items

    def settle(self) -> dict[str, Any]:
        """Wait until nothing is left to push; return the connector's status."""

        def settled() -> dict[str, Any] | None:
            status: dict[str, Any] = _ok(self.api.get(f"{self.url}/status"))
            return status if status["pending"] == 0 else None

        done = self.step(settled)
        assert done is not None
        return done

    def assert_nothing_failed(self) -> None:
        self.settle()
        assert self.events(status="Failed") == []


@pytest.fixture
def run(
    live_api: TestClient, django_server: DjangoScimServer, django_view: AppView
) -> Provisioning:
    return Provisioning(live_api, django_server, django_view)


def test_publish_creates_each_user_once_with_mapped_attributes(
    run: Provisioning,
) -> None:
    """Publishing a directory creates every user once, awkward names intact."""
    run.publish()

    held = run.view.users()
    assert set(held) == {p["email"] for p in PEOPLE}
    for person in PEOPLE:
        account = held[person["email"]]
        assert account["name"] == {
            "givenName": person["firstName"],
            "familyName": person["lastName"],
        }
        assert [e["value"] for e in account["emails"]] == [person["email"]]
        assert account["active"] is True

    status = run.settle()
    assert status["health"] == "in_sync"
    created = run.events(event="User Created")
    assert len(created) == len(PEOPLE)
    assert all(e["status"] == "Success" for e in created)
    run.assert_nothing_failed()


def test_update_suspend_and_reactivate_reach_the_app(run: Provisioning) -> None:
    """A new last name, a suspension and a reactivation each show in the app."""
    run.publish()
    zoe = PEOPLE[0]
    zoe_url = f"/api/v1/users/{run.users[zoe['email']]['id']}"

    _ok(run.api.patch(zoe_url, json={"lastName": "Ó Briain"}))
    zoe = {**zoe, "lastName": "Ó Briain"}
    run.step(lambda: run.holds(zoe))

    _ok(run.api.patch(zoe_url, json={"status": "suspended"}))
    run.step(lambda: run.holds(zoe, active=False))

    _ok(run.api.patch(zoe_url, json={"status": "active"}))
    run.step(lambda: run.holds(zoe))

    assert len(run.view.users()) == len(PEOPLE)
    run.assert_nothing_failed()


def test_group_export_follows_members_and_rename(run: Provisioning) -> None:
    """An assigned group appears with its members, follows adds, removes and a
    rename, and goes when unassigned while its users stay."""
    run.publish()
    zoe, jose, renee = PEOPLE[:3]

    def members() -> set[str]:
        groups = run.view.groups()
        group = groups.get(GROUP_NAME) or groups.get(GROUP_RENAMED)
        return run.view.group_member_ids(group["id"]) if group else set()

    group = _ok(
        run.api.post(
            "/api/v1/groups",
            json={"directoryId": run.directory["id"], "name": GROUP_NAME},
        ),
        201,
    )
    group_url = f"/api/v1/groups/{group['id']}"
    _ok(
        run.api.post(
            f"{group_url}/members",
            json={"userIds": [run.users[p["email"]]["id"] for p in (zoe, jose)]},
        )
    )

    _ok(run.api.post(f"{run.url}/groups", json={"groupIds": [group["id"]]}))
    run.step(lambda: members() == {run.app_id(zoe), run.app_id(jose)})

    renee_id = run.users[renee["email"]]["id"]
    _ok(run.api.post(f"{group_url}/members", json={"userIds": [renee_id]}))
    run.step(lambda: run.app_id(renee) in members())

    jose_id = run.users[jose["email"]]["id"]
    assert run.api.delete(f"{group_url}/members/{jose_id}").status_code in (200, 204)
    run.step(lambda: members() == {run.app_id(zoe), run.app_id(renee)})

    _ok(run.api.patch(group_url, json={"name": GROUP_RENAMED}))
    run.step(lambda: set(run.view.groups()) == {GROUP_RENAMED})
    assert members() == {run.app_id(zoe), run.app_id(renee)}

    _ok(run.api.post(f"{run.url}/groups/unassign", json={"groupIds": [group["id"]]}))
    run.step(lambda: not run.view.groups())
    assert len(run.view.users()) == len(PEOPLE)
    run.assert_nothing_failed()


def test_deleted_user_is_left_inactive_by_the_app(run: Provisioning) -> None:
    """Deleting a user sends DELETE; this server keeps the account, inactive."""
    run.publish()
    renee = PEOPLE[2]
    before = run.app_id(renee)

    user_id = run.users[renee["email"]]["id"]
    assert run.api.delete(f"/api/v1/users/{user_id}").status_code in (200, 204)
    deleted = run.step(lambda: run.events(event="User Deleted"))
    assert renee["email"] in deleted[0]["activity"]
    assert deleted[0]["status"] == "Success"

    held = run.held(renee["email"])
    assert held is not None
    assert held["id"] == before
    assert held["active"] is False
    others = [p for p in PEOPLE if p is not renee]
    assert all(run.holds(p) for p in others)
    run.assert_nothing_failed()


def test_returning_user_adopts_the_deactivated_account(run: Provisioning) -> None:
    """A deleted user added again with the same email takes back the inactive
    account the app kept, instead of failing on the taken userName."""
    run.publish()
    jose = PEOPLE[1]
    before = run.app_id(jose)
    user_id = run.users[jose["email"]]["id"]
    assert run.api.delete(f"/api/v1/users/{user_id}").status_code in (200, 204)
    run.step(lambda: run.holds(jose, active=False))
    run.settle()

    returning = {**jose, "lastName": "Núñez"}
    run.create_user(returning, "+33 1 45 67 89 99")
    run.step(lambda: run.holds(returning))

    assert run.app_id(returning) == before
    assert len(run.view.users()) == len(PEOPLE)
    adopted = [
        e
        for e in run.events(event="User Updated")
        if jose["email"] in e["activity"] and "adopted" in e["activity"]
    ]
    assert len(adopted) == 1
    assert run.events(event="User Created", status="Failed") == []
    run.assert_nothing_failed()
