"""What one app accepts. The core asks an `AppRules` at each step of a request;
each app module subclasses it with the rules that app documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from .errors import ScimError, invalid_value
from .filters import Filter, FilterPolicy
from .patch import PatchOperation
from .resources import (
    CORE_SCHEMA,
    EXTENSIONS,
    LIST_RESPONSE,
    RESOURCE_TYPE,
    SERVICE_PROVIDER_CONFIG,
)

if TYPE_CHECKING:
    from .core import Emulator


class AppRules:
    """A plain strict RFC 7644 server; subclasses narrow or change it."""

    key = "scim2"
    name = "SCIM 2.0 server"
    supports_groups = True
    # Status for the groups endpoints of an app that has none.
    no_groups_status = 404
    patch_supported = True
    put_users = True
    put_groups = True
    # Status for an operation the app does not offer (RFC 7644 §3.12: 501).
    unsupported_status = 501
    user_filter = FilterPolicy(attrs=frozenset({"username", "externalid"}))
    group_filter = FilterPolicy(attrs=frozenset({"displayname"}))
    cursor_paging = False
    max_page_size = 100
    max_member_changes: int | None = None
    # Member resource types a group may hold.
    member_kinds: frozenset[str] = frozenset({"User"})
    # `remove` of path `members` with a value list: remove those listed,
    # reject it, or follow RFC 7644 §3.5.2.2 literally and remove all.
    remove_members_with_value: Literal["listed", "reject", "all"] = "listed"
    patch_status = 200

    def check_user(self, user: dict[str, Any], *, creating: bool) -> None:
        """App rules on a full User body (POST, PUT, or the result of a PATCH)."""

    def check_group(self, group: dict[str, Any], *, creating: bool) -> None:
        """App rules on a full Group body."""

    def check_patch(
        self, operations: list[PatchOperation], kind: str, current: dict[str, Any]
    ) -> None:
        """App rules on the operations of a PATCH before they are applied."""

    def check_update(
        self, kind: str, before: dict[str, Any], after: dict[str, Any]
    ) -> None:
        """App rules comparing a resource before and after PUT or PATCH."""

    def check_filter(self, kind: str, node: Filter) -> None:
        """Raise 400 invalidFilter unless the app supports this filter."""
        policy = self.user_filter if kind == "User" else self.group_filter
        policy.check(node)

    def check_new_user_name(self, emulator: Emulator, user_name: str) -> None:
        """Extra conditions on a userName about to be created."""

    def member_limit_error(self, count: int) -> ScimError:
        """The answer to a request changing more members than allowed."""
        return invalid_value(
            f"{count} member changes in one request; at most "
            f"{self.max_member_changes} are allowed"
        )

    def render_group(self, group: dict[str, Any]) -> dict[str, Any]:
        """A group as the app returns it."""
        return group

    def delete_user(self, emulator: Emulator, user_id: str) -> None:
        """What DELETE /Users/{id} does."""
        emulator.remove_user(user_id)

    def service_provider_config(self) -> dict[str, Any]:
        """The `/ServiceProviderConfig` document (RFC 7643 §5)."""
        return {
            "schemas": [SERVICE_PROVIDER_CONFIG],
            "documentationUri": f"https://example.invalid/{self.key}",
            "patch": {"supported": self.patch_supported},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": self.max_page_size},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "OAuth Bearer Token",
                    "description": "Authentication with a bearer token",
                    "primary": True,
                }
            ],
            "meta": {"resourceType": "ServiceProviderConfig"},
        }

    def resource_types(self) -> dict[str, Any]:
        """The `/ResourceTypes` ListResponse (RFC 7644 §4)."""
        kinds = ["User", "Group"] if self.supports_groups else ["User"]
        types = [
            {
                "schemas": [RESOURCE_TYPE],
                "id": kind,
                "name": kind,
                "endpoint": f"/{kind}s",
                "schema": CORE_SCHEMA[kind],
                "schemaExtensions": [
                    {"schema": e, "required": False} for e in EXTENSIONS[kind]
                ],
            }
            for kind in kinds
        ]
        return {
            "schemas": [LIST_RESPONSE],
            "totalResults": len(types),
            "itemsPerPage": len(types),
            "startIndex": 1,
            "Resources": types,
        }
