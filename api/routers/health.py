"""Liveness and readiness.

Both are ``async`` and take no threaded dependency: they answer on the event loop, never queued behind requests
in the bounded request pool, so a busy worker still tells its load balancer it is alive.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.errors import ErrorResponse, redact_paths

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready once the store and the index are loaded (start-up finished) and no request is stuck."""
    svc = request.app.state.services
    if not getattr(request.app.state, "ready", False):
        missing = ["start-up has not finished loading the store and the index"]
    else:
        missing = list(getattr(svc, "not_ready", []))
    pool = getattr(request.app.state, "pool", None)
    if pool is not None:
        missing += pool.stuck()
    if missing:
        reasons = [redact_paths(m) for m in missing]  # say what is missing, not where the server keeps it
        return ErrorResponse({"error": {"code": "not_ready", "message": "; ".join(reasons), "field": None},
                              "status": "not_ready", "reasons": reasons}, status_code=503)
    return JSONResponse({"status": "ready", "corpus_version": svc.corpus_version(),
                         "index_version": svc.index_version()})
