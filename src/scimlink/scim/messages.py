"""The RFC 7644 protocol messages the client writes and reads.

Resources stay plain dicts: a target's extensions are unknown here, so
validating them with scim2-models could refuse payloads that are valid.
"""

from __future__ import annotations

import json
import re
from typing import Any

from scim2_models import ListResponse, PatchOp

PATCH_OP_URN = str(PatchOp.__schema__)
LIST_RESPONSE_URN = str(ListResponse.__schema__)

_ATTRIBUTE_PATH = re.compile(r"^[A-Za-z][\w$\-]*(?:[:.][\w$\-]+)*$")
_LIST_RESPONSE_KEYS = {"resources", "totalresults", "itemsperpage", "startindex"}


def eq_filter(attribute: str, value: str) -> str:
    """An RFC 7644 §3.4.2.2 ``eq`` filter, with the value quoted and escaped."""
    if not _ATTRIBUTE_PATH.match(attribute):
        raise ValueError(f"not a SCIM attribute path: {attribute!r}")
    # A compValue is a JSON string, so JSON's escaping is exactly right.
    return f"{attribute} eq {json.dumps(value, ensure_ascii=False)}"


def patch_op(operations: list[dict[str, Any]]) -> dict[str, Any]:
    """The PatchOp message of RFC 7644 §3.5.2 carrying the given operations."""
    return {"schemas": [PATCH_OP_URN], "Operations": operations}


def is_list_response(payload: dict[str, Any]) -> bool:
    """Whether a payload reads as a ListResponse, even without its schema."""
    schemas = payload.get("schemas")
    if isinstance(schemas, list) and LIST_RESPONSE_URN in schemas:
        return True
    return bool({str(key).lower() for key in payload} & _LIST_RESPONSE_KEYS)


def list_resources(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``Resources`` of a ListResponse; junk entries are dropped."""
    resources = attribute(payload, "Resources")
    if not isinstance(resources, list):
        # A missing Resources means an empty page (RFC 7644 §3.4.2).
        return []
    return [item for item in resources if isinstance(item, dict)]


def attribute(payload: dict[str, Any] | None, name: str) -> Any:
    """An attribute by name, ignoring case as RFC 7643 §2.1 asks."""
    if not payload:
        return None
    if name in payload:
        return payload[name]
    lowered = name.lower()
    for key, value in payload.items():
        if str(key).lower() == lowered:
            return value
    return None


def integer(value: Any) -> int | None:
    """An integer sent as a JSON number or as a string of digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
