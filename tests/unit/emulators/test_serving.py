"""The loopback serving helper starts an ASGI app and stops it cleanly."""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from tests.support.serving import serve


async def _hello(_: object) -> PlainTextResponse:
    return PlainTextResponse("hello")


APP = Starlette(routes=[Route("/", _hello)])


def test_serves_on_loopback_and_stops() -> None:
    """The app answers on 127.0.0.1 and its port is closed after the block."""
    threads_before = threading.active_count()
    with serve(APP) as base_url:
        parts = urlsplit(base_url)
        answer = httpx.get(base_url)

    assert parts.hostname == "127.0.0.1"
    assert answer.text == "hello"
    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url, timeout=1)
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", parts.port or 0)) != 0
    assert threading.active_count() == threads_before


def test_two_servers_get_different_ports() -> None:
    """Servers started side by side each get their own free port."""
    with serve(APP) as first, serve(APP) as second:
        assert first != second
        assert httpx.get(first).text == httpx.get(second).text == "hello"


def test_stops_even_when_the_block_raises() -> None:
    """An exception in the block still stops the server."""
    with pytest.raises(RuntimeError), serve(APP) as base_url:
        raise RuntimeError("boom")

    with pytest.raises(httpx.ConnectError):
        httpx.get(base_url, timeout=1)
