"""Per-request deadline, the bounded request pool, the stuck-request watchdog and the supervised ``serve``.

CPU-heavy work (retrieval, analysis, extraction, verification, rendering) runs in a thread of the request pool
(``EH_REQUEST_THREADS``), awaited under the deadline ``EH_REQUEST_TIMEOUT_S`` counted from the request's arrival.
Past it the caller gets 503 ``request_timeout`` and the slot is given back at once; the thread cannot be killed,
so it is abandoned and tracked. A watchdog thread reports any computation running ``STUCK_FACTOR`` times past the
deadline: ``/readyz`` turns 503, the log says which route, and with ``EH_EXIT_WHEN_STUCK`` (set by ``serve``) the
worker shuts down so that its supervisor starts a fresh one.

Code that holds the GIL in C (a backtracking regular expression) freezes the whole interpreter: then neither the
deadline nor the watchdog can run. ``serve`` always runs uvicorn's multiprocess supervisor, even for one worker,
whose health check (a ping answered by a thread of the worker, every half second, ``timeout_worker_healthcheck``
5 s) kills and replaces such a frozen worker.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request

from api.errors import RequestTimeout
from api.observability import log

T = TypeVar("T")

STUCK_FACTOR = 3  # a computation this many deadlines old is stuck: the worker is replaced
EXIT_GRACE_S = 5.0  # after the graceful SIGTERM, the time other requests get before the process exits hard


class RequestPool:
    """The bounded pool CPU-heavy work runs in, under the per-request deadline, and its watchdog.

    Args:
        threads: Computations at once (``EH_REQUEST_THREADS``); the rest wait, inside their deadline.
        timeout_s: The per-request deadline (``EH_REQUEST_TIMEOUT_S``).
        exit_when_stuck: Shut the process down when a computation is stuck (only under a supervisor).
        heavy_bytes: Requests with a larger body (``EH_HEAVY_REQUEST_BYTES``: 20,000-character texts, batches) take
            one slot at most between them, so they can never hold every slot while short requests queue.
    """

    def __init__(self, threads: int, timeout_s: float, exit_when_stuck: bool = False,
                 heavy_bytes: int | None = None) -> None:
        self.threads, self.timeout_s, self.exit_when_stuck = threads, timeout_s, exit_when_stuck
        self.heavy_bytes = heavy_bytes
        self.stuck_after_s = STUCK_FACTOR * timeout_s
        self.limiter: anyio.CapacityLimiter | None = None
        self.heavy: anyio.CapacityLimiter | None = None
        self.running: dict[int, tuple[float, str]] = {}  # id -> (monotonic start, route); GIL-atomic dict ops
        self._ids = itertools.count()
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._exiting = False

    # ---- lifecycle (the app's lifespan) -------------------------------------------------------------------------
    def start(self) -> None:
        """Create the limiter in the serving event loop and start the watchdog."""
        self.limiter = anyio.CapacityLimiter(self.threads)
        self.heavy = anyio.CapacityLimiter(max(1, self.threads - 1)) if self.heavy_bytes else None
        self._stop = threading.Event()  # one per start: a watchdog of an earlier lifespan cannot be revived
        self._watchdog = threading.Thread(target=self._watch, args=(self._stop,), name="eh-watchdog", daemon=True)
        self._watchdog.start()

    def stop(self) -> None:
        """Stop the watchdog (computations still running are left to finish)."""
        self._stop.set()

    # ---- running work -------------------------------------------------------------------------------------------
    async def run(self, request: Request, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the request pool, or :class:`RequestTimeout` once the request's deadline has passed.

        The deadline counts from the request's arrival (``Observe`` stamps it), so time spent waiting for a slot
        counts too: the caller hears back within the timeout whatever the load.
        """
        started = getattr(request.state, "started", None) or time.monotonic()
        remaining = self.timeout_s - (time.monotonic() - started)
        route = getattr(request.scope.get("route"), "path", request.url.path)
        heavy = self.heavy is not None and _body_bytes(request) > (self.heavy_bytes or 0)
        with anyio.move_on_after(max(remaining, 0.0)):
            # abandon_on_cancel: at the deadline the await returns (and the slot is released) while the thread
            # runs on; the watchdog sees it through ``running`` until it ends.
            if heavy and self.heavy is not None:
                async with self.heavy:
                    return await anyio.to_thread.run_sync(self._tracked, fn, args, route, abandon_on_cancel=True,
                                                          limiter=self.limiter)
            return await anyio.to_thread.run_sync(self._tracked, fn, args, route, abandon_on_cancel=True,
                                                  limiter=self.limiter)
        log.warning("request_timeout", route=route, timeout_s=self.timeout_s)
        raise RequestTimeout(self.timeout_s)

    def _tracked(self, fn: Callable[..., T], args: tuple, route: str) -> T:
        key = next(self._ids)
        self.running[key] = (time.monotonic(), route)
        try:
            return fn(*args)
        finally:
            self.running.pop(key, None)

    # ---- watchdog -----------------------------------------------------------------------------------------------
    def stuck(self) -> list[str]:
        """Computations running longer than ``STUCK_FACTOR`` deadlines, described for ``/readyz``."""
        now = time.monotonic()
        return [f"一个 {route} 请求已计算 {now - t0:.0f} 秒仍未完成，已卡住（时限 {self.timeout_s:g} 秒）"
                for t0, route in list(self.running.values()) if now - t0 > self.stuck_after_s]

    def _watch(self, stop: threading.Event) -> None:
        interval = min(1.0, self.stuck_after_s / 4)
        reported = False
        while not stop.wait(interval):
            stuck = self.stuck()
            if not stuck:
                reported = False
                continue
            if not reported:
                log.error("request_stuck", reasons=stuck, exit=self.exit_when_stuck, pid=os.getpid())
                reported = True
            if self.exit_when_stuck and not self._exiting:
                self._exiting = True
                terminate_worker()


