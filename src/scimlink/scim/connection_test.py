"""The connection test of a connector: real, read-only requests to the app.

It reads the ServiceProviderConfig, then looks up a user name that matches
nobody, and reports either success, with what the server advertises, or the
one reason it failed, in a sentence that says what to fix.
"""

from __future__ import annotations

import uuid

import httpx
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from scimlink.scim.capabilities import ServerCapabilities, read_capabilities
from scimlink.scim.client import ScimClient, eq_filter
from scimlink.scim.errors import ScimError


class ConnectionTestResult(BaseModel):
    """The outcome of a connection test, as the API and the console show it."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True
    )

    ok: bool
    reason: str
    """``success``, or the reason code of the error that stopped the test."""
    message: str
    status: int | None = None
    capabilities: ServerCapabilities | None = None
    """What the ServiceProviderConfig advertises; None when there is none."""


def check_connection(
    endpoint: str,
    token: str,
    *,
    timeout: float = 10.0,
    transport: httpx.BaseTransport | None = None,
    verify: bool = True,
) -> ConnectionTestResult:
    """Test that an endpoint and a token reach a SCIM server that accepts them."""
    try:
        client = ScimClient(
            endpoint, token, timeout=timeout, transport=transport, verify=verify
        )
    except ValueError:
        return ConnectionTestResult(
            ok=False,
            reason="invalid",
            message=(
                f"The endpoint {endpoint!r} is not an http(s) URL. Enter the app's "
                "SCIM base URL, starting with https://."
            ),
        )

    with client:
        try:
            capabilities = _read_service_provider_config(client)
            result, _ = client.search(
                "Users",
                eq_filter("userName", f"{uuid.uuid4()}@scimlink.invalid"),
                count=1,
            )
        except ScimError as error:
            return _failure(error, timeout)

    return ConnectionTestResult(
        ok=True,
        reason="success",
        message=_success_message(client.endpoint, capabilities),
        status=result.status,
        capabilities=capabilities,
    )


def _read_service_provider_config(client: ScimClient) -> ServerCapabilities | None:
    """The advertised capabilities, or None when the server has no such page.

    Many servers leave the ServiceProviderConfig out (404) or refuse it (405,
    501); the user lookup that follows tells whether they speak SCIM at all.
    """
    try:
        result = client.service_provider_config()
    except ScimError as error:
        if error.reason in {"not_found", "invalid"} or error.status == 501:
            return None
        raise
    return read_capabilities(result.resource or {})


def _failure(error: ScimError, timeout: float) -> ConnectionTestResult:
    return ConnectionTestResult(
        ok=False,
        reason=error.reason,
        message=_failure_message(error, timeout),
        status=error.status,
    )


def _failure_message(error: ScimError, timeout: float) -> str:
    if error.reason == "timeout" and error.status is None:
        return (
            f"{error.host} did not answer within {timeout:g} seconds (timeout). "
            "Check the endpoint URL and that no firewall drops the traffic."
        )
    if error.reason in {"invalid", "conflict"}:
        return (
            f"{error.host} refused a user lookup by userName (HTTP {error.status}: "
            f"{error.detail}). The app must support eq filters on userName."
        )
    return error.summary()


def _success_message(endpoint: str, capabilities: ServerCapabilities | None) -> str:
    host = httpx.URL(endpoint).host
    if capabilities is None:
        return (
            f"Connected to {host}: the token is accepted and users can be looked "
            "up. The server publishes no ServiceProviderConfig, so its features "
            "are unknown."
        )
    features = _feature_names(capabilities)
    advertised = (
        f" It supports {', '.join(features)}."
        if features
        else " It advertises no optional feature."
    )
    return (
        f"Connected to {host}: the token is accepted and users can be looked up."
        f"{advertised}"
    )


def _feature_names(capabilities: ServerCapabilities) -> list[str]:
    names = {
        "PATCH": capabilities.patch,
        "bulk": capabilities.bulk,
        "filtering": capabilities.filter,
        "sorting": capabilities.sort,
        "ETags": capabilities.etag,
        "password changes": capabilities.change_password,
        "cursor paging": capabilities.cursor_paging,
    }
    return [name for name, supported in names.items() if supported]
