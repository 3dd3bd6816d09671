"""Cursor pagination over a unique, ordered key."""

import base64
import binascii
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from scimlink.errors import InvalidInput

T = TypeVar("T")
MAX_LIMIT = 500


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    problem = InvalidInput.field(
        "cursor", "The cursor is not one this API returned; start again without it."
    )
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise problem from exc
    # The decoder skips characters outside its alphabet; a cursor we issued
    # survives a round trip unchanged.
    if not key or encode_cursor(key) != cursor:
        raise problem
    return key


def paginate(
    session: Session,
    query: Select[T],
    key: InstrumentedAttribute[Any],
    limit: int,
    cursor: str | None,
) -> tuple[Sequence[T], str | None]:
    """One page ordered by ``key`` and the cursor of the next, if any."""
    if cursor:
        query = query.where(key > decode_cursor(cursor))
    rows = session.scalars(query.order_by(key).limit(limit + 1)).all()
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_cursor(str(getattr(page[-1], key.key)))
