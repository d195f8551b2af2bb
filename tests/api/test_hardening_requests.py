"""Request hardening (probe of a default `serve`): deadline, text and date limits, hosts, offline docs, no paths.

Every test runs the real app (real store, index and model) through ``create_app``; slow requests are simulated by
replacing one service method with a function that sleeps past a tiny configured deadline.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

REPO = Path(__file__).resolve().parents[2]
# An absolute file path in a body: /tmp/…, /work/…, /home/…, a site-packages path (API routes are not paths).
ABS_PATH = re.compile(r"(?<![\w.])/(?:tmp|work|home|root|usr|opt|var|etc|srv|mnt|data|proc|private)\b|site-packages")


@pytest.fixture(scope="module")
def client(data_dir: Path, shared_dir: Path) -> Iterator[TestClient]:
    """One real app for the tests that only send requests (loading the index for each test would take minutes)."""
    from api.core.settings import Settings

    with TestClient(create_app(Settings(data_dir=data_dir, shared_dir=shared_dir))) as c:
        yield c


@pytest.fixture(scope="module")
def officer_key(client: TestClient) -> str:
    return client.app.state.services.db.create_key("hardening-test", "officer")


def _post_raw(client: TestClient, url: str, body: str, **headers: str):
    """POST a JSON text as written: ``\\ud800`` stays an escape, as a hostile client would send it."""
    return client.post(url, content=body.encode("utf-8"), headers={"Content-Type": "application/json", **headers})


# ---- 2. text fields: lone surrogates and control characters are 422, never 500 -----------------------------------
BAD_TEXT = [
    ("/v1/search", r'{"id": "\ud800", "query": "无证经营"}', "id", "孤立代理字符"),
    ("/v1/search", r'{"query": "无证\u0000经营"}', "query", "控制字符"),
    ("/v1/search", r'{"query": "无证经营", "as_of": "2025-01-01\udfff"}', "as_of", "孤立代理字符"),
    ("/v1/analyze", r'{"id": "\udc00", "description": "小贩占道经营"}', "id", "孤立代理字符"),
    ("/v1/analyze", r'{"description": "小贩占道经营\u0007"}', "description", "控制字符"),
    ("/v1/analyze/batch", r'{"items": [{"description": "占道\ud83d"}]}', "items.0.description", "孤立代理字符"),
    ("/v1/citations/verify", r'{"text": "《消防法》第六十条\udfff"}', "text", "孤立代理字符"),
    ("/v1/citations/verify", r'{"text": "《消防法》\u001b[31m第六十条"}', "text", "控制字符"),
    ("/v1/extract", r'{"text": "张三\u000b身份证"}', "text", "控制字符"),
    ("/v1/extract", r'{"text": "张三", "reference_date": "\ud800"}', "reference_date", "孤立代理字符"),
]


@pytest.mark.parametrize(("url", "body", "field", "kind"), BAD_TEXT, ids=[f"{u}:{f}" for u, _, f, _ in BAD_TEXT])
def test_unsafe_text_is_refused_at_the_schema_edge(client: TestClient, url: str, body: str, field: str,
                                                   kind: str) -> None:
    r = _post_raw(client, url, body)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["code"] == "invalid_request" and err["field"] == field and kind in err["message"]
    assert r.content.decode("utf-8")  # the answer itself is valid UTF-8


def test_unsafe_text_in_query_parameters_and_case_data(client: TestClient, officer_key: str) -> None:
    r = client.get("/v1/provisions", params={"cite": "《消防法》第六十条\x01"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "cite"
    key = {"X-API-Key": officer_key}
    for case in (r'{"party": {"name": "\ud800"}}', r'{"\ud800": 1}', r'{"facts": ["a\u0000b"]}',
                 '{"fine": NaN}', '{"fine": Infinity}'):
        body = '{"kind": "penalty_decision", "format": "json", "draft": true, "case": ' + case + "}"
        r = _post_raw(client, "/v1/documents", body, **key)
        assert r.status_code == 422, (case, r.text)
        assert r.json()["error"]["code"] == "invalid_request" and r.json()["error"]["field"] == "case"


def test_tab_newline_and_carriage_return_stay_allowed(client: TestClient) -> None:
    r = client.post("/v1/citations/verify", json={"text": "依据\t《消防法》\r\n第六十条", "as_of": "2025-06-01"})
    assert r.status_code == 200 and r.json()["citations"][0]["status"] == "verified"


# ---- 2. dates: bounded to 1949-10-01 … 2100-12-31 ------------------------------------------------------------------
@pytest.mark.parametrize(("method", "url", "kw", "field"), [
    ("post", "/v1/citations/verify", {"json": {"text": "《消防法》第六十条", "as_of": "9999-12-31"}}, "as_of"),
    ("post", "/v1/citations/verify", {"json": {"text": "《消防法》第六十条", "as_of": "1949-09-30"}}, "as_of"),
    ("post", "/v1/extract", {"json": {"text": "次日，执法人员到现场检查", "reference_date": "9999-12-31"}}, "reference_date"),
    ("post", "/v1/extract", {"json": {"text": "前日检查", "reference_date": "0001-01-01"}}, "reference_date"),
    ("post", "/v1/analyze", {"json": {"description": "小贩占道经营", "discovery_date": "2101-01-01"}}, "discovery_date"),
    ("post", "/v1/search", {"json": {"query": "无证经营", "as_of": "9999-12-31"}}, "as_of"),
    ("get", "/v1/provisions", {"params": {"cite": "《消防法》第六十条", "as_of": "2101-01-01"}}, "as_of"),
])
def test_dates_out_of_range_are_422(client: TestClient, method: str, url: str, kw: dict, field: str) -> None:
    r = getattr(client, method)(url, **kw)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == {**r.json()["error"], "code": "bad_date", "field": field}
    assert "1949-10-01" in r.json()["error"]["message"] and "2100-12-31" in r.json()["error"]["message"]


def test_date_bounds_are_inclusive_and_a_batch_item_fails_alone(client: TestClient) -> None:
    for day in ("1949-10-01", "2100-12-31"):
        r = client.post("/v1/citations/verify", json={"text": "《消防法》第六十条", "as_of": day})
        assert r.status_code == 200, r.text
    r = client.post("/v1/extract", json={"text": "次日，执法人员到现场检查", "reference_date": "2100-12-31"})
    assert r.status_code == 200, r.text
    items = [{"id": "ok", "description": "小贩擅自占道摆摊卖水果", "as_of": "2026-10-01"},
             {"id": "far", "description": "小贩擅自占道摆摊卖水果", "as_of": "9999-12-31"}]
    out = client.post("/v1/analyze/batch", json={"items": items}).json()["results"]
    assert "provisions" in out[0] and out[1]["error"]["code"] == "bad_date"


def test_case_dates_out_of_range_are_422(client: TestClient, officer_key: str) -> None:
    case = json.loads((REPO / "examples" / "case.json").read_text(encoding="utf-8"))
    case["decision_date"] = "9999-12-31"
    r = client.post("/v1/documents", json={"kind": "penalty_decision", "case": case, "format": "json", "draft": True},
                    headers={"X-API-Key": officer_key})
    assert r.status_code == 422, r.text
    assert "decision_date" in r.json()["error"]["message"] and r.json()["error"]["field"] == "case"


# ---- 1. per-request deadline, health never queued, stuck workers reported --------------------------------------
def _slow_search(svc, seconds: float, started: list[float]):  # noqa: ANN001, ANN202
    """``svc.search`` that sleeps ``seconds`` first for the query "slow" (records when each started)."""
    real = svc.search

    def search(query: str, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if query == "slow":
            started.append(time.monotonic())
            time.sleep(seconds)
        return real("无证经营" if query == "slow" else query, *args, **kwargs)

    return search


def test_long_inputs_never_hold_every_slot(app_env, monkeypatch) -> None:
    """Two 20,000-character probes used to hold both slots of a worker for seconds while short requests queued
    (p95 of the normal requests 540 ms under the hostile load mix); now the long ones take turns on one slot."""
    settings = app_env.model_copy(update={"request_timeout_s": 8.0, "request_threads": 2,
                                          "heavy_request_bytes": 1000})
    with TestClient(create_app(settings)) as c:
        svc = c.app.state.services
        real_search = svc.search
        started: list[float] = []

        def search(query: str, *args: object, **kwargs: object) -> object:
            if len(query) > 500:
                started.append(time.monotonic())
                time.sleep(1.5)
            return real_search(query, *args, **kwargs)

        monkeypatch.setattr(svc, "search", search)
        long = "当事人未取得食品经营许可从事食品销售活动。" * 50  # 3,150 bytes of JSON
        codes: list[int] = []
        threads = [threading.Thread(target=lambda: codes.append(c.post("/v1/search", json={"query": long}).status_code),
                                    daemon=True) for _ in range(2)]  # fmt: skip
        for t in threads:
            t.start()
        try:
            t0 = time.monotonic()
            while not started:
                assert time.monotonic() - t0 < 5, "the long request did not start"
                time.sleep(0.01)
            time.sleep(0.3)
            held = len(started)
            t = time.monotonic()
            r = c.post("/v1/search", json={"query": "无证经营食品", "as_of": "2026-01-01", "top_k": 3})
            short_s = time.monotonic() - t
        finally:
            for t in threads:  # before the client closes: a request still in flight would block forever
                t.join(timeout=10)
        assert held == 1, "both long requests held a slot"
        assert r.status_code == 200 and short_s < 1.0, f"a short request waited {short_s:.2f} s behind the long ones"
        assert codes == [200, 200] and started[1] - started[0] >= 1.4


def test_deadline_answers_503_frees_the_slot_and_health_answers_meanwhile(app_env, monkeypatch) -> None:
    timeout = 1.0
    settings = app_env.model_copy(update={"request_timeout_s": timeout, "request_threads": 2})
    with TestClient(create_app(settings)) as c:
        svc, pool = c.app.state.services, c.app.state.pool
        started: list[float] = []
        monkeypatch.setattr(svc, "search", _slow_search(svc, 5 * timeout, started))
        answers: dict[int, tuple[int, dict, float]] = {}

        def slow(i: int) -> None:
            t0 = time.monotonic()
            r = c.post("/v1/search", json={"query": "slow"}, headers={"X-Request-ID": f"slow-{i}"})
            answers[i] = (r.status_code, r.json(), time.monotonic() - t0)

        threads = [threading.Thread(target=slow, args=(i,)) for i in range(2)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        while len(started) < 2:  # both request slots are now busy
            assert time.monotonic() - t0 < timeout, "the slow requests did not start"
            time.sleep(0.01)
        for path in ("/healthz", "/readyz", "/metrics"):
            t = time.monotonic()
            assert c.get(path).status_code == 200, path
            assert time.monotonic() - t < 0.5 * timeout, f"{path} queued behind the busy request slots"
        for t in threads:
            t.join(timeout=3 * timeout)
        for status, body, elapsed in answers.values():
            assert status == 503 and body["error"]["code"] == "request_timeout", body
            assert "超时" in body["error"]["message"] and f"{timeout:g} 秒" in body["error"]["message"]
            assert 0.9 * timeout <= elapsed < timeout + 1.5, elapsed
        assert len(answers) == 2
        # The slots are back although both abandoned computations still sleep.
        assert len(pool.running) == 2
        r = c.post("/v1/search", json={"query": "无证经营食品", "as_of": "2026-01-01", "top_k": 3})
        assert r.status_code == 200 and r.json()["results"]
        assert len(pool.running) == 2
        # Three deadlines on, they are stuck: the worker reports not ready (a supervisor replaces it, see below).
        while time.monotonic() - min(started) < 3 * timeout + 0.6:
            time.sleep(0.1)
        r = c.get("/readyz")
        assert r.status_code == 503 and "卡住" in r.json()["error"]["message"] and "/v1/search" in r.text
        while pool.running:  # they finish at 5 deadlines; the worker is ready again
            assert time.monotonic() - min(started) < 5 * timeout + 3.0
            time.sleep(0.1)
        assert c.get("/readyz").status_code == 200
        recs = [r for r in svc.db.audit_records(50, "search") if str(r["request_id"]).startswith("slow-")]
        assert {r["request_id"] for r in recs} == {"slow-0", "slow-1"} and {r["status"] for r in recs} == {503}


def test_a_stuck_request_makes_the_worker_exit_when_supervised(app_env, monkeypatch) -> None:
    import api.limits

    exits: list[float] = []
    monkeypatch.setattr(api.limits, "terminate_worker", lambda *a, **k: exits.append(time.monotonic()))
    timeout = 0.3
    settings = app_env.model_copy(update={"request_timeout_s": timeout, "exit_when_stuck": True})
    with TestClient(create_app(settings)) as c:
        svc = c.app.state.services
        started: list[float] = []
        monkeypatch.setattr(svc, "search", _slow_search(svc, 6 * timeout, started))
        r = c.post("/v1/search", json={"query": "slow"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "request_timeout"
        assert r.headers["Retry-After"] and r.headers["X-Request-ID"]
        while not exits and time.monotonic() - started[0] < 5 * timeout:
            time.sleep(0.02)
        assert len(exits) == 1, "the watchdog did not end the worker"
        assert 3 * timeout <= exits[0] - started[0] < 3 * timeout + 1.0
        while c.app.state.pool.running:
            time.sleep(0.05)
        assert len(exits) == 1  # once


def test_serve_always_runs_the_supervisor_even_for_one_worker(monkeypatch) -> None:
    import uvicorn
    import uvicorn.supervisors
    from typer.testing import CliRunner

    from api.cli import app as cli

    seen: list[tuple[int, str | None]] = []

    class FakeSupervisor:
        def __init__(self, config, sockets) -> None:  # noqa: ANN001
            self.config, self.processes = config, []

        def run(self) -> None:
            import os

            seen.append((self.config.workers, os.environ.get("EH_EXIT_WHEN_STUCK")))

    def unsupervised(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
        raise AssertionError("uvicorn.run serves one worker in-process, with nobody to replace it")

    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", FakeSupervisor)
    monkeypatch.setattr(uvicorn, "run", unsupervised)
    monkeypatch.setenv("EH_DEV_MODE", "0")  # serve sets it; restored after the test
    monkeypatch.setenv("EH_EXIT_WHEN_STUCK", "x")
    monkeypatch.delenv("EH_EXIT_WHEN_STUCK")  # unset now, removed again after the test
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    res = CliRunner().invoke(cli, ["serve", "--port", str(port), "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert seen == [(1, "1")]


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_serve_with_one_worker_replaces_a_dead_worker(app_env, built_index, tmp_path) -> None:
    import os
    import signal
    import subprocess
    import sys

    import httpx
    import psutil

    env = {**os.environ, "EH_DATA_DIR": str(app_env.data_dir), "EH_SHARED_DIR": str(app_env.shared_dir),
           "EH_DATABASE_URL": f"sqlite:///{tmp_path / 'service.sqlite'}"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    eh = Path(sys.executable).with_name("enforcement-helper")
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen([str(eh), "serve", "--port", str(port), "--workers", "1"], env=env,
                                stdout=subprocess.DEVNULL, stderr=out)

    def ready_worker(deadline: float) -> int:
        while True:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    (child,) = [c for c in psutil.Process(proc.pid).children() if "spawn_main" in " ".join(c.cmdline())]
                    return child.pid
            except (httpx.HTTPError, ValueError, psutil.Error):
                pass
            time.sleep(0.5)

    try:
        first = ready_worker(time.monotonic() + 180)
        assert first != proc.pid  # the worker is a supervised child, not the serve process itself
        os.kill(first, signal.SIGKILL)  # what the watchdog's exit, or a crash, leaves behind
        second = ready_worker(time.monotonic() + 180)
        assert second != first
        assert httpx.post(base + "/v1/citations/verify", json={"text": "《消防法》第六十条"}, timeout=10).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ---- 3. allowed hosts (DNS rebinding) ------------------------------------------------------------------------------
def test_only_allowed_hosts_are_served(client: TestClient, app_env) -> None:
    cite = {"cite": "《消防法》第六十条", "as_of": "2025-06-01"}
    for host in ("evil.example", "127.0.0.1.evil.example", "localhost.evil:8000", "10.0.0.8"):
        for path in ("/v1/provisions", "/", "/docs", "/openapi.json"):
            r = client.get(path, params=cite, headers={"Host": host})
            assert r.status_code == 400, (host, path)
            assert r.json()["error"] == {"code": "invalid_host", "message": r.json()["error"]["message"],
                                         "field": "Host"} and r.headers["X-Request-ID"]
    for host in ("127.0.0.1:8000", "localhost", "LOCALHOST:8000", "[::1]:8000", "testserver"):
        assert client.get("/v1/provisions", params=cite, headers={"Host": host}).status_code == 200, host
    for path in ("/healthz", "/readyz", "/metrics"):  # probes and scrapes by IP still answer
        assert client.get(path, headers={"Host": "10.0.0.8:8000"}).status_code == 200, path
    # the host check needs no loaded index: no lifespan for this one
    c = TestClient(create_app(app_env.model_copy(update={"allowed_hosts": "eh.example.org, testserver"})))
    assert c.get("/healthz", headers={"Host": "eh.example.org"}).status_code == 200
    assert c.get("/", headers={"Host": "eh.example.org:443"}).status_code == 200
    assert c.get("/", headers={"Host": "127.0.0.1"}).status_code == 400
    c = TestClient(create_app(app_env.model_copy(update={"allowed_hosts": "*"})))
    assert c.get("/", headers={"Host": "anything.example"}).status_code == 200


# ---- 4. offline docs: nothing the service serves loads anything from elsewhere -------------------------------------
EXTERNAL = re.compile(r"https?://[^\s\"'<>)]+")
ALLOWED_EXTERNAL = {"http://www.w3.org/2000/svg"}  # an XML namespace name, never fetched


def test_docs_are_local_and_no_page_loads_anything_external(client: TestClient) -> None:
    from api.routers.web import ASSETS

    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "/v1/analyze" in r.text and 'href="/openapi.json"' in r.text
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/redoc").status_code == 404
    pages = ["/docs", "/", "/review"] + [f"/static/{name}" for name in ASSETS]
    for path in pages:
        r = client.get(path)
        assert r.status_code == 200, path
        text = r.content.decode("utf-8", "replace")
        assert set(EXTERNAL.findall(text)) <= ALLOWED_EXTERNAL, (path, EXTERNAL.findall(text))
        assert not re.search(r"""(?:src|href|action)\s*=\s*["']?\s*//""", text), path  # protocol-relative


