"""Importing users from CSV through the API and the CLI, on SQLite and PostgreSQL."""

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from scimlink.api.app import create_app
from scimlink.cli import app as cli
from scimlink.db.engine import make_session_factory, transaction
from scimlink.db.models import Base, User
from scimlink.directory.csv_import import import_users
from scimlink.directory.directories import create_directory
from scimlink.settings import Settings, get_settings

DATA = Path(__file__).parent.parent / "data"
PEOPLE_500 = DATA / "people-500.csv"
PEOPLE_10K = DATA / "people-10k.csv"
CUSTOM = ("department", "title", "employeeId", "costCenter", "manager")


def _directory(api: TestClient, name: str = "Employees") -> str:
    response = api.post("/api/v1/directories", json={"name": name})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _import(
    api: TestClient, directory_id: str, body: bytes, expect: int = 200, **params: Any
) -> dict[str, Any]:
    response = api.post(
        "/api/v1/users/import",
        params={"directoryId": directory_id, **params},
        content=body,
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == expect, response.text
    return dict(response.json())


def _users(engine: Engine) -> dict[str, User]:
    with make_session_factory(engine)() as session:
        return {u.email: u for u in session.scalars(select(User))}


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    with engine.connect() as connection:
        return {
            table.name: sorted(
                connection.execute(table.select()).all(), key=lambda r: repr(r)
            )
            for table in Base.metadata.sorted_tables
        }


def _people() -> list[dict[str, str]]:
    with PEOPLE_500.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_people_500_are_created_with_every_field(
    api: TestClient, engine: Engine
) -> None:
    """Importing people-500.csv creates 500 users with names and custom attributes."""
    directory_id = _directory(api)
    report = _import(api, directory_id, PEOPLE_500.read_bytes())
    assert report == {
        "created": 500,
        "updated": 0,
        "rejected": [],
        "total": 500,
        "dryRun": False,
    }

    stored = _users(engine)
    assert len(stored) == 500
    for person in _people():
        user = stored[person["email"]]
        assert user.directory_id == directory_id
        assert (user.first_name, user.last_name) == (
            person["firstName"],
            person["lastName"],
        )
        assert user.phone_number == (person["phoneNumber"] or None)
        assert user.status == person["status"]
        assert user.attributes == {k: person[k] for k in CUSTOM if person[k]}


def test_awkward_names_survive(api: TestClient, engine: Engine) -> None:
    """Accents, apostrophes, hyphens and non-Latin scripts are stored unchanged."""
    directory_id = _directory(api)
    _import(api, directory_id, PEOPLE_500.read_bytes())
    stored = _users(engine)
    assert stored["sean.o'brien@example.com"].first_name == "Seán"
    assert stored["sean.o'brien@example.com"].last_name == "O'Brien"
    assert stored["zsmith-jones@example.com"].last_name == "Smith-Jones"
    garcia = stored["josemaria.garciamarquez@example.com"]
    assert (garcia.first_name, garcia.last_name) == ("José María", "García Márquez")
    non_ascii = [
        u for u in stored.values() if not (u.first_name + u.last_name).isascii()
    ]
    assert len(non_ascii) > 10
    # The manager column is empty throughout this file: no attribute at all.
    assert not any("manager" in u.attributes for u in stored.values())


def test_reimport_updates_every_user(api: TestClient, engine: Engine) -> None:
    """Importing the same file again updates the 500 users and creates none."""
    directory_id = _directory(api)
    _import(api, directory_id, PEOPLE_500.read_bytes())
    again = _import(api, directory_id, PEOPLE_500.read_bytes())
    assert (again["created"], again["updated"], again["rejected"]) == (0, 500, [])
    assert len(_users(engine)) == 500


def test_reimport_applies_changed_values(api: TestClient, engine: Engine) -> None:
    """A second file changes status, names and attributes; absent columns stay."""
    directory_id = _directory(api)
    _import(
        api,
        directory_id,
        b"email,firstName,lastName,phoneNumber,department,title\n"
        b"ana@example.com,Ana,Lima,+1 555 0100,Data,Analyst\n",
    )
    report = _import(
        api,
        directory_id,
        b"email,status,department\nANA@example.com,suspended,\n",
    )
    assert (report["created"], report["updated"]) == (0, 1)
    [user] = _users(engine).values()
    assert (user.first_name, user.last_name) == ("Ana", "Lima")
    assert user.phone_number == "+1 555 0100"
    assert user.status == "suspended"
    assert user.attributes == {"title": "Analyst"}


def test_multipart_upload(api: TestClient, engine: Engine) -> None:
    """The CSV may be sent as the multipart form field 'file'."""
    directory_id = _directory(api)
    response = api.post(
        "/api/v1/users/import",
        params={"directoryId": directory_id},
        files={"file": ("people.csv", PEOPLE_500.read_bytes(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 500
    assert len(_users(engine)) == 500


def test_multipart_without_file_field(api: TestClient, engine: Engine) -> None:
    """A form without a 'file' field is refused, naming the field."""
    directory_id = _directory(api)
    response = api.post(
        "/api/v1/users/import",
        params={"directoryId": directory_id},
        files={"upload": ("people.csv", b"email\na@example.com\n", "text/csv")},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert _users(engine) == {}


def test_dry_run_reports_and_stores_nothing(api: TestClient, engine: Engine) -> None:
    """A dry run returns the same counts as a real import and stores nothing."""
    directory_id = _directory(api)
    before = _snapshot(engine)
    report = _import(api, directory_id, PEOPLE_500.read_bytes(), dryRun="true")
    assert (report["created"], report["total"], report["dryRun"]) == (500, 500, True)
    assert _snapshot(engine) == before


def test_utf8_bom_is_accepted(api: TestClient, engine: Engine) -> None:
    """A UTF-8 file with a byte-order mark, as spreadsheets save it, imports."""
    directory_id = _directory(api)
    body = "\ufeffemail,firstName\nzoe@example.com,Zoë\n".encode()
    assert _import(api, directory_id, body)["created"] == 1
    assert _users(engine)["zoe@example.com"].first_name == "Zoë"


BAD_FILES = {
    "no email column": (b"mail,firstName\na@example.com,A\n", "header"),
    "empty header cell": (b"email,,title\na@example.com,x,y\n", "header"),
    "duplicate header": (b"email,title,Title\na@example.com,x,y\n", "header"),
    "invalid attribute name": (b"email,cost center\na@example.com,x\n", "header"),
    "latin-1": ("email,firstName\nzoe@example.com,Zoë\n".encode("latin-1"), "file"),
    "empty file": (b"", "file"),
    "blank lines only": (b"\n\n  \n", "file"),
    "unclosed quote": (
        b'email,firstName\na@example.com,"Ana\nb@example.com,Bo\n',
        "file",
    ),
    "duplicate emails": (
        b"email\na@example.com\nb@example.com\nA@Example.com\nb@EXAMPLE.com\n",
        "email",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_stores_nothing(api: TestClient, engine: Engine, case: str) -> None:
    """A file that cannot be used as a whole is refused with 422 and nothing lands."""
    body, field = BAD_FILES[case]
    directory_id = _directory(api)
    before = _snapshot(engine)
    response = api.post(
        "/api/v1/users/import",
        params={"directoryId": directory_id},
        content=body,
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {e["field"] for e in response.json()["errors"]} == {field}
    assert _snapshot(engine) == before


def test_latin1_error_names_the_line(api: TestClient) -> None:
    """The encoding error names the line and asks for UTF-8."""
    directory_id = _directory(api)
    body = "email,firstName\na@example.com,Ana\nzoe@example.com,Zoë\n".encode("latin-1")
    response = api.post(
        "/api/v1/users/import",
        params={"directoryId": directory_id},
        content=body,
        headers={"Content-Type": "text/csv"},
    )
    message = response.json()["errors"][0]["message"]
    assert "line 3" in message
    assert "save the file as utf-8" in message.lower()


def test_unclosed_quote_names_the_line_it_opens_on(api: TestClient) -> None:
    """An unclosed quote is reported where it opens, not as a bad email."""
    directory_id = _directory(api)
    body = b'email,firstName\na@example.com,Ana\nb@example.com,"Bo\nc@example.com,Cy\n'
    refused = _import(api, directory_id, body, expect=422)
    message = refused["errors"][0]["message"]
    assert "Line 3" in message and "never closed" in message


def test_duplicate_emails_list_their_lines(api: TestClient) -> None:
    """Each duplicated email is reported with every line it appears on."""
    directory_id = _directory(api)
    body = b"email\na@example.com\nb@example.com\nA@Example.com\nb@EXAMPLE.com\n"
    response = api.post(
        "/api/v1/users/import",
        params={"directoryId": directory_id},
        content=body,
        headers={"Content-Type": "text/csv"},
    )
    messages = sorted(e["message"] for e in response.json()["errors"])
    assert "lines 2, 4" in messages[0]
    assert "lines 3, 5" in messages[1]


def test_bad_rows_are_rejected_alone(api: TestClient, engine: Engine) -> None:
    """Invalid rows are listed with their physical lines while good rows land."""
    directory_id = _directory(api)
    body = (
        b"email,firstName,status,title\n"
        b"good1@example.com,One,active,Lead\n"
        b"not-an-email,Two,active,\n"
        b'good2@example.com,"Multi\nLine",suspended,\n'
        b"retired@example.com,Three,retired,\n"
        b"\n"
        b",Nobody,active,\n"
        b"extra@example.com,Four,active,x,surplus\n"
        b"good3@example.com\n"
    )
    report = _import(api, directory_id, body)
    assert (report["created"], report["updated"], report["total"]) == (3, 0, 7)
    rejected = {r["line"]: r for r in report["rejected"]}
    assert sorted(rejected) == [3, 6, 8, 9]
    assert rejected[3]["email"] == "not-an-email"
    assert rejected[3]["reason"].startswith("email:")
    assert rejected[6]["reason"].startswith("status:")
    assert rejected[8]["email"] is None
    assert "5 cells" in rejected[9]["reason"]

    stored = _users(engine)
    assert set(stored) == {
        "good1@example.com",
        "good2@example.com",
        "good3@example.com",
    }
    assert stored["good2@example.com"].first_name == "Multi\nLine"
    assert stored["good2@example.com"].status == "suspended"
    assert stored["good3@example.com"].status == "active"
    assert stored["good1@example.com"].attributes == {"title": "Lead"}


def test_user_of_another_directory_is_rejected(api: TestClient, engine: Engine) -> None:
    """A row whose email belongs to another directory is rejected, naming it."""
    contractors = _directory(api, "Contractors")
    employees = _directory(api, "Employees")
    _import(api, contractors, b"email\nana@example.com\n")
    report = _import(
        api, employees, b"email,firstName\nAna@example.com,Ana\nbo@example.com,Bo\n"
    )
    assert report["created"] == 1
    [rejection] = report["rejected"]
    assert rejection["line"] == 2
    assert "Contractors" in rejection["reason"]
    assert _users(engine)["ana@example.com"].directory_id == contractors


def test_unknown_directory(api: TestClient, engine: Engine) -> None:
    """An unknown directoryId is refused with 422 naming directoryId."""
    response = api.post(
        "/api/v1/users/import",
        params={"directoryId": "no-such-directory"},
        content=PEOPLE_500.read_bytes(),
        headers={"Content-Type": "text/csv"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "directoryId"
    assert _users(engine) == {}


def test_viewer_cannot_import(
    app_client: TestClient, viewer_token: str, engine: Engine
) -> None:
    """A viewer gets 403 and nothing is stored."""
    with transaction(make_session_factory(engine)) as session:
        directory_id = create_directory(session, "Employees").id
    response = app_client.post(
        "/api/v1/users/import",
        params={"directoryId": directory_id},
        content=PEOPLE_500.read_bytes(),
        headers={"Content-Type": "text/csv", "Authorization": f"Bearer {viewer_token}"},
    )
    assert response.status_code == 403
    assert _users(engine) == {}


def test_body_over_limit(engine: Engine, admin_token: str, tmp_path: Path) -> None:
    """A file larger than the body limit is refused with 413 and nothing lands."""
    settings = Settings(data_dir=tmp_path, max_body_bytes=10_000, log_format="console")
    with TestClient(create_app(settings, engine)) as client:
        client.headers["Authorization"] = f"Bearer {admin_token}"
        directory_id = _directory(client)
        response = client.post(
            "/api/v1/users/import",
            params={"directoryId": directory_id},
            files={"file": ("people.csv", PEOPLE_500.read_bytes(), "text/csv")},
        )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _users(engine) == {}


def test_progress_reaches_the_total(engine: Engine) -> None:
    """The progress callback climbs to the number of rows read."""
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        directory_id = create_directory(session, "Employees").id
    seen: list[int] = []
    with transaction(factory) as session, PEOPLE_500.open("rb") as stream:
        report = import_users(
            session, directory_id, stream, dry_run=False, progress=seen.append
        )
    assert report.created == 500
    assert seen == sorted(seen)
    assert seen[-1] == 500
    assert len(seen) > 1


@pytest.fixture
def cli_env(
    database_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Point the in-process CLI at the test database, with one directory."""
    monkeypatch.setenv("SCIMLINK_DATABASE_URL", database_url)
    get_settings.cache_clear()
    with transaction(make_session_factory(engine)) as session:
        directory_id = create_directory(session, "Employees").id
    yield directory_id
    get_settings.cache_clear()


def test_cli_imports_and_reimports(cli_env: str, engine: Engine) -> None:
    """The CLI creates 500 users, then updates them, printing the summary."""
    runner = CliRunner()
    first = runner.invoke(
        cli, ["import-users", str(PEOPLE_500), "--directory", "Employees"]
    )
    assert first.exit_code == 0, first.output
    assert "500 were created, 0 were updated, 0 rejected" in " ".join(
        first.output.split()
    )
    assert len(_users(engine)) == 500

    second = runner.invoke(
        cli, ["import-users", str(PEOPLE_500), "--directory", cli_env]
    )
    assert second.exit_code == 0, second.output
    assert "0 were created, 500 were updated" in " ".join(second.output.split())


def test_cli_lists_rejected_rows(cli_env: str, engine: Engine, tmp_path: Path) -> None:
    """Rejected rows are shown with their line numbers; the import still succeeds."""
    path = tmp_path / "people.csv"
    path.write_bytes(b"email,status\na@example.com,active\nnot-an-email,active\n")
    result = CliRunner().invoke(
        cli, ["import-users", str(path), "--directory", "Employees"]
    )
    assert result.exit_code == 0, result.output
    assert "1 rejected" in " ".join(result.output.split())
    assert "│ 3 " in result.output
    assert "not-an-email" in result.output
    assert set(_users(engine)) == {"a@example.com"}


def test_cli_dry_run(cli_env: str, engine: Engine) -> None:
    """--dry-run prints what would happen and stores nothing."""
    before = _snapshot(engine)
    result = CliRunner().invoke(
        cli, ["import-users", str(PEOPLE_500), "--directory", "Employees", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "500 would be created" in " ".join(result.output.split())
    assert _snapshot(engine) == before


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"mail\na@example.com\n", "include 'email'"),
        ("email\nzoë@example.com\n".encode("latin-1"), "UTF-8"),
        (b"email\na@example.com\nA@example.com\n", "lines 2, 3"),
    ],
    ids=["header", "latin-1", "duplicates"],
)
def test_cli_whole_file_error(
    cli_env: str, engine: Engine, tmp_path: Path, body: bytes, expected: str
) -> None:
    """A file that cannot be used exits 1 with the reason and stores nothing."""
    path = tmp_path / "people.csv"
    path.write_bytes(body)
    before = _snapshot(engine)
    result = CliRunner().invoke(
        cli, ["import-users", str(path), "--directory", "Employees"]
    )
    assert result.exit_code == 1
    assert expected in " ".join(result.output.split())
    assert _snapshot(engine) == before


def test_cli_unknown_directory(cli_env: str, engine: Engine) -> None:
    """An unknown directory name exits 1 and stores nothing."""
    result = CliRunner().invoke(
        cli, ["import-users", str(PEOPLE_500), "--directory", "Nobody"]
    )
    assert result.exit_code == 1
    assert "no directory named 'Nobody'" in result.output
    assert _users(engine) == {}


def test_ten_thousand_rows_arrive_whole(api: TestClient, engine: Engine) -> None:
    """10,000 rows import through the API with every custom attribute.

    How fast is measured by bench/import_users.py, not here.
    """
    directory_id = _directory(api)
    report = _import(api, directory_id, PEOPLE_10K.read_bytes())
    assert (report["created"], report["rejected"]) == (10_000, [])

    stored = _users(engine)
    with PEOPLE_10K.open(encoding="utf-8", newline="") as handle:
        people = list(csv.DictReader(handle))
    managers = {p["email"]: p["manager"] for p in people if p["manager"]}
    assert len(managers) > 9000
    assert all(stored[e].attributes["manager"] == m for e, m in managers.items())


def test_streamed_body_over_limit(
    engine: Engine, admin_token: str, tmp_path: Path
) -> None:
    """A CSV body sent without Content-Length is cut off at the limit with 413."""
    settings = Settings(data_dir=tmp_path, max_body_bytes=10_000, log_format="console")
    data = PEOPLE_500.read_bytes()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(data), 4_096):
            yield data[start : start + 4_096]

    with TestClient(create_app(settings, engine)) as client:
        client.headers["Authorization"] = f"Bearer {admin_token}"
        directory_id = _directory(client)
        response = client.post(
            "/api/v1/users/import",
            params={"directoryId": directory_id},
            content=chunks(),
            headers={"Content-Type": "text/csv"},
        )
    assert response.status_code == 413
    assert _users(engine) == {}
