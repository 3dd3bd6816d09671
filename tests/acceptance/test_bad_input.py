"""Bad input is refused with a precise problem and leaves the database untouched."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from scimlink.api.app import create_app
from scimlink.db.models import Base
from scimlink.settings import Settings

Snapshot = dict[str, list[tuple[Any, ...]]]


def database_snapshot(engine: Engine) -> Snapshot:
    """Every row of every table, in a stable order."""
    with engine.connect() as connection:
        return {
            table.name: sorted(connection.execute(table.select()).all(), key=repr)
            for table in Base.metadata.sorted_tables
        }


@pytest.fixture
def world(api: TestClient) -> dict[str, str]:
    """Two directories, a user in each and a group in the first."""

    def post(path: str, body: dict[str, Any]) -> str:
        response = api.post(path, json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    employees = post("/api/v1/directories", {"name": "Employees"})
    contractors = post("/api/v1/directories", {"name": "Contractors"})
    return {
        "employees": employees,
        "contractors": contractors,
        "ana": post(
            "/api/v1/users", {"directoryId": employees, "email": "ana@example.com"}
        ),
        "bo": post(
            "/api/v1/users", {"directoryId": contractors, "email": "bo@example.com"}
        ),
        "group": post("/api/v1/groups", {"directoryId": employees, "name": "Staff"}),
    }


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    body: Any
    status: int
    field: str


CASES = {
    "invalid email": Case(
        "POST", "/users", {"directoryId": "{employees}", "email": "ana@"}, 422, "email"
    ),
    "email taken in another case": Case(
        "POST",
        "/users",
        {"directoryId": "{employees}", "email": "ANA@Example.com"},
        409,
        "email",
    ),
    "email taken on update": Case(
        "PATCH", "/users/{bo}", {"email": "Ana@example.com"}, 409, "email"
    ),
    "unknown directory on user create": Case(
        "POST",
        "/users",
        {"directoryId": "nope", "email": "cy@example.com"},
        422,
        "directoryId",
    ),
    "unknown directory on user move": Case(
        "PATCH", "/users/{ana}", {"directoryId": "nope"}, 422, "directoryId"
    ),
    "unknown directory on group create": Case(
        "POST", "/groups", {"directoryId": "nope", "name": "Ops"}, 422, "directoryId"
    ),
    "member from another directory": Case(
        "POST", "/groups/{group}/members", {"userIds": ["{bo}"]}, 422, "userIds[0]"
    ),
    "unknown member": Case(
        "POST",
        "/groups/{group}/members",
        {"userIds": ["{ana}", "nope"]},
        422,
        "userIds[1]",
    ),
    "unknown field": Case(
        "POST", "/directories", {"name": "x", "colour": "red"}, 422, "colour"
    ),
    "unknown field on user": Case(
        "POST",
        "/users",
        {"directoryId": "{employees}", "email": "cy@example.com", "password": "x"},
        422,
        "password",
    ),
    "invalid time zone": Case(
        "PATCH", "/settings", {"timezone": "Mars/Olympus"}, 422, "timezone"
    ),
    "bad retention": Case(
        "PATCH", "/settings", {"eventRetentionDays": 0}, 422, "eventRetentionDays"
    ),
    "bad status on create": Case(
        "POST",
        "/users",
        {"directoryId": "{employees}", "email": "cy@example.com", "status": "retired"},
        422,
        "status",
    ),
    "bad status on update": Case(
        "PATCH", "/users/{ana}", {"status": "gone"}, 422, "status"
    ),
    "bad status filter": Case("GET", "/users?status=gone", None, 422, "status"),
    "bad cursor": Case("GET", "/users?cursor=not-a-cursor", None, 422, "cursor"),
    "empty directory name": Case("POST", "/directories", {"name": "  "}, 422, "name"),
    "empty group name": Case(
        "POST", "/groups", {"directoryId": "{employees}", "name": ""}, 422, "name"
    ),
    "empty group rename": Case("PATCH", "/groups/{group}", {"name": " "}, 422, "name"),
    "empty SSO configuration name": Case(
        "POST", "/sso-configs", {"name": "", "protocol": "saml"}, 422, "name"
    ),
    "missing email": Case(
        "POST", "/users", {"directoryId": "{employees}"}, 422, "email"
    ),
    "body not an object": Case("POST", "/directories", [1, 2], 422, "body"),
}


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


@pytest.mark.parametrize("name", list(CASES))
def test_refused_and_nothing_changes(
    api: TestClient, engine: Engine, world: dict[str, str], name: str
) -> None:
    """Each bad request gets a 4xx problem naming the field; no row changes."""
    case = CASES[name]
    before = database_snapshot(engine)
    response = api.request(
        case.method,
        "/api/v1" + _fill(case.path, world),
        json=_fill(case.body, world),
    )
    body = _assert_problem(response, case.status)
    assert case.field in [e["field"] for e in body["errors"]], body
    assert database_snapshot(engine) == before


def test_malformed_json(api: TestClient, engine: Engine, world: dict[str, str]) -> None:
    """A body that is not JSON gets a 400 problem saying so; no row changes."""
    before = database_snapshot(engine)
    response = api.post(
        "/api/v1/directories",
        content=b'{"name": "x",',
        headers={"Content-Type": "application/json"},
    )
    body = _assert_problem(response, 400)
    assert "not valid JSON" in body["detail"]
    assert database_snapshot(engine) == before


def test_malformed_json_names_the_body(api: TestClient) -> None:
    """The field named for a JSON syntax error is the body."""
    response = api.post(
        "/api/v1/directories",
        content=b'{"name": "x",',
        headers={"Content-Type": "application/json"},
    )
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


def test_cursor_of_foreign_characters(api: TestClient, world: dict[str, str]) -> None:
    """A cursor such as '!!!' is refused rather than read as the first page."""
    response = api.get("/api/v1/users", params={"cursor": "!!!"})
    assert response.status_code == 422


def test_body_over_size_limit(engine: Engine, admin_token: str, tmp_path: Path) -> None:
    """A body over max_body_bytes gets a 413 problem; no row changes."""
    settings = Settings(data_dir=tmp_path, max_body_bytes=1_000, log_format="console")
    with TestClient(create_app(settings, engine)) as client:
        client.headers["Authorization"] = f"Bearer {admin_token}"
        before = database_snapshot(engine)
        response = client.post("/api/v1/directories", json={"name": "x" * 2_000})
        body = _assert_problem(response, 413)
        assert "1000 bytes" in body["detail"]
        assert database_snapshot(engine) == before

        accepted = client.post("/api/v1/directories", json={"name": "Small"})
        assert accepted.status_code == 201


def _post_streamed(engine: Engine, admin_token: str, tmp_path: Path) -> Any:
    """POST a 5 kB JSON body in chunks, without Content-Length, to a 1 kB app."""
    settings = Settings(data_dir=tmp_path, max_body_bytes=1_000, log_format="console")

    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(50):
            yield b"x" * 100
        yield b'"}'

    with TestClient(create_app(settings, engine)) as client:
        return client.post(
            "/api/v1/directories",
            content=chunks(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {admin_token}",
            },
        )


def test_streamed_body_over_size_limit(
    engine: Engine, admin_token: str, tmp_path: Path
) -> None:
    """A body without Content-Length is refused past the limit; no row changes."""
    before = database_snapshot(engine)
    response = _post_streamed(engine, admin_token, tmp_path)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert database_snapshot(engine) == before


def test_streamed_body_over_size_limit_is_413(
    engine: Engine, admin_token: str, tmp_path: Path
) -> None:
    """A streamed JSON body over the limit is answered 413, like a declared one."""
    assert _post_streamed(engine, admin_token, tmp_path).status_code == 413


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/directories", {"name": "Staff\u0000"}),
        ("/directories", {"name": "x" * 201}),
        ("/directories", {"name": "Line\nbreak"}),
        ("/sso-configs", {"name": "App\u0007", "protocol": "saml"}),
    ],
)
def test_names_with_control_characters_or_too_long_are_refused(
    api: TestClient, path: str, body: dict[str, Any]
) -> None:
    """A name must be printable and at most 200 characters; nothing is stored."""
    response = api.post(f"/api/v1{path}", json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == ["name"]
    assert api.get(f"/api/v1{path}").json()["items"] == []


def test_names_are_unique_regardless_of_case_and_unicode_form(
    api: TestClient,
) -> None:
    """'Café' composed or decomposed, and 'CAFÉ' in any case, are one name."""
    first = api.post("/api/v1/directories", json={"name": "Caf\u00e9 Staff"})
    assert first.status_code == 201, first.text
    for other in ("Cafe\u0301 Staff", "caf\u00e9 staff"):
        response = api.post("/api/v1/directories", json={"name": other})
        assert response.status_code == 409, (other, response.text)
    directory_id = first.json()["id"]
    group = api.post(
        "/api/v1/groups", json={"directoryId": directory_id, "name": "Admins"}
    )
    assert group.status_code == 201
    clash = api.post(
        "/api/v1/groups", json={"directoryId": directory_id, "name": "ADMINS"}
    )
    assert clash.status_code == 409
