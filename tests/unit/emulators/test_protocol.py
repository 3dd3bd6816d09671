"""The SCIM protocol every emulator shares, exercised on the strict server."""

from __future__ import annotations

import httpx
import pytest
from tests.emulators import APP_KEYS, make_emulator
from tests.unit.emulators.bodies import (
    GROUP_SCHEMA,
    Start,
    assert_scim_error,
    create_group,
    create_user,
    group,
    patch,
    user,
)


def test_unknown_app_key_is_refused() -> None:
    """Asking for an app without an emulator raises ValueError."""
    with pytest.raises(ValueError, match="nope"):
        make_emulator("nope", token="t")


@pytest.mark.parametrize("app_key", APP_KEYS)
def test_wrong_or_missing_token_is_401(run_app: Start, app_key: str) -> None:
    """Every app answers 401 with a SCIM error to a missing or wrong bearer token."""
    emulator, client = run_app(app_key)

    missing = httpx.get(f"{client.base_url}/Users")
    wrong = client.get("/Users", headers={"Authorization": "Bearer other"})

    assert_scim_error(missing, 401)
    assert_scim_error(wrong, 401)
    assert [r.status for r in emulator.rejections] == [401, 401]
    assert emulator.requests == []


@pytest.mark.parametrize("app_key", APP_KEYS)
def test_service_provider_config_is_served(run_app: Start, app_key: str) -> None:
    """Every app serves /ServiceProviderConfig with its PATCH support."""
    emulator, client = run_app(app_key)

    response = client.get("/ServiceProviderConfig")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/scim+json")
    assert response.json()["patch"]["supported"] is emulator.rules.patch_supported


def test_user_round_trip(run_app: Start) -> None:
    """A created user is stored, read back by id and found by a userName filter."""
    emulator, client = run_app("scim2_strict")

    created = client.post("/Users", json=user())
    user_id = created.json()["id"]
    read = client.get(f"/Users/{user_id}")
    found = client.get("/Users", params={"filter": 'userName eq "ADA@example.com"'})

    assert created.status_code == 201
    assert created.headers["location"].endswith(f"/Users/{user_id}")
    assert read.json()["userName"] == "ada@example.com"
    assert found.json()["totalResults"] == 1
    assert found.json()["Resources"][0]["id"] == user_id
    assert emulator.users[user_id]["meta"]["resourceType"] == "User"
    assert emulator.rejections == []
    assert [r.method for r in emulator.requests] == ["POST", "GET", "GET"]


def test_duplicate_user_name_is_409_uniqueness(run_app: Start) -> None:
    """A second user with the same userName, in any case, is a 409 uniqueness."""
    emulator, client = run_app("scim2_strict")
    create_user(client, "ada@example.com")

    response = client.post("/Users", json=user("Ada@Example.com"))

    assert_scim_error(response, 409, "uniqueness")
    assert emulator.rejections[-1].status == 409
    assert emulator.rejections[-1].body["userName"] == "Ada@Example.com"


def test_duplicate_group_name_is_409_uniqueness(run_app: Start) -> None:
    """A second group with the same displayName is a 409 uniqueness."""
    _, client = run_app("scim2_strict")
    create_group(client, "Engineers")

    assert_scim_error(
        client.post("/Groups", json=group("Engineers")), 409, "uniqueness"
    )


def test_unknown_ids_are_404(run_app: Start) -> None:
    """GET, PUT, PATCH and DELETE of an unknown id answer 404."""
    _, client = run_app("scim2_strict")

    assert_scim_error(client.get("/Users/missing"), 404)
    assert_scim_error(client.put("/Users/missing", json=user()), 404)
    body = patch({"op": "replace", "path": "active", "value": False})
    assert_scim_error(client.patch("/Users/missing", json=body), 404)
    assert_scim_error(client.delete("/Groups/missing"), 404)


def test_malformed_bodies_are_rejected(run_app: Start) -> None:
    """Missing schemas, undeclared extensions, bad JSON and bad types are 400."""
    emulator, client = run_app("scim2_strict")
    no_schemas = {"userName": "a@example.com"}
    undeclared = user(
        **{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {}}
    )
    two_primaries = user(
        emails=[
            {"value": "a@example.com", "primary": True},
            {"value": "b@example.com", "primary": True},
        ]
    )

    assert_scim_error(client.post("/Users", json=no_schemas), 400, "invalidSyntax")
    assert_scim_error(client.post("/Users", json=undeclared), 400, "invalidSyntax")
    assert_scim_error(
        client.post("/Users", json=user(active="yes")), 400, "invalidValue"
    )
    assert_scim_error(client.post("/Users", json=two_primaries), 400, "invalidValue")
    headers = {"Content-Type": "application/scim+json"}
    assert_scim_error(client.post("/Users", content=b"{", headers=headers), 400)
    assert_scim_error(client.post("/Users", json={**user(), "userName": ""}), 400)
    assert len(emulator.shape_rejections) == 6
    assert emulator.users == {}


