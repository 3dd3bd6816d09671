"""Apple Business Manager and Apple School Manager: users only."""

from __future__ import annotations

from scimlink.apps.profile import AppProfile
from scimlink.mapping.rows import default_mapping

_SHARED_NOTES = (
    "Users only: groups are not supported.",
    "The userName is the Managed Apple Account sign-in name: map it from the email.",
    "Accounts removed from provisioning become manual accounts in Apple's console.",
)

BUSINESS = AppProfile(
    key="apple_business_manager",
    name="Apple Business Manager",
    endpoint_example="https://federation.apple.com/feeds/business/scim",
    endpoint_pattern=r"https://federation\.apple\.com/feeds/business/scim/?",
    endpoint_hint_text=(
        "Apple Business Manager's endpoint is "
        "https://federation.apple.com/feeds/business/scim"
    ),
    supports_groups=False,
    default_mapping=tuple(default_mapping()),
    required_attributes=("userName",),
    update_method="patch",
    user_match_attributes=("userName",),
    paging="none",
    default_rate_limit=10.0,
    default_concurrency=2,
    default_deprovision="delete",
    rejected_user_attributes=frozenset({"password", "groups"}),
    rejects=("groups", "passwords"),
    notes=_SHARED_NOTES,
)

SCHOOL = AppProfile(
    key="apple_school_manager",
    name="Apple School Manager",
    endpoint_example="https://federation.apple.com/feeds/school/scim",
    endpoint_pattern=r"https://federation\.apple\.com/feeds/school/scim/?",
    endpoint_hint_text=(
        "Apple School Manager's endpoint is "
        "https://federation.apple.com/feeds/school/scim"
    ),
    supports_groups=False,
    default_mapping=tuple(default_mapping()),
    required_attributes=("userName",),
    update_method="patch",
    user_match_attributes=("userName",),
    paging="none",
    default_rate_limit=10.0,
    default_concurrency=2,
    # A deleted user's sign-in name cannot be reused for 120 days.
    default_deprovision="deactivate",
    rejected_user_attributes=frozenset({"password", "groups"}),
    rejects=("groups", "passwords"),
    notes=(
        *_SHARED_NOTES,
        "A deleted account's username cannot be reused for 120 days, "
        "so deactivation is the default.",
    ),
)
