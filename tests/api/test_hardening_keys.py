"""API keys: no key by default, ``serve --dev`` (officer key, loopback only, never logged), revocation by prefix."""

from __future__ import annotations

import importlib
import os
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.core.settings import Settings, get_settings
from api.db.database import DEV_KEY_NAME, Database, hash_key
from api.db.models import ApiKey

VERIFY = {"text": "《消防法》第六十条"}


@pytest.fixture()
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A data dir of its own (no store needed: keys work while /readyz still says not ready)."""
    for var in ("EH_DEV_MODE", "EH_DEV_API_KEY", "EH_AUDIT_RETENTION_DAYS", "EH_AUDIT_SECRET_FILE", "EH_DATABASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("EH_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    yield Settings(data_dir=tmp_path)
    get_settings.cache_clear()


def _start(settings: Settings, **update) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=update)))


def _accepted(c: TestClient, key: str) -> bool:
    """The key passes authentication (the store may be missing here: 503 is fine, 401 is not)."""
    return c.post("/v1/citations/verify", json=VERIFY, headers={"X-API-Key": key}).status_code != 401


def _post_documents(c: TestClient, key: str) -> int:
    body = {"kind": "penalty_decision", "case": {"party": {"name": "x"}}, "format": "json"}
    return c.post("/v1/documents", json=body, headers={"X-API-Key": key}).status_code


def test_default_start_creates_no_key(settings: Settings) -> None:
    with _start(settings) as c:
        assert c.app.state.services.db.list_keys() == []
        r = c.post("/v1/citations/verify", json=VERIFY, headers={"X-API-Key": "dev-local-key"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
    assert not (settings.data_dir / "dev_api_key").exists()


def test_dev_key_is_an_officer_key_kept_in_a_private_file_and_never_logged(settings: Settings, capfd) -> None:
    with _start(settings, dev_mode=True) as c:
        key_file = settings.data_dir / "dev_api_key"
        key = key_file.read_text(encoding="utf-8").strip()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        rec = c.app.state.services.db.find_key(key)
        assert rec is not None and rec.name == DEV_KEY_NAME and rec.role == "officer"
        # an officer may draft: the document route gets past the key check (a 4xx/5xx about the case, not 401/403)
        assert _post_documents(c, key) not in (401, 403)
    captured = capfd.readouterr()
    logged = captured.out + captured.err
    assert key not in logged and key[12:] not in logged
    assert str(key_file) in logged and "loopback" in logged


def test_a_chosen_dev_key_is_shown_by_fingerprint_only(settings: Settings, capfd) -> None:
    chosen = "my-own-dev-key-6f1c2a9e7b"
    with _start(settings, dev_mode=True, dev_api_key=chosen) as c:
        assert _accepted(c, chosen)
        assert c.app.state.services.db.find_key(chosen).role == "officer"
    logged = "".join(capfd.readouterr())
    assert chosen not in logged and "sha256:" + hash_key(chosen)[:12] in logged


def test_restart_without_dev_revokes_the_dev_key(settings: Settings) -> None:
    # an admin development key as older versions made it, with the public value
    db = Database(settings.db_url)
    with db.sessions.begin() as s:
        from datetime import UTC, datetime

        s.add(ApiKey(name=DEV_KEY_NAME, role="admin", key_hash=hash_key("dev-local-key"), prefix="dev-loca",
                     created_at=datetime.now(UTC)))
    with _start(settings, dev_mode=True) as c:
        key = (settings.data_dir / "dev_api_key").read_text(encoding="utf-8").strip()
        assert _accepted(c, key)
        assert not _accepted(c, "dev-local-key")  # the old public admin key is gone
    with _start(settings) as c:
        for k in (key, "dev-local-key"):
            r = c.post("/v1/citations/verify", json=VERIFY, headers={"X-API-Key": k})
            assert r.status_code == 401 and r.json()["error"]["code"] == "invalid_api_key"
        assert all(k["revoked"] for k in c.app.state.services.db.list_keys())
    assert not (settings.data_dir / "dev_api_key").exists()  # nothing left to leak
    with _start(settings) as c:  # and it stays revoked
        assert not _accepted(c, key)


def test_dev_key_from_an_older_version_loses_admin(settings: Settings) -> None:
    db = Database(settings.db_url)
    with db.sessions.begin() as s:
        from datetime import UTC, datetime

        s.add(ApiKey(name=DEV_KEY_NAME, role="admin", key_hash=hash_key("dev-local-key"), prefix="dev-loca",
                     created_at=datetime.now(UTC)))
    with _start(settings, dev_mode=True, dev_api_key="dev-local-key") as c:
        assert c.app.state.services.db.find_key("dev-local-key").role == "officer"


def _stub_server(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Replace whatever `serve` starts the server with by a recorder."""
    calls: list[dict] = []

    def record(*args, **kwargs) -> None:
        calls.append({"kwargs": kwargs, "dev_mode": os.environ.get("EH_DEV_MODE")})

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", record)
    try:
        limits = importlib.import_module("api.limits")
        for name in ("serve_supervised",):
            if hasattr(limits, name):
                monkeypatch.setattr(limits, name, record)
    except ImportError:
        pass
    return calls


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "example.org"])
def test_serve_dev_refuses_a_non_loopback_host(settings: Settings, monkeypatch: pytest.MonkeyPatch, host: str) -> None:
    calls = _stub_server(monkeypatch)
    res = CliRunner().invoke(cli, ["serve", "--dev", "--host", host])
    assert res.exit_code == 2 and "dev_needs_loopback" in res.output and "loopback" in res.output
    assert calls == []


