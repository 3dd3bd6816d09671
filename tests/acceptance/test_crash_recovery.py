"""Delivery guarantees with real processes: a scimlink process killed with
SIGKILL mid-sync loses no push and creates no duplicate, and an app answering
503 or 429 gets every user exactly once after backoff."""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from tests.emulators import Emulator, make_emulator
from tests.support.processes import Installation, ScimlinkServer
from tests.support.scim2_server import Scim2Server
from tests.support.scim_app import AppView
from tests.support.serving import serve
from tests.support.waiting import wait_for

pytestmark = pytest.mark.acceptance

USERS = 300
# Two requests per new user (look up, then create): about 20 users a second,
# so the initial sync lasts long enough to be interrupted.
RATE_LIMIT = 40.0
# A killed worker's leases must expire before others take its tasks over.
RECOVERY_TIMEOUT = 240.0
EMULATOR_TOKEN = "emulator-token"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


# --- people and what the app must hold ------------------------------------


@dataclass(frozen=True)
class Person:
    email: str
    first_name: str
    last_name: str
    phone: str
    active: bool


def _people(count: int, prefix: str = "person") -> list[Person]:
    return [
        Person(
            email=f"{prefix}{i:03d}@example.com",
            first_name=f"Zoë{i}",
            last_name="O'Brien-Núñez",
            phone=f"+1 202-555-{i:04d}",
            # Some suspended users: they are in scope and pushed inactive.
            active=i % 10 != 7,
        )
        for i in range(count)
    ]


def _csv(people: list[Person]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["email", "firstName", "lastName", "phoneNumber", "status"])
    for p in people:
        status = "active" if p.active else "suspended"
        writer.writerow([p.email, p.first_name, p.last_name, p.phone, status])
    return buffer.getvalue()


def _attribute_problems(person: Person, account: dict[str, Any]) -> list[str]:
    """What differs between an app account and the person it stands for."""
    name = account.get("name") or {}
    emails = account.get("emails") or []
    phones = account.get("phoneNumbers") or []
    checks = {
        "name.givenName": (name.get("givenName"), person.first_name),
        "name.familyName": (name.get("familyName"), person.last_name),
        "emails": ([e.get("value") for e in emails], [person.email]),
        "phoneNumbers": ([p.get("value") for p in phones], [person.phone]),
        "active": (account.get("active"), person.active),
    }
    return [
        f"{person.email} {path}: {got!r} != {want!r}"
        for path, (got, want) in checks.items()
        if got != want
    ]


def _app_accounts(view: AppView) -> list[dict[str, Any]]:
    """Every entry of the server's Users list, duplicates included."""
    found: list[dict[str, Any]] = []
    while True:
        page = view.client.get(
            "/Users", params={"startIndex": len(found) + 1, "count": 100}
        ).json()
        items = page.get("Resources") or []
        found += items
        if not items or len(found) >= int(page.get("totalResults", 0)):
            return found


# --- driving scimlink through its API -------------------------------------


class Api:
    """A signed-in client of one running ``scimlink serve``."""

    def __init__(self, server: ScimlinkServer, token: str) -> None:
        self.client = httpx.Client(
            base_url=f"{server.url}/api/v1",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )

    def call(self, method: str, path: str, expect: int, **kwargs: Any) -> Any:
        response = self.client.request(method, path, **kwargs)
        assert response.status_code == expect, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        return response.json() if response.content else None

    def directory_of(self, people: list[Person]) -> str:
        directory = self.call("POST", "/directories", 201, json={"name": "Employees"})
        self.import_into(directory["id"], people)
        return str(directory["id"])

    def import_into(self, directory_id: str, people: list[Person]) -> None:
        report = self.call(
            "POST",
            "/users/import",
            200,
            params={"directoryId": directory_id},
            content=_csv(people).encode(),
            headers={"Content-Type": "text/csv"},
        )
        assert report["created"] == len(people), report

    def connector(self, endpoint: str, token: str, rate_limit: float) -> str:
        connector = self.call(
            "POST",
            "/connectors",
            201,
            json={
                "name": "Wiki",
                "app": "scim2",
                "endpoint": endpoint,
                "token": token,
                "rateLimit": rate_limit,
            },
        )
        return str(connector["id"])

    def publish(self, connector_id: str, directory_id: str) -> None:
        self.call(
            "POST",
            f"/connectors/{connector_id}/publish",
            200,
            json={"directoryIds": [directory_id]},
        )

    def status(self, connector_id: str) -> dict[str, Any]:
        status: dict[str, Any] = self.call(
            "GET", f"/connectors/{connector_id}/status", 200
        )
        return status

    def wait_until_settled(self, connector_id: str) -> dict[str, Any]:
        return wait_for(
            lambda: (s := self.status(connector_id))["pending"] == 0 and s,
            timeout=RECOVERY_TIMEOUT,
            interval=0.25,
        )

    def events(self, connector_id: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"connectorId": connector_id, "limit": 500}
            if cursor:
                params["cursor"] = cursor
            page = self.call("GET", "/events", 200, params=params)
            found += page["items"]
            cursor = page["nextCursor"]
            if not cursor:
                return found

    def user_id(self, email: str) -> str:
        items = self.call("GET", "/users", 200, params={"email": email})["items"]
        return str(items[0]["id"])

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def installation(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Installation]:
    """A scimlink data directory on SQLite; processes are stopped afterwards."""
    made = Installation(tmp_path / "scimlink")
    yield made
    made.stop_all()
    # Captured output is shown only when the test fails.
    print(made.report())


