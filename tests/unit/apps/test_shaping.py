"""Request shaping: user resources, PATCH splitting, members and groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scimlink.apps import (
    GroupRenameUnsupportedError,
    MissingRequiredAttributesError,
    get_profile,
    group_patch,
    group_resource,
    member_patches,
    patch_request,
    shape_user,
    split_patch,
)

Loader = Callable[[str], dict[str, Any]]
AWS = get_profile("aws")
SCIM2 = get_profile("scim2")
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def test_aws_user_keeps_one_value_and_drops_rejected(rfc_example: Loader) -> None:
    """§8.2's user on AWS: one email/phone/address, no password, no groups."""
    full = rfc_example("rfc7643_8_2_full_user")
    shaped = shape_user(AWS, full)

    assert shaped["emails"] == [full["emails"][0]]
    assert shaped["addresses"] == [full["addresses"][0]]
    assert shaped["phoneNumbers"] == [full["phoneNumbers"][0]]
    assert "password" not in shaped and "groups" not in shaped
    assert len(full["emails"]) == 2, "the input is not modified"


def test_primary_value_is_the_one_kept() -> None:
    """When one value is primary, AWS keeps that one rather than the first."""
    resource = {
        "userName": "b",
        "displayName": "B",
        "name": {"givenName": "B", "familyName": "J"},
        "emails": [{"value": "a@x", "type": "home"}, {"value": "b@x", "primary": True}],
    }
    assert shape_user(AWS, resource)["emails"] == [{"value": "b@x", "primary": True}]


def test_aws_derives_display_name_from_the_name() -> None:
    """AWS requires displayName: an unmapped one is given + family name."""
    resource = {
        "userName": "b",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
    }
    assert shape_user(AWS, resource)["displayName"] == "Barbara Jensen"
    assert "displayName" not in shape_user(SCIM2, resource)


def test_mapped_display_name_is_kept() -> None:
    """A displayName that the mapping gives is not overwritten."""
    resource = {
        "userName": "b",
        "displayName": "Babs",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
    }
    assert shape_user(AWS, resource)["displayName"] == "Babs"


def test_missing_required_attributes_are_named() -> None:
    """AWS without a family name raises, naming the attribute."""
    with pytest.raises(MissingRequiredAttributesError) as raised:
        shape_user(AWS, {"userName": "b", "name": {"givenName": "B"}})
    assert raised.value.paths == ("name.familyName",)
    assert "AWS IAM Identity Center requires name.familyName" in str(raised.value)


def test_password_is_dropped_for_every_app(rfc_example: Loader) -> None:
    """No profile ever lets a password through."""
    full = rfc_example("rfc7643_8_2_full_user")
    for key in ("apple_business_manager", "atlassian", "auth0", "scim2"):
        assert "password" not in shape_user(get_profile(key), full)


def test_schemas_list_the_extensions_used(rfc_example: Loader) -> None:
    """schemas is recomputed: core plus each extension present."""
    enterprise = rfc_example("rfc7643_8_3_enterprise_user")
    enterprise["schemas"] = []
    shaped = shape_user(SCIM2, enterprise)
    assert shaped["schemas"] == [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        ENTERPRISE,
    ]


def test_aws_never_has_two_username_or_active_ops_in_one_request() -> None:
    """userName and active share one budget: no request holds two ops on them."""
    ops = [
        {"op": "replace", "path": "userName", "value": "a"},
        {"op": "replace", "path": "active", "value": False},
        {"op": "replace", "path": "name.givenName", "value": "B"},
        {"op": "Replace", "path": "userName", "value": "b"},
        {"op": "replace", "path": "active", "value": True},
    ]
    requests = split_patch(AWS, ops)
    assert [[op["path"] for op in request] for request in requests] == [
        ["userName"],
        ["active", "name.givenName"],
        ["userName"],
        ["active"],
    ]
    assert [op for request in requests for op in request][3]["op"] == "replace"


def test_other_apps_keep_one_request() -> None:
    """Without single-op attributes every operation goes in one request."""
    ops = [
        {"op": "replace", "path": "userName", "value": "a"},
        {"op": "replace", "path": "userName", "value": "b"},
    ]
    assert split_patch(SCIM2, ops) == [ops]
    assert split_patch(SCIM2, []) == []


def test_aws_ops_without_path_are_expanded() -> None:
    """AWS needs a path on every op: a path-less value object is split up."""
    ops = [
        {
            "op": "replace",
            "value": {
                "userName": "b",
                "active": False,
                ENTERPRISE: {"department": "Rides"},
            },
        }
    ]
    assert split_patch(AWS, ops) == [
        [{"op": "replace", "path": "userName", "value": "b"}],
        [
            {"op": "replace", "path": "active", "value": False},
            {"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Rides"},
        ],
    ]


