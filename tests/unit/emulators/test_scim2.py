"""Generic SCIM 2.0 emulators: the strict one and the PUT-only one."""

from __future__ import annotations

from typing import Any

import pytest
from tests.unit.emulators.bodies import (
    Start,
    assert_scim_error,
    create_group,
    create_user,
    group,
    patch,
    user,
)


def test_member_limit_is_too_many(run_app: Start) -> None:
    """More than 100 member changes in one PATCH is a 400 tooMany."""
    emulator, client = run_app("scim2_strict")
    ids = [emulator.seed_user(user(f"u{n}@example.com")) for n in range(101)]
    group_id = create_group(client)
    members = [{"value": i} for i in ids]

    response = client.patch(
        f"/Groups/{group_id}",
        json=patch({"op": "add", "path": "members", "value": members}),
    )

    assert_scim_error(response, 400, "tooMany")
    assert emulator.members_of(group_id) == []


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "members", "value": []},
        {"op": "replace", "value": {"members": []}},
    ],
)
def test_replacing_all_members_by_patch_is_refused(
    run_app: Start, operation: dict[str, Any]
) -> None:
    """A PATCH replacing the whole member list is a 400."""
    emulator, client = run_app("scim2_strict")
    ada = create_user(client)
    group_id = create_group(client, "Engineers", [ada])

    assert_scim_error(client.patch(f"/Groups/{group_id}", json=patch(operation)), 400)
    assert emulator.members_of(group_id) == [ada]


def test_remove_with_a_value_list_is_refused(run_app: Start) -> None:
    """remove of members carrying a value list is refused, not read as remove-all."""
    emulator, client = run_app("scim2_strict")
    ada = create_user(client)
    group_id = create_group(client, "Engineers", [ada])
    body = patch({"op": "remove", "path": "members", "value": [{"value": ada}]})

    assert_scim_error(client.patch(f"/Groups/{group_id}", json=body), 400)
    assert emulator.members_of(group_id) == [ada]


def test_put_of_a_group_may_change_members(run_app: Start) -> None:
    """PUT of a full group replaces its members and records the change count."""
    emulator, client = run_app("scim2_strict")
    ada, grace = (
        create_user(client, "a@example.com"),
        create_user(client, "g@example.com"),
    )
    group_id = create_group(client, "Engineers", [ada])

    response = client.put(f"/Groups/{group_id}", json=group("Engineers", [grace]))

    assert response.status_code == 200, response.text
    assert emulator.members_of(group_id) == [grace]
    assert emulator.requests[-1].member_changes == 2


def test_strict_filters(run_app: Start) -> None:
    """eq on userName, displayName, externalId (with and/or) work; others are 400."""
    _, client = run_app("scim2_strict")
    create_user(client)
    create_group(client)

    by_name = client.get(
        "/Users",
        params={"filter": 'userName eq "ada@example.com" or externalId eq "x"'},
    )
    by_group = client.get("/Groups", params={"filter": 'displayName eq "Engineers"'})
    by_title = client.get("/Users", params={"filter": 'title eq "x"'})

    assert by_name.json()["totalResults"] == 1
    assert by_group.json()["totalResults"] == 1
    assert_scim_error(by_title, 400, "invalidFilter")


def test_put_only_refuses_patch_with_501(run_app: Start) -> None:
    """The PUT-only server advertises no PATCH and answers PATCH with 501."""
    emulator, client = run_app("scim2_put_only")
    user_id = create_user(client)

    config = client.get("/ServiceProviderConfig").json()
    response = client.patch(
        f"/Users/{user_id}",
        json=patch({"op": "replace", "path": "active", "value": False}),
    )

    assert config["patch"]["supported"] is False
    assert_scim_error(response, 501)
    assert emulator.users[user_id]["active"] is True


def test_put_only_accepts_full_put(run_app: Start) -> None:
    """The PUT-only server replaces users and groups by PUT."""
    emulator, client = run_app("scim2_put_only")
    user_id = create_user(client)
    group_id = create_group(client)

    put_user = client.put(f"/Users/{user_id}", json=user(active=False))
    put_group = client.put(f"/Groups/{group_id}", json=group("Engineers", [user_id]))

    assert put_user.status_code == 200
    assert put_group.status_code == 200
    assert emulator.members_of(group_id) == [user_id]
    assert emulator.rejections == []
