"""Documented behaviour of each app, as its profile states it (PRODUCT.md §5)."""

from __future__ import annotations

from scimlink.apps import get_profile
from scimlink.mapping.rows import MappingRow, default_mapping


def test_aws_profile() -> None:
    """AWS: PATCH with paths, cursor paging, 25 writes/s and 40 reads/s,
    members not readable."""
    aws = get_profile("aws")
    assert aws.supports_groups
    assert aws.update_method == "patch" and aws.patch_ops_need_path
    assert aws.single_op_attributes == {"userName", "active"}
    assert aws.user_match_attributes == ("userName", "externalId")
    assert (aws.paging, aws.page_size, aws.member_limit) == ("cursor", 100, 100)
    assert aws.default_rate_limit == 25
    assert aws.default_read_rate_limit == 40
    # An admin halving the write limit halves the read budget with it.
    assert aws.read_rate_for(12.5) == 20
    assert get_profile("scim2").read_rate_for(50) is None
    assert not aws.group_members_readable
    assert not aws.allows_replace_all_members
    assert aws.single_valued_attributes == {"emails", "phoneNumbers", "addresses"}
    assert {"password", "groups"} <= aws.rejected_user_attributes
    assert aws.required_attributes == (
        "userName",
        "displayName",
        "name.givenName",
        "name.familyName",
    )


def test_aws_default_mapping_adds_display_name() -> None:
    """AWS's default mapping is the common one plus a derived displayName."""
    aws = get_profile("aws")
    assert list(aws.default_mapping) == [
        *default_mapping(),
        MappingRow(
            source='join(" ", user.firstName, user.lastName)', target="displayName"
        ),
    ]


def test_other_apps_use_the_common_default_mapping() -> None:
    """Apps without extra requirements start from PRODUCT.md §4's table."""
    for key in (
        "apple_business_manager",
        "apple_school_manager",
        "atlassian",
        "auth0",
        "scim2",
    ):
        assert list(get_profile(key).default_mapping) == default_mapping()


def test_apple_and_auth0_are_users_only() -> None:
    """Apple Business/School Manager and Auth0 do not support groups."""
    for key in ("apple_business_manager", "apple_school_manager", "auth0"):
        assert not get_profile(key).supports_groups
    assert get_profile("apple_business_manager").user_match_attributes == ("userName",)


def test_apple_school_deactivates_by_default() -> None:
    """Apple School Manager forbids username reuse for 120 days: deactivate."""
    assert get_profile("apple_school_manager").default_deprovision == "deactivate"
    assert get_profile("apple_business_manager").default_deprovision == "delete"


def test_atlassian_cannot_rename_groups_and_delete_deactivates() -> None:
    """Atlassian: renaming a synced group is refused; DELETE only deactivates."""
    atlassian = get_profile("atlassian")
    assert not atlassian.can_rename_groups
    assert atlassian.delete_deactivates
    assert atlassian.paging == "index"
    assert atlassian.max_users == 20_000


def test_auth0_rate_limit() -> None:
    """Auth0 allows about 25 requests per second."""
    assert get_profile("auth0").default_rate_limit == 25


def test_scim2_starts_safe() -> None:
    """Before reading ServiceProviderConfig, scim2 updates with PUT."""
    scim2 = get_profile("scim2")
    assert scim2.update_method == "put"
    assert scim2.reads_service_provider_config
    assert scim2.user_match_attributes == ("userName", "externalId", "emails.value")
    assert scim2.endpoint_pattern is None
