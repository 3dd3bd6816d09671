"""PatchOp requests (RFC 7644 §3.5.2): parsing operations and their paths, and
applying them to a stored resource."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import ScimError, invalid_path, invalid_syntax, invalid_value
from .filters import Comparison, Filter, Logical, comparisons, matches, parse_filter
from .resources import (
    CORE_SCHEMA,
    EXTENSIONS,
    MULTI_VALUED,
    PATCH_OP,
    find_key,
    get,
    split_urn,
)

OPS = ("add", "remove", "replace")
_READ_ONLY = {"id", "meta", "groups"}
_PATH = re.compile(
    r"^(?P<attr>[A-Za-z$][\w$-]*)"
    r"(?:\[(?P<filter>.+)\])?"
    r"(?:\.(?P<sub>[A-Za-z$][\w$-]*))?$"
)


@dataclass(frozen=True)
class PatchPath:
    """A parsed `path`: optional extension schema, attribute, value filter,
    sub-attribute. An empty `attr` means the extension object itself."""

    schema: str | None
    attr: str
    value_filter: Filter | None = None
    sub: str | None = None

    @property
    def is_members(self) -> bool:
        return self.schema is None and self.attr.lower() == "members"


@dataclass(frozen=True)
class PatchOperation:
    """One element of `Operations`."""

    op: str
    path: PatchPath | None
    raw_path: str | None
    value: Any


def no_target(detail: str) -> ScimError:
    """400 noTarget (RFC 7644 §3.5.2)."""
    return ScimError(400, detail, "noTarget")


def parse_patch(body: Any, kind: str) -> list[PatchOperation]:
    """Check a PatchOp body and return its operations."""
    if not isinstance(body, dict):
        raise invalid_syntax("a PatchOp body must be a JSON object")
    if body.get("schemas") != [PATCH_OP]:
        raise invalid_syntax(f"'schemas' must be [{PATCH_OP!r}]")
    operations = body.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise invalid_syntax("'Operations' must be a non-empty list")
    return [_parse_operation(item, kind) for item in operations]


def parse_path(text: str, kind: str) -> PatchPath:
    """Parse `attr`, `attr.sub`, `attr[filter]`, `attr[filter].sub`, with an
    optional extension schema URN in front."""
    schema, rest = split_urn(text)
    if schema is not None and schema == CORE_SCHEMA[kind]:
        schema = None
    elif schema is not None and schema not in EXTENSIONS[kind]:
        raise invalid_path(f"unknown schema in path {text!r}")
    if schema is not None and not rest:
        return PatchPath(schema, "")
    match = _PATH.match(rest)
    if match is None:
        raise invalid_path(f"{text!r} is not a valid attribute path")
    attr, sub = match["attr"], match["sub"]
    value_filter = parse_filter(match["filter"]) if match["filter"] else None
    if value_filter is None and "." in rest and sub is None:
        attr, _, sub = rest.partition(".")
    if value_filter is None and sub is None and "." in rest:
        raise invalid_path(f"{text!r} is not a valid attribute path")
    return PatchPath(schema, attr, value_filter, sub)


def _parse_operation(item: Any, kind: str) -> PatchOperation:
    if not isinstance(item, dict):
        raise invalid_syntax("each operation must be a JSON object")
    op = item.get("op")
    if op not in OPS:
        raise invalid_syntax(f"'op' must be one of {', '.join(OPS)}, not {op!r}")
    raw_path = item.get("path")
    if raw_path is not None and (not isinstance(raw_path, str) or not raw_path):
        raise invalid_path("'path' must be a non-empty string")
    path = parse_path(raw_path, kind) if raw_path else None
    if op == "remove" and path is None:
        raise no_target("a remove operation needs a 'path'")
    if op != "remove" and "value" not in item:
        raise invalid_syntax(f"an {op} operation needs a 'value'")
    if path is None and not isinstance(item["value"], dict):
        raise invalid_syntax(f"an {op} without 'path' needs an object 'value'")
    if path is not None and path.schema is None and path.attr.lower() in _READ_ONLY:
        raise ScimError(400, f"{path.attr!r} is read-only", "mutability")
    return PatchOperation(op, path, raw_path, item.get("value"))


def member_changes(operations: list[PatchOperation], current: list[str]) -> int:
    """How many memberships the operations ask to change."""
    total = 0
    for operation in operations:
        if operation.path is None:
            members = get(operation.value, "members")
            total += len(members) if isinstance(members, list) else 0
            continue
        if not operation.path.is_members:
            continue
        if operation.path.value_filter is not None:
            total += max(1, sum(1 for _ in comparisons(operation.path.value_filter)))
        elif isinstance(operation.value, list):
            total += len(operation.value)
        elif isinstance(operation.value, dict):
            total += 1
        else:
            total += len(current)
    return total


def removed_member_values(operation: PatchOperation) -> list[str] | None:
    """For `remove` of `members` with a value list, the ids listed (else None)."""
    if operation.op != "remove" or operation.path is None:
        return None
    if not operation.path.is_members or operation.path.value_filter is not None:
        return None
    value = operation.value
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not value:
        return None
    return [str(get(v, "value")) for v in value if isinstance(v, dict)]


def apply_operation(resource: dict[str, Any], operation: PatchOperation) -> None:
    """Apply one operation to `resource` in place."""
    if operation.path is None:
        for name, value in operation.value.items():
            schema, _ = split_urn(name)
            if schema is not None and isinstance(value, dict):
                for sub_name, sub_value in value.items():
                    path = PatchPath(name, sub_name)
                    _apply_path(resource, operation.op, path, sub_value)
            elif name.lower() not in _READ_ONLY:
                _apply_path(resource, operation.op, PatchPath(None, name), value)
        return
    _apply_path(resource, operation.op, operation.path, operation.value)


def _container(resource: dict[str, Any], path: PatchPath, create: bool) -> Any:
    if path.schema is None:
        return resource
    key = find_key(resource, path.schema)
    if key is None:
        if not create:
            return None
        resource[path.schema] = {}
        return resource[path.schema]
    return resource[key]


def _apply_path(resource: dict[str, Any], op: str, path: PatchPath, value: Any) -> None:
    container = _container(resource, path, create=op != "remove")
    if container is None:
        return
    if not path.attr:
        _merge_complex(container, value, op)
        return
    if path.value_filter is not None:
        _apply_filtered(container, op, path, value)
        return
    key = find_key(container, path.attr) or path.attr
    if path.sub is not None:
        if path.attr.lower() in MULTI_VALUED:
            raise invalid_path(f"select elements of {path.attr!r} with a value filter")
        _apply_sub(container, key, op, path.sub, value)
        return
    if op == "remove":
        container.pop(key, None)
    elif path.attr.lower() in MULTI_VALUED:
        _set_multi(container, key, op, value)
    elif isinstance(value, dict) and isinstance(container.get(key), dict):
        _merge_complex(container[key], value, op)
    else:
        container[key] = value


def _merge_complex(target: dict[str, Any], value: Any, op: str) -> None:
    if not isinstance(value, dict):
        raise invalid_value("a complex attribute needs an object value")
    for name, sub_value in value.items():
        target[find_key(target, name) or name] = sub_value


def _apply_sub(
    container: dict[str, Any], key: str, op: str, sub: str, value: Any
) -> None:
    parent = container.get(key)
    if op == "remove":
        if isinstance(parent, dict):
            sub_key = find_key(parent, sub)
            if sub_key is not None:
                del parent[sub_key]
        return
    if parent is None:
        parent = container[key] = {}
    if not isinstance(parent, dict):
        raise invalid_path(f"{key!r} has no sub-attributes")
    parent[find_key(parent, sub) or sub] = value


def _set_multi(container: dict[str, Any], key: str, op: str, value: Any) -> None:
    new = value if isinstance(value, list) else [value]
    if op == "replace":
        container[key] = list(new)
        return
    existing = list(container.get(key) or [])
    for item in new:
        if item not in existing and not _same_member(key, existing, item):
            existing.append(item)
    container[key] = existing


def _same_member(key: str, existing: list[Any], item: Any) -> bool:
    # Adding a member who is already in the group changes nothing.
    if key.lower() != "members" or not isinstance(item, dict):
        return False
    return any(get(e, "value") == get(item, "value") for e in existing)


def _apply_filtered(
    container: dict[str, Any], op: str, path: PatchPath, value: Any
) -> None:
    assert path.value_filter is not None
    key = find_key(container, path.attr) or path.attr
    elements = container.get(key) or []
    if not isinstance(elements, list):
        raise invalid_path(f"{path.attr!r} is not multi-valued")
    prefix = f"{path.attr}."
    matched = [
        e
        for e in elements
        if isinstance(e, dict) and matches(path.value_filter, e, prefix)
    ]
    if op == "remove":
        _remove_filtered(container, key, elements, matched, path.sub)
        return
    if not matched and op == "replace":
        raise no_target(f"no element of {path.attr!r} matches the path's filter")
    if not matched:
        elements.append(_element_from_filter(path.value_filter))
        matched = [elements[-1]]
        container[key] = elements
    for element in matched:
        if path.sub is not None:
            element[find_key(element, path.sub) or path.sub] = value
        else:
            _merge_complex(element, value, op)


def _remove_filtered(
    container: dict[str, Any],
    key: str,
    elements: list[Any],
    matched: list[Any],
    sub: str | None,
) -> None:
    if sub is None:
        remaining = [e for e in elements if not any(e is m for m in matched)]
        if remaining:
            container[key] = remaining
        else:
            container.pop(key, None)
        return
    for element in matched:
        sub_key = find_key(element, sub)
        if sub_key is not None:
            del element[sub_key]


def _element_from_filter(value_filter: Filter) -> dict[str, Any]:
    # `emails[type eq "work"].value` on a user with no work email adds one.
    element: dict[str, Any] = {}
    node: Filter = value_filter
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, Comparison) and node.op == "eq":
            element[node.attr] = node.value
        elif isinstance(node, Logical) and node.op == "and":
            stack.extend([node.left, node.right])
    return element
