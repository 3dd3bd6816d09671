"""The engine's decision for one user, from identity source and sync state."""

from typing import Any

import pytest

from scimlink.sync.user_push import UserSnapshot, holds, plan

DESIRED: dict[str, Any] = {"userName": "ana@example.com", "active": True}


def snapshot(**changes: Any) -> UserSnapshot:
    base: dict[str, Any] = {
        "user_id": "u1",
        "email": "ana@example.com",
        "in_scope": True,
        "desired": DESIRED,
        "remote_id": None,
        "pushed": None,
        "link_status": None,
        "source": None,
        "on_leave": "delete",
    }
    return UserSnapshot(**{**base, **changes})


def test_new_user_in_scope_is_created() -> None:
    """A user in scope with no account in the app is created."""
    assert plan(snapshot()) == "create"


def test_unchanged_synced_user_needs_nothing() -> None:
    """A synced user whose resource did not change costs no request."""
    state = snapshot(remote_id="a1", pushed=DESIRED, link_status="synced")
    assert plan(state) == "nothing"


def test_changed_user_is_updated() -> None:
    """A synced user whose resource changed is updated."""
    state = snapshot(
        remote_id="a1", pushed={**DESIRED, "active": False}, link_status="synced"
    )
    assert plan(state) == "update"


@pytest.mark.parametrize("status", ["failed", "stale", "deactivated"])
def test_user_not_cleanly_synced_is_updated(status: str) -> None:
    """Failed, stale (reconcile) and deactivated links are pushed again."""
    state = snapshot(remote_id="a1", pushed=DESIRED, link_status=status)
    assert plan(state) == "update"


@pytest.mark.parametrize(
    ("on_leave", "expected"),
    [("delete", "delete"), ("deactivate", "deactivate"), ("keep", "forget")],
)
def test_user_leaving_scope_follows_the_instruction(
    on_leave: str, expected: str
) -> None:
    """Leaving scope deletes, deactivates, or (unpublish without delete) forgets."""
    state = snapshot(
        in_scope=False,
        desired=None,
        remote_id="a1",
        pushed=DESIRED,
        link_status="synced",
        on_leave=on_leave,
    )
    assert plan(state) == expected


def test_already_deactivated_user_is_left_alone() -> None:
    """A deactivated account out of scope is not deactivated twice."""
    state = snapshot(
        in_scope=False,
        desired=None,
        remote_id="a1",
        link_status="deactivated",
        on_leave="deactivate",
    )
    assert plan(state) == "nothing"


def test_user_never_pushed_and_out_of_scope_needs_nothing() -> None:
    """A user that never reached the app needs no request when it leaves."""
    assert plan(snapshot(in_scope=False, desired=None)) == "nothing"


def test_failed_link_without_account_is_forgotten_when_out_of_scope() -> None:
    """A failed creation is cleaned up when the user leaves scope."""
    state = snapshot(in_scope=False, desired=None, link_status="failed")
    assert plan(state) == "forget"


def test_holds_ignores_what_the_app_adds() -> None:
    """The app's own attributes (id, meta, extra emails) are not drift."""
    app = {
        "id": "x",
        "meta": {"resourceType": "User"},
        "userName": "ana@example.com",
        "emails": [
            {"value": "other@example.com", "type": "home"},
            {"value": "ana@example.com", "type": "work", "primary": True},
        ],
        "Name": {"givenName": "Ana", "familyName": "B", "formatted": "Ana B"},
    }
    desired = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "ana@example.com",
        "name": {"givenName": "Ana", "familyName": "B"},
        "emails": [{"value": "ana@example.com", "type": "work", "primary": True}],
    }
    assert holds(app, desired)


def test_holds_detects_a_changed_value() -> None:
    """A value that differs from what scimlink sent is drift."""
    assert not holds({"name": {"givenName": "Eve"}}, {"name": {"givenName": "Ana"}})
    assert not holds({"active": True}, {"active": False})
    assert not holds({}, {"title": "Lead"})
