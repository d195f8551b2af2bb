"""``/metrics`` under ``serve --workers N``: one scrape counts the requests of every worker (multiprocess mode)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from api.cli import prometheus_multiproc_dir


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthz_count(metrics_text: str) -> float:
    """The summed ``eh_requests_total`` of route /healthz (every method and status) in an exposition."""
    return sum(s.value for fam in text_string_to_metric_families(metrics_text) for s in fam.samples
               if s.name == "eh_requests_total" and s.labels.get("route") == "/healthz")


def _healthz_per_file(directory: Path) -> dict[str, float]:
    """/healthz count recorded in each worker's counter file (``counter_<pid>.db``)."""
    counts: dict[str, float] = {}
    for f in sorted(directory.glob("counter_*.db")):
        counts[f.stem] = sum(s.value for m in MultiProcessCollector.merge([str(f)], accumulate=False)
                             for s in m.samples
                             if s.name == "eh_requests_total" and s.labels.get("route") == "/healthz")
    return counts


def _env(process: psutil.Process, name: str) -> str | None:
    """One variable of a process's environment; None for a process that is gone or a zombie."""
    try:
        return process.environ().get(name)
    except psutil.Error:
        return None


def test_user_set_dir_is_wiped_of_stale_files(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "m"))
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "counter_1.db").write_bytes(b"stale")
    (tmp_path / "m" / "keep.txt").write_text("not ours")
    assert prometheus_multiproc_dir() is None  # the user's directory is not removed after the run
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["keep.txt"]


def test_a_fresh_dir_is_made_when_none_is_set(monkeypatch) -> None:
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    made = prometheus_multiproc_dir()
    try:
        assert made is not None and made.is_dir() and not any(made.iterdir())
        assert os.environ["PROMETHEUS_MULTIPROC_DIR"] == str(made)
    finally:
        os.rmdir(made)
        monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")  # setenv by the function, not by monkeypatch


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_metrics_sum_over_workers(app_env, built_index, tmp_path) -> None:
    env = {**os.environ, "EH_DATA_DIR": str(app_env.data_dir), "EH_SHARED_DIR": str(app_env.shared_dir),
           "EH_DATABASE_URL": f"sqlite:///{tmp_path / 'service.sqlite'}"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # the default path: serve makes a temporary directory
    # a fresh database: serve migrates it once before the workers start (they used to race on it)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    eh = Path(sys.executable).with_name("enforcement-helper")
    log = tempfile.NamedTemporaryFile("w+", prefix="eh-metrics-server-", suffix=".log", delete=False)  # noqa: SIM115 - the server's stderr while it runs
    proc = subprocess.Popen([str(eh), "serve", "--port", str(port), "--workers", "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=log)
    made: Path | None = None
    try:
        deadline = time.monotonic() + 180  # every worker loads the store and the index
        while True:
            assert proc.poll() is None, f"server exited; its log: {log.name}"
            assert time.monotonic() < deadline, f"server did not become ready; its log: {log.name}"
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        # The variable serve set in its own environment reached the spawned workers (the docs warn it may not).
        dirs = {_env(child, "PROMETHEUS_MULTIPROC_DIR") for child in psutil.Process(proc.pid).children()} - {None}
        assert len(dirs) == 1, f"workers do not share one metrics directory: {dirs}"
        made = Path(dirs.pop())

        # One new connection per request (no shared client), until both workers have answered some: otherwise
        # one worker's own counts would equal the total and the test would prove nothing.
        sent = 0
        while sent < 200:
            for _ in range(10):
                assert httpx.get(base + "/healthz", timeout=10).status_code == 200
                sent += 1
            if sum(1 for n in _healthz_per_file(made).values() if n > 0) >= 2:
                break
        per_worker = _healthz_per_file(made)
        assert sum(1 for n in per_worker.values() if n > 0) >= 2, f"one worker took all {sent}: {per_worker}"

        # Every scrape, whichever worker answers it, sees the sum over both.
        scrapes = [_healthz_count(httpx.get(base + "/metrics", timeout=10).text) for _ in range(8)]
        assert scrapes == [sent] * 8, f"sent {sent}, per worker {per_worker}, scrapes {scrapes}"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert made is not None and not made.exists(), "serve did not remove the metrics directory it made"
    log.close()
    os.unlink(log.name)  # kept only when the test fails
