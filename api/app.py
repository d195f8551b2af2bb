"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from api.core.settings import Settings, get_settings
from api.errors import install_handlers
from api.routers import citations, health
from api.services import Services


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app with its routers and the shared services."""
    settings = settings or get_settings()
    app = FastAPI(title="enforcement helper (执法助手)", version="0.1.0",
                  description="Offline, verifiable statute lookup, citation checking and enforcement drafting.")
    app.state.services = Services(settings)
    install_handlers(app)
    app.include_router(health.router)
    app.include_router(citations.router)
    return app
