"""Run the archive audit: resumable, on a process pool sized to the cores, or as Ray tasks over a cluster.

Each decision's result is appended once to ``<out>/results.jsonl`` (flushed per batch); a rerun over the same output
folder skips every id whose record is unchanged, so an interrupted run resumes where it stopped. Work goes out in
fixed batches of consecutive decisions, the same batches locally and on Ray (retrieval queries are encoded per batch),
so both give identical results. Each pool worker, and each Ray worker process, loads the store and the index once
(from the paths in :class:`AuditConfig`) and keeps them for every batch it gets.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.archive.checks import AuditConfig, Auditor
from analysis.archive.readers import Decision, ReadReport, read_archive
from nlp.errors import EHError

RESULTS = "results.jsonl"
_ID_RE = re.compile(rb'\{"id": ("(?:[^"\\]|\\.)*")')
BATCH = 16

_AUDITOR: Auditor | None = None  # one per process: the pool initializer or the first Ray task loads it


class AuditRunError(EHError, RuntimeError):
    """The run could not start or finish (no index, Ray unreachable …)."""

    code = "audit_failed"

    def __init__(self, message: str, code: str = "audit_failed") -> None:
        super().__init__(message, code=code)


@dataclass
class RunSummary:
    """What a run did."""

    out_dir: str
    read: dict[str, Any]
    decisions: int
    already_done: int
    audited: int
    seconds: float
    mode: str
    workers: int
    files: dict[str, str] = field(default_factory=dict)
    interrupted: bool = False

    @property
    def rate(self) -> float:
        """Decisions audited per second in this run (loading included)."""
        return self.audited / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict."""
        return {**self.__dict__, "rate": round(self.rate, 2)}


# ---------------------------------------------------------------------------------------------------- workers
def _init_worker(cfg: AuditConfig) -> None:
    """Pool initializer: BLAS/OpenMP to one thread (the pool owns the cores), then store and index once."""
    global _AUDITOR
    from nlp.encoders import limit_blas_threads

    limit_blas_threads(cfg.encoder_threads)
    _AUDITOR = Auditor.from_config(cfg)


def _audit_batch(batch: list[Decision]) -> list[dict[str, Any]]:
    assert _AUDITOR is not None, "worker not initialised"
    return _AUDITOR.audit_batch(batch)


def _ray_audit_batch(cfg: AuditConfig, batch: list[Decision]) -> list[dict[str, Any]]:
    """A Ray task: the worker process's auditor is loaded by its first task and reused by the next ones."""
    if _AUDITOR is None:
        _init_worker(cfg)
    return _audit_batch(batch)


# ---------------------------------------------------------------------------------------------------- results
def load_results(path: Path) -> dict[str, dict[str, Any]]:
    """Results by id, the last line of an id winning; a torn last line (a killed run) is cut off the file."""
    out: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return out
    good = 0
    with path.open("rb") as fh:
        for raw in fh:
            try:
                rec = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                break
            if not raw.endswith(b"\n"):
                break
            out[rec["id"]] = rec
            good += len(raw)
    if good < path.stat().st_size:
        with path.open("r+b") as fh:
            fh.truncate(good)
    return out


def result_offsets(path: Path) -> dict[str, int]:
    """Byte offset of the last line of each id in the results file (which :func:`load_results` has made whole)."""
    out: dict[str, int] = {}
    if not path.exists():
        return out
    pos = 0
    with path.open("rb") as fh:
        for raw in fh:
            m = _ID_RE.match(raw)  # results are written with the id first: no need to parse the whole line
            out[json.loads(m.group(1)) if m else json.loads(raw)["id"]] = pos
            pos += len(raw)
    return out


def _batches(items: list[Decision], size: int) -> Iterator[list[Decision]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _append(fh: Any, results: list[dict[str, Any]]) -> None:
    for r in results:
        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    fh.flush()


def _run_local(todo: list[Decision], cfg: AuditConfig, workers: int, batch: int, fh: Any,
               tick: Callable[[int], None]) -> None:
    if workers <= 1:
        _init_worker(cfg)
        for b in _batches(todo, batch):
            _append(fh, _audit_batch(b))
            tick(len(b))
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(cfg,)) as pool:
        pending: set[Future[list[dict[str, Any]]]] = set()
        it = _batches(todo, batch)

        def drain_one() -> None:
            nonlocal pending
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for f in done:
                res = f.result()
                _append(fh, res)
                tick(len(res))

        try:
            for b in it:  # keep a few batches per worker in flight, not the whole archive
                pending.add(pool.submit(_audit_batch, b))
                if len(pending) >= workers * 3:
                    drain_one()
            while pending:
                drain_one()
        except BaseException:
            for f in pending:
                f.cancel()
            raise


