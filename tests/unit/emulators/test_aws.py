"""AWS IAM Identity Center emulator: each documented rule rejects what it should."""

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


def test_well_formed_user_and_group_are_accepted(run_app: Start) -> None:
    """A complete user and a group with that member are created without rejection."""
    emulator, client = run_app("aws")
    ada = create_user(client)
    group_id = create_group(client, "Engineers", [ada])

    assert emulator.members_of(group_id) == [ada]
    assert emulator.rejections == []


@pytest.mark.parametrize(
    "missing", ["userName", "displayName", "name.givenName", "name.familyName"]
)
def test_required_user_attributes(run_app: Start, missing: str) -> None:
    """A user without userName, displayName, givenName or familyName is a 400."""
    emulator, client = run_app("aws")
    body = user()
    if missing.startswith("name."):
        del body["name"][missing.split(".")[1]]
    else:
        del body[missing]

    assert_scim_error(client.post("/Users", json=body), 400)
    assert emulator.users == {}


@pytest.mark.parametrize(
    ("attribute", "values"),
    [
        ("emails", [{"value": "a@example.com"}, {"value": "b@example.com"}]),
        ("phoneNumbers", [{"value": "+1"}, {"value": "+2"}]),
        ("addresses", [{"locality": "Paris"}, {"locality": "Lyon"}]),
    ],
)
def test_multi_valued_user_attributes_are_refused(
    run_app: Start, attribute: str, values: list[dict[str, Any]]
) -> None:
    """Two emails, two phone numbers or two addresses are a 400."""
    _, client = run_app("aws")

    response = client.post("/Users", json=user(**{attribute: values}))

    assert_scim_error(response, 400, "invalidValue")


@pytest.mark.parametrize(
    "extra", [{"password": "hunter2"}, {"groups": [{"value": "g1"}]}]
)
def test_password_and_groups_are_refused(run_app: Start, extra: dict[str, Any]) -> None:
    """A user carrying a password or groups is a 400."""
    _, client = run_app("aws")

    assert_scim_error(client.post("/Users", json=user(**extra)), 400)


def test_patch_operation_without_path_is_refused(run_app: Start) -> None:
    """An operation that does not name its path is a 400."""
    emulator, client = run_app("aws")
    user_id = create_user(client)

    response = client.patch(
        f"/Users/{user_id}", json=patch({"op": "replace", "value": {"title": "x"}})
    )

    assert_scim_error(response, 400, "invalidPath")
    assert "title" not in emulator.users[user_id]


def test_one_identity_operation_per_request(run_app: Start) -> None:
    """Changing userName and active in one PATCH is a 400; one at a time is 204."""
    emulator, client = run_app("aws")
    user_id = create_user(client)
    both = patch(
        {"op": "replace", "path": "userName", "value": "ada2@example.com"},
        {"op": "replace", "path": "active", "value": False},
    )

    rejected = client.patch(f"/Users/{user_id}", json=both)
    accepted = client.patch(
        f"/Users/{user_id}",
        json=patch(
            {"op": "replace", "path": "active", "value": False},
            {"op": "replace", "path": "name.givenName", "value": "Augusta"},
        ),
    )

    assert_scim_error(rejected, 400)
    assert accepted.status_code == 204
    assert accepted.content == b""
    assert emulator.users[user_id]["active"] is False
    assert emulator.users[user_id]["userName"] == "ada@example.com"


def test_work_email_path_updates_the_only_email(run_app: Start) -> None:
    """emails[type eq "work"].value replaces the user's single email."""
    emulator, client = run_app("aws")
    user_id = create_user(client)
    body = patch(
        {
            "op": "replace",
            "path": 'emails[type eq "work"].value',
            "value": "x@example.com",
        }
    )

    response = client.patch(f"/Users/{user_id}", json=body)

    assert response.status_code == 204, response.text
    assert emulator.users[user_id]["emails"][0]["value"] == "x@example.com"


def test_put_user_is_allowed_and_put_group_is_not(run_app: Start) -> None:
    """PUT of a full user works; PUT of a group is a 400 as AWS documents."""
    emulator, client = run_app("aws")
    user_id = create_user(client)
    group_id = create_group(client)

    put_user = client.put(f"/Users/{user_id}", json=user(title="Countess"))
    put_group = client.put(f"/Groups/{group_id}", json=group("Engineers"))

    assert put_user.status_code == 200, put_user.text
    assert_scim_error(put_group, 400)
    assert emulator.rejections[-1].method == "PUT"


def test_member_changes_are_limited_to_100(run_app: Start) -> None:
    """Adding 101 members in one PATCH is a 400; adding 100 is accepted."""
    emulator, client = run_app("aws")
    ids = [emulator.seed_user(user(f"u{n}@example.com")) for n in range(101)]
    group_id = create_group(client)

    too_many = client.patch(
        f"/Groups/{group_id}",
        json=patch(
            {"op": "add", "path": "members", "value": [{"value": i} for i in ids]}
        ),
    )
    hundred = client.patch(
        f"/Groups/{group_id}",
        json=patch(
            {"op": "add", "path": "members", "value": [{"value": i} for i in ids[:100]]}
        ),
    )

    assert_scim_error(too_many, 400)
    assert hundred.status_code == 204
    assert len(emulator.members_of(group_id)) == 100
    assert emulator.requests[-1].member_changes == 100