# ---- 5. no internal paths in readiness or error bodies -------------------------------------------------------------
def _no_paths(body: str, *roots: Path) -> None:
    assert not ABS_PATH.search(body), body
    for root in (REPO, *roots):
        assert str(root) not in body, body
    assert "Traceback" not in body and ".py" not in body, body


def test_readyz_and_errors_name_no_server_paths(client: TestClient, shared_dir: Path, data_dir: Path,
                                                tmp_path: Path) -> None:
    from api.core.settings import Settings

    (tmp_path / "corpus.sqlite").symlink_to(data_dir / "corpus.sqlite")
    (tmp_path / "empty").mkdir()
    for d in (tmp_path, tmp_path / "empty"):
        with TestClient(create_app(Settings(data_dir=d, shared_dir=shared_dir))) as c:
            r = c.get("/readyz")
            assert r.status_code == 503 and r.json()["reasons"]
            _no_paths(r.text, tmp_path, data_dir)
            if d.name == "empty":
                r = c.post("/v1/citations/verify", json={"text": "《消防法》第六十条"})
                assert r.status_code == 503 and r.json()["error"]["code"] == "not_built"
                _no_paths(r.text, tmp_path, data_dir)
    r = client.get("/readyz")
    assert r.status_code == 200
    _no_paths(r.text, data_dir)
    r = client.get("/static//etc/passwd")
    assert r.status_code == 404
    _no_paths(r.text)


