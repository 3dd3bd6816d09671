"""The SCIM client and the connection test against real servers on loopback."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from tests.support.ports import free_port
from tests.support.scim2_server import Scim2Server

from scimlink.scim import (
    ConflictError,
    NotFoundError,
    ScimClient,
    TransientError,
    check_connection,
    eq_filter,
)

pytestmark = pytest.mark.integration

TOKEN = "integration-token"
USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_URN = "urn:ietf:params:scim:schemas:core:2.0:Group"


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """A scim2-server shared by the tests of this module."""
    with Scim2Server(token=TOKEN) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[ScimClient]:
    """A client of the shared server with the right token."""
    with ScimClient(base_url, TOKEN, timeout=5.0) as scim:
        yield scim


def _user(user_name: str, **extra: Any) -> dict[str, Any]:
    return {"schemas": [USER_URN], "userName": user_name, **extra}


def test_user_lifecycle(client: ScimClient) -> None:
    """A user is created, found, read, patched, replaced and deleted."""
    created = client.create("Users", _user("ada@example.com", active=True))
    assert created.status == 201
    assert created.resource is not None
    user_id = created.resource["id"]

    _, found = client.search("Users", eq_filter("userName", "ada@example.com"))
    assert [user["id"] for user in found] == [user_id]

    fetched = client.get("Users", user_id)
    assert fetched.resource is not None
    assert fetched.resource["userName"] == "ada@example.com"

    client.patch(
        "Users", user_id, [{"op": "replace", "path": "active", "value": False}]
    )
    assert client.get("Users", user_id).resource["active"] is False  # type: ignore[index]

    replaced = client.replace(
        "Users", user_id, _user("ada@example.com", displayName="Ada L.")
    )
    assert replaced.resource is not None
    assert replaced.resource["displayName"] == "Ada L."

    deleted = client.delete("Users", user_id)
    assert deleted.status == 204
    with pytest.raises(NotFoundError):
        client.get("Users", user_id)


def test_group_lifecycle(client: ScimClient) -> None:
    """A group is created with a member, searched, patched, replaced and deleted."""
    member = client.create("Users", _user("grace@example.com")).resource
    assert member is not None
    created = client.create(
        "Groups",
        {
            "schemas": [GROUP_URN],
            "displayName": "Engineers",
            "members": [{"value": member["id"]}],
        },
    )
    assert created.resource is not None
    group_id = created.resource["id"]

    _, found = client.search("Groups", eq_filter("displayName", "Engineers"))
    assert [group["id"] for group in found] == [group_id]

    client.patch(
        "Groups",
        group_id,
        [{"op": "remove", "path": f'members[value eq "{member["id"]}"]'}],
    )
    assert not client.get("Groups", group_id).resource.get("members")  # type: ignore[union-attr]

    replaced = client.replace(
        "Groups", group_id, {"schemas": [GROUP_URN], "displayName": "Engineering"}
    )
    assert replaced.resource is not None
    assert replaced.resource["displayName"] == "Engineering"

    client.delete("Groups", group_id)
    with pytest.raises(NotFoundError):
        client.delete("Groups", group_id)


def test_duplicate_user_name_is_a_conflict(client: ScimClient) -> None:
    """Creating a second user with the same userName raises ConflictError."""
    client.create("Users", _user("twice@example.com"))

    with pytest.raises(ConflictError) as caught:
        client.create("Users", _user("twice@example.com"))

    assert caught.value.status == 409
    assert caught.value.scim_type == "uniqueness"
    assert caught.value.request_body is not None


def test_missing_id_is_not_found(client: ScimClient) -> None:
    """Reading an id the server never gave raises NotFoundError."""
    with pytest.raises(NotFoundError) as caught:
        client.get("Users", "does-not-exist")

    assert caught.value.reason == "not_found"
    assert caught.value.status == 404


def test_iter_all_by_index_through_250_users() -> None:
    """Index paging returns each of 250 users exactly once."""
    with Scim2Server(token=TOKEN) as url, ScimClient(url, TOKEN) as scim:
        names = {f"user{n:03}@example.com" for n in range(250)}
        for name in sorted(names):
            scim.create("Users", _user(name))

        found = list(scim.iter_all("Users", paging="index", page_size=100))

    assert sorted(user["userName"] for user in found) == sorted(names)
    assert len({user["id"] for user in found}) == 250


def test_iter_all_by_cursor(tmp_path: Path) -> None:
    """Cursor paging (RFC 9865) returns each user once on a server that offers it."""
    config = tmp_path / "service-provider-config.json"
    config.write_text(json.dumps(_CURSOR_CONFIG))
    extra_args = ["--service-provider-config", str(config)]

    with (
        Scim2Server(token=TOKEN, extra_args=extra_args) as url,
        ScimClient(url, TOKEN) as scim,
    ):
        for n in range(70):
            scim.create("Users", _user(f"cursor{n:02}@example.com"))
        capabilities = check_connection(url, TOKEN).capabilities
        found = list(scim.iter_all("Users", paging="cursor", page_size=25))

    assert capabilities is not None
    assert (capabilities.cursor_paging, capabilities.max_page_size) == (True, 25)
    assert len({user["id"] for user in found}) == len(found) == 70


_CURSOR_CONFIG = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    "patch": {"supported": True},
    "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
    "filter": {"supported": True, "maxResults": 100},
    "changePassword": {"supported": False},
    "sort": {"supported": False},
    "etag": {"supported": False},
    "authenticationSchemes": [],
    "pagination": {"cursor": True, "index": True, "maxPageSize": 25},
}


def test_check_connection_success(base_url: str) -> None:
    """A real scim2-server passes the connection test with its capabilities."""
    result = check_connection(base_url, TOKEN)

    assert (result.ok, result.reason, result.status) == (True, "success", 200)
    assert result.capabilities is not None
    assert result.capabilities.patch is True
    assert result.capabilities.filter is True
    assert result.capabilities.filter_max_results == 1000
    assert "oauthbearertoken" in result.capabilities.authentication_schemes


def test_check_connection_wrong_token(base_url: str) -> None:
    """A token the server does not know is reported as unauthorized."""
    result = check_connection(base_url, "wrong-token")

    assert (result.ok, result.reason, result.status) == (False, "unauthorized", 401)
    assert "rejected the bearer token" in result.message


def test_check_connection_wrong_path(base_url: str) -> None:
    """A base path under which no SCIM API lives is reported as not_found."""
    result = check_connection(f"{base_url}/wrong/path", TOKEN)

    assert (result.ok, result.reason, result.status) == (False, "not_found", 404)
    assert f"{base_url}/wrong/path" in result.message


def test_check_connection_refused() -> None:
    """A port nothing listens on gives a refused connection."""
    result = check_connection(f"http://127.0.0.1:{free_port()}/scim/v2", TOKEN)

    assert (result.ok, result.reason, result.status) == (False, "refused", None)


def test_refused_connection_is_transient() -> None:
    """The client raises a refused connection as a TransientError from httpx's."""
    with (
        ScimClient(f"http://127.0.0.1:{free_port()}", TOKEN) as scim,
        pytest.raises(TransientError) as caught,
    ):
        scim.get("Users", "1")

    assert caught.value.reason == "refused"
    assert caught.value.__cause__ is not None


