"""Serving never builds: a missing or stale artefact makes /readyz and the requests that need it answer 503
``not_built`` with the reason, and the CLI says to run ``enforcement-helper build``; nothing is converted, indexed or
trained on the request path."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from api.core.settings import Settings, get_settings

# What a service may write at start-up in any data dir: its own keys/audit database and the audit secret.
SERVICE_FILES = {"service.sqlite", "service.sqlite-wal", "service.sqlite-shm", "service.sqlite.migrate.lock",
                 "audit.key"}


def _files(d: Path) -> dict[str, int]:
    """Every file under ``d`` (links not followed) with its size; the service database and SQLite's WAL files of the
    stores opened read-only are left out."""
    return {str(p.relative_to(d)): p.lstat().st_size for p in d.rglob("*")
            if p.name not in SERVICE_FILES and not p.name.endswith(("-wal", "-shm"))}


def _flat(text: str) -> str:
    """``text`` without whitespace: the console wraps long lines anywhere in Chinese."""
    return "".join(text.split())


def _unbuilt(tmp_path: Path, data_dir: Path, with_model: bool = True) -> Path:
    """A data dir with the statute store and the benchmarks (and the e5 model), but no index and no tier model."""
    d = tmp_path / "data"
    d.mkdir()
    for name in ("corpus.sqlite", "benchmarks.sqlite") + (("models",) if with_model else ()):
        (d / name).symlink_to(data_dir / name)
    return d


def _settings(d: Path, shared_dir: Path, **kw: object) -> Settings:
    return Settings(data_dir=d, shared_dir=shared_dir, dev_api_key="", audit_secret_file=None, **kw)


@pytest.mark.slow
def test_without_index_and_tier_model_readyz_and_analyze_say_not_built(tmp_path: Path, data_dir: Path,
                                                                      shared_dir: Path) -> None:
    d = _unbuilt(tmp_path, data_dir)
    before = _files(d)
    with TestClient(create_app(_settings(d, shared_dir))) as c:
        r = c.get("/readyz")
        assert r.status_code == 503, r.text
        body = r.json()
        assert body["error"]["code"] == "not_built"
        reasons = " ".join(body["reasons"])
        assert "检索索引尚未建立" in reasons and "阶次模型尚未训练" in reasons and "enforcement-helper build" in reasons
        r = c.post("/v1/analyze", json={"description": "某餐馆未取得食品经营许可证擅自从事餐饮服务",
                                        "as_of": "2026-10-01"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_built", r.text
        assert "检索索引尚未建立" in r.json()["error"]["message"]
        r = c.post("/v1/search", json={"query": "未取得食品经营许可", "as_of": "2026-10-01"})
        assert r.status_code == 503 and r.json()["error"]["code"] == "not_built"
        # what needs only the statute store still answers
        r = c.post("/v1/citations/verify", json={"text": "《食品安全法》第三十五条", "as_of": "2026-10-01"})
        assert r.status_code == 200 and r.json()["citations"][0]["status"] == "verified"
    assert _files(d) == before  # no index, no tier model, no model conversion
    assert not (d / "index").exists() and not (d / "tier_model.joblib").exists()


def test_without_the_model_nothing_is_converted(tmp_path: Path, data_dir: Path, shared_dir: Path) -> None:
    d = _unbuilt(tmp_path, data_dir, with_model=False)
    with TestClient(create_app(_settings(d, shared_dir))) as c:
        r = c.get("/readyz")
    assert r.status_code == 503 and r.json()["error"]["code"] == "not_built"
    assert "向量模型尚未转换" in " ".join(r.json()["reasons"])
    assert not (d / "models").exists()


@pytest.mark.slow
def test_stale_index_and_tier_model_are_reported_not_rebuilt(tmp_path: Path, data_dir: Path, shared_dir: Path,
                                                             built_index: Path) -> None:
    d = _unbuilt(tmp_path, data_dir)
    (d / "index").mkdir()
    manifest = json.loads((built_index / "manifest.json").read_text(encoding="utf-8"))
    manifest["corpus_version"] = "an-older-corpus"
    (d / "index" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    shutil.copy(data_dir / "tier_model.joblib", d / "tier_model.joblib")  # a copy: a retrain must not reach ./data
    before = _files(d)
    with TestClient(create_app(_settings(d, shared_dir, tier_text="none"))) as c:
        r = c.get("/readyz")
    assert r.status_code == 503 and r.json()["error"]["code"] == "not_built"
    reasons = " ".join(r.json()["reasons"])
    assert "检索索引已过期（建立时的法规库版本与当前法规库不同）" in reasons
    assert "阶次模型已过期（训练时的文本特征为 tfidf，当前设置为 none）" in reasons
    assert _files(d) == before


@pytest.fixture()
def unbuilt_env(tmp_path: Path, data_dir: Path, shared_dir: Path, monkeypatch: pytest.MonkeyPatch):
    d = _unbuilt(tmp_path, data_dir)
    monkeypatch.setenv("EH_DATA_DIR", str(d))
    monkeypatch.setenv("EH_SHARED_DIR", str(shared_dir))
    monkeypatch.delenv("EH_AUDIT_SECRET_FILE", raising=False)
    get_settings.cache_clear()
    yield d
    get_settings.cache_clear()


@pytest.mark.slow
def test_cli_says_run_build(unbuilt_env: Path) -> None:
    before = _files(unbuilt_env)
    runner = CliRunner()
    for args, stdin in ((["analyze", "某餐馆未取得食品经营许可证擅自从事餐饮服务", "--as-of", "2026-10-01"], None),
                        (["search", "未取得食品经营许可"], None),
                        (["analyze", "--jsonl"], '{"id": 1, "description": "未取得食品经营许可"}\n'),
                        (["eval", "retrieval"], None)):
        res = runner.invoke(cli, args, input=stdin)
        assert res.exit_code == 2, (args, res.output)
        said = _flat(res.output)
        assert "runenforcement-helperbuild" in said and "[not_built]" in said and "检索索引尚未建立" in said, res.output
        assert res.exception is None or isinstance(res.exception, SystemExit)  # a message, not a traceback
        assert "Traceback" not in res.output
    assert _files(unbuilt_env) == before
