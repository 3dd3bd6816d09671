"""Fixtures that run an emulator over real HTTP on loopback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import httpx
import pytest
from tests.emulators import make_emulator
from tests.support.serving import serve
from tests.unit.emulators.bodies import TOKEN, Running


@pytest.fixture
def run_app() -> Iterator[Callable[[str], Running]]:
    """Start the named app's emulator; give back it and an authenticated client."""
    with ExitStack() as stack:

        def start(app_key: str) -> Running:
            emulator = make_emulator(app_key, token=TOKEN)
            base_url = stack.enter_context(serve(emulator.asgi))
            client = stack.enter_context(
                httpx.Client(
                    base_url=base_url,
                    headers={"Authorization": f"Bearer {TOKEN}"},
                    timeout=5.0,
                )
            )
            return emulator, client

        yield start
