"""Controls tests use on an emulator: fault injection, delay, reset, seeding."""

from __future__ import annotations

import time

import httpx
import pytest
from tests.emulators import make_emulator
from tests.support.serving import serve
from tests.unit.emulators.bodies import TOKEN, Start, assert_scim_error, user


def test_fail_next_answers_the_given_status_then_recovers(run_app: Start) -> None:
    """fail_next(2, 429, retry_after=3) fails two requests with Retry-After."""
    emulator, client = run_app("aws")
    emulator.fail_next(2, status=429, retry_after=3)

    first = client.get("/Users")
    second = client.get("/Users")
    third = client.get("/Users")

    assert_scim_error(first, 429)
    assert first.headers["retry-after"] == "3"
    assert_scim_error(second, 429)
    assert third.status_code == 200
    assert len(emulator.injected) == 2
    assert emulator.rejections == []
    assert len(emulator.requests) == 1


def test_fail_next_defaults_to_503_without_retry_after(run_app: Start) -> None:
    """By default an injected failure is a 503 with no Retry-After."""
    emulator, client = run_app("scim2_strict")
    emulator.fail_next(1)

    response = client.post("/Users", json=user())

    assert_scim_error(response, 503)
    assert "retry-after" not in response.headers
    assert emulator.users == {}


def test_delay_makes_a_client_time_out(run_app: Start) -> None:
    """delay() holds every answer long enough for a short client timeout to fire."""
    emulator, client = run_app("scim2_strict")
    emulator.delay(0.5)

    with pytest.raises(httpx.ReadTimeout):
        client.get("/Users", timeout=0.1)
    emulator.delay(0)
    started = time.monotonic()
    assert client.get("/Users").status_code == 200
    assert time.monotonic() - started < 0.5


def test_reset_forgets_everything(run_app: Start) -> None:
    """reset() clears resources, records, faults and delay."""
    emulator, client = run_app("scim2_strict")
    client.post("/Users", json=user())
    client.get("/Users/missing")
    emulator.fail_next(5)
    emulator.delay(1)

    emulator.reset()

    assert (emulator.users, emulator.requests, emulator.rejections) == ({}, [], [])
    assert client.get("/Users", timeout=0.5).status_code == 200


def test_seeded_user_is_found_by_filter(run_app: Start) -> None:
    """A seeded user exists for the client, as an account made before it came."""
    emulator, client = run_app("atlassian")
    user_id = emulator.seed_user(user())

    found = client.get("/Users", params={"filter": 'userName eq "ada@example.com"'})

    assert found.json()["Resources"][0]["id"] == user_id


def test_prefix_serves_under_a_base_path() -> None:
    """With a prefix the endpoints live under it and nowhere else."""
    emulator = make_emulator("aws", token=TOKEN, prefix="/tenant/scim/v2")
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with serve(emulator.asgi) as base_url:
        inside = httpx.get(
            f"{base_url}/tenant/scim/v2/ServiceProviderConfig", headers=headers
        )
        outside = httpx.get(f"{base_url}/ServiceProviderConfig", headers=headers)

    assert inside.status_code == 200
    assert_scim_error(outside, 404)


def test_throttle_answers_429_beyond_the_write_rate(run_app: Start) -> None:
    """With throttle(2), a third write in the same second is a 429 with Retry-After."""
    emulator, client = run_app("aws")
    emulator.throttle(2, retry_after=1)

    statuses = [
        client.post("/Users", json=user(f"u{n}@example.com")).status_code
        for n in range(3)
    ]
    read = client.get("/Users")

    assert statuses == [201, 201, 429]
    assert emulator.rejections[-1].status == 429
    assert read.status_code == 200
    emulator.throttle(None)
    assert client.post("/Users", json=user("late@example.com")).status_code == 201
