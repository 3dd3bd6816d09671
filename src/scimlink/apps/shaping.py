"""Shape SCIM requests so that the app's documented rules hold before sending.

Every function reads the profile's fields; none knows which app it serves.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from scimlink.apps.errors import (
    GroupRenameUnsupportedError,
    MissingRequiredAttributesError,
)
from scimlink.mapping.targets import CORE_USER_SCHEMA, GROUP_SCHEMA, parse_path

if TYPE_CHECKING:
    from scimlink.apps.profile import AppProfile

PATCH_OP_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
_ATTRIBUTE_RE = re.compile(r"[A-Za-z$][A-Za-z0-9_$-]*")


def shape_user(profile: AppProfile, resource: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a User resource that respects the profile's rules.

    Drops rejected attributes, keeps one value where the app takes one, derives
    a required displayName, and raises MissingRequiredAttributesError when a
    required attribute is still absent.
    """
    shaped = copy.deepcopy(resource)
    rejected = {name.lower() for name in profile.rejected_user_attributes}
    rejected.add("password")
    if not profile.accepts_external_id:
        rejected.add("externalid")
    for name in [key for key in shaped if key.lower() in rejected]:
        del shaped[name]

    for name in profile.single_valued_attributes:
        _keep_one_value(shaped, name)

    if "displayName" in profile.required_attributes and not shaped.get("displayName"):
        derived = _derived_display_name(shaped)
        if derived:
            shaped["displayName"] = derived

    shaped["schemas"] = user_schemas(shaped)
    missing = missing_required(profile, shaped)
    if missing:
        raise MissingRequiredAttributesError(profile.name, missing)
    return shaped


def user_schemas(resource: dict[str, Any]) -> list[str]:
    """The core User schema plus every extension the resource carries."""
    extensions = [
        key for key, value in resource.items() if key.startswith("urn:") and value
    ]
    return [CORE_USER_SCHEMA, *extensions]


def missing_required(profile: AppProfile, resource: dict[str, Any]) -> list[str]:
    """The profile's required attributes that have no value in `resource`."""
    return [
        path for path in profile.required_attributes if not has_value(resource, path)
    ]


def split_patch(
    profile: AppProfile, operations: Sequence[dict[str, Any]]
) -> list[list[dict[str, Any]]]:
    """Split PatchOp operations into requests that the app accepts.

    The attributes in `single_op_attributes` share one budget: a request
    carries at most one operation touching any of them (AWS refuses a PATCH
    with one operation on `userName` and another on `active`). When the app
    needs it, every operation names its `path`. Order is preserved.
    """
    limited = {name.lower() for name in profile.single_op_attributes}
    requests: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    seen: set[str] = set()
    for operation in operations:
        for op in _normalized(profile, operation):
            touched = _touched_attributes(op) & limited
            if touched and seen:
                requests.append(current)
                current, seen = [], set()
            current.append(op)
            seen |= touched
    if current:
        requests.append(current)
    return requests


