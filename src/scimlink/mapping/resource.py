"""Build the exact SCIM User resource that a connector sends for a user."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scimlink.apps.errors import MissingRequiredAttributesError
from scimlink.apps.shaping import has_value, shape_user
from scimlink.mapping.expression import Expression, ExpressionError, parse_source
from scimlink.mapping.rows import MappingRow
from scimlink.mapping.sources import SourceUser
from scimlink.mapping.targets import (
    CORE_USER_SCHEMA,
    ENTERPRISE_USER_SCHEMA,
    TargetError,
    TargetPath,
    resolve_target,
)

if TYPE_CHECKING:
    from scimlink.apps.profile import AppProfile

ManagerResolver = Callable[[str], str | None]
_TRUE = ("true", "yes", "1", "active")
_FALSE = ("false", "no", "0", "suspended", "inactive")


class InvalidMappingError(ValueError):
    """A mapping row that validate_mapping would have rejected."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(f"mapping row {index + 1}: {message}")
        self.index = index


@dataclass(frozen=True)
class CompiledRow:
    """A mapping row parsed once: its source expression and target path."""

    source: Expression
    target: TargetPath


def compile_rows(rows: Sequence[MappingRow]) -> list[CompiledRow]:
    """Parse every row, raising InvalidMappingError on the first bad one."""
    compiled = []
    for index, row in enumerate(rows):
        try:
            compiled.append(
                CompiledRow(parse_source(row.source), resolve_target(row.target))
            )
        except (ExpressionError, TargetError) as error:
            raise InvalidMappingError(index, str(error)) from error
    return compiled


def build_user_resource(
    rows: Sequence[MappingRow] | Sequence[CompiledRow],
    user: SourceUser,
    profile: AppProfile,
    *,
    matching_attribute: str = "userName",
    resolve_manager: ManagerResolver | None = None,
) -> dict[str, Any]:
    """The SCIM User resource to send for `user`, shaped for the app.

    Unset values are left out entirely. `active` is false whenever the user is
    suspended. The enterprise `manager.value` goes through `resolve_manager`
    (e.g. manager email -> the manager's id in the app) and is left out when
    there is no resolver or it returns None. Never carries a password.
    """
    resource: dict[str, Any] = {"schemas": [CORE_USER_SCHEMA]}
    mapped_active: bool | None = None
    for row in _compiled(rows):
        value = row.source.evaluate(user)
        if value is not None and _is_manager(row.target):
            value = resolve_manager(value) if resolve_manager else None
        if value is None:
            continue
        if row.target.is_boolean:
            mapped_active = _as_bool(value)
            continue
        _place(resource, row.target, value)

    if "externalId" not in resource and profile.accepts_external_id:
        resource["externalId"] = user.id
    resource["active"] = user.status == "active" and mapped_active is not False
    _mark_primary(resource)

    shaped = shape_user(profile, resource)
    if not has_value(shaped, matching_attribute):
        raise MissingRequiredAttributesError(profile.name, [matching_attribute])
    return shaped


def _compiled(
    rows: Sequence[MappingRow] | Sequence[CompiledRow],
) -> list[CompiledRow]:
    if all(isinstance(row, CompiledRow) for row in rows):
        return [row for row in rows if isinstance(row, CompiledRow)]
    return compile_rows([row for row in rows if isinstance(row, MappingRow)])


def _place(resource: dict[str, Any], path: TargetPath, value: str) -> None:
    container = resource
    if path.schema is not None:
        container = resource.setdefault(path.schema, {})

    if path.value_type is not None:
        values: list[dict[str, Any]] = container.setdefault(path.attribute, [])
        entry = next(
            (
                v
                for v in values
                if str(v.get("type", "")).lower() == path.value_type.lower()
            ),
            None,
        )
        if entry is None:
            entry = {"type": path.value_type}
            values.append(entry)
        entry[path.sub_attribute or "value"] = value
    elif path.sub_attribute is not None:
        container.setdefault(path.attribute, {})[path.sub_attribute] = value
    else:
        container[path.attribute] = value


def _mark_primary(resource: dict[str, Any]) -> None:
    # RFC 7643 §2.4: at most one value is primary; scimlink makes it the first.
    for value in resource.values():
        if (
            isinstance(value, list)
            and value
            and all(isinstance(v, dict) for v in value)
        ):
            value[0]["primary"] = True


def _is_manager(path: TargetPath) -> bool:
    return (
        path.schema == ENTERPRISE_USER_SCHEMA
        and path.attribute == "manager"
        and path.sub_attribute == "value"
    )


def _as_bool(value: str) -> bool | None:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None
