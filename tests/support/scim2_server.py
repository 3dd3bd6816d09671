"""Run PyPI's ``scim2-server`` as a subprocess on loopback, for tests.

As a context manager::

    with Scim2Server(token="secret") as base_url:
        ...

From a pytest fixture::

    @pytest.fixture
    def scim_server() -> Iterator[str]:
        with Scim2Server(token="secret") as base_url:
            yield base_url
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from tests.support.scim_process import ScimServerProcess

EXECUTABLE = Path(sys.executable).parent / "scim2-server"
DEFAULT_TOKEN = "scimlink-test-token"


class Scim2Server(ScimServerProcess):
    """One scim2-server process on 127.0.0.1, with a bearer token."""

    name = "scim2-server"

    def __init__(
        self,
        token: str | None = DEFAULT_TOKEN,
        *,
        extra_args: Sequence[str] = (),
        startup_timeout: float = 20.0,
    ) -> None:
        super().__init__(token, startup_timeout=startup_timeout)
        self.extra_args = tuple(extra_args)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v2"

    def start(self) -> str:
        if not EXECUTABLE.exists():
            raise RuntimeError(
                f"scim2-server is not installed next to {sys.executable}"
            )
        return super().start()

    def command(self) -> list[str]:
        command = [str(EXECUTABLE), "--hostname", "127.0.0.1", "--port", str(self.port)]
        if self.token is not None:
            command += ["--bearer-token", self.token]
        return command + list(self.extra_args)


@contextmanager
def running_scim2_server(
    token: str | None = DEFAULT_TOKEN, *, extra_args: Sequence[str] = ()
) -> Iterator[str]:
    """Yield the base URL of a scim2-server running for the block's duration."""
    with Scim2Server(token, extra_args=extra_args) as base_url:
        yield base_url
