"""ASGI middleware: request ids, one log line per request, problem documents
for unexpected errors, and a limit on request body size."""

import logging
import time
import uuid
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scimlink.api.problems import problem
from scimlink.metrics import HTTP_REQUESTS

log = structlog.get_logger("scimlink.api")
# Probes that monitoring calls every few seconds: logged at debug only.
PROBE_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class RequestContext:
    """Give every request an id, echo it back, and bind it to the logs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", []))
        request_id = headers.get(b"x-request-id", b"").decode()[:64] or uuid.uuid4().hex
        structlog.contextvars.bind_contextvars(request_id=request_id)
        status_holder: dict[str, Any] = {}

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"].append((b"x-request-id", request_id.encode()))
            await send(message)

        started = time.perf_counter()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("http.unhandled_error", path=scope["path"])
            if "status" in status_holder:
                raise  # the response has begun; nothing else can be sent
            # Answered here, not by Starlette's plain-text 500, so that the
            # admin gets a problem document and the id to quote.
            response = problem(
                500,
                "Internal server error",
                "scimlink could not complete this request; the operator log "
                f"has the details under request id {request_id}.",
            )
            await response(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            status = status_holder.get("status", 500)
            HTTP_REQUESTS.labels(
                method=scope["method"],
                route=getattr(route, "path", "unmatched"),
                status=str(status),
            ).inc()
            quiet = scope["path"] in PROBE_PATHS
            log.log(
                logging.DEBUG if quiet else logging.INFO,
                "http.request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                elapsed_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            structlog.contextvars.unbind_contextvars("request_id")


class BodySizeLimit:
    """Refuse bodies over a limit, whether declared or streamed.

    The body is read here, up to the limit, and handed on whole: FastAPI
    reads whole bodies anyway, and an error raised while it reads would
    come out as its own generic 400 instead of a 413.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        too_big = declared is not None and declared.isdigit()
        if too_big and int(declared or 0) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(
            413,
            "Request body too large",
            f"The body exceeds {self.max_bytes} bytes; send less per request.",
        )
        await response(scope, receive, send)
