"""The databases a benchmark runs on: SQLite always, PostgreSQL when one
answers, each in a scratch database that is dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

Database = Callable[[], AbstractContextManager[str | None]]


def databases(
    sqlite: Database, *, sqlite_only: bool = False
) -> list[tuple[str, Database]]:
    """SQLite, then PostgreSQL from SCIMLINK_TEST_POSTGRES_URL if it answers."""
    runs: list[tuple[str, Database]] = [("sqlite", sqlite)]
    if sqlite_only:
        return runs
    server = os.environ.get("SCIMLINK_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
    if reachable(server):
        runs.append(("postgresql", lambda: scratch_postgres(server)))
    else:
        print(f"PostgreSQL at {server} is unreachable; measuring SQLite only.")
    return runs


@contextmanager
def default_sqlite() -> Iterator[str | None]:
    """None: scimlink's default, an SQLite file in its data directory."""
    yield None


@contextmanager
def scratch_postgres(server_url: str) -> Iterator[str | None]:
    """A new database on the server, dropped on exit; yields its URL."""
    name = f"scimlink_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(server_url)
            .set(database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def reachable(url: str) -> bool:
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
    except Exception:  # any failure means "not here"
        return False
    return True
