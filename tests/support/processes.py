"""Run ``scimlink serve`` and ``scimlink worker`` as real subprocesses, for
tests and benchmarks that kill and restart them.

Every process of one `Installation` shares its data directory (and so the
generated token key) and database::

    installation = Installation(tmp_path / "scimlink")
    token = installation.create_admin("owner")
    server = installation.serve()           # waits for /readyz
    ...
    server.kill()                           # SIGKILL: no chance to clean up
    server = installation.serve()           # same database, new process

Output goes to files (a full pipe would block the process); `output()` returns
it for failure messages, and `Installation.report()` gathers every process's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import httpx
from tests.support.ports import free_port

EXECUTABLE = Path(sys.executable).parent / "scimlink"
STARTUP_TIMEOUT = 30.0


def _command(args: Sequence[str]) -> list[str]:
    if EXECUTABLE.exists():
        return [str(EXECUTABLE), *args]
    return [sys.executable, "-c", "from scimlink.cli import app; app()", *args]


class ScimlinkProcess:
    """One scimlink subprocess; its output is kept in a file."""

    def __init__(
        self, name: str, args: Sequence[str], env: Mapping[str, str], log_dir: Path
    ) -> None:
        self.name = name
        self.args = tuple(args)
        self.env = dict(env)
        self.log_path = log_dir / f"{name}.log"
        self._log: IO[bytes] | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            _command(self.args),
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def kill(self) -> None:
        """SIGKILL: the process dies at once, mid-transaction or mid-request."""
        if self._process is not None and self.running():
            self._process.send_signal(signal.SIGKILL)
            self._process.wait(timeout=10)
        self._close_log()

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM and wait for a clean exit (SIGKILL if it takes too long)."""
        if self._process is None:
            return None
        if self.running():
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        self._close_log()
        return self._process.returncode

    def output(self, tail: int = 6000) -> str:
        """The last ``tail`` characters the process wrote."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-tail:]

    def wait_for_output(self, text: str, timeout: float = STARTUP_TIMEOUT) -> None:
        """Wait until the process has written ``text``; fail if it exits first."""
        deadline = time.monotonic() + timeout
        while text not in self.output(tail=10**7):
            if not self.running():
                raise RuntimeError(f"{self.name} exited:\n{self.output()}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{self.name} never wrote {text!r}:\n{self.output()}"
                )
            time.sleep(0.05)

    def _close_log(self) -> None:
        if self._log is not None:
            self._log.close()
            self._log = None


class ScimlinkServer(ScimlinkProcess):
    """``scimlink serve`` on a loopback port."""

    def __init__(
        self, name: str, args: Sequence[str], env: Mapping[str, str], log_dir: Path
    ) -> None:
        super().__init__(name, args, env, log_dir)
        self.port = int(self.env["SCIMLINK_PORT"])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_until_ready(self, timeout: float = STARTUP_TIMEOUT) -> bool:
        """True once /readyz answers 200; False if the process exits first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                return False
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1.0).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready within {timeout}s:\n{self.output()}")


class Installation:
    """The settings that several scimlink processes share: one data directory,
    one database, and a fast worker poll."""

    def __init__(
        self,
        data_dir: Path,
        *,
        database_url: str | None = None,
        poll_seconds: float = 0.05,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir = data_dir / "logs"
        self.log_dir.mkdir(exist_ok=True)
        self.database_url = database_url
        self.poll_seconds = poll_seconds
        self.extra_env = dict(extra_env or {})
        self.processes: list[ScimlinkProcess] = []

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment every process of this installation gets."""
        # Settings of the surrounding shell must not leak into the test.
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCIMLINK_")}
        env.update(
            SCIMLINK_DATA_DIR=str(self.data_dir),
            SCIMLINK_WORKER_POLL_SECONDS=str(self.poll_seconds),
            SCIMLINK_LOG_FORMAT="json",
            SCIMLINK_RECONCILE_INTERVAL_SECONDS="0",
            PYTHONUNBUFFERED="1",
        )
        if self.database_url:
            env["SCIMLINK_DATABASE_URL"] = self.database_url
        env.update(self.extra_env)
        env.update(overrides)
        return env

    def create_admin(self, name: str = "owner", role: str = "owner") -> str:
        """Run ``scimlink admin create`` and return the token (its last line)."""
        done = subprocess.run(
            _command(["admin", "create", name, "--role", role]),
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"admin create failed:\n{done.stdout}{done.stderr}")
        return done.stdout.strip().splitlines()[-1]

    def serve(self, *, worker: bool = True) -> ScimlinkServer:
        """Start ``scimlink serve`` on a free port and wait for /readyz."""
        args = ["serve"] if worker else ["serve", "--no-worker"]
        # Another process may take the free port before we bind it: retry.
        for _ in range(3):
            name = f"serve-{len(self.processes) + 1}"
            env = self.env(SCIMLINK_PORT=str(free_port()))
            server = ScimlinkServer(name, args, env, self.log_dir)
            self.processes.append(server)
            server.start()
            if server.wait_until_ready():
                return server
        raise RuntimeError(f"scimlink serve did not start:\n{server.output()}")

    def worker(self, threads: int | None = None) -> ScimlinkProcess:
        """Start ``scimlink worker`` and wait until its loop runs."""
        args = ["worker"] if threads is None else ["worker", "--threads", str(threads)]
        process = ScimlinkProcess(
            f"worker-{len(self.processes) + 1}", args, self.env(), self.log_dir
        )
        self.processes.append(process)
        process.start()
        process.wait_for_output("worker.started")
        return process

    def stop_all(self) -> None:
        """Stop every process still running (SIGTERM, then SIGKILL)."""
        for process in self.processes:
            process.stop(timeout=10)

    def report(self) -> str:
        """Every process's output, for a failing test's log."""
        return "\n".join(
            f"----- {p.name} ({' '.join(p.args)}) -----\n{p.output()}"
            for p in self.processes
        )