def test_non_json_content_type_is_415(run_app: Start) -> None:
    """A body sent as form data is refused."""
    _, client = run_app("scim2_strict")

    assert_scim_error(client.post("/Users", data={"userName": "x"}), 415)


def test_declared_enterprise_extension_is_accepted(run_app: Start) -> None:
    """An enterprise attribute listed in schemas is stored and filterable by PATCH."""
    _, client = run_app("scim2_strict")
    urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    body = user(**{urn: {"department": "R&D"}})
    body["schemas"] = [*body["schemas"], urn]
    user_id = client.post("/Users", json=body).json()["id"]

    response = client.patch(
        f"/Users/{user_id}",
        json=patch({"op": "replace", "path": f"{urn}:department", "value": "Ops"}),
    )

    assert response.status_code == 200, response.text
    assert response.json()[urn]["department"] == "Ops"


def test_put_replaces_the_user(run_app: Start) -> None:
    """PUT stores the new full resource under the same id and bumps the version."""
    emulator, client = run_app("scim2_strict")
    user_id = create_user(client)

    response = client.put(f"/Users/{user_id}", json=user(displayName="Countess"))

    assert response.status_code == 200, response.text
    assert emulator.users[user_id]["displayName"] == "Countess"
    assert emulator.users[user_id]["meta"]["version"] == 'W/"2"'


def test_put_cannot_take_another_users_name(run_app: Start) -> None:
    """Renaming a user to a taken userName is a 409."""
    _, client = run_app("scim2_strict")
    create_user(client, "ada@example.com")
    other = create_user(client, "grace@example.com")

    response = client.put(f"/Users/{other}", json=user("ada@example.com"))

    assert_scim_error(response, 409, "uniqueness")


def test_patch_paths_on_a_user(run_app: Start) -> None:
    """Simple, sub-attribute, value-filtered and path-less operations all apply."""
    emulator, client = run_app("scim2_strict")
    user_id = create_user(client)
    body = patch(
        {"op": "replace", "path": "name.givenName", "value": "Augusta"},
        {
            "op": "replace",
            "path": 'emails[type eq "work"].value',
            "value": "aa@example.com",
        },
        {"op": "add", "path": 'phoneNumbers[type eq "work"].value', "value": "+1 555"},
        {"op": "replace", "value": {"active": False, "title": "Countess"}},
        {"op": "remove", "path": "displayName"},
    )

    response = client.patch(f"/Users/{user_id}", json=body)

    assert response.status_code == 200, response.text
    stored = emulator.users[user_id]
    assert stored["name"] == {"givenName": "Augusta", "familyName": "Lovelace"}
    assert stored["emails"][0]["value"] == "aa@example.com"
    assert stored["phoneNumbers"] == [{"type": "work", "value": "+1 555"}]
    assert stored["active"] is False
    assert stored["title"] == "Countess"
    assert "displayName" not in stored


def test_patch_replace_with_unmatched_filter_is_no_target(run_app: Start) -> None:
    """Replacing through a value filter that matches nothing is 400 noTarget."""
    emulator, client = run_app("scim2_strict")
    user_id = create_user(client)
    body = patch(
        {"op": "replace", "path": 'phoneNumbers[type eq "work"].value', "value": "+1"}
    )

    response = client.patch(f"/Users/{user_id}", json=body)

    assert_scim_error(response, 400, "noTarget")
    assert "phoneNumbers" not in emulator.users[user_id]


@pytest.mark.parametrize(
    ("operation", "scim_type"),
    [
        ({"op": "Replace", "path": "active", "value": False}, "invalidSyntax"),
        ({"op": "remove"}, "noTarget"),
        ({"op": "add", "path": "title"}, "invalidSyntax"),
        ({"op": "replace", "path": "emails[type eq]", "value": "x"}, "invalidFilter"),
        ({"op": "replace", "path": "id", "value": "x"}, "mutability"),
        ({"op": "replace", "path": "name..x", "value": "x"}, "invalidPath"),
    ],
)
def test_malformed_patch_operations_are_400(
    run_app: Start, operation: dict[str, object], scim_type: str
) -> None:
    """Bad op names, missing path or value, bad paths and read-only targets are 400."""
    emulator, client = run_app("scim2_strict")
    user_id = create_user(client)

    response = client.patch(f"/Users/{user_id}", json=patch(operation))

    assert_scim_error(response, 400, scim_type)
    assert emulator.users[user_id]["meta"]["version"] == 'W/"1"'


