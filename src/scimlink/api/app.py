"""The FastAPI application: routers, error handling, health and metrics."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import Engine, text

from scimlink.api.middleware import BodySizeLimit, RequestContext
from scimlink.api.problems import install_problem_handlers
from scimlink.api.routes import (
    apps,
    connectors,
    directories,
    events,
    groups,
    imports,
    sso_configs,
    users,
)
from scimlink.api.routes import settings as settings_routes
from scimlink.connectors.vault import load_vault
from scimlink.db.engine import make_session_factory
from scimlink.db.migrate import is_current
from scimlink.settings import Settings
from scimlink.sync.worker import Worker

API_PREFIX = "/api/v1"


def create_app(
    settings: Settings, engine: Engine, *, run_worker: bool = False
) -> FastAPI:
    """Build the application over an engine whose schema is already current."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = None
        if run_worker:
            worker = Worker(
                app.state.sessions,
                app.state.vault,
                threads=settings.worker_threads,
                poll_seconds=settings.worker_poll_seconds,
                reconcile_interval_seconds=settings.reconcile_interval_seconds,
            )
            worker.start()
        yield
        if worker is not None:
            worker.stop()

    app = FastAPI(
        title="scimlink",
        version="0.1.0",
        summary="Outbound SCIM 2.0 provisioning.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)
    app.state.vault = load_vault(settings)

    install_problem_handlers(app)
    for module in (
        directories,
        users,
        imports,
        groups,
        sso_configs,
        apps,
        connectors,
        events,
        settings_routes,
    ):
        app.include_router(module.router, prefix=API_PREFIX)
    _add_operations_routes(app)

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContext)
    return app


def _add_operations_routes(app: FastAPI) -> None:
    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    def readyz(request: Request) -> JSONResponse:
        engine: Engine = request.app.state.engine
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            current = is_current(engine)
        except Exception as exc:
            return JSONResponse(
                {"status": "unavailable", "detail": f"database unreachable: {exc}"},
                status_code=503,
            )
        if not current:
            return JSONResponse(
                {
                    "status": "unavailable",
                    "detail": "database schema is not current; "
                    "run 'scimlink db upgrade'",
                },
                status_code=503,
            )
        return JSONResponse({"status": "ready"})

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
