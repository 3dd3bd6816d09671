"""SCIM bodies and assertions shared by the emulator tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import httpx
from tests.emulators import Emulator

TOKEN = "emulator-test-token"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

Running = tuple[Emulator, httpx.Client]
Start = Callable[[str], Running]


def user(user_name: str = "ada@example.com", **extra: Any) -> dict[str, Any]:
    """A User body with everything every app requires."""
    body: dict[str, Any] = {
        "schemas": [USER_SCHEMA],
        "userName": user_name,
        "displayName": "Ada Lovelace",
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        "active": True,
    }
    body.update(extra)
    return body


def group(
    display_name: str = "Engineers", members: Sequence[str] = ()
) -> dict[str, Any]:
    """A Group body with the given member ids."""
    body: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "displayName": display_name}
    if members:
        body["members"] = [{"value": m} for m in members]
    return body


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    """A PatchOp body."""
    return {"schemas": [PATCH_OP], "Operations": list(operations)}


def create_user(client: httpx.Client, user_name: str = "ada@example.com") -> str:
    """POST a valid user and return its id."""
    response = client.post("/Users", json=user(user_name))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def create_group(
    client: httpx.Client, display_name: str = "Engineers", members: Sequence[str] = ()
) -> str:
    """POST a valid group and return its id."""
    response = client.post("/Groups", json=group(display_name, members))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def assert_scim_error(
    response: httpx.Response, status: int, scim_type: str | None = None
) -> None:
    """The response is an RFC 7644 error with this status (as a string)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    assert body["detail"]
    if scim_type is not None:
        assert body.get("scimType") == scim_type
