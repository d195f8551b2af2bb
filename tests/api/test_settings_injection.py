"""Settings by injection: only ``api/`` reads process settings, and a ``Settings`` object given to ``Services`` is the
one every part of a request uses (文号 counter, audit secret, SQLite durability, agency profile), whatever the
process-wide settings say."""

from __future__ import annotations

import ast
import json
import os
import sqlite3
from pathlib import Path

import pytest

from api.core.settings import Settings, get_settings
from api.services import Services

REPO = Path(__file__).resolve().parents[2]
CASE = json.loads((REPO / "examples" / "case.json").read_text(encoding="utf-8"))
P = "渝北市监处罚"
BELOW_API = ("nlp", "corpus", "index", "analysis")


def _legacy_counter(path: Path, last: int) -> None:
    """A ``doc_numbers.sqlite`` as versions before migration 0003 kept it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE doc_counters (prefix TEXT, year INTEGER, last INTEGER, PRIMARY KEY (prefix, year))")
    con.execute("INSERT INTO doc_counters VALUES (?, ?, ?)", (P, 2026, last))
    con.commit()
    con.close()


@pytest.fixture()
def other_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Process-wide settings that point somewhere else: a request must never use them."""
    elsewhere = tmp_path / "process-default"
    elsewhere.mkdir()
    monkeypatch.setenv("EH_DATA_DIR", str(elsewhere))
    monkeypatch.setenv("EH_AUDIT_SECRET_FILE", str(elsewhere / "audit.key"))
    for var in ("EH_DATABASE_URL", "EH_AGENCY_FILE", "EH_TEMPLATE_DIR", "EH_SQLITE_SYNCHRONOUS"):
        monkeypatch.delenv(var, raising=False)
    get_settings.cache_clear()
    yield elsewhere
    get_settings.cache_clear()


def _own_dir(tmp_path: Path, data_dir: Path) -> Path:
    own = tmp_path / "own"
    own.mkdir()
    (own / "corpus.sqlite").symlink_to(data_dir / "corpus.sqlite")
    return own


def test_a_services_doc_number_comes_from_its_own_data_dir(tmp_path: Path, data_dir: Path, shared_dir: Path,
                                                           other_default: Path) -> None:
    own = _own_dir(tmp_path, data_dir)
    _legacy_counter(own / "doc_numbers.sqlite", 41)
    _legacy_counter(other_default / "doc_numbers.sqlite", 900)
    svc = Services(Settings(data_dir=own, shared_dir=shared_dir, audit_secret_file=None))
    case = json.loads(json.dumps(CASE))
    del case["numbers"]["penalty_decision"]
    out = json.loads(svc.document("penalty_decision", case, "json"))
    assert out["number"] == f"{P}〔2026〕42号"  # this data dir's earlier counter, not the process default's
    with sqlite3.connect(own / "service.sqlite") as con:
        assert con.execute("SELECT number FROM doc_numbers").fetchall() == [(f"{P}〔2026〕42号",)]
    assert (own / "audit.key").is_file()
    assert sorted(p.name for p in other_default.iterdir()) == ["doc_numbers.sqlite"]  # nothing written there


def test_the_agency_profile_of_the_given_settings_is_applied(tmp_path: Path, data_dir: Path, shared_dir: Path,
                                                            other_default: Path) -> None:
    own = _own_dir(tmp_path, data_dir)
    profile = tmp_path / "agency.yaml"
    profile.write_text("court: 重庆市渝北区测试人民法院\n", encoding="utf-8")
    case = json.loads(json.dumps(CASE))
    del case["agency"]["court"]
    svc = Services(Settings(data_dir=own, shared_dir=shared_dir, agency_file=profile, audit_secret_file=None))
    out = svc.document("penalty_decision", case, "json", draft=True)
    assert "重庆市渝北区测试人民法院" in out
    assert not [m for m in json.loads(out)["missing"] if "court" in m["path"]]


def test_sqlite_durability_is_a_setting(tmp_path: Path, other_default: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def synchronous(settings: Settings) -> int:
        with Services(settings).db.engine.connect() as conn:
            return int(conn.exec_driver_sql("PRAGMA synchronous").scalar())

    assert synchronous(Settings(data_dir=tmp_path / "a", audit_secret_file=None)) == 1  # NORMAL
    assert synchronous(Settings(data_dir=tmp_path / "b", sqlite_synchronous="full", audit_secret_file=None)) == 2
    monkeypatch.setenv("EH_SQLITE_SYNCHRONOUS", "EXTRA")  # read when settings are made, not when a module loads
    assert synchronous(Settings(data_dir=tmp_path / "c", audit_secret_file=None)) == 3
    monkeypatch.setenv("EH_SQLITE_SYNCHRONOUS", "OFF")  # durability is never silently dropped
    with pytest.raises(ValueError):
        Settings(data_dir=tmp_path / "d")


def test_default_data_dir_is_under_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("EH_DATA_DIR", "EH_SHARED_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    s = Settings()
    assert s.data_dir == tmp_path / "data" and s.store_path == tmp_path / "data" / "corpus.sqlite"
    assert s.shared_dir == tmp_path.parent / "shared"


def _environment_uses(path: Path) -> list[str]:
    """``os.environ`` / ``os.getenv`` / ``os.putenv`` and ``get_settings`` uses in one source file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "putenv", "unsetenv"):
            found.append(f"{path.relative_to(REPO)}:{node.lineno} os.{node.attr}")
        elif isinstance(node, ast.Name) and node.id in ("get_settings", "environ", "getenv"):
            found.append(f"{path.relative_to(REPO)}:{node.lineno} {node.id}")
    return found


def test_nothing_below_api_reads_or_changes_the_environment() -> None:
    files = [p for pkg in BELOW_API for p in (REPO / pkg).rglob("*.py")]
    assert len(files) > 40
    assert [use for f in files for use in _environment_uses(f)] == []


def test_documents_read_no_process_settings() -> None:
    for name in ("render.py", "cli.py", "docnumber.py"):
        assert _environment_uses(REPO / "api" / "documents" / name) == []


@pytest.mark.slow
def test_encoders_leave_the_environment_alone(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from nlp.encoders import make_encoder

    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "TOKENIZERS_PARALLELISM", "OPENBLAS_NUM_THREADS",
                "MKL_NUM_THREADS"):
        monkeypatch.delenv(var, raising=False)
    model_dir = data_dir / "models" / "me5-small-zh"
    # the libraries' own import-time settings (torch sets KMP_* for itself) are theirs, not the encoders'
    import onnxruntime  # noqa: F401
    import sentence_transformers  # noqa: F401
    import torch  # noqa: F401

    before = dict(os.environ)
    for kind in ("e5-onnx-q8", "e5-torch"):
        enc = make_encoder(kind, model_dir)
        assert enc.encode_queries(["未取得食品经营许可从事餐饮服务"]).shape == (1, enc.dim)
    assert dict(os.environ) == before
