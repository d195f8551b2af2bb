"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import get_services
from api.services import Services

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(svc: Services = Depends(get_services)) -> dict:
    """Ready once the statute store is open."""
    return {"status": "ready", "corpus_version": svc.store.corpus_version()}
