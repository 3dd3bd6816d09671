"""A real SCIM server run as a subprocess on a free loopback port, for tests.

Subclasses say how to launch their server and where it answers; this class
starts it (trying again when another process takes the port first), waits
until ``/ServiceProviderConfig`` answers, keeps its output for failure
messages, and stops it with SIGTERM, then SIGKILL.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx
from tests.support.ports import free_port

OUTPUT_LIMIT = 4000


class ScimServerProcess:
    """One SCIM server process on 127.0.0.1; use it as a context manager."""

    name = "SCIM server"

    def __init__(self, token: str | None, *, startup_timeout: float) -> None:
        self.token = token
        self.startup_timeout = startup_timeout
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._last_output = ""

    @property
    def base_url(self) -> str:
        """The SCIM base URL the server answers under."""
        raise NotImplementedError

    def command(self) -> list[str]:
        """The command line that serves on ``self.port``."""
        raise NotImplementedError

    def environment(self) -> dict[str, str] | None:
        """The server's environment; None inherits this process's."""
        return None

    def working_directory(self) -> Path | None:
        return None

    def cleanup(self) -> None:
        """Remove what one start left behind, once the process has exited."""

    def start(self) -> str:
        """Start the server, wait until it answers, and return its base URL."""
        for _ in range(3):
            self.port = free_port()
            self._spawn()
            if self._wait_until_ready():
                return self.base_url
            self.stop()
        raise RuntimeError(f"{self.name} did not start: {self.output()}")

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
            self._last_output = self._read_log()
            self._log.close()
            self._log = None
        self.cleanup()

    def output(self) -> str:
        """What the server wrote so far (or before it stopped), for failures."""
        if self._log is None:
            return self._last_output
        return self._read_log()

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
        command = self.command()
        # A file, not a pipe: servers log every request, and a full pipe
        # would block them.
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop)
        self._process = subprocess.Popen(
            command,
            cwd=self.working_directory(),
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
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

    def _read_log(self) -> str:
        assert self._log is not None
        self._log.flush()
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-OUTPUT_LIMIT:]
