"""Turn what the network or a server answered into a :class:`ScimError`.

Real servers stray from RFC 7644 in their error bodies, so everything here is
lenient: an RFC 7644 Error message, any other JSON, plain text, an HTML page
or nothing at all each yield a readable ``detail``.
"""

from __future__ import annotations

import errno
import html
import json
import math
import re
import socket
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx
import pydantic
from scim2_models import Error

from scimlink.scim.errors import (
    ConfigurationError,
    ConflictError,
    InvalidRequestError,
    NotFoundError,
    ScimError,
    TransientError,
)
from scimlink.scim.messages import integer

Scope = Literal["resource", "endpoint"]
"""What a request addressed: one resource by id, or an endpoint of the server.

A 404 on a resource means it is gone; on an endpoint, that the path is wrong.
"""

EXCERPT_LIMIT = 2000
ERROR_URN = str(Error.__schema__)

_DNS_HINTS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "getaddrinfo failed",
    "no address associated",
)


def excerpt(text: str | None, limit: int = EXCERPT_LIMIT) -> str | None:
    """Cut a text to a size fit for a log entry."""
    if text is None:
        return None
    return text if len(text) <= limit else text[:limit] + "…"


def body_excerpt(body: dict[str, Any] | None) -> str | None:
    """The JSON text of a request body, cut for a log entry."""
    return None if body is None else excerpt(json.dumps(body, ensure_ascii=False))


def transport_error(
    exc: httpx.RequestError, request: httpx.Request, sent_body: str | None
) -> ScimError:
    """Classify a request that got no HTTP answer at all."""
    context: dict[str, Any] = {
        "method": request.method,
        "url": str(request.url),
        "request_body": sent_body,
    }
    if isinstance(exc, httpx.TimeoutException):
        return TransientError("timeout", _timeout_detail(exc), **context)

    for cause in _causes(exc):
        if isinstance(cause, socket.gaierror):
            return ConfigurationError("dns", _os_detail(cause), **context)
        if isinstance(cause, ssl.SSLError):
            return ConfigurationError("tls", _tls_detail(cause), **context)
        if isinstance(cause, ConnectionRefusedError) or (
            isinstance(cause, OSError) and cause.errno == errno.ECONNREFUSED
        ):
            return TransientError("refused", "connection refused", **context)
        if isinstance(cause, TimeoutError):
            return TransientError("timeout", "no answer in time", **context)

    # Some transports keep only the message of the original error.
    text = str(exc)
    lowered = text.lower()
    if any(hint in lowered for hint in _DNS_HINTS):
        return ConfigurationError("dns", text, **context)
    if "certificate" in lowered or "ssl" in lowered or "tls" in lowered:
        return ConfigurationError("tls", text, **context)
    if "connection refused" in lowered:
        return TransientError("refused", "connection refused", **context)
    return TransientError("network", text or type(exc).__name__, **context)


def status_error(
    response: httpx.Response,
    sent_body: str | None,
    scope: Scope,
    *,
    status: int | None = None,
) -> ScimError:
    """Classify a response whose status (or Error body) says it failed."""
    status = status if status is not None else response.status_code
    detail, scim_type = read_error_body(response)
    context: dict[str, Any] = {
        "method": response.request.method,
        "url": str(response.request.url),
        "status": status,
        "scim_type": scim_type,
        "request_body": sent_body,
        "response_excerpt": excerpt(_text(response)),
    }

    if 300 <= status < 400:
        location = response.headers.get("location", "nowhere")
        return ConfigurationError("not_scim", f"a redirect to {location}", **context)
    if status == 401:
        return ConfigurationError("unauthorized", detail, **context)
    if status == 403:
        return ConfigurationError("forbidden", detail, **context)
    if status == 404 and scope == "resource":
        return NotFoundError("not_found", detail, **context)
    if status == 404:
        return ConfigurationError("not_found", detail, **context)
    # Some servers report a uniqueness clash as 400 rather than 409.
    if status == 409 or (scim_type or "").lower() == "uniqueness":
        return ConflictError("conflict", detail, **context)

    retry_after = parse_retry_after(response.headers.get("retry-after"))
    if status == 408:
        return TransientError("timeout", detail, retry_after=retry_after, **context)
    if status == 429:
        return TransientError(
            "rate_limited", detail, retry_after=retry_after, **context
        )
    # 501 Not Implemented: the server lacks the operation (RFC 7644 §3.12);
    # retrying cannot help, and callers fall back (PATCH -> PUT) on it.
    if status == 501:
        return InvalidRequestError("invalid", detail, **context)
    if status >= 500:
        return TransientError(
            "server_error", detail, retry_after=retry_after, **context
        )
    if status >= 400:
        return InvalidRequestError("invalid", detail, **context)
    return ConfigurationError("not_scim", f"HTTP {status}", **context)


