"""Serve any ASGI app with uvicorn on 127.0.0.1 in a background thread, for
tests that need a real HTTP server.

    with serve(app) as base_url:
        httpx.get(f"{base_url}/ServiceProviderConfig")
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn


@contextmanager
def serve(app: Any, *, startup_timeout: float = 10.0) -> Iterator[str]:
    """Run `app` on a free loopback port; yield its base URL; stop it on exit."""
    # Port 0 lets the kernel pick a free port at bind time: no race with
    # another process choosing the same port between probe and bind.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    # Run off the main thread, uvicorn leaves the process's signal handlers
    # alone, so the test runner keeps its own Ctrl-C handling.
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread, startup_timeout)
        yield f"http://127.0.0.1:{_bound_port(server)}"
    finally:
        server.should_exit = True
        thread.join(timeout=startup_timeout)


def _wait_started(
    server: uvicorn.Server, thread: threading.Thread, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the test server stopped before it started")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the test server did not start within {timeout}s")
        time.sleep(0.01)


def _bound_port(server: uvicorn.Server) -> int:
    for listener in server.servers:
        for sock in listener.sockets:
            port: int = sock.getsockname()[1]
            return port
    raise RuntimeError("the test server has no listening socket")
