"""Run PyPI's ``django-scim2-server`` as a subprocess on loopback, for tests.

A second real SCIM 2.0 server next to scim2-server (``scim2_server.py``),
built on Django's ORM and with its own reading of the RFCs: DELETE of a User
only deactivates it, only the first email is kept, and some errors come as
Django's HTML pages. Each server gets an empty SQLite file in a temporary
directory, removed when it stops. As a context manager::

    with DjangoScimServer(token="secret") as base_url:
        ...
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from tests.support.django_scim import DATABASE_VARIABLE, TOKEN_VARIABLE
from tests.support.scim_process import ScimServerProcess

REPOSITORY = Path(__file__).resolve().parents[2]
LAUNCHER = "tests.support.django_scim"
DEFAULT_TOKEN = "scimlink-django-test-token"


class DjangoScimServer(ScimServerProcess):
    """One django-scim2-server process on 127.0.0.1, with a bearer token."""

    name = "django-scim2-server"

    def __init__(
        self, token: str | None = DEFAULT_TOKEN, *, startup_timeout: float = 30.0
    ) -> None:
        super().__init__(token, startup_timeout=startup_timeout)
        self._directory: tempfile.TemporaryDirectory[str] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/scim/v2"

    def command(self) -> list[str]:
        return [sys.executable, "-m", LAUNCHER, str(self.port)]

    def working_directory(self) -> Path:
        return REPOSITORY

    def environment(self) -> dict[str, str]:
        self._directory = tempfile.TemporaryDirectory(prefix="django-scim-")
        database = Path(self._directory.name) / "scim.sqlite3"
        # Settings of the surrounding shell must not reach the server.
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in (TOKEN_VARIABLE, "DJANGO_SETTINGS_MODULE")
        }
        env.update({DATABASE_VARIABLE: str(database), "PYTHONUNBUFFERED": "1"})
        if self.token is not None:
            env[TOKEN_VARIABLE] = self.token
        return env

    def cleanup(self) -> None:
        if self._directory is not None:
            self._directory.cleanup()
            self._directory = None
