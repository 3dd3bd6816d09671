"""How the client classifies requests that got no HTTP answer."""

from __future__ import annotations

import errno
import socket
import ssl

import httpx
import pytest
from tests.unit.scim.payloads import MakeClient

from scimlink.scim.errors import ConfigurationError, ScimError, TransientError


def _error_for(make_client: MakeClient, exc: Exception) -> ScimError:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    client = make_client(handler)
    with pytest.raises(ScimError) as caught:
        client.get("Users", "42")
    assert caught.value.__cause__ is exc
    return caught.value


def _connect_error_from(cause: BaseException) -> httpx.ConnectError:
    try:
        raise httpx.ConnectError("connect failed") from cause
    except httpx.ConnectError as exc:
        return exc


def test_name_resolution_failure_is_dns(make_client: MakeClient) -> None:
    """A socket.gaierror behind the connect error means the host name is unknown."""
    cause = socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    error = _error_for(make_client, _connect_error_from(cause))

    assert type(error) is ConfigurationError
    assert error.reason == "dns"
    assert error.status is None
    assert "scim.example.test could not be resolved" in error.summary()


def test_connection_refused(make_client: MakeClient) -> None:
    """ECONNREFUSED is a refused connection, worth retrying."""
    cause = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")

    error = _error_for(make_client, _connect_error_from(cause))

    assert type(error) is TransientError
    assert error.reason == "refused"
    assert "port 443 was refused" in error.summary()


def test_refused_given_as_a_plain_oserror(make_client: MakeClient) -> None:
    """An OSError carrying ECONNREFUSED is also a refused connection."""
    cause = OSError(errno.ECONNREFUSED, "Connection refused")

    error = _error_for(make_client, _connect_error_from(cause))

    assert error.reason == "refused"


def test_certificate_failure_is_tls(make_client: MakeClient) -> None:
    """A certificate that does not verify stops the connector with reason tls."""
    cause = ssl.SSLCertVerificationError(1, "certificate verify failed")
    cause.verify_message = "self-signed certificate"

    error = _error_for(make_client, _connect_error_from(cause))

    assert type(error) is ConfigurationError
    assert error.reason == "tls"
    assert error.detail == "self-signed certificate"


def test_other_ssl_error_is_tls(make_client: MakeClient) -> None:
    """Any SSL handshake failure is a TLS error."""
    error = _error_for(make_client, _connect_error_from(ssl.SSLError(1, "bad hello")))

    assert error.reason == "tls"


@pytest.mark.parametrize(
    "exc",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.WriteTimeout("write timed out"),
        httpx.PoolTimeout("pool timed out"),
    ],
)
def test_timeouts(make_client: MakeClient, exc: Exception) -> None:
    """Every httpx timeout is a transient timeout."""
    error = _error_for(make_client, exc)

    assert type(error) is TransientError
    assert error.reason == "timeout"


def test_dropped_connection_is_a_network_error(make_client: MakeClient) -> None:
    """A server that hangs up mid-answer is a transient network error."""
    error = _error_for(make_client, httpx.RemoteProtocolError("Server disconnected"))

    assert type(error) is TransientError
    assert error.reason == "network"
    assert "Server disconnected" in error.detail


def test_dns_failure_known_only_by_its_message(make_client: MakeClient) -> None:
    """A transport that keeps only the message of a resolver error still yields dns."""
    exc = httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    error = _error_for(make_client, exc)

    assert error.reason == "dns"
