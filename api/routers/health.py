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
    """Ready once the store and the index are loaded (start-up finished) and no request is stuck.

    A missing or stale artefact answers 503 ``not_built`` with the reasons; serving never builds one.
    """
    svc = request.app.state.services
    not_built: list[str] = []
    if not getattr(request.app.state, "ready", False):
        missing = ["start-up has not finished loading the store and the index"]
    else:
        not_built = list(getattr(svc, "not_ready", []))  # artefacts missing or stale: only the build makes them
        missing = list(not_built)
    pool = getattr(request.app.state, "pool", None)
    if pool is not None:
        missing += pool.stuck()
    if missing:
        reasons = [redact_paths(m) for m in missing]  # say what is missing, not where the server keeps it
        code = "not_built" if not_built else "not_ready"
        return ErrorResponse({"error": {"code": code, "message": "服务尚未就绪：" + "；".join(reasons), "field": None},
                              "status": "not_ready", "reasons": reasons}, status_code=503)
    return JSONResponse({"status": "ready", "corpus_version": svc.corpus_version(),
                         "index_version": svc.index_version()})
