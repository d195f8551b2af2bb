"""Request ids, structured logs, Prometheus metrics and the body-size limit."""

from __future__ import annotations

import logging
import os
import re
import time
import uuid

import structlog
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    values,
)
from starlette.middleware.trustedhost import TrustedHostMiddleware

from api.errors import error_response

# Counters and histograms need nothing more for multiprocess mode (``serve --workers N``). A Gauge would need a
# ``multiprocess_mode``, and a live one ``mark_process_dead``, which uvicorn gives no hook for: add neither lightly.
REQUESTS = Counter("eh_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("eh_request_seconds", "HTTP request latency", ["route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.08, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5))


def metrics_registry() -> CollectorRegistry:
    """The registry ``/metrics`` exposes: every worker's metrics when in multiprocess mode, else this process's.

    Multiprocess mode is on when ``PROMETHEUS_MULTIPROC_DIR`` is set (``serve --workers N`` sets it); the
    collector then sums the per-process files in that directory, so any worker answers for all of them.
    """
    # prometheus_client picks where values live when it is imported: if the variable was set later in this
    # process, the metrics are still in memory and the (empty) files would hide them.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR") and getattr(values.ValueClass, "_multiprocess", True):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


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

# A caller's X-Request-ID is kept only when it is a sane token; anything else gets a fresh id.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id(header: str | None) -> str:
    """The caller's request id when it is a sane token (≤128 of ``A-Za-z0-9._:-``), else a new one."""
    return header if header and REQUEST_ID.fullmatch(header) else uuid.uuid4().hex


def too_large(size: str | int, limit: int) -> JSONResponse:
    """The one error body for an oversized request (413)."""
    return JSONResponse({"error": {"code": "payload_too_large",
                                   "message": f"请求体共 {size} 字节，超过上限 {limit} 字节",
                                   "field": None}}, status_code=413)


class BodyLimit:
    """ASGI middleware: count the bytes actually received (chunked bodies too) and answer 413 over the limit.

    The body is read up to the limit before the app sees it, then replayed; an oversized body never
    reaches a handler, whatever Content-Length said.
    """

    def __init__(self, app, max_body_bytes: int) -> None:  # noqa: ANN001
        self.app, self.limit = app, max_body_bytes

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length", b"").decode("latin-1")
        if length.isdigit() and int(length) > self.limit:
            await too_large(length, self.limit)(scope, receive, send)
            return
        chunks: list[bytes] = []
        size, first = 0, None
        while first is None:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: the app sees that
                first = message
                break
            size += len(message.get("body", b""))
            if size > self.limit:
                await too_large(f"more than {self.limit}", self.limit)(scope, receive, send)
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                first = {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        async def replay():  # noqa: ANN202
            nonlocal first
            if first is not None:
                message, first = first, None
                return message
            return await receive()

        await self.app(scope, replay, send)


class Observe:
    """ASGI middleware: request id (kept from a sane X-Request-ID, else new; echoed back), one structured log line,
    Prometheus counts and latency per route. Plain ASGI rather than ``@app.middleware("http")``, whose
    streaming wrapper cost more per request than the audit write."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"x-request-id")
        rid = request_id(header.decode("latin-1") if header else None)
        state = scope.setdefault("state", {})
        state["request_id"] = rid  # request.state.request_id for handlers and the audit
        state["started"] = time.monotonic()  # the per-request deadline counts from here (api.limits)
        structlog.contextvars.bind_contextvars(request_id=rid)
        t = time.perf_counter()
        status = 500

        async def send_with_id(message) -> None:  # noqa: ANN001
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            LATENCY.labels(path).observe(time.perf_counter() - t)
            REQUESTS.labels(scope.get("method", "-"), path, str(status)).inc()
            log.info("request", method=scope.get("method"), path=path, status=status,
                     ms=round((time.perf_counter() - t) * 1000, 1))
            structlog.contextvars.clear_contextvars()


# Probes and scrapes address a replica by IP or pod name; they reveal nothing a rebinding page could use.
HOST_EXEMPT = frozenset({"/healthz", "/readyz", "/metrics"})


class HostGuard:
    """ASGI middleware: Starlette's ``TrustedHostMiddleware`` (``EH_ALLOWED_HOSTS``), answering with the one error
    body. A page on another site that rebinds its DNS name to this host still sends its own name as Host, so it
    gets 400 instead of the API (DNS rebinding)."""

    def __init__(self, app, allowed_hosts: list[str]) -> None:  # noqa: ANN001
        self.app = app
        self.check = TrustedHostMiddleware(self._allowed, allowed_hosts=allowed_hosts, www_redirect=False)

    async def _allowed(self, scope, receive, send) -> None:  # noqa: ANN001
        scope["eh.host_ok"] = True
        await self.app(scope, receive, send)

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http" or self.check.allow_any or scope["path"] in HOST_EXEMPT:
            await self.app(scope, receive, send)
            return

        async def refuse(message) -> None:  # noqa: ANN001
            if scope.get("eh.host_ok"):  # the app's own answer
                await send(message)
            elif message["type"] == "http.response.start":  # Starlette's plain-text refusal, in the one error body
                await error_response("invalid_host", "不允许的 Host 请求头（见 EH_ALLOWED_HOSTS）", 400,
                                     "Host")(scope, receive, send)

        await self.check(scope, receive, refuse)


def install(app: FastAPI, max_body_bytes: int, allowed_hosts: list[str] | None = None) -> None:
    """Add the middleware and the /metrics route."""
    app.add_middleware(BodyLimit, max_body_bytes=max_body_bytes)  # inner: the 413 still gets a request id
    app.add_middleware(HostGuard, allowed_hosts=allowed_hosts or ["*"])  # before the body is read
    app.add_middleware(Observe)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        # async: answered on the event loop, never queued behind requests in the thread pools
        return Response(generate_latest(metrics_registry()), media_type=CONTENT_TYPE_LATEST)
