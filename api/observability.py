"""Request ids, structured logs, Prometheus metrics and the body-size limit."""

from __future__ import annotations

import logging
import time
import uuid

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest

REQUESTS = Counter("eh_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("eh_request_seconds", "HTTP request latency", ["route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.08, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5))


def configure_logging(json_logs: bool = True) -> None:
    """structlog to stderr, one JSON object per event."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.JSONRenderer(ensure_ascii=False) if json_logs else structlog.dev.ConsoleRenderer(),
        ],
        logger_factory=structlog.PrintLoggerFactory(),
        cache_logger_on_first_use=True,
    )


log = structlog.get_logger("enforcement_helper")


def install(app: FastAPI, max_body_bytes: int) -> None:
    """Add the middleware and the /metrics route."""

    @app.middleware("http")
    async def _observe(request: Request, call_next) -> Response:  # noqa: ANN001
        rid = request.headers.get("x-request-id") or uuid.uuid4().hex
        request.state.request_id = rid
        structlog.contextvars.bind_contextvars(request_id=rid)
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > max_body_bytes:
            resp: Response = JSONResponse(
                {"error": {"code": "payload_too_large",
                           "message": f"request body of {length} bytes exceeds the limit of {max_body_bytes}",
                           "field": None}}, status_code=413)
        else:
            t = time.perf_counter()
            resp = await call_next(request)
            route = request.scope.get("route")
            path = getattr(route, "path", "unmatched")
            LATENCY.labels(path).observe(time.perf_counter() - t)
            REQUESTS.labels(request.method, path, str(resp.status_code)).inc()
            log.info("request", method=request.method, path=path, status=resp.status_code,
                     ms=round((time.perf_counter() - t) * 1000, 1))
        resp.headers["X-Request-ID"] = rid
        structlog.contextvars.clear_contextvars()
        return resp

    @app.get("/metrics", include_in_schema=False)
    def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
