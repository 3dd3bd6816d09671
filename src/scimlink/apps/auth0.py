"""Auth0 (inbound SCIM of an enterprise connection): users only."""

from __future__ import annotations

from scimlink.apps.profile import AppProfile
from scimlink.mapping.rows import default_mapping

PROFILE = AppProfile(
    key="auth0",
    name="Auth0",
    endpoint_example=(
        "https://example.us.auth0.com/scim/v2/connections/con_0123456789abcdef"
    ),
    endpoint_pattern=r"https://[^/]+/scim/v2/connections/[A-Za-z0-9_-]+/?",
    endpoint_hint_text=(
        "Auth0 endpoints look like https://<tenant>/scim/v2/connections/<id>; "
        "copy it from the enterprise connection's Provisioning tab"
    ),
    supports_groups=False,
    default_mapping=tuple(default_mapping()),
    required_attributes=("userName",),
    update_method="patch",
    user_match_attributes=("userName", "externalId"),
    paging="index",
    page_size=100,
    default_rate_limit=25.0,
    default_concurrency=4,
    default_deprovision="delete",
    rejects=("/Groups", "passwords"),
    notes=(
        "Users only: /Groups is not supported.",
        "Which attributes are required depends on the connection's attribute map.",
        "Deactivation blocks sign-in; deletion removes the user.",
    ),
)
