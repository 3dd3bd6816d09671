"""The errors of the SCIM client, one class per decision the sync engine takes.

The class says what to do (retry, re-create, adopt, fail the object, stop the
connector); ``reason`` says why, as a short stable code that the event log,
the API and the connection test show.
"""

from __future__ import annotations

import httpx

REASONS = (
    "dns",
    "refused",
    "tls",
    "timeout",
    "network",
    "unauthorized",
    "forbidden",
    "not_found",
    "not_scim",
    "rate_limited",
    "server_error",
    "conflict",
    "invalid",
)


class ScimError(Exception):
    """A SCIM request that did not succeed, with everything known about it."""

    def __init__(
        self,
        reason: str,
        detail: str,
        *,
        method: str,
        url: str,
        status: int | None = None,
        scim_type: str | None = None,
        request_body: str | None = None,
        response_excerpt: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.method = method
        self.url = url
        self.status = status
        self.scim_type = scim_type
        self.request_body = request_body
        self.response_excerpt = response_excerpt
        self.retry_after = retry_after

    def __str__(self) -> str:
        status = f" {self.status}" if self.status is not None else ""
        scim_type = f" ({self.scim_type})" if self.scim_type else ""
        return (
            f"{self.method} {self.url} -> {self.reason}{status}{scim_type}: "
            f"{self.detail}"
        )

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(reason={self.reason!r}, status={self.status!r}, "
            f"scim_type={self.scim_type!r}, detail={self.detail!r})"
        )

    @property
    def host(self) -> str:
        """The host name the request was sent to."""
        return httpx.URL(self.url).host

    def summary(self) -> str:
        """One sentence for an admin: what happened and what to check."""
        return _sentence(f"The app answered {self._status_text()}: {self.detail}")

    def _status_text(self) -> str:
        if self.status is None:
            return "with an error"
        scim_type = f", scimType {self.scim_type}" if self.scim_type else ""
        return f"with HTTP {self.status}{scim_type}"


class TransientError(ScimError):
    """Timeouts, connection errors, 429 and 5xx: retry later with backoff."""

    def summary(self) -> str:
        """One sentence for an admin: what happened and what to check."""
        host = self.host
        match self.reason:
            case "timeout":
                return (
                    f"{host} did not answer in time (timeout). Check the endpoint "
                    "URL and that no firewall drops the traffic."
                )
            case "refused":
                port = httpx.URL(self.url).port or _default_port(self.url)
                return (
                    f"The connection to {host} on port {port} was refused. Check "
                    "the endpoint URL and that the SCIM server is running."
                )
            case "rate_limited":
                wait = (
                    f" Retry in {self.retry_after:g} seconds."
                    if self.retry_after is not None
                    else " Retry later."
                )
                return f"{host} is limiting requests (HTTP 429).{wait}"
            case "server_error":
                return (
                    f"{host} failed with an internal error (HTTP {self.status}: "
                    f"{self.detail}). Retry later or contact the app's support."
                )
        return (
            f"The connection to {host} failed ({self.detail}). Check the "
            "endpoint URL and the network."
        )


class NotFoundError(ScimError):
    """A 404 on one resource: re-create it, or forget it when deleting."""

    def summary(self) -> str:
        """One sentence for an admin: what happened and what to check."""
        return f"The resource at {self.url} no longer exists in the app (HTTP 404)."


class ConflictError(ScimError):
    """A 409 (or scimType uniqueness): look the resource up and adopt it."""

    def summary(self) -> str:
        """One sentence for an admin: what happened and what to check."""
        return (
            "The app already holds a resource with the same unique value "
            f"(HTTP {self.status}: {self.detail})."
        )


class InvalidRequestError(ScimError):
    """Any other 4xx: fail this object and carry on with the others."""

    def summary(self) -> str:
        """One sentence for an admin: what happened and what to check."""
        return _sentence(
            f"The app rejected the request {self._status_text()}: {self.detail}"
        )


class ConfigurationError(ScimError):
    """Bad token, TLS or DNS failure, wrong path, not a SCIM server: stop."""

    def summary(self) -> str:
        """One sentence for an admin: what happened and what to check."""
        host = self.host
        match self.reason:
            case "dns":
                return (
                    f"The host name {host} could not be resolved (DNS failure). "
                    "Check the endpoint URL."
                )
            case "tls":
                return (
                    f"The secure connection to {host} failed (TLS error: "
                    f"{self.detail}). Check that the endpoint URL uses the host "
                    "name its certificate was issued for."
                )
            case "unauthorized":
                return (
                    f"{host} rejected the bearer token (HTTP 401). Create a new "
                    "token in the app's console and enter it again."
                )
            case "forbidden":
                return (
                    f"{host} rejected the bearer token (HTTP 403): it lacks the "
                    "permission to manage users. Check the token's scope in the "
                    "app's console."
                )
            case "not_found":
                return (
                    f"No SCIM API was found at {_base_of(self.url)} (HTTP 404). "
                    "Check the path of the endpoint URL."
                )
            case "not_scim":
                return (
                    f"{host} answered, but not with SCIM ({self.detail}). Check "
                    "that the endpoint URL is the app's SCIM base URL."
                )
        return f"The connector is misconfigured: {self.detail}."


def _sentence(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _default_port(url: str) -> int:
    return 443 if httpx.URL(url).scheme == "https" else 80


_ENDPOINT_SEGMENTS = {"Users", "Groups", "ServiceProviderConfig", "ResourceTypes"}


def _base_of(url: str) -> str:
    """The SCIM base URL a request URL was built from, as an admin typed it."""
    parsed = httpx.URL(url)
    segments = parsed.path.rstrip("/").split("/")
    if len(segments) > 1 and segments[-2] in {"Users", "Groups"}:
        segments = segments[:-2]
    elif segments[-1] in _ENDPOINT_SEGMENTS:
        segments = segments[:-1]
    return str(parsed.copy_with(path="/".join(segments) or "/", query=None))
