"""The SCIM client: the one place in scimlink that sends SCIM requests.

Each method is one SCIM operation of RFC 7644 §3 and returns a
:class:`ScimResult`, or raises a :class:`~scimlink.scim.errors.ScimError`
whose class tells the sync engine what to do next.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Literal
from urllib.parse import quote

import httpx
import structlog

from scimlink.scim import classify, messages
from scimlink.scim import paging as paging_
from scimlink.scim.classify import Scope
from scimlink.scim.errors import ConfigurationError
from scimlink.scim.messages import eq_filter

log = structlog.get_logger(__name__)

__all__ = ["Paging", "ResourceType", "ScimClient", "ScimResult", "eq_filter"]

ResourceType = Literal["Users", "Groups"]
Paging = Literal["index", "cursor"]

_MEDIA_TYPES = "application/scim+json, application/json"


@dataclass(frozen=True)
class ScimResult:
    """One SCIM request that succeeded, and the resource it returned."""

    method: str
    url: str
    status: int
    request_body: dict[str, Any] | None
    resource: dict[str, Any] | None
    elapsed_ms: float


class ScimClient:
    """A synchronous SCIM 2.0 client for one service provider."""

    def __init__(
        self,
        endpoint: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        verify: bool = True,
    ) -> None:
        self.endpoint = _normalise_endpoint(endpoint)
        self.timeout = timeout
        self._http = httpx.Client(
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": _MEDIA_TYPES,
                "User-Agent": "scimlink",
            },
            timeout=timeout,
            transport=transport,
            verify=verify,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"ScimClient({self.endpoint!r})"

    def __enter__(self) -> ScimClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections kept open to the server."""
        self._http.close()

    def service_provider_config(self) -> ScimResult:
        """Read the server's ServiceProviderConfig (RFC 7644 §4)."""
        return self._call("GET", "ServiceProviderConfig", scope="endpoint")

    def get(self, resource_type: ResourceType, id: str) -> ScimResult:
        """Read one resource by its id (RFC 7644 §3.4.1)."""
        return self._call("GET", _resource_path(resource_type, id), scope="resource")

    def search(
        self,
        resource_type: ResourceType,
        filter: str | None = None,
        *,
        count: int | None = None,
        attributes: list[str] | None = None,
        start_index: int | None = None,
        cursor: str | None = None,
    ) -> tuple[ScimResult, list[dict[str, Any]]]:
        """Query a resource type with GET (RFC 7644 §3.4.2).

        Returns the result, whose ``resource`` is the whole ListResponse, and
        its ``Resources``.
        """
        params: dict[str, str] = {}
        if filter is not None:
            params["filter"] = filter
        if start_index is not None:
            params["startIndex"] = str(start_index)
        if cursor is not None:
            params["cursor"] = cursor
        if count is not None:
            params["count"] = str(count)
        if attributes:
            params["attributes"] = ",".join(attributes)

        result = self._call("GET", resource_type, params=params, scope="endpoint")
        return result, self._resources_of(result)

    def create(
        self, resource_type: ResourceType, payload: dict[str, Any]
    ) -> ScimResult:
        """Create a resource (RFC 7644 §3.3); the result holds it with its id."""
        return self._call("POST", resource_type, body=payload, scope="endpoint")

    def replace(
        self, resource_type: ResourceType, id: str, payload: dict[str, Any]
    ) -> ScimResult:
        """Replace a resource with PUT (RFC 7644 §3.5.1)."""
        return self._call(
            "PUT",
            _resource_path(resource_type, id),
            body=payload,
            scope="resource",
            body_required=False,
        )

    def patch(
        self, resource_type: ResourceType, id: str, operations: list[dict[str, Any]]
    ) -> ScimResult:
        """Modify a resource with a PatchOp message (RFC 7644 §3.5.2).

        The result holds the resource when the server returns it (200), and
        None when it does not (204).
        """
        return self._call(
            "PATCH",
            _resource_path(resource_type, id),
            body=messages.patch_op(operations),
            scope="resource",
            body_required=False,
        )

    def delete(self, resource_type: ResourceType, id: str) -> ScimResult:
        """Delete a resource (RFC 7644 §3.6)."""
        return self._call(
            "DELETE",
            _resource_path(resource_type, id),
            scope="resource",
            body_required=False,
        )

    def iter_all(
        self,
        resource_type: ResourceType,
        *,
        paging: Paging,
        page_size: int = 100,
    ) -> Iterator[dict[str, Any]]:
        """Every resource of a type, fetched page by page.

        ``index`` pages with startIndex/count (RFC 7644 §3.4.2.4), ``cursor``
        with cursor/nextCursor (RFC 9865).
        """
        if paging == "cursor":
            yield from paging_.iter_by_cursor(self, resource_type, page_size)
        else:
            yield from paging_.iter_by_index(self, resource_type, page_size)

    def _call(
        self,
        method: str,
        path: str,
        *,
        scope: Scope,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        body_required: bool = True,
    ) -> ScimResult:
        response, elapsed_ms, sent = self._send(method, path, params, body, scope)
        resource = self._json_body(response, sent, scope, required=body_required)
        return ScimResult(
            method=method,
            url=str(response.request.url),
            status=response.status_code,
            request_body=body,
            resource=resource,
            elapsed_ms=elapsed_ms,
        )

    def _send(
        self,
        method: str,
        path: str,
        params: dict[str, str] | None,
        body: dict[str, Any] | None,
        scope: Scope,
    ) -> tuple[httpx.Response, float, str | None]:
        headers = {"Content-Type": "application/scim+json"} if body is not None else {}
        content = json.dumps(body).encode() if body is not None else None
        request = self._http.build_request(
            method,
            f"{self.endpoint}/{path}",
            params=params,
            content=content,
            headers=headers,
        )
        sent = classify.body_excerpt(body)

        started = time.perf_counter()
        try:
            response = self._http.send(request)
        except httpx.RequestError as exc:
            error = classify.transport_error(exc, request, sent)
            _log_request(request, None, _since(started), error.reason)
            raise error from exc
        elapsed_ms = _since(started)
        _log_request(request, response.status_code, elapsed_ms, None)

        try:
            response.raise_for_status()
        except httpx.HTTPStatusError as exc:
            raise classify.status_error(response, sent, scope) from exc
        return response, elapsed_ms, sent

    def _json_body(
        self,
        response: httpx.Response,
        sent: str | None,
        scope: Scope,
        *,
        required: bool,
    ) -> dict[str, Any] | None:
        """The JSON object of a 2xx body; None where a body is optional."""
        if not response.content.strip():
            if required:
                raise classify.not_scim_error(response, sent, "an empty body")
            return None

        try:
            payload = json.loads(response.content)
        except ValueError as exc:
            if not required:
                # The change was accepted; an unreadable body must not undo that.
                return None
            raise classify.not_scim_error(
                response, sent, "a body that is not JSON"
            ) from exc

        if not isinstance(payload, dict):
            if not required:
                return None
            raise classify.not_scim_error(response, sent, "JSON that is not an object")

        error_status = classify.error_status_in(payload)
        if error_status is not None:
            raise classify.status_error(response, sent, scope, status=error_status)
        return payload

    def _resources_of(self, result: ScimResult) -> list[dict[str, Any]]:
        payload = result.resource or {}
        if not messages.is_list_response(payload):
            raise ConfigurationError(
                "not_scim",
                "JSON that is not a ListResponse",
                method=result.method,
                url=result.url,
                status=result.status,
                response_excerpt=classify.excerpt(json.dumps(payload)),
            )
        return messages.list_resources(payload)


def _normalise_endpoint(endpoint: str) -> str:
    url = httpx.URL(endpoint.strip())
    if url.scheme not in {"http", "https"} or not url.host:
        raise ValueError(f"not an http(s) URL: {endpoint!r}")
    return str(url.copy_with(query=None, fragment=None)).rstrip("/")


def _resource_path(resource_type: ResourceType, id: str) -> str:
    if not id:
        raise ValueError("a resource id cannot be empty")
    return f"{resource_type}/{quote(id, safe='')}"


def _since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def _log_request(
    request: httpx.Request, status: int | None, elapsed_ms: float, error: str | None
) -> None:
    # The query is left out: filters carry user names and e-mail addresses.
    fields: dict[str, Any] = {"error": error} if error is not None else {}
    log.info(
        "scim.request",
        method=request.method,
        url=str(request.url.copy_with(query=None)),
        status=status,
        elapsed_ms=elapsed_ms,
        **fields,
    )
