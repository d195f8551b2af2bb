"""The FastAPI application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from api import observability
from api.core.settings import Settings, get_settings
from api.deps import apply_startup_policy
from api.errors import document_errors, install_handlers
from api.limits import RequestPool
from api.routers import citations, documents, extract, health, search, web
from api.services import Services


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app with its routers and the shared services."""
    settings = settings or get_settings()
    observability.configure_logging(settings.log_json)
    services = Services(settings)
    pool = RequestPool(settings.request_threads, settings.request_timeout_s, settings.exit_when_stuck,
                       settings.heavy_request_bytes, settings.heavy_nice,
                       settings.heavy_switch_interval_ms / 1000 or None)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Requests are CPU-bound: a few threads per worker keep the cores busy, while the default 40 would
        # interleave every waiting request on the GIL and slow them all (scripts/load_test.py). The computations
        # run in the request pool (api.limits); the default pool serves the short blocking calls around them.
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        pool.start()
        services.warm_up()
        # No key unless `serve --dev` (then an officer key, never printed); a start without it revokes stored ones.
        apply_startup_policy(settings, services.db)
        if settings.gc_freeze:
            # Collect the start-up garbage, then freeze what is left: full collections no longer walk the loaded
            # index and store (1.2 s with the GIL held, every few long requests), only what requests made.
            gc.collect()
            gc.freeze()
        app.state.ready = True
        try:
            yield
        finally:
            pool.stop()
            if settings.gc_freeze:
                gc.unfreeze()  # an app stopped in a longer-lived process (tests) can then be collected

    # No Swagger UI or ReDoc: both load scripts from a CDN. /docs is a local page over /openapi.json (routers.web).
    app = FastAPI(title="enforcement helper (执法助手)", version="0.1.0", lifespan=lifespan, docs_url=None,
                  redoc_url=None,
                  description="Offline, verifiable statute lookup, citation checking and enforcement drafting.")
    app.state.services = services
    app.state.pool = pool
    app.state.ready = False
    install_handlers(app)
    document_errors(app)
    observability.install(app, settings.max_body_bytes, settings.allowed_host_list)
    app.include_router(health.router)
    app.include_router(citations.router)
    app.include_router(documents.router)
    app.include_router(extract.router)
    app.include_router(search.router)
    app.include_router(web.router)
    return app
