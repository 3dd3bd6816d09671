"""diff_user_resources: only what changed, each operation with its path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from scimlink.mapping.diff import changed, diff_user_resources
from scimlink.mapping.targets import ENTERPRISE_USER_SCHEMA

Loader = Callable[[str], dict[str, Any]]


def test_equal_resources_give_no_operations(rfc_example: Loader) -> None:
    """Pushing the same §8.3 resource again sends nothing."""
    resource = rfc_example("rfc7643_8_3_enterprise_user")
    assert diff_user_resources(resource, copy.deepcopy(resource)) == []
    assert not changed(resource, copy.deepcopy(resource))


def test_envelope_attributes_are_ignored(rfc_example: Loader) -> None:
    """schemas, id and meta never become operations."""
    old = rfc_example("rfc7643_8_1_minimal_user")
    new = {**old, "meta": {"version": 'W/"other"'}, "id": "x", "schemas": []}
    assert diff_user_resources(old, new) == []


def test_changed_leaves_are_replaced_by_path(rfc_example: Loader) -> None:
    """A new given name, department and work email are three replace ops."""
    old = rfc_example("rfc7643_8_3_enterprise_user")
    new = copy.deepcopy(old)
    new["name"]["givenName"] = "Babs"
    new[ENTERPRISE_USER_SCHEMA]["department"] = "Ride Operations"
    new["emails"][0]["value"] = "babs@example.com"

    assert diff_user_resources(old, new) == [
        {"op": "replace", "path": "name.givenName", "value": "Babs"},
        {
            "op": "replace",
            "path": 'emails[type eq "work"].value',
            "value": "babs@example.com",
        },
        {
            "op": "replace",
            "path": f"{ENTERPRISE_USER_SCHEMA}:department",
            "value": "Ride Operations",
        },
    ]


def test_unset_values_become_remove_ops(rfc_example: Loader) -> None:
    """A value set before and now unset is removed by its path."""
    old = rfc_example("rfc7643_8_3_enterprise_user")
    new = copy.deepcopy(old)
    del new["title"]
    del new["name"]["middleName"]
    del new[ENTERPRISE_USER_SCHEMA]["manager"]
    del new["phoneNumbers"]

    ops = diff_user_resources(old, new)
    assert {"op": "remove", "path": "title"} in ops
    assert {"op": "remove", "path": "name.middleName"} in ops
    assert {"op": "remove", "path": f"{ENTERPRISE_USER_SCHEMA}:manager.value"} in ops
    assert {"op": "remove", "path": 'phoneNumbers[type eq "work"]'} in ops
    assert all(op["op"] == "remove" and "value" not in op for op in ops)
    assert len(ops) == 6  # manager.$ref and manager.displayName go too


def test_new_multi_valued_value_is_added_whole(rfc_example: Loader) -> None:
    """A new mobile phone is added as a complete typed value."""
    old = rfc_example("rfc7643_8_3_enterprise_user")
    new = copy.deepcopy(old)
    new["phoneNumbers"].append({"value": "555-555-4444", "type": "mobile"})
    assert diff_user_resources(old, new) == [
        {
            "op": "add",
            "path": "phoneNumbers",
            "value": [{"value": "555-555-4444", "type": "mobile"}],
        }
    ]


def test_new_simple_attribute_is_added() -> None:
    """An attribute absent before is added with its path."""
    old = {"userName": "b", "active": True}
    new = {"userName": "b", "active": False, "nickName": "Babs"}
    assert diff_user_resources(old, new) == [
        {"op": "replace", "path": "active", "value": False},
        {"op": "add", "path": "nickName", "value": "Babs"},
    ]


def test_nothing_known_before_adds_everything(rfc_example: Loader) -> None:
    """With no previous push every attribute is added, each with a path."""
    new = rfc_example("rfc7643_8_1_minimal_user")
    assert diff_user_resources(None, new) == [
        {"op": "add", "path": "userName", "value": "bjensen@example.com"}
    ]


def test_empty_values_count_as_unset() -> None:
    """An empty string, list or object is the same as absent."""
    old = {"userName": "b", "title": "", "emails": [], "name": {}}
    assert diff_user_resources(old, {"userName": "b"}) == []
    assert changed({"userName": "a"}, {"userName": "b"})
