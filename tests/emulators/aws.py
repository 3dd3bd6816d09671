"""AWS IAM Identity Center: PATCH with a path on every operation, single-valued
emails/phones/addresses, no nested groups, groups read back without members,
cursor paging."""

from __future__ import annotations

from typing import Any

from .errors import invalid_filter, invalid_path, invalid_value
from .filters import Comparison, Filter, FilterPolicy, Logical
from .patch import PatchOperation
from .resources import get
from .rules import AppRules

_REQUIRED = (
    ("userName",),
    ("displayName",),
    ("name", "givenName"),
    ("name", "familyName"),
)
_SINGLE = ("emails", "phoneNumbers", "addresses")
_GROUP_PATCH_ATTRS = {"displayname", "members", "externalid"}


class AwsRules(AppRules):
    """IAM Identity Center's SCIM implementation as its developer guide states.
    Every unsupported operation is a 400 ValidationException there."""

    key = "aws"
    name = "AWS IAM Identity Center"
    put_groups = False
    unsupported_status = 400
    user_filter = FilterPolicy(
        attrs=frozenset({"username", "externalid"}), logical=frozenset({"and"})
    )
    group_filter = FilterPolicy(attrs=frozenset({"displayname"}))
    cursor_paging = True
    max_page_size = 100
    max_member_changes = 100
    patch_status = 204

    def check_user(self, user: dict[str, Any], *, creating: bool) -> None:
        for path in _REQUIRED:
            value: Any = user
            for name in path:
                value = get(value, name) if isinstance(value, dict) else None
            if not isinstance(value, str) or not value.strip():
                raise invalid_value(f"{'.'.join(path)!r} is required")
        for name in _SINGLE:
            values = get(user, name)
            if isinstance(values, list) and len(values) > 1:
                raise invalid_value(f"{name!r} accepts exactly one value")
        if get(user, "password") is not None:
            raise invalid_value("'password' is not supported")
        if get(user, "groups") is not None:
            raise invalid_value("'groups' cannot be set on a user")

    def check_group(self, group: dict[str, Any], *, creating: bool) -> None:
        members = get(group, "members")
        if creating and isinstance(members, list) and len(members) > 100:
            raise invalid_value("at most 100 members can be added in one request")

    def check_patch(
        self, operations: list[PatchOperation], kind: str, current: dict[str, Any]
    ) -> None:
        identity_ops = 0
        for operation in operations:
            if operation.path is None:
                raise invalid_path("every operation must name its 'path'")
            attr = operation.path.attr.lower()
            if kind == "User" and operation.path.schema is None:
                if attr in {"username", "active"}:
                    identity_ops += 1
                if attr in {"password", "groups"}:
                    raise invalid_value(f"{operation.path.attr!r} is not supported")
            if kind == "Group":
                self._check_group_operation(operation, attr)
        if identity_ops > 1:
            raise invalid_value(
                "at most one operation on 'userName' or 'active' per request"
            )

    def _check_group_operation(self, operation: PatchOperation, attr: str) -> None:
        assert operation.path is not None
        if operation.path.schema is not None or attr not in _GROUP_PATCH_ATTRS:
            raise invalid_path(f"{operation.raw_path!r} cannot be changed on a group")
        if attr != "members":
            return
        if operation.op == "replace":
            raise invalid_value("replacing all members is not supported")
        has_value = isinstance(operation.value, list | dict) and bool(operation.value)
        removes_all = operation.op == "remove" and operation.path.value_filter is None
        if removes_all and not has_value:
            raise invalid_value("removing all members is not supported")

    def check_filter(self, kind: str, node: Filter) -> None:
        if kind == "Group" and _is_membership_filter(node):
            return
        super().check_filter(kind, node)

    def render_group(self, group: dict[str, Any]) -> dict[str, Any]:
        # Reading a group never returns its members.
        return {k: v for k, v in group.items() if k.lower() != "members"}


def _is_membership_filter(node: Filter) -> bool:
    """`id eq "g" and members eq "u"`, in either order."""
    if not isinstance(node, Logical) or node.op != "and":
        return False
    parts = [node.left, node.right]
    if not all(isinstance(p, Comparison) and p.op == "eq" for p in parts):
        if any(isinstance(p, Comparison) and p.op != "eq" for p in parts):
            raise invalid_filter("only 'eq' is supported")
        return False
    names = sorted(p.attr.lower() for p in parts if isinstance(p, Comparison))
    return names == ["id", "members"]
