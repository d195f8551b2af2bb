"""Production service: keys, audit that survives a kill, request ids, metrics, limits (issue #6)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli


@pytest.fixture()
def client(app_env):
    with TestClient(create_app(app_env)) as c:
        yield c


def test_keys_are_hashed_and_roles_enforced(app_env, client) -> None:
    runner = CliRunner()
    res = runner.invoke(cli, ["keys", "create", "--name", "张警官", "--role", "reviewer"])
    key = res.stdout.strip()
    assert res.exit_code == 0 and key.startswith("eh_")
    raw = open(app_env.data_dir / "service.sqlite", "rb").read()
    assert key.encode() not in raw  # only the hash is stored
    assert runner.invoke(cli, ["keys", "create", "--name", "x", "--role", "king"]).exit_code == 2
    r = client.post("/v1/citations/verify", json={"text": "《消防法》第六十条"}, headers={"X-API-Key": "wrong"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
    r = client.post("/v1/citations/verify", json={"text": "《消防法》第六十条"}, headers={"X-API-Key": key})
    assert r.status_code == 200
    rec = client.app.state.services.db.audit_records(1)[0]
    assert rec["actor"] == "张警官" and rec["role"] == "reviewer" and rec["action"] == "verify"
    prefix = key[:8]
    assert runner.invoke(cli, ["keys", "revoke", prefix]).exit_code == 0
    r = client.post("/v1/citations/verify", json={"text": "《消防法》第六十条"}, headers={"X-API-Key": key})
    assert r.status_code == 401


def test_audit_record_content(client) -> None:
    r = client.post("/v1/citations/verify", json={"text": "《消防法》第六十条第二款", "as_of": "2025-01-01"},
                    headers={"X-Request-ID": "req-123"})
    assert r.headers["X-Request-ID"] == "req-123"
    rec = client.app.state.services.db.audit_records(1, "verify")[0]
    assert rec["request_id"] == "req-123" and rec["actor"] == "anonymous"
    assert rec["result"][0]["status"] == "verified" and len(rec["input_hash"]) == 64
    assert rec["corpus_version"] == client.app.state.services.store.corpus_version()


def test_metrics_and_request_ids(client) -> None:
    client.get("/healthz")
    body = client.get("/metrics").text
    assert "eh_requests_total" in body and 'route="/healthz"' in body
    assert len(client.get("/healthz").headers["X-Request-ID"]) == 32


def test_body_limit(app_env, monkeypatch) -> None:
    from api.core.settings import get_settings

    monkeypatch.setenv("EH_MAX_BODY_BYTES", "1000")
    get_settings.cache_clear()
    with TestClient(create_app(get_settings())) as c:
        r = c.post("/v1/citations/verify", json={"text": "条" * 2000})
    assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not become ready")


def test_audit_survives_kill(app_env) -> None:
    env = {**os.environ, "EH_DATA_DIR": str(app_env.data_dir), "EH_SHARED_DIR": str(app_env.shared_dir)}
    port = _free_port()
    proc = _start(env, port)
    ids = []
    try:
        for i in range(5):
            r = httpx.post(f"http://127.0.0.1:{port}/v1/citations/verify",
                           json={"text": f"《消防法》第六十条 #{i}"}, headers={"X-Request-ID": f"kill-{i}"}, timeout=10)
            assert r.status_code == 200
            ids.append(f"kill-{i}")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    proc = _start(env, port)
    try:
        from api.db.database import Database

        recs = Database(app_env.db_url).audit_records(200, "verify")
        assert set(ids) <= {r["request_id"] for r in recs}
    finally:
        proc.terminate()
        proc.wait()
    assert json.dumps(recs, ensure_ascii=False)
