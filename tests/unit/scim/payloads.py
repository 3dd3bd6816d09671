"""Responses a SCIM server sends, built for the client's unit tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from scimlink.scim.client import ScimClient

ENDPOINT = "https://scim.example.test/scim/v2"
TOKEN = "s3cr3t-token-value"
ERROR_URN = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST_RESPONSE_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"

Handler = Callable[[httpx.Request], httpx.Response]
MakeClient = Callable[[Handler], ScimClient]

# RFC 7644 §3.3: the User a server returns after creating it.
BJENSEN_ID = "2819c223-7f76-453a-919d-413861904646"
BJENSEN: dict[str, Any] = {
    "schemas": [USER_URN],
    "id": BJENSEN_ID,
    "userName": "bjensen@example.com",
    "meta": {"resourceType": "User", "version": 'W/"e180ee84f0671b1"'},
}


def scim_json(status: int, payload: Any, **headers: str) -> httpx.Response:
    """A response with a SCIM JSON body."""
    return httpx.Response(
        status,
        content=json.dumps(payload).encode(),
        headers={"Content-Type": "application/scim+json", **headers},
    )


def scim_error(
    status: int | str, detail: str, scim_type: str | None = None
) -> dict[str, Any]:
    """An RFC 7644 §3.12 Error message."""
    body: dict[str, Any] = {"schemas": [ERROR_URN], "status": status, "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return body


def list_response(resources: list[Any], **extra: Any) -> dict[str, Any]:
    """An RFC 7644 §3.4.2 ListResponse holding the given resources."""
    return {
        "schemas": [LIST_RESPONSE_URN],
        "totalResults": len(resources),
        "Resources": resources,
        **extra,
    }
