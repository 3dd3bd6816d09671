"""A `scim2` connector adapts to what the server says, and to what it does.

The connector reads `/ServiceProviderConfig` before its first push. When the
document is missing, incomplete or malformed it falls back to PUT of the full
resource; when it claims PATCH but the server refuses PATCH (405 or 501),
the connector switches to PUT and remembers it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from tests.emulators import Emulator, make_emulator
from tests.emulators.errors import ScimError
from tests.emulators.scim2 import Scim2PutOnlyRules
from tests.support.serving import serve
from tests.support.waiting import wait_for

from scimlink.db.models import Connector

pytestmark = pytest.mark.acceptance

TOKEN = "adaptation-token-0123456789"
PREFIX = "/scim/v2"
STEP_SECONDS = 5.0
SPC_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"


class PatchClaimedRules(Scim2PutOnlyRules):
    """Advertises PATCH in its ServiceProviderConfig but answers it with 501."""

    key = "scim2_patch_claimed"

    def service_provider_config(self) -> dict[str, Any]:
        return {**super().service_provider_config(), "patch": {"supported": True}}


class PatchNotAllowedRules(PatchClaimedRules):
    """As PatchClaimedRules, answering PATCH with 405 Method Not Allowed."""

    key = "scim2_patch_405"
    unsupported_status = 405


class MissingConfigRules(Scim2PutOnlyRules):
    """Has no /ServiceProviderConfig at all (404)."""

    key = "scim2_no_config"

    def service_provider_config(self) -> dict[str, Any]:
        raise ScimError(404, "no ServiceProviderConfig here")


class IncompleteConfigRules(Scim2PutOnlyRules):
    """A ServiceProviderConfig that says nothing about PATCH."""

    key = "scim2_incomplete_config"

    def service_provider_config(self) -> dict[str, Any]:
        return {"schemas": [SPC_SCHEMA], "filter": {"supported": True}}


class MalformedConfigRules(Scim2PutOnlyRules):
    """A ServiceProviderConfig whose sections have the wrong types."""

    key = "scim2_malformed_config"

    def service_provider_config(self) -> dict[str, Any]:
        return {
            "schemas": [SPC_SCHEMA],
            "patch": "yes",
            "bulk": [],
            "filter": {"supported": "sometimes", "maxResults": "many"},
            "etag": None,
        }


@dataclass
class Run:
    """A connector pushing one directory's users and one group to an emulator."""

    api: TestClient
    emulator: Emulator
    connector_id: str
    directory_id: str
    user_id: str

    def held(self, email: str) -> dict[str, Any] | None:
        return next(
            (u for u in list(self.emulator.users.values()) if u["userName"] == email),
            None,
        )

    def requests(self, method: str, kind: str) -> list[Any]:
        return [
            r
            for r in self.emulator.requests
            if r.method == method and f"/{kind}" in r.path
        ]

    def patch_refusals(self) -> list[Any]:
        return [r for r in self.emulator.rejections if r.method == "PATCH"]

    def failed_events(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = self.api.get(
            "/api/v1/events",
            params={"connectorId": self.connector_id, "status": "Failed"},
        ).json()["items"]
        return items

    def settle(self) -> None:
        wait_for(
            lambda: (
                self.api.get(f"/api/v1/connectors/{self.connector_id}/status").json()[
                    "pending"
                ]
                == 0
            ),
            timeout=STEP_SECONDS,
        )


@pytest.fixture
def served() -> Iterator[Any]:
    """Serve emulators for the length of a test: `served(rules)` -> Emulator, URL."""
    stack: list[Any] = []

    def start(rules: Any) -> tuple[Emulator, str]:
        emulator = Emulator(rules, token=TOKEN, prefix=PREFIX)
        context = serve(emulator.asgi)
        base_url = context.__enter__()
        stack.append(context)
        return emulator, base_url + PREFIX

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


def _publish(api: TestClient, emulator: Emulator, endpoint: str) -> Run:
    directory = api.post("/api/v1/directories", json={"name": "Staff"}).json()
    user = api.post(
        "/api/v1/users",
        json={
            "directoryId": directory["id"],
            "email": "anais.lefebvre@example.com",
            "firstName": "Anaïs",
            "lastName": "L'Héritier",
        },
    )
    assert user.status_code == 201, user.text
    connector = api.post(
        "/api/v1/connectors",
        json={
            "name": "Any SCIM",
            "app": "scim2",
            "endpoint": endpoint,
            "token": TOKEN,
            "groupExport": True,
        },
    )
    assert connector.status_code == 201, connector.text
    run = Run(api, emulator, connector.json()["id"], directory["id"], user.json()["id"])
    published = api.post(
        f"/api/v1/connectors/{run.connector_id}/publish",
        json={"directoryIds": [directory["id"]]},
    )
    assert published.status_code == 200, published.text
    wait_for(lambda: run.held("anais.lefebvre@example.com"), timeout=STEP_SECONDS)
    return run


def _rename(run: Run, last_name: str) -> None:
    response = run.api.patch(
        f"/api/v1/users/{run.user_id}", json={"lastName": last_name}
    )
    assert response.status_code == 200, response.text
    wait_for(
        lambda: (
            (u := run.held("anais.lefebvre@example.com"))
            and u["name"]["familyName"] == last_name
        ),
        timeout=STEP_SECONDS,
    )


def _server_config(engine: Engine, connector_id: str) -> dict[str, Any]:
    with Session(engine) as session:
        connector = session.get(Connector, connector_id)
        assert connector is not None
        return dict(connector.server_config or {})


@pytest.mark.parametrize("rules", [PatchClaimedRules, PatchNotAllowedRules])
def test_patch_wrongly_advertised_is_learned_as_put(
    live_api: TestClient, engine: Engine, served: Any, rules: type[Any]
) -> None:
    """A server claiming PATCH but refusing it gets PUT, learned after one try."""
    emulator, endpoint = served(rules())
    run = _publish(live_api, emulator, endpoint)

    _rename(run, "Ó Súilleabháin")
    assert len(run.patch_refusals()) == 1
    assert run.patch_refusals()[0].status == rules.unsupported_status
    assert len(run.requests("PUT", "Users")) == 1
    run.settle()
    config = _server_config(engine, run.connector_id)
    assert config["patch"] == {"supported": False}
    assert "PUT" in config["learned"]

    # Later changes go straight to PUT: no second PATCH is ever tried.
    _rename(run, "Dupré-Lafleur")
    suspended = live_api.patch(
        f"/api/v1/users/{run.user_id}", json={"status": "suspended"}
    )
    assert suspended.status_code == 200
    wait_for(
        lambda: run.held("anais.lefebvre@example.com")["active"] is False,
        timeout=STEP_SECONDS,
    )
    run.settle()
    assert len(run.patch_refusals()) == 1
    assert run.failed_events() == []


def test_groups_on_a_server_learned_as_put_only(
    live_api: TestClient, served: Any
) -> None:
    """Once PUT is learned, a group and its members are written with PUT."""
    emulator, endpoint = served(PatchClaimedRules())
    run = _publish(live_api, emulator, endpoint)
    _rename(run, "Ó Súilleabháin")
    run.settle()

    group = live_api.post(
        "/api/v1/groups", json={"directoryId": run.directory_id, "name": "Comité"}
    ).json()
    live_api.post(
        f"/api/v1/groups/{group['id']}/members", json={"userIds": [run.user_id]}
    )
    assigned = live_api.post(
        f"/api/v1/connectors/{run.connector_id}/groups",
        json={"groupIds": [group["id"]]},
    )
    assert assigned.status_code == 200, assigned.text
    app_user = run.held("anais.lefebvre@example.com")
    assert app_user is not None

    def members() -> set[str]:
        found = [
            g for g in list(emulator.groups.values()) if g["displayName"] == "Comité"
        ]
        return set(emulator.members_of(found[0]["id"])) if found else set()

    wait_for(lambda: members() == {app_user["id"]}, timeout=STEP_SECONDS)
    renamed = live_api.patch(f"/api/v1/groups/{group['id']}", json={"name": "Comité B"})
    assert renamed.status_code == 200
    wait_for(
        lambda: any(g["displayName"] == "Comité B" for g in emulator.groups.values()),
        timeout=STEP_SECONDS,
    )
    run.settle()
    assert len(run.patch_refusals()) == 1
    assert run.failed_events() == []


@pytest.mark.parametrize(
    "rules", [MissingConfigRules, IncompleteConfigRules, MalformedConfigRules]
)
def test_unusable_service_provider_config_falls_back_to_put(
    live_api: TestClient, served: Any, rules: type[Any]
) -> None:
    """Without a usable ServiceProviderConfig, updates use PUT and never PATCH."""
    emulator, endpoint = served(rules())
    run = _publish(live_api, emulator, endpoint)
    assert any(
        r.path.endswith("/ServiceProviderConfig") for r in emulator.requests
    ) or any(r.path.endswith("/ServiceProviderConfig") for r in emulator.rejections)

    _rename(run, "Ó Súilleabháin")
    run.settle()
    assert run.requests("PATCH", "Users") == []
    assert run.patch_refusals() == []
    assert len(run.requests("PUT", "Users")) == 1
    assert emulator.shape_rejections == []
    assert run.failed_events() == []


def test_advertised_patch_is_used(live_api: TestClient, served: Any) -> None:
    """A server whose ServiceProviderConfig advertises PATCH gets PATCH updates."""
    emulator = make_emulator("scim2_strict", token=TOKEN, prefix=PREFIX)
    emulator, endpoint = served(emulator.rules)
    run = _publish(live_api, emulator, endpoint)

    _rename(run, "Ó Súilleabháin")
    run.settle()
    patches = run.requests("PATCH", "Users")
    assert len(patches) == 1
    assert patches[0].body["Operations"] == [
        {"op": "replace", "path": "name.familyName", "value": "Ó Súilleabháin"}
    ]
    assert run.requests("PUT", "Users") == []
    assert emulator.shape_rejections == []


def test_group_members_before_put_is_learned(live_api: TestClient, served: Any) -> None:
    """A member PATCH refused with 501, before any user update, teaches PUT."""
    emulator, endpoint = served(PatchClaimedRules())
    run = _publish(live_api, emulator, endpoint)
    run.settle()

    group = live_api.post(
        "/api/v1/groups", json={"directoryId": run.directory_id, "name": "Comité"}
    ).json()
    assigned = live_api.post(
        f"/api/v1/connectors/{run.connector_id}/groups",
        json={"groupIds": [group["id"]]},
    )
    assert assigned.status_code == 200, assigned.text
    wait_for(lambda: emulator.groups, timeout=STEP_SECONDS)
    # The group exists in the app: adding a member is an update of it.
    live_api.post(
        f"/api/v1/groups/{group['id']}/members", json={"userIds": [run.user_id]}
    )
    app_user = run.held("anais.lefebvre@example.com")
    assert app_user is not None

    def members() -> set[str]:
        found = [
            g for g in list(emulator.groups.values()) if g["displayName"] == "Comité"
        ]
        return set(emulator.members_of(found[0]["id"])) if found else set()

    wait_for(lambda: members() == {app_user["id"]}, timeout=STEP_SECONDS)
    run.settle()
    assert len(run.patch_refusals()) == 1
    assert run.failed_events() == []
