"""Auth0 emulator: users only, eq/and/or filters, deleting DELETE."""

from __future__ import annotations

from tests.unit.emulators.bodies import (
    Start,
    assert_scim_error,
    create_user,
    patch,
    user,
)


def test_groups_are_not_found(run_app: Start) -> None:
    """/Groups is a 404 SCIM error."""
    _, client = run_app("auth0")

    assert_scim_error(client.get("/Groups"), 404)


def test_and_or_filters(run_app: Start) -> None:
    """eq combined with and/or finds the right users; co is refused."""
    _, client = run_app("auth0")
    create_user(client, "a@example.com")
    create_user(client, "b@example.com")

    either = client.get(
        "/Users",
        params={"filter": 'userName eq "a@example.com" or userName eq "b@example.com"'},
    )
    both = client.get(
        "/Users",
        params={"filter": 'userName eq "a@example.com" and active eq true'},
    )
    contains = client.get("/Users", params={"filter": 'userName co "a"'})

    assert either.json()["totalResults"] == 2
    assert both.json()["totalResults"] == 1
    assert_scim_error(contains, 400, "invalidFilter")


def test_patch_put_and_delete(run_app: Start) -> None:
    """PATCH and PUT update; DELETE removes the user."""
    emulator, client = run_app("auth0")
    user_id = create_user(client)

    patched = client.patch(
        f"/Users/{user_id}",
        json=patch({"op": "replace", "path": "active", "value": False}),
    )
    put = client.put(f"/Users/{user_id}", json=user(title="Countess"))
    deleted = client.delete(f"/Users/{user_id}")

    assert patched.status_code == 200
    assert put.status_code == 200
    assert deleted.status_code == 204
    assert emulator.users == {}
    assert emulator.rejections == []
