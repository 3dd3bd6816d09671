"""The connection test's verdicts, on a mock transport."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
import pytest
from tests.unit.scim.payloads import (
    ENDPOINT,
    TOKEN,
    list_response,
    scim_error,
    scim_json,
)

from scimlink.scim.connection_test import check_connection

Handler = Callable[[httpx.Request], httpx.Response]
SPC = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    "patch": {"supported": True},
    "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
    "filter": {"supported": True, "maxResults": 100},
    "changePassword": {"supported": False},
    "sort": {"supported": False},
    "etag": {"supported": False},
    "authenticationSchemes": [],
}


def _server(spc: httpx.Response, users: httpx.Response) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/ServiceProviderConfig"):
            return spc
        if request.url.path.endswith("/Users"):
            return users
        return httpx.Response(404)

    return handler


def test_success_reports_capabilities() -> None:
    """A SCIM server that accepts the token reports success and its features."""
    result = check_connection(
        ENDPOINT,
        TOKEN,
        transport=httpx.MockTransport(
            _server(scim_json(200, SPC), scim_json(200, list_response([])))
        ),
    )

    assert (result.ok, result.reason, result.status) == (True, "success", 200)
    assert result.capabilities is not None
    assert result.capabilities.patch is True
    assert result.capabilities.filter_max_results == 100
    assert "scim.example.test" in result.message
    assert "PATCH" in result.message
    assert result.model_dump(by_alias=True)["capabilities"]["filterMaxResults"] == 100


def test_the_lookup_matches_nobody() -> None:
    """The user lookup is read-only and asks for a user name that cannot exist."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return _server(scim_json(200, SPC), scim_json(200, list_response([])))(request)

    check_connection(ENDPOINT, TOKEN, transport=httpx.MockTransport(handler))

    assert [request.method for request in seen] == ["GET", "GET"]
    lookup = seen[1].url.params["filter"]
    assert lookup.startswith('userName eq "')
    assert lookup.endswith('@scimlink.invalid"')


def test_missing_service_provider_config_is_still_success() -> None:
    """A 404 on ServiceProviderConfig but a ListResponse on /Users is success."""
    handler = _server(
        scim_json(404, scim_error(404, "no")), scim_json(200, list_response([]))
    )

    result = check_connection(ENDPOINT, TOKEN, transport=httpx.MockTransport(handler))

    assert (result.ok, result.reason, result.capabilities) == (True, "success", None)
    assert "unknown" in result.message


def test_404_on_both_is_a_wrong_path() -> None:
    """404 on ServiceProviderConfig and on /Users means the path is wrong."""
    handler = _server(httpx.Response(404), httpx.Response(404, text="Not Found"))

    result = check_connection(ENDPOINT, TOKEN, transport=httpx.MockTransport(handler))

    assert (result.ok, result.reason, result.status) == (False, "not_found", 404)
    assert result.message == (
        "No SCIM API was found at https://scim.example.test/scim/v2 (HTTP 404). "
        "Check the path of the endpoint URL."
    )


@pytest.mark.parametrize(
    ("status", "reason"), [(401, "unauthorized"), (403, "forbidden")]
)
def test_rejected_token(status: int, reason: str) -> None:
    """A 401 or 403 on the lookup says the token was rejected."""
    handler = _server(
        scim_json(200, SPC), scim_json(status, scim_error(status, "denied"))
    )

    result = check_connection(ENDPOINT, TOKEN, transport=httpx.MockTransport(handler))

    assert (result.ok, result.reason, result.status) == (False, reason, status)
    assert "rejected the bearer token" in result.message


def test_html_page_is_not_scim() -> None:
    """A web page served with 200 everywhere is not a SCIM server."""
    page = httpx.Response(
        200,
        text="<html><title>Home</title></html>",
        headers={"Content-Type": "text/html"},
    )

    result = check_connection(
        ENDPOINT, TOKEN, transport=httpx.MockTransport(lambda request: page)
    )

    assert (result.ok, result.reason) == (False, "not_scim")
    assert "text/html" in result.message


def test_dns_failure_message() -> None:
    """An unknown host name gives the DNS sentence naming the host."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("failed") from socket.gaierror(-2, "unknown")

    result = check_connection(ENDPOINT, TOKEN, transport=httpx.MockTransport(handler))

    assert (result.ok, result.reason, result.status) == (False, "dns", None)
    assert result.message == (
        "The host name scim.example.test could not be resolved (DNS failure). "
        "Check the endpoint URL."
    )


def test_timeout_message_names_the_limit() -> None:
    """A timeout says how long the test waited."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out")

    result = check_connection(
        ENDPOINT, TOKEN, timeout=2.5, transport=httpx.MockTransport(handler)
    )

    assert (result.ok, result.reason) == (False, "timeout")
    assert "within 2.5 seconds" in result.message


def test_refused_filter_is_reported() -> None:
    """A server that rejects the userName filter cannot be matched against."""
    handler = _server(
        scim_json(200, SPC),
        scim_json(400, scim_error(400, "filter not supported", "invalidFilter")),
    )

    result = check_connection(ENDPOINT, TOKEN, transport=httpx.MockTransport(handler))

    assert (result.ok, result.reason, result.status) == (False, "invalid", 400)
    assert "filter not supported" in result.message


def test_server_error_is_reported() -> None:
    """A 500 on the lookup is a server error."""
    handler = _server(scim_json(200, SPC), httpx.Response(500))

    result = check_connection(ENDPOINT, TOKEN, transport=httpx.MockTransport(handler))

    assert (result.ok, result.reason, result.status) == (False, "server_error", 500)


@pytest.mark.parametrize("endpoint", ["", "scim.example.test/v2", "ldap://x"])
def test_malformed_endpoint(endpoint: str) -> None:
    """An endpoint that is no http(s) URL is reported without any request."""
    result = check_connection(endpoint, TOKEN)

    assert (result.ok, result.reason) == (False, "invalid")
    assert "not an http(s) URL" in result.message
