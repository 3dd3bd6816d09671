"""The scimlink command run as a real process, on SQLite and PostgreSQL."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from tests.support.ports import free_port

from scimlink.api.app import create_app
from scimlink.db.engine import make_engine, make_session_factory
from scimlink.db.migrate import is_current
from scimlink.db.models import User
from scimlink.settings import Settings

SCIMLINK = Path(sys.executable).parent / "scimlink"
PEOPLE_500 = Path(__file__).parent.parent / "data" / "people-500.csv"


@pytest.fixture
def environment(database_url: str, tmp_path: Path) -> dict[str, str]:
    """Variables pointing the command at a fresh database and data directory."""
    return {
        **os.environ,
        "SCIMLINK_DATA_DIR": str(tmp_path / "data"),
        "SCIMLINK_DATABASE_URL": database_url,
        "SCIMLINK_LOG_FORMAT": "json",
        "COLUMNS": "200",
    }


@pytest.fixture
def database(database_url: str) -> Iterator[Engine]:
    """An engine on the same database the command uses; not migrated here."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def scimlink(
    environment: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCIMLINK), *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _admin_token(environment: dict[str, str], role: str = "admin") -> str:
    created = scimlink(environment, "admin", "create", f"{role}-one", "--role", role)
    assert created.returncode == 0, created.stderr
    return created.stdout.strip().splitlines()[-1]


def test_db_upgrade(environment: dict[str, str], database: Engine) -> None:
    """'db upgrade' brings an empty database to the current schema."""
    assert not is_current(database)
    result = scimlink(environment, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert is_current(database)


def test_admin_create_prints_a_working_token(
    environment: dict[str, str], database: Engine, tmp_path: Path
) -> None:
    """The last line of 'admin create' is a token the API accepts for its role."""
    token = _admin_token(environment, "viewer")
    assert token.startswith("scl_") and " " not in token

    settings = Settings(data_dir=tmp_path / "data", log_format="console")
    with TestClient(create_app(settings, database)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        assert client.get("/api/v1/directories").status_code == 200
        assert client.post("/api/v1/directories", json={"name": "x"}).status_code == 403
        client.headers["Authorization"] = "Bearer scl_wrong"
        assert client.get("/api/v1/directories").status_code == 401


def test_admin_create_refuses_a_bad_role(environment: dict[str, str]) -> None:
    """An unknown role exits 1 with a message naming the roles."""
    result = scimlink(environment, "admin", "create", "eve", "--role", "root")
    assert result.returncode == 1
    assert "owner, admin, viewer" in result.stderr


def test_import_users_prints_the_summary(
    environment: dict[str, str], database: Engine, tmp_path: Path
) -> None:
    """'import-users' imports the 500-row file and prints the summary."""
    token = _admin_token(environment)
    settings = Settings(data_dir=tmp_path / "data", log_format="console")
    with TestClient(create_app(settings, database)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        assert client.post("/api/v1/directories", json={"name": "Staff"}).is_success

    result = scimlink(
        environment, "import-users", str(PEOPLE_500), "--directory", "Staff"
    )
    assert result.returncode == 0, result.stderr
    summary = " ".join(result.stdout.split())
    assert "500 rows read from people-500.csv into 'Staff'" in summary
    assert "500 were created, 0 were updated, 0 rejected" in summary
    with make_session_factory(database)() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 500

    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"email,status\nok@example.com,active\nnope,active\n")
    rejected = scimlink(environment, "import-users", str(bad), "--directory", "Staff")
    assert rejected.returncode == 0, rejected.stderr
    assert "1 rejected" in rejected.stdout
    assert "Rejected rows" in rejected.stdout and "nope" in rejected.stdout


def test_import_users_whole_file_error(
    environment: dict[str, str], tmp_path: Path
) -> None:
    """A file without an email column exits 1 and explains why."""
    _admin_token(environment)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"name\nAna\n")
    result = scimlink(environment, "import-users", str(bad), "--directory", "Staff")
    assert result.returncode == 1
    assert "error:" in result.stderr


def test_serve_answers_http(environment: dict[str, str]) -> None:
    """'serve --no-worker' becomes ready and creates a directory over HTTP."""
    token = _admin_token(environment)
    port = free_port()
    server = subprocess.Popen(
        [str(SCIMLINK), "serve", "--no-worker", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, server)
        response = httpx.post(
            f"{base}/api/v1/directories",
            json={"name": "Employees"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text
        assert response.json()["name"] == "Employees"
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode is not None


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stderr = server.stderr.read().decode() if server.stderr else ""
            pytest.fail(f"scimlink serve exited with {server.returncode}: {stderr}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail("scimlink serve did not become ready within 30 s")


def test_default_database_is_private(tmp_path: Path) -> None:
    """The SQLite file the data directory gets is readable by its owner only."""
    environment = {
        **os.environ,
        "SCIMLINK_DATA_DIR": str(tmp_path / "data"),
        "SCIMLINK_LOG_FORMAT": "console",
    }
    environment.pop("SCIMLINK_DATABASE_URL", None)
    result = scimlink(environment, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "scimlink.db").stat().st_mode & 0o777 == 0o600


def test_bad_setting_names_the_variable(environment: dict[str, str]) -> None:
    """A bad environment variable exits 1 with its name, not a traceback."""
    result = scimlink({**environment, "SCIMLINK_WORKER_THREADS": "0"}, "db", "upgrade")
    assert result.returncode == 1
    assert "SCIMLINK_WORKER_THREADS" in result.stderr
    assert "Traceback" not in result.stderr
