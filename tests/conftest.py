"""Fixtures shared by every tier: databases, the API app, admins."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from scimlink.api.app import create_app
from scimlink.db.engine import make_engine, make_session_factory, transaction
from scimlink.db.migrate import upgrade
from scimlink.directory.admins import create_admin
from scimlink.settings import Settings

POSTGRES_URL_VARIABLE = "SCIMLINK_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _postgres_admin_url() -> str:
    return os.environ.get(POSTGRES_URL_VARIABLE, DEFAULT_POSTGRES_URL)


def _postgres_reachable(url: str) -> bool:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """URL of a reachable PostgreSQL server; required in CI, skipped elsewhere."""
    url = _postgres_admin_url()
    if _postgres_reachable(url):
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required in CI but {url} is unreachable.")
    pytest.skip(
        f"PostgreSQL tier skipped: no server at {url} (set {POSTGRES_URL_VARIABLE})."
    )


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped after the test."""
    name = f"scimlink_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(postgres_server).set(database=name)
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'scimlink.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scimlink.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", secret_key=None, log_format="console")


@pytest.fixture
def app_client(engine: Engine, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, engine)) as client:
        yield client


def _token(engine: Engine, role: str) -> str:
    with transaction(make_session_factory(engine)) as session:
        _, token = create_admin(session, f"{role}-{uuid.uuid4().hex[:6]}", role)
    return token


@pytest.fixture
def admin_token(engine: Engine) -> str:
    return _token(engine, "admin")


@pytest.fixture
def viewer_token(engine: Engine) -> str:
    return _token(engine, "viewer")


@pytest.fixture
def api(app_client: TestClient, admin_token: str) -> TestClient:
    """A client signed in as an admin."""
    app_client.headers["Authorization"] = f"Bearer {admin_token}"
    return app_client
