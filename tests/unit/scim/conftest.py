"""A client on a mock transport, for the SCIM client's unit tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.unit.scim.payloads import ENDPOINT, TOKEN, Handler, MakeClient

from scimlink.scim.client import ScimClient


@pytest.fixture
def make_client() -> Iterator[MakeClient]:
    """Build clients on a mock transport; they are closed after the test."""
    clients: list[ScimClient] = []

    def build(handler: Handler) -> ScimClient:
        client = ScimClient(ENDPOINT, TOKEN, transport=httpx.MockTransport(handler))
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()
