"""FastAPI dependencies."""

from __future__ import annotations

from fastapi import Request

from api.services import Services


def get_services(request: Request) -> Services:
    """The process-wide services, created at start-up."""
    return request.app.state.services
