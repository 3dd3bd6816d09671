"""The identity source through the REST API, on SQLite and PostgreSQL."""

from fastapi.testclient import TestClient


def _directory(api: TestClient, name: str = "Employees") -> str:
    response = api.post("/api/v1/directories", json={"name": name})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _user(api: TestClient, directory_id: str, email: str, **extra: object) -> dict:
    body = {
        "directoryId": directory_id,
        "email": email,
        "firstName": "Zoë",
        "lastName": "O'Brien",
        **extra,
    }
    response = api.post("/api/v1/users", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_directory_round_trip(api: TestClient) -> None:
    """A directory is created, read, renamed, listed and deleted."""
    directory_id = _directory(api)
    assert api.get(f"/api/v1/directories/{directory_id}").json()["name"] == "Employees"
    renamed = api.patch(f"/api/v1/directories/{directory_id}", json={"name": "Staff"})
    assert renamed.json()["name"] == "Staff"
    listed = api.get("/api/v1/directories").json()
    assert [d["name"] for d in listed["items"]] == ["Staff"]
    assert api.delete(f"/api/v1/directories/{directory_id}").status_code == 204
    assert api.get(f"/api/v1/directories/{directory_id}").status_code == 404


def test_user_round_trip_with_custom_attributes(api: TestClient) -> None:
    """A user with custom attributes is created, updated partially and deleted."""
    directory_id = _directory(api)
    user = _user(
        api,
        directory_id,
        "Zoe.OBrien@Example.com",
        attributes={"department": "Data", "employeeId": "E1"},
    )
    assert user["status"] == "active"
    assert user["attributes"] == {"department": "Data", "employeeId": "E1"}

    changed = api.patch(
        f"/api/v1/users/{user['id']}",
        json={
            "status": "suspended",
            "attributes": {"department": None, "title": "Lead"},
        },
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "suspended"
    assert changed.json()["attributes"] == {"employeeId": "E1", "title": "Lead"}
    assert changed.json()["firstName"] == "Zoë"

    found = api.get("/api/v1/users", params={"email": "zoe.obrien@example.com"}).json()
    assert [u["id"] for u in found["items"]] == [user["id"]]
    for status in ("suspended", "Suspended", "SUSPENDED"):
        listed = api.get("/api/v1/users", params={"status": status})
        assert [u["id"] for u in listed.json()["items"]] == [user["id"]], status
    assert api.get("/api/v1/users", params={"status": "gone"}).status_code == 422
    assert api.delete(f"/api/v1/users/{user['id']}").status_code == 204
    assert api.get(f"/api/v1/users/{user['id']}").status_code == 404


def test_email_unique_regardless_of_case(api: TestClient) -> None:
    """A second user whose email differs only in case is refused with 409."""
    directory_id = _directory(api)
    _user(api, directory_id, "ana@example.com")
    response = api.post(
        "/api/v1/users", json={"directoryId": directory_id, "email": "ANA@example.com"}
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "email"
    assert len(api.get("/api/v1/users").json()["items"]) == 1


def test_cursor_pagination_visits_every_user_once(api: TestClient) -> None:
    """Pages of two walk through five users without gaps or repeats."""
    directory_id = _directory(api)
    emails = {f"user{i}@example.com" for i in range(5)}
    for email in emails:
        _user(api, directory_id, email)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/users", params=params).json()
        seen += [u["email"] for u in page["items"]]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(emails)


def test_groups_and_members(api: TestClient) -> None:
    """Members from the group's directory join; one from elsewhere is refused."""
    employees, contractors = _directory(api), _directory(api, "Contractors")
    alice = _user(api, employees, "alice@example.com")
    bob = _user(api, contractors, "bob@example.com")
    group = api.post(
        "/api/v1/groups", json={"directoryId": employees, "name": "Engineering"}
    ).json()
    added = api.post(
        f"/api/v1/groups/{group['id']}/members", json={"userIds": [alice["id"]]}
    )
    assert added.json() == {"added": 1, "memberCount": 1}

    refused = api.post(
        f"/api/v1/groups/{group['id']}/members", json={"userIds": [bob["id"]]}
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "userIds[0]"
    assert "another directory" in refused.json()["errors"][0]["message"]

    removed = api.delete(f"/api/v1/groups/{group['id']}/members/{alice['id']}")
    assert removed.status_code == 204
    assert api.get(f"/api/v1/groups/{group['id']}").json()["memberCount"] == 0


def test_sso_config_assignments(api: TestClient) -> None:
    """Users and groups are assigned to an SSO configuration and removed again."""
    directory_id = _directory(api)
    alice = _user(api, directory_id, "alice@example.com")
    group = api.post(
        "/api/v1/groups", json={"directoryId": directory_id, "name": "Sales"}
    ).json()
    sso = api.post("/api/v1/sso-configs", json={"name": "Wiki", "protocol": "SAML"})
    assert sso.status_code == 201, sso.text
    sso_id = sso.json()["id"]
    assigned = api.post(
        f"/api/v1/sso-configs/{sso_id}/assignments",
        json={"userIds": [alice["id"]], "groupIds": [group["id"]]},
    )
    assert assigned.json()["userIds"] == [alice["id"]]
    assert assigned.json()["groupIds"] == [group["id"]]
    removed = api.post(
        f"/api/v1/sso-configs/{sso_id}/assignments/remove",
        json={"userIds": [alice["id"]]},
    )
    assert removed.json()["userIds"] == []
    assert removed.json()["protocol"] == "saml"


def test_settings_time_zone(api: TestClient) -> None:
    """A valid IANA zone is stored; an invalid one is refused naming the field."""
    assert api.get("/api/v1/settings").json()["timezone"] == "UTC"
    ok = api.patch("/api/v1/settings", json={"timezone": "Europe/Paris"})
    assert ok.json()["timezone"] == "Europe/Paris"
    bad = api.patch("/api/v1/settings", json={"timezone": "Mars/Olympus"})
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {"field": "timezone", "message": bad.json()["errors"][0]["message"]}
    ]
    assert api.get("/api/v1/settings").json()["timezone"] == "Europe/Paris"