def test_path_less_op_counts_the_attributes_in_its_value() -> None:
    """A path-less op on userName and a later userName op are split on AWS
    once expanded, and kept together on an app without single-op rules."""
    ops = [
        {"op": "replace", "value": {"userName": "a"}},
        {"op": "replace", "path": "userName", "value": "b"},
    ]
    assert split_patch(get_profile("atlassian"), ops) == [ops]
    assert len(split_patch(AWS, ops)) == 2


def test_core_urn_path_is_the_bare_attribute() -> None:
    """`urn:...:core:2.0:User:userName` counts as userName when splitting."""
    ops = [
        {
            "op": "replace",
            "path": "urn:ietf:params:scim:schemas:core:2.0:User:userName",
            "value": "a",
        },
        {"op": "replace", "path": "userName", "value": "b"},
    ]
    assert len(split_patch(AWS, ops)) == 2


def test_unknown_patch_operation_is_refused() -> None:
    """Only add, replace and remove exist in RFC 7644 §3.5.2."""
    with pytest.raises(ValueError, match="unknown PATCH operation 'move'"):
        split_patch(SCIM2, [{"op": "move", "path": "userName"}])


def test_member_changes_are_chunked_under_the_limit() -> None:
    """250 adds and 30 removes on AWS: no request over 100 member changes."""
    add = [f"user-{n}" for n in range(250)]
    remove = [f"gone-{n}" for n in range(30)]
    requests = member_patches(AWS, add, remove)

    assert len(requests) == 3
    counted = []
    for request in requests:
        changes = 0
        for op in request:
            assert op["op"] in ("add", "remove")
            assert op["path"].startswith("members")
            changes += len(op["value"]) if op["op"] == "add" else 1
        assert changes <= 100
        counted.append(changes)
    assert counted == [100, 100, 80]
    added = [
        v["value"]
        for r in requests
        for op in r
        if op["op"] == "add"
        for v in op["value"]
    ]
    assert added == add


def test_member_remove_uses_a_value_filter() -> None:
    """A removal targets one member by filter, never all members."""
    [[op]] = member_patches(AWS, [], ['odd"id'])
    assert op == {"op": "remove", "path": 'members[value eq "odd\\"id"]'}


def test_member_patches_never_replace() -> None:
    """No member operation is a replace of the members list."""
    requests = member_patches(AWS, ["a", "b"], ["c"])
    assert requests == [
        [
            {"op": "add", "path": "members", "value": [{"value": "a"}, {"value": "b"}]},
            {"op": "remove", "path": 'members[value eq "c"]'},
        ]
    ]


def test_value_list_remove_form() -> None:
    """A profile may ask for removals as one value list."""
    import dataclasses

    profile = dataclasses.replace(
        SCIM2, member_remove_form="value_list", member_limit=2
    )
    assert member_patches(profile, [], ["a", "b", "c"]) == [
        [
            {
                "op": "remove",
                "path": "members",
                "value": [{"value": "a"}, {"value": "b"}],
            }
        ],
        [{"op": "remove", "path": "members", "value": [{"value": "c"}]}],
    ]


def test_same_member_added_and_removed_is_an_error() -> None:
    """Adding and removing one member at once is a caller mistake."""
    with pytest.raises(ValueError, match="both added and removed"):
        member_patches(AWS, ["a"], ["a"])


def test_group_resource_matches_rfc_example(rfc_example: Loader) -> None:
    """A Group for POST carries schemas, displayName and members (§8.4)."""
    example = rfc_example("rfc7643_8_4_group")
    ids = [m["value"] for m in example["members"]]
    resource = group_resource(SCIM2, "Tour Guides", None, ids)
    assert resource == {
        "schemas": example["schemas"],
        "displayName": example["displayName"],
        "members": [{"value": v} for v in ids],
    }


def test_aws_group_is_created_without_members(rfc_example: Loader) -> None:
    """AWS groups are created empty; members follow by PATCH."""
    ids = [m["value"] for m in rfc_example("rfc7643_8_4_group")["members"]]
    assert "members" not in group_resource(AWS, "Tour Guides", "desc", ids)


def test_group_resource_leaves_members_out_above_the_limit() -> None:
    """More members than one request allows are added afterwards instead."""
    ids = [str(n) for n in range(101)]
    assert "members" not in group_resource(SCIM2, "Big", None, ids)


def test_atlassian_refuses_group_rename() -> None:
    """Renaming a group on Atlassian raises; other apps get a replace op."""
    with pytest.raises(GroupRenameUnsupportedError):
        group_patch(get_profile("atlassian"), display_name="New")
    assert group_patch(AWS, display_name="New") == [
        {"op": "replace", "path": "displayName", "value": "New"}
    ]


def test_patch_request_envelope() -> None:
    """patch_request wraps operations in a PatchOp message."""
    body = patch_request([{"op": "remove", "path": "title"}])
    assert body == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "remove", "path": "title"}],
    }