def _body_bytes(request: Request) -> int:
    """The request body's declared size (0 when not declared)."""
    try:
        return int(request.headers.get("content-length") or 0)
    except ValueError:
        return 0


def terminate_worker(grace_s: float = EXIT_GRACE_S) -> None:
    """End this worker so its supervisor starts a fresh one.

    SIGTERM first: uvicorn stops accepting and lets the other requests finish (each within its deadline). A stuck
    thread would then keep the interpreter from exiting (worker threads are joined at exit), so after ``grace_s``
    the process leaves without waiting for it.
    """
    print(f"enforcement helper: a request is stuck; worker {os.getpid()} exits to be replaced", file=sys.stderr,
          flush=True)
    timer = threading.Timer(grace_s, os._exit, args=(70,))  # 70: EX_SOFTWARE
    timer.daemon = True
    timer.start()
    os.kill(os.getpid(), signal.SIGTERM)


def serve_supervised(app: str, *, host: str, port: int, workers: int) -> None:
    """Run ``app`` (an import string of a factory) under uvicorn's multiprocess supervisor, even for one worker.

    ``uvicorn.run`` serves a single worker in this very process, with nobody to restart it when it hangs or exits;
    under the supervisor every worker is a child that is health-checked and replaced when it dies or stops
    answering. Workers inherit ``EH_EXIT_WHEN_STUCK=1``, so a worker with a stuck request exits to be replaced.
    """
    from uvicorn import Config
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors import Multiprocess

    os.environ.setdefault("EH_EXIT_WHEN_STUCK", "1")
    config = Config(app, factory=True, host=host, port=port, workers=max(1, workers))
    sock = config.bind_socket()
    supervisor = Multiprocess(config, sockets=[sock])
    try:
        supervisor.run()
    finally:
        sock.close()
    if any(p.exitcode == STARTUP_FAILURE for p in supervisor.processes):
        sys.exit(STARTUP_FAILURE)  # as uvicorn.run does: a broken start-up is an error, not a clean stop


async def compute(request: Request, fn: Callable[..., T], *args: Any) -> T:
    """Run CPU-heavy ``fn(*args)`` for ``request`` in the app's request pool, under the request's deadline."""
    return await request.app.state.pool.run(request, fn, *args)


async def blocking(fn: Callable[..., T], *args: Any) -> T:
    """Short blocking I/O (an audit write, a key lookup) off the event loop, outside the request pool."""
    return await anyio.to_thread.run_sync(fn, *args)


async def compute_audited(request: Request, audit: Callable[..., None], action: str, payloads: list[Any],
                          fn: Callable[..., T], *args: Any) -> T:
    """:func:`compute`, auditing a request abandoned at its deadline (one record per payload, status 503).

    The answer of a computation is audited by the caller once it returns; one abandoned here is audited now, since
    the thread that may still finish it no longer answers anybody.
    """
    try:
        return await compute(request, fn, *args)
    except RequestTimeout as exc:
        def record() -> None:
            for payload in payloads:
                audit(action, payload, exc.to_dict(), status=exc.status)

        await blocking(record)
        raise
