"""Wall-clock time to import 10,000 users through the CLI and through the API.

Each run imports tests/data/people-10k.csv into a fresh database: SQLite, and
PostgreSQL when SCIMLINK_TEST_POSTGRES_URL (or the default local server) is
reachable, in a scratch database dropped afterwards. The CLI is timed as a
whole process; the API as one request to a real `scimlink serve` process.

    .venv/bin/python bench/import_users.py
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.databases import databases  # noqa: E402

PEOPLE = ROOT / "tests" / "data" / "people-10k.csv"
SCIMLINK = Path(sys.executable).parent / "scimlink"
DIRECTORY = "Bench"


def main() -> None:
    results: list[tuple[str, str, float, str]] = []
    for name, database in databases(_sqlite):
        for interface, run in (("cli", _through_cli), ("api", _through_api)):
            with database() as url, tempfile.TemporaryDirectory() as data_dir:
                assert url is not None  # both databases here name a URL
                environment = {
                    **os.environ,
                    "SCIMLINK_DATABASE_URL": url,
                    "SCIMLINK_DATA_DIR": data_dir,
                    "SCIMLINK_LOG_FORMAT": "json",
                    "SCIMLINK_LOG_LEVEL": "warning",
                }
                seconds, outcome = run(environment)
            results.append((name, interface, seconds, outcome))
            print(f"{name:<11} {interface:<4} {seconds:6.2f} s  {outcome}", flush=True)

    print(f"\n10,000 rows from {PEOPLE.name}, wall-clock seconds:")
    print(f"{'database':<11} {'via':<4} {'seconds':>7}")
    for name, interface, seconds, _ in results:
        print(f"{name:<11} {interface:<4} {seconds:7.2f}")


# --- The two ways in ---------------------------------------------------------


def _through_cli(environment: dict[str, str]) -> tuple[float, str]:
    """Time `scimlink import-users` as a whole process, start-up included."""
    token = _admin_token(environment)
    with _server(environment) as base:
        _create_directory(base, token)
    started = time.perf_counter()
    result = subprocess.run(
        [str(SCIMLINK), "import-users", str(PEOPLE), "--directory", DIRECTORY],
        env={**environment, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"import-users failed: {result.stderr}")
    return seconds, " ".join(result.stdout.split())


def _through_api(environment: dict[str, str]) -> tuple[float, str]:
    """Time one POST /api/v1/users/import to a running server."""
    token = _admin_token(environment)
    body = PEOPLE.read_bytes()
    with _server(environment) as base:
        directory_id = _create_directory(base, token)
        started = time.perf_counter()
        response = httpx.post(
            f"{base}/api/v1/users/import",
            params={"directoryId": directory_id},
            content=body,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
            timeout=120,
        )
        seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"the import failed: {response.status_code} {response.text}")
    report = response.json()
    outcome = (
        f"created {report['created']}, updated {report['updated']}, "
        f"rejected {len(report['rejected'])}"
    )
    return seconds, outcome


# --- Databases and processes -------------------------------------------------


@contextmanager
def _sqlite() -> Iterator[str | None]:
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def _admin_token(environment: dict[str, str]) -> str:
    result = subprocess.run(
        [str(SCIMLINK), "admin", "create", "bench", "--role", "admin"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def _create_directory(base: str, token: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/directories",
        json={"name": DIRECTORY},
        headers={"Authorization": f"Bearer {token}"},
    )
    response.raise_for_status()
    return str(response.json()["id"])


@contextmanager
def _server(environment: dict[str, str]) -> Iterator[str]:
    """A `scimlink serve --no-worker` process on a free loopback port."""
    port = _free_port()
    process = subprocess.Popen(
        [str(SCIMLINK), "serve", "--no-worker", "--port", str(port)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, process)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_ready(base: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"scimlink serve exited with {process.returncode}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("scimlink serve did not become ready within 30 s")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


if __name__ == "__main__":
    main()
