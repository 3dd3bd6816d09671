"""Apple Business Manager and Apple School Manager emulators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.unit.emulators.bodies import (
    Start,
    assert_scim_error,
    create_user,
    group,
    patch,
    user,
)

APPLE = ["apple_business_manager", "apple_school_manager"]


@pytest.mark.parametrize("app_key", APPLE)
def test_groups_are_not_found(run_app: Start, app_key: str) -> None:
    """Every /Groups request is a 404 SCIM error."""
    emulator, client = run_app(app_key)

    assert_scim_error(client.get("/Groups"), 404)
    assert_scim_error(client.post("/Groups", json=group()), 404)
    assert_scim_error(client.get("/Groups/some-id"), 404)
    assert len(emulator.rejections) == 3


@pytest.mark.parametrize("app_key", APPLE)
def test_user_lifecycle(run_app: Start, app_key: str) -> None:
    """Create, PATCH, PUT and find by userName are accepted."""
    emulator, client = run_app(app_key)
    user_id = create_user(client)

    patched = client.patch(
        f"/Users/{user_id}",
        json=patch({"op": "replace", "path": "name.familyName", "value": "King"}),
    )
    put = client.put(f"/Users/{user_id}", json=user(active=False))
    found = client.get("/Users", params={"filter": 'userName eq "ada@example.com"'})

    assert patched.status_code == 200
    assert put.status_code == 200
    assert found.json()["totalResults"] == 1
    assert emulator.rejections == []


@pytest.mark.parametrize("app_key", APPLE)
def test_user_name_must_be_an_email(run_app: Start, app_key: str) -> None:
    """A userName that is not an email address is a 400."""
    _, client = run_app(app_key)

    assert_scim_error(client.post("/Users", json=user("ada")), 400, "invalidValue")


@pytest.mark.parametrize("app_key", APPLE)
def test_only_user_name_filter(run_app: Start, app_key: str) -> None:
    """A filter on externalId is a 400 invalidFilter."""
    _, client = run_app(app_key)

    response = client.get("/Users", params={"filter": 'externalId eq "x"'})

    assert_scim_error(response, 400, "invalidFilter")


def test_business_manager_frees_a_deleted_user_name(run_app: Start) -> None:
    """Business Manager lets a deleted userName be created again at once."""
    emulator, client = run_app("apple_business_manager")
    user_id = create_user(client)

    assert client.delete(f"/Users/{user_id}").status_code == 204
    assert client.post("/Users", json=user()).status_code == 201
    assert len(emulator.users) == 1


def test_school_manager_holds_a_deleted_user_name_for_120_days(run_app: Start) -> None:
    """School Manager refuses a deleted userName for 120 days, then accepts it."""
    emulator, client = run_app("apple_school_manager")
    now = datetime(2025, 1, 1, tzinfo=UTC)
    emulator.clock = lambda: now
    user_id = create_user(client)
    client.delete(f"/Users/{user_id}")

    emulator.clock = lambda: now + timedelta(days=119)
    too_soon = client.post("/Users", json=user("ADA@example.com"))
    emulator.clock = lambda: now + timedelta(days=121)
    later = client.post("/Users", json=user())

    assert_scim_error(too_soon, 409, "uniqueness")
    assert later.status_code == 201