def patch_request(operations: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A PatchOp message body (RFC 7644 §3.5.2) for the given operations."""
    return {"schemas": [PATCH_OP_SCHEMA], "Operations": list(operations)}


def member_patches(
    profile: AppProfile, add: Sequence[str], remove: Sequence[str]
) -> list[list[dict[str, Any]]]:
    """PATCH operations adding and removing group members by app-side id.

    Each inner list is one request with at most `member_limit` member changes.
    Members are never replaced wholesale.
    """
    adds = _unique(add)
    removes = _unique(remove)
    both = set(adds) & set(removes)
    if both:
        raise ValueError(f"members both added and removed: {', '.join(sorted(both))}")

    changes = [("add", member) for member in adds]
    changes += [("remove", member) for member in removes]
    limit = max(1, profile.member_limit)
    requests = []
    for start in range(0, len(changes), limit):
        chunk = changes[start : start + limit]
        requests.append(
            _member_operations(
                profile,
                [member for kind, member in chunk if kind == "add"],
                [member for kind, member in chunk if kind == "remove"],
            )
        )
    return requests


def group_resource(
    profile: AppProfile,
    display_name: str,
    description: str | None,
    member_ids: Sequence[str],
) -> dict[str, Any]:
    """A full Group resource for POST or PUT.

    Members are included only when the app accepts them in the resource and
    they fit in one request; otherwise the resource has no `members` key and the
    members are to be added afterwards with member_patches.
    """
    resource: dict[str, Any] = {"schemas": [GROUP_SCHEMA], "displayName": display_name}
    if description and profile.group_description_attribute:
        resource[profile.group_description_attribute] = description
    members = _unique(member_ids)
    if (
        members
        and profile.group_members_in_resource
        and len(members) <= profile.member_limit
    ):
        resource["members"] = [{"value": member} for member in members]
    return resource


def group_patch(
    profile: AppProfile,
    display_name: str | None = None,
    description: str | None = None,
) -> list[dict[str, Any]]:
    """PATCH operations renaming and/or describing a group.

    Raises GroupRenameUnsupportedError when the app forbids renaming.
    """
    operations: list[dict[str, Any]] = []
    if display_name is not None:
        if not profile.can_rename_groups:
            raise GroupRenameUnsupportedError(profile.name)
        operations.append(
            {"op": "replace", "path": "displayName", "value": display_name}
        )
    if description is not None and profile.group_description_attribute:
        path = profile.group_description_attribute
        if description:
            operations.append({"op": "replace", "path": path, "value": description})
        else:
            operations.append({"op": "remove", "path": path})
    return operations


def _member_operations(
    profile: AppProfile, adds: list[str], removes: list[str]
) -> list[dict[str, Any]]:
    operations: list[dict[str, Any]] = []
    if adds:
        operations.append(
            {"op": "add", "path": "members", "value": [{"value": m} for m in adds]}
        )
    if removes and profile.member_remove_form == "value_list":
        operations.append(
            {
                "op": "remove",
                "path": "members",
                "value": [{"value": m} for m in removes],
            }
        )
    elif removes:
        operations.extend(
            {"op": "remove", "path": f'members[value eq "{_quoted(m)}"]'}
            for m in removes
        )
    return operations


def _normalized(profile: AppProfile, operation: dict[str, Any]) -> list[dict[str, Any]]:
    op = {**operation, "op": str(operation.get("op", "")).lower()}
    if op["op"] not in ("add", "replace", "remove"):
        raise ValueError(f"unknown PATCH operation '{operation.get('op')}'")
    if op.get("path") or not profile.patch_ops_need_path:
        return [op]
    if op["op"] == "remove" or not isinstance(op.get("value"), dict):
        raise ValueError("a PATCH operation without a path needs an object value")

    expanded = []
    for name, value in op["value"].items():
        if name.startswith("urn:") and isinstance(value, dict):
            expanded += [
                {"op": op["op"], "path": f"{name}:{sub}", "value": sub_value}
                for sub, sub_value in value.items()
            ]
        else:
            expanded.append({"op": op["op"], "path": name, "value": value})
    return expanded


def _touched_attributes(op: dict[str, Any]) -> set[str]:
    path = op.get("path")
    if path:
        return {_path_attribute(str(path))}
    value = op.get("value")
    return {str(name).lower() for name in value} if isinstance(value, dict) else set()


def _path_attribute(path: str) -> str:
    # A core-schema URN prefix names the same attribute as the bare name.
    if path.lower().startswith(CORE_USER_SCHEMA.lower() + ":"):
        path = path[len(CORE_USER_SCHEMA) + 1 :]
    match = _ATTRIBUTE_RE.match(path)
    return match.group(0).lower() if match else path.lower()


def _keep_one_value(resource: dict[str, Any], name: str) -> None:
    key = next((k for k in resource if k.lower() == name.lower()), None)
    if key is None or not isinstance(resource[key], list):
        return
    values = resource[key]
    if not values:
        del resource[key]
        return
    primary = next(
        (v for v in values if isinstance(v, dict) and v.get("primary")), values[0]
    )
    resource[key] = [primary]


def _derived_display_name(resource: dict[str, Any]) -> str | None:
    name = resource.get("name")
    if isinstance(name, dict):
        parts = [name.get("givenName"), name.get("familyName")]
        joined = " ".join(str(p).strip() for p in parts if p and str(p).strip())
        if joined:
            return joined
        if name.get("formatted"):
            return str(name["formatted"])
    user_name = resource.get("userName")
    return str(user_name) if user_name else None


def has_value(resource: dict[str, Any], path: str) -> bool:
    """True when the attribute at a plain path (e.g. `emails.value`) is set."""
    target = parse_path(path)
    container: Any = resource.get(target.schema, {}) if target.schema else resource
    value = _get_case_insensitive(container, target.attribute)
    if target.sub_attribute is None:
        return _present(value)
    items = value if isinstance(value, list) else [value]
    return any(
        _present(_get_case_insensitive(item, target.sub_attribute)) for item in items
    )


def _get_case_insensitive(container: Any, name: str) -> Any:
    if not isinstance(container, dict):
        return None
    return next((v for k, v in container.items() if k.lower() == name.lower()), None)


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')
