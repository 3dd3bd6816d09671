"""Atlassian emulator: deactivating DELETE, unrenamable synced groups, email."""

from __future__ import annotations

from tests.unit.emulators.bodies import (
    Start,
    assert_scim_error,
    create_group,
    create_user,
    group,
    patch,
    user,
)


def test_delete_only_deactivates(run_app: Start) -> None:
    """DELETE answers 204 but the user stays, inactive."""
    emulator, client = run_app("atlassian")
    user_id = create_user(client)

    response = client.delete(f"/Users/{user_id}")

    assert response.status_code == 204
    assert emulator.users[user_id]["active"] is False
    assert client.get(f"/Users/{user_id}").json()["active"] is False


def test_recreating_a_deleted_user_conflicts_and_reactivation_works(
    run_app: Start,
) -> None:
    """POST after DELETE is a 409; PATCH active true brings the user back."""
    emulator, client = run_app("atlassian")
    user_id = create_user(client)
    client.delete(f"/Users/{user_id}")

    again = client.post("/Users", json=user())
    reactivated = client.patch(
        f"/Users/{user_id}",
        json=patch({"op": "replace", "path": "active", "value": True}),
    )

    assert_scim_error(again, 409, "uniqueness")
    assert reactivated.status_code == 200
    assert emulator.users[user_id]["active"] is True


def test_email_is_required(run_app: Start) -> None:
    """A user without an email is a 400, on create and after a PATCH."""
    emulator, client = run_app("atlassian")
    body = user()
    del body["emails"]
    user_id = create_user(client)

    created = client.post("/Users", json=body)
    emptied = client.patch(
        f"/Users/{user_id}", json=patch({"op": "remove", "path": "emails"})
    )

    assert_scim_error(created, 400, "invalidValue")
    assert_scim_error(emptied, 400, "invalidValue")
    assert emulator.users[user_id]["emails"]


def test_synced_group_cannot_be_renamed(run_app: Start) -> None:
    """Changing displayName by PATCH or PUT is a 400; members may change."""
    emulator, client = run_app("atlassian")
    ada = create_user(client)
    group_id = create_group(client)

    renamed = client.patch(
        f"/Groups/{group_id}",
        json=patch({"op": "replace", "path": "displayName", "value": "Devs"}),
    )
    put_renamed = client.put(f"/Groups/{group_id}", json=group("Devs"))
    member_added = client.patch(
        f"/Groups/{group_id}",
        json=patch({"op": "add", "path": "members", "value": [{"value": ada}]}),
    )

    assert_scim_error(renamed, 400)
    assert_scim_error(put_renamed, 400)
    assert member_added.status_code == 200
    assert emulator.groups[group_id]["displayName"] == "Engineers"


def test_filters(run_app: Start) -> None:
    """eq on userName/externalId and group displayName work; others are 400."""
    _, client = run_app("atlassian")
    client.post("/Users", json=user(externalId="e1"))
    create_group(client)

    by_external_id = client.get("/Users", params={"filter": 'externalId eq "e1"'})
    by_group_name = client.get(
        "/Groups", params={"filter": 'displayName eq "Engineers"'}
    )
    combined = client.get(
        "/Users", params={"filter": 'userName eq "a" and externalId eq "e1"'}
    )

    assert by_external_id.json()["totalResults"] == 1
    assert by_group_name.json()["totalResults"] == 1
    assert_scim_error(combined, 400, "invalidFilter")


def test_start_index_paging_of_100(run_app: Start) -> None:
    """Lists page by startIndex with at most 100 per page."""
    emulator, client = run_app("atlassian")
    for n in range(120):
        emulator.seed_user(user(f"u{n}@example.com"))

    first = client.get("/Users", params={"count": 200}).json()
    second = client.get("/Users", params={"startIndex": 101}).json()

    assert first["itemsPerPage"] == 100
    assert second["itemsPerPage"] == 20
    assert second["startIndex"] == 101