@pytest.fixture
def postgres_installation(postgres_url: str, tmp_path: Path) -> Iterator[Installation]:
    """The same on a fresh PostgreSQL database."""
    made = Installation(tmp_path / "scimlink", database_url=postgres_url)
    yield made
    made.stop_all()
    print(made.report())


def _assert_app_holds_exactly(view: AppView, people: list[Person]) -> None:
    accounts = _app_accounts(view)
    counts = Counter(str(a["userName"]).lower() for a in accounts)
    twice = sorted(name for name, n in counts.items() if n > 1)
    assert twice == [], f"in the app more than once: {twice}"
    assert set(counts) == {p.email for p in people}
    by_name = {str(a["userName"]).lower(): a for a in accounts}
    problems = [m for p in people for m in _attribute_problems(p, by_name[p.email])]
    assert problems == []


def _assert_each_user_logged_once(
    api: Api, connector_id: str, people: list[Person]
) -> None:
    """Each user was created once, or adopted after a lost answer."""
    entries = [e for e in api.events(connector_id) if e["user"]]
    created = Counter(
        e["user"]["email"]
        for e in entries
        if e["event"] == "User Created" and e["status"] == "Success"
    )
    adopted = {
        e["user"]["email"]
        for e in entries
        if e["status"] == "Success" and (e["details"] or {}).get("adopted")
    }
    assert [email for email, n in created.items() if n > 1] == []
    assert {p.email for p in people} == set(created) | adopted


