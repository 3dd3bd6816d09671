"""What scimlink knows about one kind of target app.

A profile is plain data: the sync engine reads its fields (and the functions in
shaping.py read them to shape requests) instead of testing which app it talks to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from scimlink.mapping.rows import MappingRow

UpdateMethod = Literal["patch", "put"]
Paging = Literal["cursor", "index", "none"]
Deprovision = Literal["delete", "deactivate"]
MemberRemoveForm = Literal["filter", "value_list"]


@dataclass(frozen=True)
class AppProfile:
    """The documented behaviour of one app, as data."""

    key: str
    name: str
    endpoint_example: str
    # Regex the endpoint URL should match; None when any URL is plausible.
    endpoint_pattern: str | None
    endpoint_hint_text: str | None
    supports_groups: bool
    default_mapping: tuple[MappingRow, ...]
    # SCIM paths that every User sent must carry, e.g. "name.givenName".
    required_attributes: tuple[str, ...] = ("userName",)
    update_method: UpdateMethod = "patch"
    patch_supported: bool = True
    patch_ops_need_path: bool = False
    # Attributes of which at most one operation may appear in one PATCH request.
    single_op_attributes: frozenset[str] = frozenset()
    user_match_attributes: tuple[str, ...] = ("userName",)
    group_match_attribute: str = "displayName"
    filter_supported: bool = True
    paging: Paging = "index"
    page_size: int = 100
    # Member changes (adds plus removes) allowed in one group request.
    member_limit: int = 100
    member_remove_form: MemberRemoveForm = "filter"
    # Whether a POST/PUT of a Group may carry its members.
    group_members_in_resource: bool = True
    # Attribute holding a group's description; RFC 7643 defines none.
    group_description_attribute: str | None = None
    default_rate_limit: float = 10.0
    # Reads per second at the default rate limit, for apps that budget reads
    # apart from writes; the read budget scales with the connector's limit.
    default_read_rate_limit: float | None = None
    default_concurrency: int = 4
    default_deprovision: Deprovision = "delete"
    delete_deactivates: bool = False
    can_rename_groups: bool = True
    group_members_readable: bool = True
    allows_replace_all_members: bool = True
    # Multi-valued attributes that the app accepts with exactly one value.
    single_valued_attributes: frozenset[str] = frozenset()
    rejected_user_attributes: frozenset[str] = frozenset({"password"})
    accepts_external_id: bool = True
    max_users: int | None = None
    bulk_supported: bool = False
    bulk_max_operations: int | None = None
    etag_supported: bool = False
    # True when the profile is refined from the server's ServiceProviderConfig.
    reads_service_provider_config: bool = False
    rejects: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def endpoint_hint(self, url: str) -> str | None:
        """A hint when `url` does not look like this app's endpoint, else None."""
        if self.endpoint_pattern is None:
            return None
        if re.fullmatch(self.endpoint_pattern, url.strip()):
            return None
        return self.endpoint_hint_text or (
            f"{self.name} endpoints usually look like {self.endpoint_example}"
        )

    def read_rate_for(self, rate_limit: float) -> float | None:
        """The read budget that goes with a connector's (write) rate limit."""
        if self.default_read_rate_limit is None:
            return None
        return rate_limit * self.default_read_rate_limit / self.default_rate_limit

    def patch_form(self) -> str | None:
        """How PATCH operations must look: 'pathRequired', 'standard' or None."""
        if self.update_method != "patch":
            return None
        return "pathRequired" if self.patch_ops_need_path else "standard"

    def public_dict(self) -> dict[str, Any]:
        """The profile as `GET /api/v1/apps` shows it (camelCase keys)."""
        return {
            "key": self.key,
            "name": self.name,
            "endpointExample": self.endpoint_example,
            "supportsGroups": self.supports_groups,
            "defaultMapping": [
                {"source": row.source, "target": row.target}
                for row in self.default_mapping
            ],
            "requiredAttributes": list(self.required_attributes),
            "updateMethod": self.update_method,
            "patchForm": self.patch_form(),
            "matchingAttributes": list(self.user_match_attributes),
            "paging": self.paging,
            "memberLimit": self.member_limit,
            "defaultRateLimit": self.default_rate_limit,
            "defaultReadRateLimit": self.default_read_rate_limit,
            "defaultDeprovision": self.default_deprovision,
            "rejects": list(self.rejects),
        }
