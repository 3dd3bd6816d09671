"""Assembling the running pieces from settings: data directory and database."""

from sqlalchemy import Engine

from scimlink.db.engine import make_engine
from scimlink.db.migrate import upgrade
from scimlink.settings import Settings


def open_database(settings: Settings, *, migrate: bool = False) -> Engine:
    """Engine for the configured database; creates the data directory first."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url())
    if migrate:
        upgrade(engine)
    return engine
