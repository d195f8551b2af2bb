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
    raw = (app_env.data_dir / "service.sqlite").read_bytes()
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


def test_dev_key_revoked_when_switched_off(app_env, tmp_path) -> None:
    # a database of its own; the development key exists only in dev mode (`serve --dev`), as an officer key
    base = app_env.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'svc.sqlite'}",
                                      "dev_mode": True, "dev_api_key": "dev-key-for-this-test-1"})
    verify = {"json": {"text": "《消防法》第六十条"}, "headers": {"X-API-Key": "dev-key-for-this-test-1"}}
    with TestClient(create_app(base)) as c:
        assert c.post("/v1/citations/verify", **verify).status_code == 200
    with TestClient(create_app(base.model_copy(update={"dev_mode": False}))) as c:
        r = c.post("/v1/citations/verify", **verify)
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
        assert [k["revoked"] for k in c.app.state.services.db.list_keys() if k["name"] == "development"] == [True]
    # dev mode again: the key works again; a new value replaces the old one
    with TestClient(create_app(base)) as c:
        assert c.post("/v1/citations/verify", **verify).status_code == 200
    with TestClient(create_app(base.model_copy(update={"dev_api_key": "dev-key-for-this-test-2"}))) as c:
        assert c.post("/v1/citations/verify", json=verify["json"],
                      headers={"X-API-Key": "dev-key-for-this-test-2"}).status_code == 200
        assert c.post("/v1/citations/verify", **verify).status_code == 401


def test_audit_columns_wide_enough_and_request_id_validated(app_env, client, tmp_path) -> None:
    import sqlalchemy as sa

    from api.db.database import Database

    cols = {c["name"]: c["type"] for c in sa.inspect(client.app.state.services.db.engine).get_columns("audit")}
    assert all(cols[n].length >= 255 for n in ("request_id", "index_version", "corpus_version"))
    assert len(client.app.state.services.index_version()) <= 255
    # an old database at revision 0001 keeps its rows when upgraded
    old = tmp_path / "old.sqlite"
    from alembic import command
    from alembic.config import Config

    db = Database(f"sqlite:///{old}")
    db.audit(request_id="r1", actor="a", role="officer", action="verify", payload={}, result={},
             corpus_version="c", index_version="i", status=200)
    cfg = Config()
    cfg.set_main_option("script_location", "api/db/migrations")
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
        command.upgrade(cfg, "head")
    assert Database(f"sqlite:///{old}").audit_records(5)[0]["request_id"] == "r1"
    for bad in ("x" * 500, "a b", "<script>", "ид".encode()):
        r = client.get("/healthz", headers={"X-Request-ID": bad})
        assert r.headers["X-Request-ID"] != bad and len(r.headers["X-Request-ID"]) == 32
    ok = "case-2026:01.A_b-" + "9" * 100
    assert client.get("/healthz", headers={"X-Request-ID": ok}).headers["X-Request-ID"] == ok


def test_body_limit_counts_chunked_bodies(app_env, monkeypatch) -> None:
    from api.core.settings import get_settings

    monkeypatch.setenv("EH_MAX_BODY_BYTES", "1000")
    get_settings.cache_clear()

    def chunks():
        for _ in range(10):
            yield json.dumps({"text": "条" * 100}).encode()[:300]

    with TestClient(create_app(get_settings())) as c:
        r = c.post("/v1/citations/verify", content=chunks(), headers={"Content-Type": "application/json"})
        assert "content-length" not in {k.lower() for k in r.request.headers}
        assert r.status_code == 413 and set(r.json()["error"]) == {"code", "message", "field"}
        assert r.json()["error"]["code"] == "payload_too_large" and r.headers["X-Request-ID"]
        small = c.post("/v1/citations/verify", content=iter([b'{"text": "', "《消防法》第六十条".encode(), b'"}']),
                       headers={"Content-Type": "application/json"})
        assert small.status_code == 200 and small.json()


def test_readyz_not_built_without_index_or_store(shared_dir, data_dir, tmp_path) -> None:
    from api.core.settings import Settings

    (tmp_path / "corpus.sqlite").symlink_to(data_dir / "corpus.sqlite")
    for d, reason in ((tmp_path, "检索索引尚未建立"), (tmp_path / "empty", "法规库尚未建立")):
        d.mkdir(exist_ok=True)
        with TestClient(create_app(Settings(data_dir=d, shared_dir=shared_dir, dev_api_key=""))) as c:
            r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_built"
        assert reason in r.json()["error"]["message"]
        assert not (d / "index").exists()  # reported, never built
