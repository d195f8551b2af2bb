"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from api.deps import get_services
from api.services import Services

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request, svc: Services = Depends(get_services)) -> JSONResponse:
    """Ready only once the store and the index are loaded (start-up finished)."""
    if not getattr(request.app.state, "ready", False):
        missing = ["start-up has not finished loading the store and the index"]
    else:
        missing = getattr(svc, "not_ready", [])
    if missing:
        return JSONResponse({"error": {"code": "not_ready", "message": "; ".join(missing), "field": None},
                             "status": "not_ready", "reasons": missing}, status_code=503)
    return JSONResponse({"status": "ready", "corpus_version": svc.corpus_version(),
                         "index_version": svc.index_version()})
