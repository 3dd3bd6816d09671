"""Reading every resource of a type, page by page.

Index paging follows RFC 7644 §3.4.2.4 (startIndex/count), cursor paging
RFC 9865 (cursor/nextCursor). Both stop on a server that sends the same page
or cursor again, rather than loop forever.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scimlink.scim.messages import attribute, integer

if TYPE_CHECKING:
    from scimlink.scim.client import ResourceType, ScimClient


def iter_by_index(
    client: ScimClient, resource_type: ResourceType, page_size: int
) -> Iterator[dict[str, Any]]:
    """Every resource, asking for pages by startIndex and count."""
    seen: set[str] = set()
    start_index = 1
    while True:
        result, page = client.search(
            resource_type, count=page_size, start_index=start_index
        )
        fresh = _unseen(page, seen)
        yield from fresh

        total = integer(attribute(result.resource, "totalResults"))
        # Servers may send fewer than asked: step by what actually came.
        start_index += len(page)
        if not fresh or (total is not None and start_index > total):
            return


def iter_by_cursor(
    client: ScimClient, resource_type: ResourceType, page_size: int
) -> Iterator[dict[str, Any]]:
    """Every resource, following nextCursor from page to page."""
    seen: set[str] = set()
    used: set[str] = set()
    cursor = ""  # An empty cursor asks for the first page (RFC 9865 §2).
    while True:
        result, page = client.search(resource_type, count=page_size, cursor=cursor)
        yield from _unseen(page, seen)

        next_cursor = attribute(result.resource, "nextCursor")
        if not isinstance(next_cursor, str) or not next_cursor or next_cursor in used:
            return
        used.add(next_cursor)
        cursor = next_cursor


def _unseen(page: list[dict[str, Any]], seen: set[str]) -> list[dict[str, Any]]:
    fresh = []
    for resource in page:
        key = str(resource.get("id") or json.dumps(resource, sort_keys=True))
        if key not in seen:
            seen.add(key)
            fresh.append(resource)
    return fresh