def test_check_connection_dns_failure() -> None:
    """A host name that cannot resolve is reported as a DNS failure."""
    result = check_connection("http://nonexistent.invalid/scim/v2", TOKEN)

    assert (result.ok, result.reason) == (False, "dns")
    assert "nonexistent.invalid could not be resolved" in result.message


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP server that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            held.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]

    stop.set()
    thread.join(timeout=2)
    for connection in held:
        connection.close()
    listener.close()


def test_check_connection_timeout(silent_server: int) -> None:
    """A server that never answers times out within the given limit."""
    result = check_connection(
        f"http://127.0.0.1:{silent_server}/scim/v2", TOKEN, timeout=0.5
    )

    assert (result.ok, result.reason, result.status) == (False, "timeout", None)
    assert "within 0.5 seconds" in result.message


class _WebPage(BaseHTTPRequestHandler):
    """Answers every GET with the same HTML page, like a web site would."""

    def do_GET(self) -> None:
        page = b"<!DOCTYPE html><html><head><title>Welcome</title></head></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def web_site() -> Iterator[str]:
    """A plain web site on loopback, which is no SCIM server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _WebPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/scim/v2"

    server.shutdown()
    server.server_close()
    thread.join(timeout=2)


def test_check_connection_not_scim(web_site: str) -> None:
    """A web site answering 200 with HTML is reported as not SCIM."""
    result = check_connection(web_site, TOKEN)

    assert (result.ok, result.reason, result.status) == (False, "not_scim", 200)
    assert "text/html" in result.message
