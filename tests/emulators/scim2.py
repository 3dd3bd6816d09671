"""Generic SCIM 2.0 servers: a strict one that advertises PATCH, and one that
only takes PUT of the full resource."""

from __future__ import annotations

from typing import Any

from .errors import ScimError, invalid_value
from .filters import FilterPolicy
from .patch import PatchOperation
from .resources import get
from .rules import AppRules

_FILTER = FilterPolicy(
    attrs=frozenset({"username", "displayname", "externalid"}),
    logical=frozenset({"and", "or"}),
)


class Scim2StrictRules(AppRules):
    """RFC 7644 to the letter, with a member-change limit per request."""

    key = "scim2_strict"
    name = "Strict SCIM 2.0 server"
    user_filter = _FILTER
    group_filter = _FILTER
    max_member_changes = 100
    member_kinds = frozenset({"User", "Group"})
    remove_members_with_value = "reject"

    def member_limit_error(self, count: int) -> ScimError:
        return ScimError(
            400,
            f"{count} member changes in one request; at most "
            f"{self.max_member_changes} are allowed",
            "tooMany",
        )

    def check_patch(
        self, operations: list[PatchOperation], kind: str, current: dict[str, Any]
    ) -> None:
        for operation in operations:
            if operation.op != "replace":
                continue
            whole_list = (
                operation.path is None and get(operation.value, "members") is not None
            ) or (
                operation.path is not None
                and operation.path.is_members
                and operation.path.value_filter is None
            )
            if kind == "Group" and whole_list:
                raise invalid_value(
                    "replacing the whole member list is not allowed; "
                    "add and remove members instead"
                )


class Scim2PutOnlyRules(AppRules):
    """A server whose ServiceProviderConfig says PATCH is not supported."""

    key = "scim2_put_only"
    name = "SCIM 2.0 server without PATCH"
    patch_supported = False
    user_filter = _FILTER
    group_filter = _FILTER