def test_patch_body_needs_the_patchop_schema(run_app: Start) -> None:
    """A PATCH body without the PatchOp schema is 400 invalidSyntax."""
    _, client = run_app("scim2_strict")
    user_id = create_user(client)

    response = client.patch(
        f"/Users/{user_id}", json={"Operations": [{"op": "remove", "path": "title"}]}
    )

    assert_scim_error(response, 400, "invalidSyntax")


def test_group_member_patches_are_counted(run_app: Start) -> None:
    """Adding and removing members one by one is applied and recorded per request."""
    emulator, client = run_app("scim2_strict")
    ada, grace, alan = (
        create_user(client, f"{n}@example.com") for n in ("a", "g", "t")
    )
    group_id = create_group(client, "Engineers", [ada])

    added = client.patch(
        f"/Groups/{group_id}",
        json=patch(
            {
                "op": "add",
                "path": "members",
                "value": [{"value": grace}, {"value": alan}],
            }
        ),
    )
    removed = client.patch(
        f"/Groups/{group_id}",
        json=patch({"op": "remove", "path": f'members[value eq "{ada}"]'}),
    )

    assert added.status_code == 200, added.text
    assert removed.status_code == 200, removed.text
    assert emulator.members_of(group_id) == [grace, alan]
    assert [
        r.member_changes for r in emulator.requests if r.resource_type == "Group"
    ] == [
        1,
        2,
        1,
    ]


def test_group_member_must_exist(run_app: Start) -> None:
    """A member id the server does not know is 400 invalidValue."""
    _, client = run_app("scim2_strict")

    response = client.post("/Groups", json=group("Engineers", ["nobody"]))

    assert_scim_error(response, 400, "invalidValue")


def test_deleting_a_user_removes_its_memberships(run_app: Start) -> None:
    """DELETE answers 204, and the user leaves every group."""
    emulator, client = run_app("scim2_strict")
    ada = create_user(client)
    group_id = create_group(client, "Engineers", [ada])

    response = client.delete(f"/Users/{ada}")

    assert response.status_code == 204
    assert ada not in emulator.users
    assert emulator.members_of(group_id) == []
    assert_scim_error(client.get(f"/Users/{ada}"), 404)


def test_index_paging(run_app: Start) -> None:
    """startIndex and count page through users; count is capped at the page size."""
    emulator, client = run_app("scim2_strict")
    for n in range(5):
        emulator.seed_user(user(f"u{n}@example.com"))

    page = client.get("/Users", params={"startIndex": 3, "count": 2}).json()
    capped = client.get("/Users", params={"count": 10_000}).json()

    assert page["startIndex"] == 3
    assert page["itemsPerPage"] == 2
    assert page["totalResults"] == 5
    assert [r["userName"] for r in page["Resources"]] == [
        "u2@example.com",
        "u3@example.com",
    ]
    assert capped["itemsPerPage"] == 5


def test_filter_syntax_errors_are_invalid_filter(run_app: Start) -> None:
    """An unparsable filter is 400 invalidFilter."""
    _, client = run_app("scim2_strict")

    response = client.get("/Users", params={"filter": 'userName eq "x" and'})

    assert_scim_error(response, 400, "invalidFilter")


def test_unknown_endpoint_and_method(run_app: Start) -> None:
    """An unknown endpoint is 404 and a method an endpoint lacks is 405."""
    _, client = run_app("scim2_strict")

    assert_scim_error(client.get("/Bulk"), 404)
    assert_scim_error(client.delete("/Users"), 405)


def test_group_schema_is_required(run_app: Start) -> None:
    """A group posted with the User schema is 400."""
    _, client = run_app("scim2_strict")
    body = {"schemas": [GROUP_SCHEMA.replace("Group", "User")], "displayName": "X"}

    assert_scim_error(client.post("/Groups", json=body), 400, "invalidSyntax")


@pytest.mark.parametrize(
    ("app_key", "kinds"),
    [
        ("auth0", ["User"]),
        ("apple_school_manager", ["User"]),
        ("aws", ["User", "Group"]),
    ],
)
def test_resource_types_list_what_the_app_serves(
    run_app: Start, app_key: str, kinds: list[str]
) -> None:
    """/ResourceTypes lists Group only for apps that support groups."""
    _, client = run_app(app_key)

    listed = client.get("/ResourceTypes").json()

    assert [t["id"] for t in listed["Resources"]] == kinds


def test_excluded_attributes_drops_members(run_app: Start) -> None:
    """excludedAttributes=members reads a group without its members."""
    _, client = run_app("scim2_strict")
    ada = create_user(client)
    group_id = create_group(client, "Engineers", [ada])

    full = client.get(f"/Groups/{group_id}").json()
    lean = client.get(f"/Groups/{group_id}", params={"excludedAttributes": "members"})

    assert full["members"] == [{"value": ada}]
    assert "members" not in lean.json()