def not_scim_error(
    response: httpx.Response, sent_body: str | None, what: str
) -> ConfigurationError:
    """A successful status whose body is not the SCIM JSON that was expected."""
    content_type = response.headers.get("content-type", "no content type")
    return ConfigurationError(
        "not_scim",
        f"{what} ({content_type.split(';')[0].strip()})",
        method=response.request.method,
        url=str(response.request.url),
        status=response.status_code,
        request_body=sent_body,
        response_excerpt=excerpt(_text(response)),
    )


def error_status_in(payload: dict[str, Any]) -> int | None:
    """The status of an RFC 7644 Error message sent with a 2xx, if any."""
    schemas = payload.get("schemas")
    if not isinstance(schemas, list) or ERROR_URN not in schemas:
        return None
    status = integer(payload.get("status"))
    return status if status is not None and status >= 400 else None


def read_error_body(response: httpx.Response) -> tuple[str, str | None]:
    """The ``detail`` and ``scimType`` of an error response, however it is sent."""
    fallback = f"HTTP {response.status_code} {response.reason_phrase}".strip()
    text = _text(response).strip()
    if not text:
        return fallback, None

    try:
        payload = json.loads(text)
    except ValueError:
        return _detail_of_text(text) or fallback, None
    if not isinstance(payload, dict):
        return excerpt(text, 300) or fallback, None

    try:
        error = Error.model_validate(payload)
    except pydantic.ValidationError:
        error = None
    if error is not None and error.detail:
        return error.detail, error.scim_type
    detail, scim_type = _read_error_leniently(payload)
    return detail or fallback, scim_type


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delay-seconds or HTTP-date."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if math.isfinite(seconds) else None

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _read_error_leniently(payload: dict[str, Any]) -> tuple[str | None, str | None]:
    lowered = {str(key).lower(): value for key, value in payload.items()}
    scim_type = lowered.get("scimtype")
    for key in ("detail", "message", "error_description", "error", "title"):
        value = lowered.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip(), _str_or_none(scim_type)
    # SCIM 1.1 servers nest their errors: {"Errors": [{"description": ...}]}.
    nested = lowered.get("errors")
    if isinstance(nested, list) and nested and isinstance(nested[0], dict):
        first = nested[0]
        description = first.get("description") or first.get("detail")
        if isinstance(description, str):
            return description, _str_or_none(scim_type)
    return None, _str_or_none(scim_type)


def _detail_of_text(text: str) -> str | None:
    if "<" in text and re.search(r"<\s*(html|body|head|!doctype)", text, re.I):
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
        if title and title.group(1).strip():
            return html.unescape(" ".join(title.group(1).split()))
        return None
    first_line = text.splitlines()[0].strip()
    return excerpt(first_line, 300)


def _text(response: httpx.Response) -> str:
    try:
        return response.text
    except (UnicodeDecodeError, LookupError):
        return response.content.decode("utf-8", errors="replace")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _timeout_detail(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "no connection in time"
    if isinstance(exc, httpx.PoolTimeout):
        return "no free connection in time"
    return "no answer in time"


def _os_detail(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _tls_detail(exc: ssl.SSLError) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError) and exc.verify_message:
        return exc.verify_message
    return getattr(exc, "reason", None) or exc.strerror or str(exc)


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
