"""Retry-After on 429 and 503, in both of its RFC 9110 forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from tests.unit.scim.payloads import MakeClient, scim_error, scim_json

from scimlink.scim.classify import parse_retry_after
from scimlink.scim.errors import TransientError

NOW = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)


def test_delay_seconds() -> None:
    """A number of seconds is taken as it is."""
    assert parse_retry_after("120") == 120.0


def test_http_date() -> None:
    """An HTTP-date gives the seconds left until then."""
    later = format_datetime(NOW + timedelta(seconds=90), usegmt=True)

    assert parse_retry_after(later, now=NOW) == pytest.approx(90.0)


def test_http_date_in_the_past_means_now() -> None:
    """A date already gone means retry at once, never a negative delay."""
    earlier = format_datetime(NOW - timedelta(minutes=5), usegmt=True)

    assert parse_retry_after(earlier, now=NOW) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "-", "nan", "Fri, 99 Foo"])
def test_unreadable_values_are_ignored(value: str | None) -> None:
    """A missing or unreadable Retry-After gives None rather than an error."""
    assert parse_retry_after(value) is None


def test_negative_seconds_mean_now() -> None:
    """A negative delay is clamped to zero."""
    assert parse_retry_after("-5") == 0.0


def test_429_carries_retry_after_seconds(make_client: MakeClient) -> None:
    """A 429 with Retry-After: 30 tells the engine to wait 30 seconds."""
    response = scim_json(429, scim_error(429, "slow down"), **{"Retry-After": "30"})
    client = make_client(lambda request: response)

    with pytest.raises(TransientError) as caught:
        client.get("Users", "1")

    assert caught.value.reason == "rate_limited"
    assert caught.value.retry_after == 30.0
    assert "Retry in 30 seconds" in caught.value.summary()


def test_503_carries_retry_after_date(make_client: MakeClient) -> None:
    """A 503 with an HTTP-date Retry-After gives the seconds until that date."""
    when = datetime.now(UTC) + timedelta(seconds=120)
    headers = {"Retry-After": format_datetime(when, usegmt=True)}
    client = make_client(
        lambda request: scim_json(503, scim_error(503, "down"), **headers)
    )

    with pytest.raises(TransientError) as caught:
        client.get("Users", "1")

    assert caught.value.reason == "server_error"
    assert caught.value.retry_after is not None
    assert 100 < caught.value.retry_after <= 120


def test_429_without_retry_after(make_client: MakeClient) -> None:
    """A 429 without the header leaves the delay to the engine's backoff."""
    client = make_client(lambda request: scim_json(429, scim_error(429, "slow")))

    with pytest.raises(TransientError) as caught:
        client.get("Users", "1")

    assert caught.value.retry_after is None