def test_serve_sets_dev_mode_only_with_dev(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _stub_server(monkeypatch)
    monkeypatch.setenv("EH_DEV_MODE", "1")  # a stray variable must not turn dev mode on
    assert CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0"]).exit_code == 0
    assert CliRunner().invoke(cli, ["serve", "--dev", "--host", "127.0.0.1"]).exit_code == 0
    assert CliRunner().invoke(cli, ["serve", "--dev", "--host", "::1"]).exit_code == 0
    assert [c["dev_mode"] for c in calls] == ["0", "1", "1"]


def _seed(db: Database, *keys: tuple[str, str, str]) -> None:
    """Keys stored as given, including the 8-character prefixes older versions kept."""
    from datetime import UTC, datetime

    with db.sessions.begin() as s:
        for name, key, prefix in keys:
            s.add(ApiKey(name=name, role="officer", key_hash=hash_key(key), prefix=prefix,
                         created_at=datetime.now(UTC)))


def test_ambiguous_prefix_revokes_nothing_and_lists_the_keys(settings: Settings) -> None:
    db = Database(settings.db_url)
    _seed(db, ("甲", "dev-local-key", "dev-loca"), ("乙", "dev-local-key-2", "dev-loca"))
    a = db.create_key("丙", "officer", "eh_SAMEPREFIX_" + "a" * 30)
    b = db.create_key("丁", "officer", "eh_SAMEPREFIX_" + "b" * 30)
    runner = CliRunner()
    for prefix, names in (("dev-loca", {"甲", "乙"}), ("eh_SAMEPREFI", {"丙", "丁"})):
        res = runner.invoke(cli, ["keys", "revoke", prefix])
        assert res.exit_code == 2, res.output
        assert "ambiguous_key_prefix" in res.output and all(n in res.output for n in names)
        assert "--id" in res.output
    assert not any(k["revoked"] for k in db.list_keys())
    # the whole key, or the id, picks one
    assert runner.invoke(cli, ["keys", "revoke", a]).exit_code == 0
    ids = {k["name"]: k["id"] for k in db.list_keys()}
    assert runner.invoke(cli, ["keys", "revoke", "--id", str(ids["甲"])]).exit_code == 0
    assert {k["name"] for k in db.list_keys() if k["revoked"]} == {"甲", "丙"}
    assert db.find_key(b) is not None and db.find_key("dev-local-key-2") is not None
    assert runner.invoke(cli, ["keys", "revoke", "nope-nope"]).exit_code == 1
    assert runner.invoke(cli, ["keys", "revoke", "ab"]).exit_code == 2  # too short to mean one key


def test_the_development_key_name_is_reserved(settings: Settings) -> None:
    res = CliRunner().invoke(cli, ["keys", "create", "--name", DEV_KEY_NAME, "--role", "admin"])
    assert res.exit_code == 2 and "reserved" in res.output
    assert Database(settings.db_url).list_keys() == []