def test_group_create_with_more_than_100_members_is_refused(run_app: Start) -> None:
    """A new group may carry at most 100 members."""
    emulator, client = run_app("aws")
    ids = [emulator.seed_user(user(f"u{n}@example.com")) for n in range(101)]

    assert_scim_error(client.post("/Groups", json=group("Big", ids)), 400)


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "replace", "path": "members", "value": []},
        {"op": "remove", "path": "members"},
        {"op": "replace", "value": {"members": []}},
    ],
)
def test_replacing_or_removing_all_members_is_refused(
    run_app: Start, operation: dict[str, Any]
) -> None:
    """replace on members and a bare remove of members are 400."""
    emulator, client = run_app("aws")
    ada = create_user(client)
    group_id = create_group(client, "Engineers", [ada])

    assert_scim_error(client.patch(f"/Groups/{group_id}", json=patch(operation)), 400)
    assert emulator.members_of(group_id) == [ada]


@pytest.mark.parametrize("form", ["filter", "value"])
def test_removing_one_member(run_app: Start, form: str) -> None:
    """A member leaves through members[value eq "id"] or a listed value."""
    emulator, client = run_app("aws")
    ada, grace = (
        create_user(client, "a@example.com"),
        create_user(client, "g@example.com"),
    )
    group_id = create_group(client, "Engineers", [ada, grace])
    operation: dict[str, Any] = {"op": "remove", "path": f'members[value eq "{ada}"]'}
    if form == "value":
        operation = {"op": "remove", "path": "members", "value": [{"value": ada}]}

    response = client.patch(f"/Groups/{group_id}", json=patch(operation))

    assert response.status_code == 204, response.text
    assert emulator.members_of(group_id) == [grace]
    assert emulator.requests[-1].member_changes == 1


def test_group_patch_only_touches_allowed_attributes(run_app: Start) -> None:
    """A group PATCH path other than displayName, members, externalId is a 400."""
    _, client = run_app("aws")
    group_id = create_group(client)

    body = patch({"op": "add", "path": "description", "value": "x"})

    assert_scim_error(client.patch(f"/Groups/{group_id}", json=body), 400)


def test_nested_groups_are_refused(run_app: Start) -> None:
    """A group as a member of another group is a 400."""
    _, client = run_app("aws")
    inner = create_group(client, "Inner")
    outer = create_group(client, "Outer")

    body = patch({"op": "add", "path": "members", "value": [{"value": inner}]})

    assert_scim_error(client.patch(f"/Groups/{outer}", json=body), 400, "invalidValue")


def test_reading_a_group_shows_no_members(run_app: Start) -> None:
    """GET /Groups/{id} and the list return groups without members."""
    emulator, client = run_app("aws")
    ada = create_user(client)
    group_id = create_group(client, "Engineers", [ada])

    read = client.get(f"/Groups/{group_id}").json()
    listed = client.get(
        "/Groups", params={"filter": 'displayName eq "Engineers"'}
    ).json()

    assert "members" not in read
    assert "members" not in listed["Resources"][0]
    assert emulator.members_of(group_id) == [ada]


def test_membership_filter(run_app: Start) -> None:
    """id eq "g" and members eq "u" finds the group only when u is a member."""
    _, client = run_app("aws")
    ada, grace = (
        create_user(client, "a@example.com"),
        create_user(client, "g@example.com"),
    )
    group_id = create_group(client, "Engineers", [ada])

    def count(member: str) -> int:
        query = f'id eq "{group_id}" and members eq "{member}"'
        response = client.get("/Groups", params={"filter": query})
        assert response.status_code == 200, response.text
        return int(response.json()["totalResults"])

    assert count(ada) == 1
    assert count(grace) == 0


@pytest.mark.parametrize(
    ("endpoint", "query"),
    [
        ("/Users", 'userName co "ada"'),
        ("/Users", 'displayName eq "Ada"'),
        ("/Users", 'userName eq "a" or userName eq "b"'),
        ("/Groups", 'externalId eq "x"'),
        ("/Groups", 'displayName sw "Eng"'),
    ],
)
def test_unsupported_filters_are_invalid_filter(
    run_app: Start, endpoint: str, query: str
) -> None:
    """Anything but eq on userName/externalId (users) or displayName (groups) is 400."""
    emulator, client = run_app("aws")

    assert_scim_error(
        client.get(endpoint, params={"filter": query}), 400, "invalidFilter"
    )
    assert emulator.rejections[-1].scim_type == "invalidFilter"


@pytest.mark.parametrize(
    "query", ['userName eq "ada@example.com"', 'externalId eq "e1"']
)
def test_supported_user_filters(run_app: Start, query: str) -> None:
    """eq on userName or externalId finds the user."""
    _, client = run_app("aws")
    client.post("/Users", json=user(externalId="e1"))

    response = client.get("/Users", params={"filter": query})

    assert response.json()["totalResults"] == 1


def test_cursor_paging(run_app: Start) -> None:
    """Pages of at most 100 are walked with nextCursor; startIndex is refused."""
    emulator, client = run_app("aws")
    for n in range(150):
        emulator.seed_user(user(f"u{n:03}@example.com"))

    first = client.get("/Users", params={"cursor": "", "count": 500}).json()
    second = client.get("/Users", params={"cursor": first["nextCursor"]}).json()
    index_paged = client.get("/Users", params={"startIndex": 101})
    bad_cursor = client.get("/Users", params={"cursor": "forged"})

    assert first["itemsPerPage"] == 100
    assert first["totalResults"] == 150
    assert second["itemsPerPage"] == 50
    assert "nextCursor" not in second
    names = [r["userName"] for r in first["Resources"] + second["Resources"]]
    assert len(set(names)) == 150
    assert_scim_error(index_paged, 400)
    assert_scim_error(bad_cursor, 400, "invalidCursor")


def test_service_provider_config_advertises_patch(run_app: Start) -> None:
    """AWS advertises PATCH and a 100-result filter limit."""
    _, client = run_app("aws")

    config = client.get("/ServiceProviderConfig").json()

    assert config["patch"]["supported"] is True
    assert config["filter"]["maxResults"] == 100
