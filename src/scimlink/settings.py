"""Typed settings, read from SCIMLINK_* environment variables."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Operator settings; everything per connector lives in the database."""

    model_config = SettingsConfigDict(env_prefix="SCIMLINK_", extra="ignore")

    data_dir: Path = Field(
        default=Path(".scimlink"),
        description="Where the SQLite database and the generated key live.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: an SQLite file inside data_dir.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    secret_key: str | None = Field(
        default=None,
        description="Fernet key(s), comma-separated, newest first, for tokens.",
    )
    allow_http_targets: bool = Field(
        default=False,
        description="Allow plain-http SCIM endpoints beyond loopback.",
    )
    log_level: str = "info"
    log_format: str = Field(
        default="auto", description="'json', 'console' or 'auto' (by terminal)."
    )
    max_body_bytes: int = Field(
        default=20 * 1024 * 1024, description="Largest request body accepted."
    )
    worker_threads: int = Field(
        default=16, description="Concurrent pushes per worker process."
    )
    worker_poll_seconds: float = 0.2
    reconcile_interval_seconds: float = Field(
        default=86400.0,
        description="How often each connector is checked against its app; 0: never.",
    )

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'scimlink.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
