"""List paging: `startIndex`/`count` (RFC 7644 §3.4.2.4) or cursors (RFC 9865)."""

from __future__ import annotations

import uuid
from typing import Any

from .errors import ScimError, invalid_value
from .resources import LIST_RESPONSE


class Pager:
    """Cuts a filtered list into one ListResponse page; remembers the cursors
    it handed out, since a cursor is only valid if the server issued it."""

    def __init__(self, max_page_size: int, *, cursors: bool) -> None:
        self.max_page_size = max_page_size
        self.uses_cursors = cursors
        self._cursors: dict[str, int] = {}

    def reset(self) -> None:
        """Forget every issued cursor."""
        self._cursors.clear()

    def page(self, items: list[Any], params: dict[str, str]) -> dict[str, Any]:
        """The ListResponse for the page of `items` the query asks for."""
        count = int_param(params, "count", self.max_page_size)
        count = max(0, min(count, self.max_page_size))
        if self.uses_cursors:
            start, next_cursor = self._cursor_start(params, count, len(items))
        else:
            start, next_cursor = max(1, int_param(params, "startIndex", 1)) - 1, None
        page = items[start : start + count]
        body: dict[str, Any] = {
            "schemas": [LIST_RESPONSE],
            "totalResults": len(items),
            "itemsPerPage": len(page),
            "Resources": page,
        }
        if not self.uses_cursors:
            body["startIndex"] = start + 1
        elif next_cursor is not None:
            body["nextCursor"] = next_cursor
        return body

    def _cursor_start(
        self, params: dict[str, str], count: int, total: int
    ) -> tuple[int, str | None]:
        # An empty or absent cursor asks for the first page.
        if int_param(params, "startIndex", 1) != 1:
            raise invalid_value("index paging is not supported; page with 'cursor'")
        cursor = params.get("cursor", "")
        if cursor and cursor not in self._cursors:
            raise ScimError(400, f"unknown cursor {cursor!r}", "invalidCursor")
        start = self._cursors.get(cursor, 0)
        if count == 0 or start + count >= total:
            return start, None
        token = uuid.uuid4().hex
        self._cursors[token] = start + count
        return start, token


def int_param(params: dict[str, str], name: str, default: int) -> int:
    """An integer query parameter, 400 invalidValue when it is not one."""
    if name not in params or params[name] == "":
        return default
    try:
        return int(params[name])
    except ValueError as error:
        raise invalid_value(f"{name!r} must be an integer") from error
