"""The FastAPI application factory."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from api import observability
from api.core.settings import Settings, get_settings
from api.errors import document_errors, install_handlers
from api.routers import citations, documents, extract, health, search, web
from api.services import Services


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app with its routers and the shared services."""
    settings = settings or get_settings()
    observability.configure_logging(settings.log_json)
    services = Services(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Requests are CPU-bound: a few threads per worker keep the cores busy, while the default 40 would
        # interleave every waiting request on the GIL and slow them all (scripts/load_test.py).
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        services.warm_up()
        revoked = services.db.set_dev_key(settings.dev_api_key or None)
        if revoked and not settings.dev_api_key:
            print(f"development API key disabled: {revoked} stored development key(s) revoked",
                  file=sys.stderr, flush=True)
        if settings.dev_api_key:
            print("\n" + "!" * 78 + f"\n!! DEVELOPMENT API KEY ACTIVE: X-API-Key: {settings.dev_api_key} (role admin)\n"
                  "!! Anyone who knows it can draft documents. Set EH_DEV_API_KEY= (empty) in production.\n"
                  + "!" * 78 + "\n", file=sys.stderr, flush=True)
        app.state.ready = True
        yield

    app = FastAPI(title="enforcement helper (执法助手)", version="0.1.0", lifespan=lifespan,
                  description="Offline, verifiable statute lookup, citation checking and enforcement drafting.")
    app.state.services = services
    app.state.ready = False
    install_handlers(app)
    document_errors(app)
    observability.install(app, settings.max_body_bytes)
    app.include_router(health.router)
    app.include_router(citations.router)
    app.include_router(documents.router)
    app.include_router(extract.router)
    app.include_router(search.router)
    app.include_router(web.router)
    return app
