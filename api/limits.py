"""Per-request deadline, the bounded request pool, the stuck-request watchdog and the supervised ``serve``.

CPU-heavy work (retrieval, analysis, extraction, verification, rendering) runs in a thread of the request pool
(``EH_REQUEST_THREADS``), awaited under the deadline ``EH_REQUEST_TIMEOUT_S`` counted from the request's arrival.
Past it the caller gets 503 ``request_timeout`` and the slot is given back at once; the thread cannot be killed,
so it is abandoned and tracked. A watchdog thread reports any computation running ``STUCK_FACTOR`` times past the
deadline: ``/readyz`` turns 503, the log says which route, and with ``EH_EXIT_WHEN_STUCK`` (set by ``serve``) the
worker shuts down so that its supervisor starts a fresh one.

Long bodies (``EH_HEAVY_REQUEST_BYTES``: 20,000-character texts, batches) run in a lane of their own: as many
threads as request slots less one, at a lower CPU priority (``EH_HEAVY_NICE``), and while one runs the interpreter
hands the GIL round every ``EH_HEAVY_SWITCH_INTERVAL_MS`` instead of every 5 ms. A long text holds the GIL in
spaCy, regex and cue-table code for up to seconds; short requests of the same worker then still get the cores and
the interpreter first (scripts/load_test.py ``--hostile``). The lane is slower under load, never refused.

Code that holds the GIL in C (a backtracking regular expression) freezes the whole interpreter: then neither the
deadline nor the watchdog can run. ``serve`` always runs uvicorn's multiprocess supervisor, even for one worker,
whose health check (a ping answered by a thread of the worker, every half second, ``timeout_worker_healthcheck``
5 s) kills and replaces such a frozen worker.
"""

from __future__ import annotations

import asyncio
import contextvars
import itertools
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
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
        heavy_bytes: Requests with a larger body (``EH_HEAVY_REQUEST_BYTES``: 20,000-character texts, batches) run in
            the heavy lane (``max(1, threads - 1)`` threads of their own), so they never take a request slot.
        heavy_nice: How much lower the heavy lane's CPU priority is (Linux thread niceness, ``EH_HEAVY_NICE``).
        heavy_switch_interval_s: ``sys.setswitchinterval`` while a heavy computation runs (None: left alone).
    """

    def __init__(self, threads: int, timeout_s: float, exit_when_stuck: bool = False,
                 heavy_bytes: int | None = None, heavy_nice: int = 0,
                 heavy_switch_interval_s: float | None = None) -> None:
        self.threads, self.timeout_s, self.exit_when_stuck = threads, timeout_s, exit_when_stuck
        self.heavy_bytes = heavy_bytes
        self.heavy_lane: HeavyLane | None = None
        self._heavy_config = (max(1, threads - 1), heavy_nice, heavy_switch_interval_s)
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
        self.heavy = anyio.CapacityLimiter(self._heavy_config[0]) if self.heavy_bytes else None
        if self.heavy_bytes and self.heavy_lane is None:
            self.heavy_lane = HeavyLane(*self._heavy_config)
        self._stop = threading.Event()  # one per start: a watchdog of an earlier lifespan cannot be revived
        self._watchdog = threading.Thread(target=self._watch, args=(self._stop,), name="eh-watchdog", daemon=True)
        self._watchdog.start()

    def stop(self) -> None:
        """Stop the watchdog and the heavy lane (computations still running are left to finish)."""
        self._stop.set()
        if self.heavy_lane is not None:
            self.heavy_lane.stop()
            self.heavy_lane = None

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
            if heavy and self.heavy is not None and self.heavy_lane is not None:
                async with self.heavy:
                    return await self.heavy_lane.run(self._tracked, fn, args, route)
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


class HeavyLane:
    """Daemon threads at a lower CPU priority that run the long requests, one computation each at a time.

    Args:
        threads: Threads of the lane (the heavy limiter admits as many computations).
        nice: Added to each thread's niceness once at its start (Linux sets it per thread; an unprivileged process
            cannot raise it back, hence threads of their own rather than the request pool's).
        switch_interval_s: The interpreter's switch interval while at least one heavy computation runs; the
            default 5 ms lets a long text keep the GIL that long each time a short request asks for it.

    Work the caller stopped waiting for (its deadline passed) before a thread took it up is dropped; work already
    running is abandoned, as in the request pool, and keeps its thread until it ends.
    """

    def __init__(self, threads: int, nice: int = 0, switch_interval_s: float | None = None) -> None:
        self.nice, self.switch_interval_s = nice, switch_interval_s
        self._queue: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._active = 0
        self._saved_interval = sys.getswitchinterval()
        self._threads = [threading.Thread(target=self._work, name=f"eh-heavy-{i}", daemon=True)
                         for i in range(threads)]
        for t in self._threads:
            t.start()

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on a lane thread (with the caller's context variables: the request id in the log)."""
        future: Future[T] = Future()
        ctx = contextvars.copy_context()
        self._queue.put((future, lambda: ctx.run(fn, *args)))
        # Cancelling the await (the deadline) cancels the future; a thread then skips it if it has not started.
        return await asyncio.wrap_future(future)

    def stop(self) -> None:
        """Let the threads end once the work they hold is done."""
        for _ in self._threads:
            self._queue.put(None)

    def _work(self) -> None:
        _lower_priority(self.nice)
        while (item := self._queue.get()) is not None:
            future, call = item
            if not future.set_running_or_notify_cancel():
                continue
            self._enter()
            try:
                result, error = call(), None
            except BaseException as exc:  # noqa: BLE001 - handed to the awaiting request, as a thread pool does
                result, error = None, exc
            finally:
                self._leave()  # before the answer is out: the caller's next request must find the usual interval
            if error is None:
                future.set_result(result)
            else:
                future.set_exception(error)

    def _enter(self) -> None:
        if self.switch_interval_s is None:
            return
        with self._lock:
            if self._active == 0:
                self._saved_interval = sys.getswitchinterval()
                sys.setswitchinterval(self.switch_interval_s)
            self._active += 1

    def _leave(self) -> None:
        if self.switch_interval_s is None:
            return
        with self._lock:
            self._active -= 1
            if self._active == 0:
                sys.setswitchinterval(self._saved_interval)


def _lower_priority(nice: int) -> None:
    """Raise this thread's niceness by ``nice`` (Linux: per thread); elsewhere, or when refused, leave it."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except OSError as exc:
        log.warning("heavy_lane_priority_unchanged", error=str(exc))


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
        err = exc  # the name ``exc`` is unbound when the except block ends; ``record`` must not depend on it

        def record() -> None:
            for payload in payloads:
                audit(action, payload, err.to_dict(), status=err.status)

        await blocking(record)
        raise
