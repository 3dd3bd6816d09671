"""Atlassian (user provisioning through Atlassian Guard / Access)."""

from __future__ import annotations

from scimlink.apps.profile import AppProfile
from scimlink.mapping.rows import default_mapping

PROFILE = AppProfile(
    key="atlassian",
    name="Atlassian",
    endpoint_example="https://api.atlassian.com/scim/directory/0a1b2c3d-4e5f-6789",
    endpoint_pattern=r"https://api\.atlassian\.com/scim/directory/[A-Za-z0-9_-]+/?",
    endpoint_hint_text=(
        "Atlassian endpoints look like "
        "https://api.atlassian.com/scim/directory/<directoryId>"
    ),
    supports_groups=True,
    default_mapping=tuple(default_mapping()),
    required_attributes=("userName", "emails"),
    update_method="patch",
    user_match_attributes=("userName", "externalId"),
    paging="index",
    page_size=100,
    default_rate_limit=10.0,
    default_concurrency=4,
    default_deprovision="delete",
    delete_deactivates=True,
    can_rename_groups=False,
    max_users=20_000,
    rejects=("renaming a synced group", "passwords"),
    notes=(
        "The email must be on a domain verified in the Atlassian organization.",
        "DELETE only deactivates the account.",
        "At most 20,000 users per directory.",
    ),
)