def test_unexpected_errors_answer_500_without_details(app_env, monkeypatch) -> None:
    # raise_server_exceptions=False: the client hands over the 500 instead of re-raising the exception
    with TestClient(create_app(app_env), raise_server_exceptions=False) as c:
        svc = c.app.state.services

        def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            raise RuntimeError(f"boom in {REPO / 'api' / 'services.py'} at {svc.settings.data_dir}")

        monkeypatch.setattr(svc, "verify", broken)
        r = c.post("/v1/citations/verify", json={"text": "《消防法》第六十条"})
    assert r.status_code == 500 and r.json()["error"]["code"] == "internal_error"
    assert "boom" not in r.text
    _no_paths(r.text, svc.settings.data_dir)


# ---- 6. caches keyed by date under concurrent churn ----------------------------------------------------------------
class _YieldingDict(dict):
    """A dict that lets other threads run right after each store: the interleaving an unlucky thread switch (or a
    free-threaded build) gives between a cache's check and its read, made frequent enough to test."""

    def __setitem__(self, key, value) -> None:  # noqa: ANN001
        super().__setitem__(key, value)
        time.sleep(0)


def _churn(fn, threads: int = 8, per_thread: int = 700) -> list[BaseException]:  # noqa: ANN001
    errors: list[BaseException] = []
    base = date(1990, 1, 1)

    def run(i: int) -> None:
        try:
            for n in range(per_thread):
                fn(base + timedelta(days=i * per_thread + n))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return errors


def test_date_keyed_caches_survive_concurrent_churn(client: TestClient, monkeypatch) -> None:
    import numpy as np

    svc = client.app.state.services
    # The searcher's per-date dense row masks (64 entries), with the real index (the analysis's provision cache:
    # tests/analysis/test_provisions.py).
    searcher = svc.searcher
    monkeypatch.setattr(searcher, "_row_masks", _YieldingDict())
    allowed = np.ones(len(searcher.index.passages), dtype=bool)
    errors = _churn(lambda d: searcher._rows_mask(as_of=d, region=None, allowed=allowed), per_thread=100)
    assert not errors, errors[:3]
    # and the searches themselves, on many dates at once
    errors = _churn(lambda d: searcher.search("未取得许可擅自经营", as_of=d, top_k=3), threads=4, per_thread=5)
    assert not errors, errors[:3]