def _run_ray(todo: list[Decision], cfg: AuditConfig, address: str, batch: int, fh: Any,
             tick: Callable[[int], None]) -> int:
    """Batches as Ray tasks; the driver appends results to the output folder as tasks finish."""
    try:
        import ray
    except ImportError:  # pragma: no cover - ray is a declared dependency
        raise AuditRunError("未安装 ray：pip install ray", "ray_missing") from None
    started = False
    if not ray.is_initialized():
        try:
            if address in ("local", "auto-local"):
                ray.init(include_dashboard=False, log_to_driver=False)
            else:
                ray.init(address=address, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise AuditRunError(f"无法连接 Ray 集群 {address}：{exc}", "ray_unreachable") from None
        started = True
    try:
        task = ray.remote(num_cpus=1, max_retries=2)(_ray_audit_batch)
        cfg_ref = ray.put(cfg)
        # Ray leaves cluster_resources unannotated (it returns a dict of resource name → amount).
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))  # type: ignore[no-untyped-call]
        pending: list[Any] = []
        for b in _batches(todo, batch):
            pending.append(task.remote(cfg_ref, b))
            if len(pending) >= cpus * 3:
                done, pending = ray.wait(pending, num_returns=1)
                for res in ray.get(done):
                    _append(fh, res)
                    tick(len(res))
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for res in ray.get(done):
                _append(fh, res)
                tick(len(res))
        return cpus
    finally:
        if started:
            ray.shutdown()


# ---------------------------------------------------------------------------------------------------- entry
def run_audit(archive: Path | ReadReport, out_dir: Path, cfg: AuditConfig, *, workers: int | None = None,
              ray_address: str | None = None, batch: int = BATCH, progress: bool = True,
              write: bool = True) -> RunSummary:
    """Read, audit what is not done yet, then compute the statistics and write the report.

    Args:
        archive: The archive file (or what :func:`read_archive` made of it).
        out_dir: Output folder: ``results.jsonl`` (the resume unit), ``report.html``, ``findings.jsonl``,
            ``summary.csv``, ``groups.csv``, ``stats.json``.
        cfg: Paths of the store, index and model for the workers.
        workers: Local processes (default: one per core); ignored with ``ray_address``.
        ray_address: A Ray cluster (``ray://head:10001``, ``auto``, or ``local`` for an in-process runtime).
        batch: Decisions per task.
        progress: Show a progress bar on stderr.
        write: Write the report files (tests of the results alone may skip it).
    """
    t0 = time.perf_counter()
    read = archive if isinstance(archive, ReadReport) else read_archive(Path(archive))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / RESULTS
    done = load_results(path)
    todo = [d for d in read.decisions if (done.get(d.id) or {}).get("input_hash") != d.fingerprint()]
    workers = workers or min(os.cpu_count() or 1, max(1, (len(todo) + batch - 1) // batch))
    mode = f"ray:{ray_address}" if ray_address else ("local" if workers <= 1 else f"pool:{workers}")
    bar = None
    if progress and todo:
        from tqdm import tqdm

        bar = tqdm(total=len(todo), desc="audit", unit=" 件", file=sys.stderr, smoothing=0.1)

    def tick(n: int) -> None:
        if bar is not None:
            bar.update(n)

    interrupted = False
    used = workers
    try:
        if todo:
            with path.open("a", encoding="utf-8") as fh:
                if ray_address:
                    used = _run_ray(todo, cfg, ray_address, batch, fh, tick)
                else:
                    _run_local(todo, cfg, workers, batch, fh, tick)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if bar is not None:
            bar.close()
    summary = RunSummary(str(out_dir), read.summary(), len(read.decisions), len(read.decisions) - len(todo),
                         len(todo), time.perf_counter() - t0, mode, used, interrupted=interrupted)
    if interrupted:
        return summary
    if write:
        from analysis.archive.report import write_report

        offsets = result_offsets(path)
        ids = [d.id for d in read.decisions if d.id in offsets]

        def results() -> Iterator[dict[str, Any]]:
            # the input's order, the last line of each id, read one at a time
            with path.open("rb") as fh:
                for rid in ids:
                    fh.seek(offsets[rid])
                    yield json.loads(fh.readline())

        summary.files = write_report(out_dir, results, read)
    summary.seconds = time.perf_counter() - t0
    return summary
