"""What operators rely on: health, readiness, metrics, request ids, OpenAPI."""

from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from scimlink.api.app import create_app
from scimlink.db.engine import make_engine
from scimlink.settings import Settings

CONTRACT_ROUTES = {
    ("GET", "/api/v1/directories"),
    ("POST", "/api/v1/directories"),
    ("GET", "/api/v1/directories/{directory_id}"),
    ("PATCH", "/api/v1/directories/{directory_id}"),
    ("DELETE", "/api/v1/directories/{directory_id}"),
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("POST", "/api/v1/users/import"),
    ("GET", "/api/v1/users/{user_id}"),
    ("PATCH", "/api/v1/users/{user_id}"),
    ("DELETE", "/api/v1/users/{user_id}"),
    ("GET", "/api/v1/groups"),
    ("POST", "/api/v1/groups"),
    ("POST", "/api/v1/groups/{group_id}/members"),
    ("DELETE", "/api/v1/groups/{group_id}/members/{user_id}"),
    ("GET", "/api/v1/sso-configs"),
    ("POST", "/api/v1/sso-configs"),
    ("POST", "/api/v1/sso-configs/{sso_id}/assignments"),
    ("POST", "/api/v1/sso-configs/{sso_id}/assignments/remove"),
    ("GET", "/api/v1/settings"),
    ("PATCH", "/api/v1/settings"),
}


@pytest.fixture
def unmigrated_client(database_url: str, settings: Settings) -> Iterator[TestClient]:
    """The app over an empty database whose schema was never created."""
    engine = make_engine(database_url)
    with TestClient(create_app(settings, engine)) as client:
        yield client
    engine.dispose()


def test_healthz(app_client: TestClient) -> None:
    """/healthz answers 200 without a token."""
    response = app_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_when_current(app_client: TestClient) -> None:
    """/readyz answers 200 without a token once the schema is current."""
    response = app_client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_readyz_when_schema_is_behind(unmigrated_client: TestClient) -> None:
    """/readyz answers 503, naming the fix, while the schema is not migrated."""
    response = unmigrated_client.get("/readyz")
    assert response.status_code == 503
    assert "scimlink db upgrade" in response.json()["detail"]


def test_readyz_when_database_unreachable(tmp_path: object, settings: Settings) -> None:
    """/readyz answers 503 when the database cannot be reached at all."""
    engine = make_engine("sqlite:////nonexistent-directory/scimlink.db")
    with TestClient(create_app(settings, engine)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "unreachable" in response.json()["detail"]


def test_metrics(api: TestClient) -> None:
    """/metrics exposes request counts by route, without a token."""
    assert api.get("/api/v1/directories").status_code == 200
    response = api.get("/metrics", headers={"Authorization": ""})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = [
        line
        for line in response.text.splitlines()
        if line.startswith("scimlink_http_requests_total{")
    ]
    # Labelled by route template, so one label covers every id.
    assert any(
        'route="' in line
        and '/directories"' in line
        and 'method="GET"' in line
        and 'status="200"' in line
        for line in lines
    ), lines


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/healthz", 200),
        ("GET", "/api/v1/directories", 200),
        ("GET", "/api/v1/directories/nope", 404),
        ("POST", "/api/v1/directories", 422),
        ("GET", "/no-such-page", 404),
    ],
)
def test_request_id_on_every_response(
    api: TestClient, method: str, path: str, status: int
) -> None:
    """Every response carries x-request-id, echoing the caller's when given."""
    generated = api.request(method, path, json={})
    assert generated.status_code == status
    assert len(generated.headers["x-request-id"]) >= 16

    given = api.request(method, path, json={}, headers={"X-Request-Id": "trace-42"})
    assert given.headers["x-request-id"] == "trace-42"


def test_request_id_on_unauthorized(app_client: TestClient) -> None:
    """A refused request carries x-request-id too."""
    response = app_client.get("/api/v1/users", headers={"X-Request-Id": "abc"})
    assert response.status_code == 401
    assert response.headers["x-request-id"] == "abc"


def test_openapi_lists_every_route(app_client: TestClient) -> None:
    """/api/openapi.json documents every API route and the contract's routes."""
    response = app_client.get("/api/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    documented = {
        (method.upper(), path) for path, item in paths.items() for method in item
    }
    served = {
        (method, route.path)
        for route in app_client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in route.methods
    }
    assert served <= documented
    assert documented >= CONTRACT_ROUTES
    assert all(path.startswith("/api/v1/") for _, path in documented)


def test_openapi_describes_the_csv_body(app_client: TestClient) -> None:
    """The import operation documents both ways of sending the file."""
    paths = app_client.get("/api/openapi.json").json()["paths"]
    content = paths["/api/v1/users/import"]["post"]["requestBody"]["content"]
    assert set(content) == {"text/csv", "multipart/form-data"}


def test_docs_page(app_client: TestClient, engine: Engine) -> None:
    """The interactive docs are served at /api/docs."""
    response = app_client.get("/api/docs")
    assert response.status_code == 200
    assert "/api/openapi.json" in response.text


def test_unexpected_error_is_a_problem_with_the_request_id(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash inside a route answers 500 as a problem naming the request id."""
    from scimlink.api.routes import directories

    def crash(*args: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(directories.directories, "create_directory", crash)

    response = api.post(
        "/api/v1/directories",
        json={"name": "Doomed"},
        headers={"X-Request-ID": "req-42"},
    )

    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["x-request-id"] == "req-42"
    assert "req-42" in response.json()["detail"]
    assert "disk on fire" not in response.text
