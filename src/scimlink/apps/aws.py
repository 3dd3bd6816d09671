"""AWS IAM Identity Center (the SCIM endpoint of its identity store)."""

from __future__ import annotations

from scimlink.apps.profile import AppProfile
from scimlink.mapping.rows import MappingRow, default_mapping

DISPLAY_NAME_ROW = MappingRow(
    source='join(" ", user.firstName, user.lastName)', target="displayName"
)

PROFILE = AppProfile(
    key="aws",
    name="AWS IAM Identity Center",
    endpoint_example="https://scim.us-east-1.amazonaws.com/a1b2c3d4-5678/scim/v2",
    endpoint_pattern=r"https://scim\.[a-z0-9-]+\.amazonaws\.com/[A-Za-z0-9_-]+/scim/v2/?",
    endpoint_hint_text=(
        "AWS IAM Identity Center endpoints look like "
        "https://scim.<region>.amazonaws.com/<tenant>/scim/v2; copy it from "
        "Settings > Automatic provisioning in the IAM Identity Center console"
    ),
    supports_groups=True,
    default_mapping=(*default_mapping(), DISPLAY_NAME_ROW),
    required_attributes=(
        "userName",
        "displayName",
        "name.givenName",
        "name.familyName",
    ),
    update_method="patch",
    patch_ops_need_path=True,
    single_op_attributes=frozenset({"userName", "active"}),
    user_match_attributes=("userName", "externalId"),
    paging="cursor",
    page_size=100,
    member_limit=100,
    # Members go in by PATCH, in chunks the member limit allows.
    group_members_in_resource=False,
    default_rate_limit=25.0,
    default_read_rate_limit=40.0,
    default_concurrency=4,
    default_deprovision="delete",
    group_members_readable=False,
    allows_replace_all_members=False,
    single_valued_attributes=frozenset({"emails", "phoneNumbers", "addresses"}),
    rejected_user_attributes=frozenset({"password", "groups"}),
    rejects=(
        "passwords",
        "more than one email, phone number or address per user",
        "groups on a user",
        "nested groups",
        "replacing all members of a group at once",
        "more than one operation on userName or active in one PATCH request",
    ),
    notes=(
        "Every PATCH operation names its path.",
        "At most 100 member changes per group request.",
        "GET /Groups/<id> returns no members: membership is tracked locally.",
        "25 writes and 40 reads per second per directory.",
    ),
)
