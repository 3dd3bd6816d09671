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

import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx
from tests.support.ports import free_port

EXECUTABLE = Path(sys.executable).parent / "scim2-server"
DEFAULT_TOKEN = "scimlink-test-token"


class Scim2Server:
    """One scim2-server process on 127.0.0.1, with a bearer token."""

    def __init__(
        self,
        token: str | None = DEFAULT_TOKEN,
        *,
        extra_args: Sequence[str] = (),
        startup_timeout: float = 20.0,
    ) -> None:
        self.token = token
        self.extra_args = tuple(extra_args)
        self.startup_timeout = startup_timeout
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def base_url(self) -> str:
        """The SCIM base URL the server answers under."""
        return f"http://127.0.0.1:{self.port}/v2"

    def start(self) -> str:
        """Start the server, wait until it answers, and return its base URL."""
        if not EXECUTABLE.exists():
            raise RuntimeError(
                f"scim2-server is not installed next to {sys.executable}"
            )
        # Another process may grab the free port first: try a few times.
        for _ in range(3):
            self._spawn()
            if self._wait_until_ready():
                return self.base_url
            self.stop()
        raise RuntimeError(f"scim2-server did not start: {self.output()}")

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def output(self) -> str:
        """What the server wrote so far, for failure messages."""
        if self._log is None:
            return ""
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]

    def __enter__(self) -> str:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _spawn(self) -> None:
        self.port = free_port()
        command = [str(EXECUTABLE), "--hostname", "127.0.0.1", "--port", str(self.port)]
        if self.token is not None:
            command += ["--bearer-token", self.token]
        command += self.extra_args
        # A file, not a pipe: the server logs every request, and a full pipe
        # would block it.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)
        self._process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT
        )

    def _wait_until_ready(self) -> bool:
        assert self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        url = f"{self.base_url}/ServiceProviderConfig"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                httpx.get(url, timeout=1.0)
            except httpx.TransportError:
                time.sleep(0.05)
                continue
            return True
        return False


@contextmanager
def running_scim2_server(
    token: str | None = DEFAULT_TOKEN, *, extra_args: Sequence[str] = ()
) -> Iterator[str]:
    """Yield the base URL of a scim2-server running for the block's duration."""
    with Scim2Server(token, extra_args=extra_args) as base_url:
        yield base_url
