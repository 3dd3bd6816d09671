"""Assembling the running pieces from settings: data directory and database."""

import os
from pathlib import Path

from sqlalchemy import Engine

from scimlink.db.engine import make_engine
from scimlink.db.migrate import upgrade
from scimlink.settings import DATABASE_FILE, Settings


def open_database(settings: Settings, *, migrate: bool = False) -> Engine:
    """Engine for the configured database; creates the data directory first."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if settings.database_url is None:
        _create_private(settings.data_dir / DATABASE_FILE)
    engine = make_engine(settings.resolved_database_url())
    if migrate:
        upgrade(engine)
    return engine


def _create_private(path: Path) -> None:
    """Create the SQLite file readable by its owner only, if it is new.

    The database holds every user's personal data; SQLite would otherwise
    create it with the process's default permissions.
    """
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
