"""Who may call the API: tokens, roles, and how tokens are kept."""

import hashlib
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from scimlink.db.engine import make_session_factory, transaction
from scimlink.db.models import Admin, Base
from scimlink.directory.admins import create_admin

API = "/api/v1"
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"
# POST operations that only compute an answer and change nothing: viewers may.
READ_ONLY_POSTS = {f"{API}/connectors/{{connector_id}}/preview"}


def _operations(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) for every documented operation under /api/v1."""
    document = client.get("/api/openapi.json").json()
    return [
        (method.upper(), path, operation)
        for path, item in document["paths"].items()
        if path.startswith(API)
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", PLACEHOLDER_ID, path)


def _needs_query(operation: dict[str, Any]) -> bool:
    return any(
        p.get("required") and p.get("in") == "query"
        for p in operation.get("parameters", [])
    )


def test_every_operation_needs_a_token(app_client: TestClient) -> None:
    """Without a token every API operation answers 401 with WWW-Authenticate."""
    operations = _operations(app_client)
    assert len(operations) > 20
    for method, path, _ in operations:
        response = app_client.request(method, _concrete(path), json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "authorization",
    ["Bearer scl_not-a-real-token", "Bearer ", "Basic YWxpY2U6c2VjcmV0", "scl_x"],
)
def test_bad_token_is_refused(app_client: TestClient, authorization: str) -> None:
    """A wrong, empty or non-bearer credential gets 401 with WWW-Authenticate."""
    response = app_client.get(
        f"{API}/directories", headers={"Authorization": authorization}
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_viewer_can_read(app_client: TestClient, viewer_token: str) -> None:
    """A viewer gets 200 from every list and read that needs no identifier."""
    app_client.headers["Authorization"] = f"Bearer {viewer_token}"
    reads = [
        path
        for method, path, operation in _operations(app_client)
        if method == "GET" and "{" not in path and not _needs_query(operation)
    ]
    assert f"{API}/directories" in reads and f"{API}/users" in reads
    for path in reads:
        response = app_client.get(path)
        assert response.status_code == 200, (path, response.text)


def test_viewer_reads_a_directory(
    api: TestClient, app_client: TestClient, viewer_token: str
) -> None:
    """A viewer reads one directory by id."""
    directory = api.post(f"{API}/directories", json={"name": "Employees"}).json()
    response = app_client.get(
        f"{API}/directories/{directory['id']}",
        headers={"Authorization": f"Bearer {viewer_token}"},
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Employees"


def test_viewer_cannot_write(
    app_client: TestClient, viewer_token: str, engine: Engine
) -> None:
    """Every documented write operation answers 403 to a viewer and changes nothing."""
    app_client.headers["Authorization"] = f"Bearer {viewer_token}"
    writes = [
        (m, p)
        for m, p, _ in _operations(app_client)
        if m != "GET" and not (m == "POST" and p in READ_ONLY_POSTS)
    ]
    assert (("POST", f"{API}/users/import")) in writes
    before = _snapshot(engine)
    for method, path in writes:
        response = app_client.request(method, _concrete(path), json={})
        assert response.status_code == 403, (method, path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
    assert _snapshot(engine) == before


def test_admin_can_write(api: TestClient) -> None:
    """An admin's token may change things."""
    response = api.post(f"{API}/directories", json={"name": "Employees"})
    assert response.status_code == 201


def test_tokens_are_stored_only_as_hashes(engine: Engine) -> None:
    """The database holds a SHA-256 of each token and never the token itself."""
    with transaction(make_session_factory(engine)) as session:
        _, token = create_admin(session, "alice", "owner")
    with make_session_factory(engine)() as session:
        alice = session.scalars(select(Admin).where(Admin.username == "alice")).one()
    assert alice.token_hash == hashlib.sha256(token.encode()).hexdigest()

    secret = token.removeprefix("scl_")
    for table, rows in _snapshot(engine).items():
        for row in rows:
            assert secret not in repr(row), table


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table.name: sorted(connection.execute(table.select()).all(), key=repr)
            for table in Base.metadata.sorted_tables
        }
