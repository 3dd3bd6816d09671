"""Typed settings, read from SCIMLINK_* environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

ENV_PREFIX = "SCIMLINK_"
# The default database's file name inside the data directory.
DATABASE_FILE = "scimlink.db"


class SettingsError(ValueError):
    """An environment variable holds a value scimlink cannot use."""


class Settings(BaseSettings):
    """Operator settings; everything per connector lives in the database."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    data_dir: Path = Field(
        default=Path(".scimlink"),
        description="Where the SQLite database and the generated key live.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: an SQLite file inside data_dir.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: str | None = Field(
        default=None,
        description="Fernet key(s), comma-separated, newest first, for tokens.",
    )
    allow_http_targets: bool = Field(
        default=False,
        description="Allow plain-http SCIM endpoints beyond loopback.",
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["auto", "json", "console"] = Field(
        default="auto", description="'json', 'console' or 'auto' (by terminal)."
    )
    max_body_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1, description="Largest request body accepted."
    )
    worker_threads: int = Field(
        default=16, ge=1, le=256, description="Concurrent pushes per worker process."
    )
    worker_poll_seconds: float = Field(default=0.2, gt=0, le=60)
    reconcile_interval_seconds: float = Field(
        default=86400.0,
        ge=0,
        description="How often each connector is checked against its app; 0: never.",
    )

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _lowercase(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("secret_key")
    @classmethod
    def _fernet_keys(cls, value: str | None) -> str | None:
        if value is None:
            return None
        for key in (k.strip() for k in value.split(",") if k.strip()):
            try:
                Fernet(key.encode())
            except ValueError:
                raise ValueError(
                    "each key must be 32 url-safe base64-encoded bytes, as "
                    "`python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'` prints"
                ) from None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if not value:
            return None
        try:
            make_url(value).get_dialect()
        except (ArgumentError, NoSuchModuleError, ValueError):
            raise ValueError(
                "give an SQLAlchemy URL such as sqlite:///path/scimlink.db or "
                "postgresql+psycopg://user@host/db"
            ) from None
        return value

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / DATABASE_FILE).resolve()}"


@lru_cache
def get_settings() -> Settings:
    """The settings, or SettingsError naming each bad variable."""
    try:
        return Settings()
    except ValidationError as error:
        problems = [
            f"{ENV_PREFIX}{'_'.join(str(p) for p in e['loc']).upper()}: "
            f"{e['msg'].removeprefix('Value error, ')}"
            for e in error.errors()
        ]
        raise SettingsError("; ".join(problems)) from None
