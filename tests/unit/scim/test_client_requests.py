"""The requests the client sends and how it reads successful answers."""

from __future__ import annotations

import json

import httpx
import pytest
from structlog.testing import capture_logs
from tests.unit.scim.payloads import (
    BJENSEN,
    BJENSEN_ID,
    ENDPOINT,
    TOKEN,
    USER_URN,
    MakeClient,
    scim_json,
)

from scimlink.scim.client import ScimClient, ScimResult
from scimlink.scim.errors import ConfigurationError

USER_URL = f"{ENDPOINT}/Users/{BJENSEN_ID}"


def test_headers_on_every_request(make_client: MakeClient) -> None:
    """Bearer token and SCIM media types go with each request."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return scim_json(201, BJENSEN)

    make_client(handler).create("Users", {"schemas": [USER_URN], "userName": "b"})

    headers = seen[0].headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Accept"] == "application/scim+json, application/json"
    assert headers["Content-Type"] == "application/scim+json"
    assert json.loads(seen[0].content) == {"schemas": [USER_URN], "userName": "b"}


@pytest.mark.parametrize("status", [200, 201])
def test_create_accepts_200_and_201(make_client: MakeClient, status: int) -> None:
    """Some servers answer a create with 200 rather than 201."""
    client = make_client(lambda request: scim_json(status, BJENSEN))

    result = client.create("Users", {"userName": "bjensen@example.com"})

    assert result == ScimResult(
        method="POST",
        url=f"{ENDPOINT}/Users",
        status=status,
        request_body={"userName": "bjensen@example.com"},
        resource=BJENSEN,
        elapsed_ms=result.elapsed_ms,
    )
    assert result.elapsed_ms >= 0


def test_plain_application_json_is_accepted(make_client: MakeClient) -> None:
    """A body labelled application/json is read like application/scim+json."""
    response = httpx.Response(200, json=BJENSEN)
    assert response.headers["Content-Type"] == "application/json"

    result = make_client(lambda request: response).get("Users", BJENSEN_ID)

    assert result.resource == BJENSEN


def test_get_quotes_the_id(make_client: MakeClient) -> None:
    """An id with reserved characters stays one path segment."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return scim_json(200, BJENSEN)

    make_client(handler).get("Users", "a/b c?")

    assert seen == ["/scim/v2/Users/a%2Fb%20c%3F"]


def test_patch_wraps_operations_in_a_patch_op(make_client: MakeClient) -> None:
    """PATCH sends the RFC 7644 §3.5.2 PatchOp message."""
    sent: list[dict[str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return httpx.Response(204)

    operations = [{"op": "replace", "path": "active", "value": False}]
    make_client(handler).patch("Users", BJENSEN_ID, operations)

    assert sent == [
        {
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": operations,
        }
    ]


def test_patch_200_returns_the_resource(make_client: MakeClient) -> None:
    """A 200 PATCH answer carries the modified resource."""
    client = make_client(lambda request: scim_json(200, BJENSEN))

    result = client.patch("Users", BJENSEN_ID, [{"op": "add", "value": {}}])

    assert (result.status, result.resource) == (200, BJENSEN)


def test_patch_204_returns_no_resource(make_client: MakeClient) -> None:
    """A 204 PATCH answer has no resource."""
    client = make_client(lambda request: httpx.Response(204))

    result = client.patch("Users", BJENSEN_ID, [{"op": "add", "value": {}}])

    assert (result.status, result.resource) == (204, None)


def test_patch_200_with_text_body_still_succeeds(make_client: MakeClient) -> None:
    """An accepted PATCH with an unreadable body is not turned into a failure."""
    client = make_client(lambda request: httpx.Response(200, text="OK"))

    result = client.patch("Users", BJENSEN_ID, [{"op": "add", "value": {}}])

    assert (result.status, result.resource) == (200, None)


def test_replace_sends_put(make_client: MakeClient) -> None:
    """replace() is a PUT of the full resource to the resource's URL."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return scim_json(200, BJENSEN)

    result = make_client(handler).replace("Users", BJENSEN_ID, BJENSEN)

    assert (seen[0].method, str(seen[0].url)) == ("PUT", USER_URL)
    assert result.resource == BJENSEN


@pytest.mark.parametrize("response", [httpx.Response(204), httpx.Response(200)])
def test_delete_accepts_200_and_204(
    make_client: MakeClient, response: httpx.Response
) -> None:
    """DELETE succeeds on 204 and on 200 with an empty body."""
    result = make_client(lambda request: response).delete("Users", BJENSEN_ID)

    assert (result.method, result.url, result.resource) == ("DELETE", USER_URL, None)


@pytest.mark.parametrize(
    ("response", "what"),
    [
        (httpx.Response(200, text="<html><body>Welcome</body></html>"), "not JSON"),
        (httpx.Response(200), "empty body"),
        (httpx.Response(200, json=["a", "b"]), "not an object"),
    ],
)
def test_get_without_a_json_object_is_not_scim(
    make_client: MakeClient, response: httpx.Response, what: str
) -> None:
    """A 200 whose body is not a JSON object means the endpoint is not SCIM."""
    client = make_client(lambda request: response)

    with pytest.raises(ConfigurationError) as caught:
        client.get("Users", "1")

    assert caught.value.reason == "not_scim"
    assert what in caught.value.detail
    assert caught.value.status == 200


def test_create_without_json_is_not_scim(make_client: MakeClient) -> None:
    """A create must return the resource, since its id is needed."""
    client = make_client(lambda request: httpx.Response(201, text="created"))

    with pytest.raises(ConfigurationError) as caught:
        client.create("Users", {"userName": "x"})

    assert caught.value.reason == "not_scim"
    assert isinstance(caught.value.__cause__, ValueError)


def test_one_log_line_per_request_without_the_token(make_client: MakeClient) -> None:
    """Each request logs one info line; neither token nor filter appears in it."""
    client = make_client(lambda request: scim_json(200, {"Resources": []}))

    with capture_logs() as logs:
        client.search("Users", 'userName eq "secret.person@example.com"')

    assert len(logs) == 1
    assert logs[0]["event"] == "scim.request"
    assert logs[0]["log_level"] == "info"
    assert logs[0]["status"] == 200
    assert logs[0]["url"] == f"{ENDPOINT}/Users"
    assert TOKEN not in repr(logs)
    assert "secret.person" not in repr(logs)


def test_failed_request_logs_once(make_client: MakeClient) -> None:
    """A request with no answer still logs one line, with the reason."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out")

    client = make_client(handler)
    with capture_logs() as logs, pytest.raises(Exception, match="timeout"):
        client.get("Users", "1")

    assert [(log["status"], log["error"]) for log in logs] == [(None, "timeout")]


def test_repr_hides_the_token() -> None:
    """The client's repr never shows the token."""
    with ScimClient(ENDPOINT, TOKEN) as client:
        assert TOKEN not in repr(client)


@pytest.mark.parametrize("endpoint", ["", "scim.example.test", "ftp://x/y", "https://"])
def test_endpoint_must_be_an_http_url(endpoint: str) -> None:
    """An endpoint that is not an http(s) URL is refused at once."""
    with pytest.raises(ValueError):
        ScimClient(endpoint, TOKEN)


def test_trailing_slash_in_endpoint(make_client: MakeClient) -> None:
    """A trailing slash in the endpoint does not double in request URLs."""
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return scim_json(200, {})

    transport = httpx.MockTransport(handler)
    with ScimClient(ENDPOINT + "/", TOKEN, transport=transport) as client:
        client.service_provider_config()

    assert seen == [f"{ENDPOINT}/ServiceProviderConfig"]
