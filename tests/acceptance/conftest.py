"""Fixtures for end-to-end runs: the API with its embedded worker."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.support.scim2_server import Scim2Server
from tests.support.scim_app import AppView

from scimlink.api.app import create_app
from scimlink.settings import Settings


@pytest.fixture
def scim_server() -> Iterator[Scim2Server]:
    server = Scim2Server()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app_view(scim_server: Scim2Server) -> Iterator[AppView]:
    view = AppView(scim_server.base_url, scim_server.token)
    yield view
    view.close()


@pytest.fixture
def live_api(
    engine: Engine, settings: Settings, admin_token: str
) -> Iterator[TestClient]:
    """The API with a running sync worker, signed in as an admin."""
    settings.worker_poll_seconds = 0.05
    with TestClient(create_app(settings, engine, run_worker=True)) as client:
        client.headers["Authorization"] = f"Bearer {admin_token}"
        yield client