def _wait_mid_sync(view: AppView, total: int) -> int:
    """Wait until the app holds some users, and return how many."""
    wait_for(lambda: len(_app_accounts(view)) >= total // 5, timeout=60, interval=0.05)
    return len(_app_accounts(view))


def _crash_serve_mid_sync(
    installation: Installation, server_app: Scim2Server, view: AppView
) -> None:
    people = _people(USERS)
    token = installation.create_admin()
    server = installation.serve()
    api = Api(server, token)
    directory_id = api.directory_of(people)
    connector_id = api.connector(server_app.base_url, str(server_app.token), RATE_LIMIT)
    api.publish(connector_id, directory_id)

    _wait_mid_sync(view, USERS)
    server.kill()
    api.close()
    at_kill = len(_app_accounts(view))
    assert 0 < at_kill < USERS, "the sync was not interrupted; lower RATE_LIMIT"

    started = time.monotonic()
    api = Api(installation.serve(), token)
    status = api.wait_until_settled(connector_id)
    print(f"recovered {USERS - at_kill} users in {time.monotonic() - started:.1f}s")

    assert status["totalUsers"] == USERS
    assert status["failed"] == 0
    assert status["health"] == "in_sync"
    _assert_app_holds_exactly(view, people)
    _assert_each_user_logged_once(api, connector_id, people)
    api.close()


@pytest.mark.timeout(RECOVERY_TIMEOUT + 120)
def test_serve_killed_mid_sync_recovers_on_sqlite(
    installation: Installation, scim_server: Scim2Server, app_view: AppView
) -> None:
    """SIGKILL of serve mid-sync on SQLite: after a restart every user is in
    the app once, with the right attributes."""
    _crash_serve_mid_sync(installation, scim_server, app_view)


@pytest.mark.postgres
@pytest.mark.timeout(RECOVERY_TIMEOUT + 120)
def test_serve_killed_mid_sync_recovers_on_postgres(
    postgres_installation: Installation, scim_server: Scim2Server, app_view: AppView
) -> None:
    """SIGKILL of serve mid-sync on PostgreSQL: after a restart every user is
    in the app once, with the right attributes."""
    _crash_serve_mid_sync(postgres_installation, scim_server, app_view)


@pytest.mark.timeout(RECOVERY_TIMEOUT + 120)
def test_worker_killed_while_api_keeps_serving(
    installation: Installation, scim_server: Scim2Server, app_view: AppView
) -> None:
    """SIGKILL of a lone worker mid-sync: the API keeps taking changes, and a
    new worker delivers the rest and those changes, each user once."""
    people = _people(USERS)
    token = installation.create_admin()
    api = Api(installation.serve(worker=False), token)
    worker = installation.worker()
    directory_id = api.directory_of(people)
    connector_id = api.connector(
        scim_server.base_url, str(scim_server.token), RATE_LIMIT
    )
    api.publish(connector_id, directory_id)

    _wait_mid_sync(app_view, USERS)
    worker.kill()
    # Requests the worker sent just before dying may still land.
    time.sleep(0.5)
    at_kill = len(_app_accounts(app_view))
    assert 0 < at_kill < USERS, "the sync was not interrupted; lower RATE_LIMIT"

    # With no worker alive the API still records changes, and nothing moves.
    pushed = {str(a["userName"]) for a in _app_accounts(app_view)}
    renamed = sorted(pushed)[0]
    removed = sorted(pushed)[1]
    api.call(
        "PATCH", f"/users/{api.user_id(renamed)}", 200, json={"lastName": "García"}
    )
    api.call("DELETE", f"/users/{api.user_id(removed)}", 204)
    assert api.status(connector_id)["pending"] > 0
    time.sleep(1.0)
    assert len(_app_accounts(app_view)) == at_kill

    started = time.monotonic()
    installation.worker()
    status = api.wait_until_settled(connector_id)
    print(f"recovered {USERS - at_kill} users in {time.monotonic() - started:.1f}s")

    expected = [
        Person(p.email, p.first_name, "García", p.phone, p.active)
        if p.email == renamed
        else p
        for p in people
        if p.email != removed
    ]
    assert status["totalUsers"] == USERS - 1
    assert status["failed"] == 0
    _assert_app_holds_exactly(app_view, expected)
    _assert_each_user_logged_once(api, connector_id, people)
    api.close()


# --- an app that answers 503 and 429 ---------------------------------------


@dataclass(frozen=True)
class Seen:
    """One request as it reached the app, with when it started."""

    at: float
    method: str
    path: str
    query: str
    body: bytes
    status: int

    def user_name(self) -> str | None:
        """The userName a user lookup or create is about."""
        filters = parse_qs(self.query).get("filter", [])
        for text in filters:
            match = re.search(r'userName eq "([^"]+)"', text)
            if match:
                return match.group(1)
        if self.method == "POST" and self.body:
            name = json.loads(self.body).get("userName")
            return str(name) if name else None
        return None


class Clocked:
    """Wraps an ASGI app and notes each request's start time and answer."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]):
        self.app = app
        self.seen: list[Seen] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        chunks: list[bytes] = []
        status = 0

        async def receive_noted() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                chunks.append(message.get("body", b""))
            return message

        async def send_noted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive_noted, send_noted)
        self.seen.append(
            Seen(
                started,
                scope["method"],
                scope["path"],
                scope["query_string"].decode(),
                b"".join(chunks),
                status,
            )
        )


@pytest.fixture
def emulator() -> Emulator:
    return make_emulator("scim2_strict", token=EMULATOR_TOKEN, prefix="/scim/v2")


@pytest.fixture
def clocked_app(emulator: Emulator) -> Iterator[tuple[str, Clocked]]:
    """The emulator on a loopback port, its requests timed."""
    clocked = Clocked(emulator.asgi)
    with serve(clocked) as base_url:
        yield f"{base_url}/scim/v2", clocked


@pytest.mark.parametrize(
    ("status", "retry_after", "least_delay"),
    [(503, None, 0.45), (429, 2.0, 1.9)],
    ids=["503", "429-retry-after"],
)
def test_app_errors_are_retried_and_users_arrive_once(
    installation: Installation,
    emulator: Emulator,
    clocked_app: tuple[str, Clocked],
    status: int,
    retry_after: float | None,
    least_delay: float,
) -> None:
    """503 and 429 with Retry-After are retried after a wait; every user
    arrives once, logged as Success with the attempts it took."""
    endpoint, clocked = clocked_app
    first, *others = _people(21)
    token = installation.create_admin()
    api = Api(installation.serve(), token)
    directory_id = api.directory_of([first])
    connector_id = api.connector(endpoint, EMULATOR_TOKEN, 100.0)
    api.publish(connector_id, directory_id)
    # Once one user is through, the connector has read the server's
    # ServiceProviderConfig, so every injected failure hits a user's request.
    api.wait_until_settled(connector_id)
    faults = 4
    emulator.fail_next(faults, status, retry_after)

    api.import_into(directory_id, others)
    settled = api.wait_until_settled(connector_id)

    assert settled["totalUsers"] == 21
    assert settled["failed"] == 0
    user_names = [str(u["userName"]) for u in emulator.users.values()]
    assert sorted(user_names) == sorted(p.email for p in [first, *others])
    assert len(emulator.injected) == faults

    failed = [s for s in clocked.seen if s.status == status]
    assert len(failed) == faults
    for fault in failed:
        subject = fault.user_name()
        assert subject is not None, fault
        retry = next(
            s for s in clocked.seen if s.at > fault.at and s.user_name() == subject
        )
        waited = retry.at - fault.at
        assert waited >= least_delay, f"{subject} retried after {waited:.2f}s"

    successes = [
        e for e in api.events(connector_id) if e["status"] == "Success" and e["user"]
    ]
    assert Counter(e["user"]["email"] for e in successes) == Counter(
        p.email for p in [first, *others]
    )
    assert all(e["event"] == "User Created" for e in successes)
    retried = sum(e["details"]["attempts"] - 1 for e in successes)
    assert retried == faults
    api.close()
