"""The migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from scimlink.db.engine import make_engine
from scimlink.db.migrate import is_current, upgrade
from scimlink.db.models import Base


def _differences(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": True}
        )
        return list(compare_metadata(context, Base.metadata))


def _schema(engine: Engine) -> dict[str, Any]:
    """Tables with their columns, indexes, unique and foreign keys."""
    inspector = inspect(engine)
    return {
        table: (
            [
                (c["name"], str(c["type"]), c["nullable"])
                for c in inspector.get_columns(table)
            ],
            sorted(str(i) for i in inspector.get_indexes(table)),
            sorted(str(u) for u in inspector.get_unique_constraints(table)),
            sorted(str(f) for f in inspector.get_foreign_keys(table)),
        )
        for table in sorted(inspector.get_table_names())
    }


def test_migrated_schema_equals_the_models(database_url: str) -> None:
    """After upgrade, Alembic finds no difference between database and models."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        assert _differences(engine) == []
        assert is_current(engine)
        tables = set(inspect(engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        engine.dispose()


def test_empty_database_is_not_current(database_url: str) -> None:
    """A database that was never migrated is reported as behind."""
    engine = make_engine(database_url)
    try:
        assert not is_current(engine)
    finally:
        engine.dispose()


def test_upgrading_twice_changes_nothing(database_url: str) -> None:
    """A second upgrade is a no-op: same schema, same revision."""
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        schema = _schema(engine)
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_heads()

        upgrade(engine)
        assert _schema(engine) == schema
        with engine.connect() as connection:
            assert (
                MigrationContext.configure(connection).get_current_heads() == revision
            )
        assert _differences(engine) == []
    finally:
        engine.dispose()
