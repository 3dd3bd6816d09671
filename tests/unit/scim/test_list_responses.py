"""Searching, reading ListResponses leniently, and paging through them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.unit.scim.payloads import (
    LIST_RESPONSE_URN,
    USER_URN,
    MakeClient,
    list_response,
    scim_json,
)

from scimlink.scim.errors import ConfigurationError


def _users(count: int) -> list[dict[str, Any]]:
    return [
        {"schemas": [USER_URN], "id": f"u{n}", "userName": f"user{n}@example.com"}
        for n in range(1, count + 1)
    ]


def test_search_sends_filter_count_and_attributes(make_client: MakeClient) -> None:
    """The query parameters of RFC 7644 §3.4.2 are sent as given."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return scim_json(200, list_response(_users(1)))

    result, resources = make_client(handler).search(
        "Users", 'userName eq "a"', count=5, attributes=["id", "userName"]
    )

    assert dict(seen[0].url.params) == {
        "filter": 'userName eq "a"',
        "count": "5",
        "attributes": "id,userName",
    }
    assert resources == _users(1)
    assert result.resource is not None
    assert result.resource["totalResults"] == 1


def test_missing_resources_means_empty(make_client: MakeClient) -> None:
    """A ListResponse without Resources is an empty page."""
    body = {"schemas": [LIST_RESPONSE_URN], "totalResults": 0}

    _, resources = make_client(lambda request: scim_json(200, body)).search("Users")

    assert resources == []


def test_missing_total_results_is_fine(make_client: MakeClient) -> None:
    """A ListResponse without totalResults still yields its Resources."""
    body = {"schemas": [LIST_RESPONSE_URN], "Resources": _users(2)}

    _, resources = make_client(lambda request: scim_json(200, body)).search("Users")

    assert resources == _users(2)


def test_list_response_without_schemas(make_client: MakeClient) -> None:
    """A body with only totalResults and resources (any case) is a ListResponse."""
    body = {"totalResults": 1, "resources": _users(1)}

    _, resources = make_client(lambda request: scim_json(200, body)).search("Users")

    assert resources == _users(1)


def test_non_objects_in_resources_are_skipped(make_client: MakeClient) -> None:
    """Junk entries in Resources are dropped rather than crashing the caller."""
    body = list_response([*_users(1), "junk", None])

    _, resources = make_client(lambda request: scim_json(200, body)).search("Users")

    assert resources == _users(1)


def test_json_that_is_no_list_response_is_not_scim(make_client: MakeClient) -> None:
    """A JSON API that is not SCIM answers /Users with something else."""
    client = make_client(lambda request: scim_json(200, {"users": [], "page": 1}))

    with pytest.raises(ConfigurationError) as caught:
        client.search("Users")

    assert caught.value.reason == "not_scim"


def _index_server(
    users: list[dict[str, Any]], max_page: int | None = None, total: bool = True
) -> Any:
    def handler(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("startIndex", "1"))
        count = int(request.url.params.get("count", "100"))
        if max_page is not None:
            count = min(count, max_page)
        page = users[start - 1 : start - 1 + count]
        body: dict[str, Any] = {"schemas": [LIST_RESPONSE_URN], "Resources": page}
        if total:
            body["totalResults"] = len(users)
        return scim_json(200, body)

    return handler


def test_iter_all_by_index(make_client: MakeClient) -> None:
    """Index paging walks startIndex/count to the last of 250 users."""
    users = _users(250)

    found = list(make_client(_index_server(users)).iter_all("Users", paging="index"))

    assert found == users


def test_iter_all_by_index_with_a_smaller_server_page(make_client: MakeClient) -> None:
    """A server that caps pages below the asked count is still read to the end."""
    users = _users(95)
    client = make_client(_index_server(users, max_page=10))

    found = list(client.iter_all("Users", paging="index", page_size=50))

    assert found == users


def test_iter_all_by_index_without_total(make_client: MakeClient) -> None:
    """Without totalResults, paging stops at the first empty page."""
    users = _users(23)
    client = make_client(_index_server(users, total=False))

    found = list(client.iter_all("Users", paging="index", page_size=10))

    assert found == users


def test_iter_all_stops_when_start_index_is_ignored(make_client: MakeClient) -> None:
    """A server that always returns the first page does not loop forever."""
    body = {"schemas": [LIST_RESPONSE_URN], "Resources": _users(3)}
    client = make_client(lambda request: scim_json(200, body))

    found = list(client.iter_all("Users", paging="index", page_size=3))

    assert found == _users(3)


def test_iter_all_by_cursor(make_client: MakeClient) -> None:
    """Cursor paging (RFC 9865) follows nextCursor until it is absent."""
    users = _users(7)
    cursors: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params["cursor"]
        cursors.append(cursor)
        start = int(cursor or "0")
        count = int(request.url.params["count"])
        body = list_response(users[start : start + count])
        if start + count < len(users):
            body["nextCursor"] = str(start + count)
        return scim_json(200, body)

    found = list(make_client(handler).iter_all("Users", paging="cursor", page_size=3))

    assert found == users
    assert cursors == ["", "3", "6"]


def test_iter_all_by_cursor_stops_on_a_repeated_cursor(make_client: MakeClient) -> None:
    """A server that hands back the same cursor forever does not loop forever."""
    body = list_response(_users(2), nextCursor="same")
    client = make_client(lambda request: scim_json(200, body))

    found = list(client.iter_all("Groups", paging="cursor"))

    assert found == _users(2)
