"""User and Group resources (RFC 7643): schema names, attribute lookup by
case-insensitive name, and the shape checks every strict server makes."""

from __future__ import annotations

from typing import Any

from .errors import invalid_syntax, invalid_value

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SERVICE_PROVIDER_CONFIG = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"

EXTENSIONS = {"User": (ENTERPRISE_USER,), "Group": ()}
CORE_SCHEMA = {"User": USER_SCHEMA, "Group": GROUP_SCHEMA}

# Attribute paths compared case-sensitively (RFC 7643 §4, §8.7.1).
CASE_EXACT = {"id", "externalid", "members", "members.value", "manager.value"}
MULTI_VALUED = {
    "emails",
    "phonenumbers",
    "ims",
    "photos",
    "addresses",
    "groups",
    "entitlements",
    "roles",
    "x509certificates",
    "members",
}
# Attributes the server owns; RFC 7644 §3.5.1 says a client's values are ignored.
SERVER_OWNED = {"id", "meta", "groups"}


def find_key(resource: dict[str, Any], name: str) -> str | None:
    """The key of `resource` equal to `name` ignoring case, if any."""
    lowered = name.lower()
    for key in resource:
        if key.lower() == lowered:
            return key
    return None


def get(resource: dict[str, Any], name: str) -> Any:
    """The value of attribute `name` ignoring case, or None."""
    key = find_key(resource, name)
    return None if key is None else resource[key]


def split_urn(path: str) -> tuple[str | None, str]:
    """Split `urn:...:User:attr.sub` into the schema URN and `attr.sub`."""
    if not path.lower().startswith("urn:"):
        return None, path
    for schema in (*EXTENSIONS["User"], USER_SCHEMA, GROUP_SCHEMA):
        if path.lower() == schema.lower():
            return schema, ""
        if path.lower().startswith(schema.lower() + ":"):
            return schema, path[len(schema) + 1 :]
    schema, _, rest = path.rpartition(":")
    return schema, rest


def values_at(resource: dict[str, Any], path: str) -> list[Any]:
    """All values at a dotted attribute path; multi-valued attributes flatten."""
    schema, rest = split_urn(path)
    current: list[Any] = [resource]
    if schema is not None and schema not in CORE_SCHEMA.values():
        current = [get(resource, schema)]
    if schema is not None and not rest:
        return [v for v in current if v is not None]
    for name in rest.split("."):
        found: list[Any] = []
        for item in current:
            if isinstance(item, dict):
                value = get(item, name)
                if isinstance(value, list):
                    found.extend(value)
                elif value is not None:
                    found.append(value)
        current = found
    return current


def check_schemas(body: dict[str, Any], kind: str) -> None:
    """`schemas` names the core schema and every extension used (RFC 7643 §3)."""
    schemas = body.get("schemas")
    if not isinstance(schemas, list) or not all(isinstance(s, str) for s in schemas):
        raise invalid_syntax("'schemas' must be a list of schema URNs")
    known = {CORE_SCHEMA[kind].lower(), *(e.lower() for e in EXTENSIONS[kind])}
    lowered = {s.lower() for s in schemas}
    if CORE_SCHEMA[kind].lower() not in lowered:
        raise invalid_syntax(f"'schemas' must contain {CORE_SCHEMA[kind]}")
    unknown = lowered - known
    if unknown:
        raise invalid_syntax(f"unknown schema {sorted(unknown)[0]!r}")
    for key in body:
        if key.lower().startswith("urn:") and key.lower() not in lowered:
            raise invalid_syntax(f"extension {key!r} is used but not in 'schemas'")


def check_user_shape(user: dict[str, Any]) -> None:
    """Types of the core User attributes (RFC 7643 §4.1)."""
    user_name = get(user, "userName")
    if not isinstance(user_name, str) or not user_name.strip():
        raise invalid_value("'userName' is required and must be a non-empty string")
    active = get(user, "active")
    if active is not None and not isinstance(active, bool):
        raise invalid_value("'active' must be a boolean")
    for name in ("displayName", "externalId", "title", "nickName", "userType"):
        value = get(user, name)
        if value is not None and not isinstance(value, str):
            raise invalid_value(f"{name!r} must be a string")
    name_value = get(user, "name")
    if name_value is not None and not isinstance(name_value, dict):
        raise invalid_value("'name' must be a complex attribute")
    for key, value in user.items():
        if key.lower() in MULTI_VALUED and key.lower() != "groups":
            check_multi_valued(key, value)
    extension = get(user, ENTERPRISE_USER)
    if extension is not None and not isinstance(extension, dict):
        raise invalid_value(f"{ENTERPRISE_USER!r} must be a complex attribute")


def check_multi_valued(name: str, value: Any) -> None:
    """A list of complex values, each with a `value`, at most one primary."""
    if not isinstance(value, list):
        raise invalid_value(f"{name!r} must be a list")
    primaries = 0
    for item in value:
        if not isinstance(item, dict):
            raise invalid_value(f"each element of {name!r} must be an object")
        if name.lower() != "addresses" and get(item, "value") is None:
            raise invalid_value(f"each element of {name!r} needs a 'value'")
        if get(item, "primary") is True:
            primaries += 1
    if primaries > 1:
        raise invalid_value(f"at most one element of {name!r} may be primary")


def check_group_shape(group: dict[str, Any]) -> None:
    """Types of the core Group attributes (RFC 7643 §4.2)."""
    display_name = get(group, "displayName")
    if not isinstance(display_name, str) or not display_name.strip():
        raise invalid_value("'displayName' is required and must be a non-empty string")
    members = get(group, "members")
    if members is not None:
        check_multi_valued("members", members)
        for member in members:
            if not isinstance(get(member, "value"), str):
                raise invalid_value("each member's 'value' must be a resource id")


def strip_server_owned(body: dict[str, Any]) -> dict[str, Any]:
    """The body without attributes the client may not set."""
    return {k: v for k, v in body.items() if k.lower() not in SERVER_OWNED}


def member_ids(group: dict[str, Any]) -> list[str]:
    """The ids of a group's members, in order."""
    members = get(group, "members") or []
    return [str(get(m, "value")) for m in members if isinstance(m, dict)]
