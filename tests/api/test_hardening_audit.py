"""Audit privacy: identifiers masked in every stored row, keyed input hashes, retention, benchmark loads audited."""

from __future__ import annotations

import csv
import getpass
import hashlib
import json
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from api.cli import app as cli
from api.core.settings import get_settings
from api.db.database import Database, migrate
from api.db.privacy import keyed_hash, mask_text
from nlp.identifiers import uscc_check_char

REPO = Path(__file__).resolve().parents[2]
CASE = json.loads((REPO / "examples" / "case.json").read_text(encoding="utf-8"))

ID_CARD = "500112198603143517"
BAD_ID = ID_CARD[:17] + ("0" if ID_CARD[17] != "0" else "1")  # fails its check digit
USCC = "92500112MA5UQ8K3XP"
BAD_USCC = USCC[:17] + ("Y" if uscc_check_char(USCC[:17]) != "Y" else "X")
PHONE = "13912345678"
CARD = "6222021234567890123"
NAME, ADDRESS = "王建华", "重庆市渝北区龙溪街道金龙路88号附5号"
CLEAR = (ID_CARD, BAD_ID, USCC, BAD_USCC, PHONE, CARD, "6222 0212 3456 7890 123", ADDRESS, "金龙路88号")


def _raw_audit_rows(db_file: Path, where: str = "1=1") -> str:
    """The audit table as stored on disk, every column, as one string."""
    con = sqlite3.connect(db_file)
    try:
        rows = con.execute(f"SELECT * FROM audit WHERE {where}").fetchall()
    finally:
        con.close()

    def readable(v: object) -> object:  # JSON columns are stored \\u-escaped: unescape them to search them
        try:
            return json.loads(v) if isinstance(v, str) else v
        except ValueError:
            return v

    return json.dumps([[readable(v) for v in row] for row in rows], ensure_ascii=False)


def test_mask_text_covers_ids_credit_codes_phones_and_cards() -> None:
    text = (f"身份证{ID_CARD}，错号{BAD_ID.lower()}，代码{USCC}，手机{PHONE}，+86 139-1234-5678，座机023-67000000，"
            f"卡号{CARD}、6222 0212 3456 7890 123，全角５００１１２１９８６０３１４３５１７")
    masked = mask_text(text)
    for value in (ID_CARD, BAD_ID.lower(), USCC, PHONE, "139-1234-5678", "67000000", CARD, "0212 3456 7890",
                  "５００１１２１９８６０３１４３５１７"):
        assert value not in masked, value
    # what is not an identifier stays: amounts, dates, article numbers, hashes
    keep = "罚款3280元，2026-10-09，第一百二十二条，score 0.1234567890123456，sha " + "ab12" * 16
    assert mask_text(keep) == keep


def test_error_details_and_entities_are_masked_centrally(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 's.sqlite'}")
    error = {"code": "invalid_identifier", "message": f"identifier(s) fail their check: {BAD_ID}: 校验位错误",
             "details": {"identifiers": [f"{BAD_ID}: 校验位错误", f"{BAD_USCC}: 校验位错误"]}}
    db.audit(request_id="r1", actor="a", role="officer", action="document", payload={"case": {"id": ID_CARD}},
             result={"error": error}, corpus_version="c", index_version="i", status=422, note=f"电话 {PHONE}")
    db.audit(request_id="r2", actor="a", role="anonymous", action="extract", payload={}, corpus_version="c",
             index_version="i", status=200,
             result=[{"label": "PARTY", "text": "重庆市渝北区蜀香源餐馆", "valid": True},
                     {"label": "LEGAL_REP", "text": NAME}, {"label": "ADDRESS", "text": ADDRESS},
                     {"label": "ID_CARD", "text": ID_CARD}, {"label": "MONEY", "text": "3280元"}])
    raw = _raw_audit_rows(tmp_path / "s.sqlite")
    for value in (*CLEAR, NAME, "蜀香源"):
        assert value not in raw, value
    assert "3280元" in raw and "invalid_identifier" in raw and "重庆市" in raw


def test_real_audit_rows_hold_no_identifier(app_env) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    text = (f"2026年3月5日，重庆市渝北区蜀香源餐馆（统一社会信用代码{USCC}，经营者{NAME}，身份证号{ID_CARD}，"
            f"联系电话{PHONE}，住所{ADDRESS}）在经营场所销售过期食品，货款转入银行卡{CARD}。")
    with TestClient(create_app(app_env)) as c:
        key = c.app.state.services.db.create_key("privacy-test", "officer")
        r = c.post("/v1/extract", json={"text": text}, headers={"X-Request-ID": "privacy-extract"})
        assert r.status_code == 200
        labels = {e["label"] for e in r.json()["entities"]}
        assert {"USCC", "ID_CARD", "PHONE"} <= labels  # the answer itself is complete
        case = json.loads(json.dumps(CASE))
        case["party"]["id_number"], case["party"]["credit_code"] = BAD_ID, BAD_USCC
        r = c.post("/v1/documents", json={"kind": "penalty_decision", "case": case, "format": "json"},
                   headers={"X-API-Key": key, "X-Request-ID": "privacy-refused"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_identifier"
        assert BAD_ID in r.text  # the caller is told which number fails; the audit trail is not
    raw = _raw_audit_rows(app_env.data_dir / "service.sqlite",
                          "request_id IN ('privacy-extract', 'privacy-refused')")
    assert "privacy-extract" in raw and "privacy-refused" in raw and "invalid_identifier" in raw
    for value in (*CLEAR, NAME, "蜀香源"):
        assert value not in raw, value


def test_input_hash_is_an_hmac_under_a_private_secret(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 's.sqlite'}")
    payload = {"text": f"身份证号{ID_CARD}"}
    db.audit(request_id="r", actor="a", role="officer", action="extract", payload=payload, result={},
             corpus_version="c", index_version="i", status=200)
    stored = db.audit_records(1)[0]["input_hash"]
    body = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()
    assert stored != hashlib.sha256(body).hexdigest() and len(stored) == 64
    secret_file = tmp_path / "audit.key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert stored == keyed_hash(secret_file.read_bytes().strip(), hashlib.sha256(body).hexdigest())
    # the same secret after a restart, so equal inputs keep equal hashes
    again = Database(f"sqlite:///{tmp_path / 's.sqlite'}")
    assert again.input_hash(payload) == stored
    # a secret file others could read is tightened
    secret_file.chmod(0o644)
    Database(f"sqlite:///{tmp_path / 's.sqlite'}").input_hash(payload)
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600


def test_secret_is_made_at_first_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.core.settings import Settings

    monkeypatch.delenv("EH_AUDIT_SECRET_FILE", raising=False)
    with TestClient(create_app(Settings(data_dir=tmp_path))):
        pass
    assert stat.S_IMODE((tmp_path / "audit.key").stat().st_mode) == 0o600


def test_rows_from_before_the_upgrade_are_masked_and_rekeyed(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    engine = Database(f"sqlite:///{tmp_path / 'old.sqlite'}").engine
    cfg = Config()
    cfg.set_main_option("script_location", str(REPO / "api" / "db" / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0002")
    plain = hashlib.sha256(b'{"text": "x"}').hexdigest()
    with engine.begin() as conn:  # a row as version 0002 wrote it
        conn.execute(sa.text(
            "INSERT INTO audit (at, request_id, actor, role, action, input_hash, result, corpus_version, "
            "index_version, status) VALUES ('2026-01-01 00:00:00', 'old', 'a', 'officer', 'document', :h, :r, "
            "'c', 'i', 422)"), {"h": plain, "r": json.dumps({"error": {"message": f"{BAD_ID}: 校验位错误"}})})
    secret = b"k" * 64
    migrate(engine, audit_secret=lambda: secret)
    raw = _raw_audit_rows(tmp_path / "old.sqlite")
    assert BAD_ID not in raw and "校验位错误" in raw
    assert keyed_hash(secret, plain) in raw and plain not in raw


@pytest.fixture()
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EH_DATA_DIR", str(tmp_path))
    for var in ("EH_DATABASE_URL", "EH_AUDIT_RETENTION_DAYS", "EH_AUDIT_SECRET_FILE"):
        monkeypatch.delenv(var, raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _age(db: Database, request_id: str, days: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit SET at = :at WHERE request_id = :rid"),
                     {"at": (datetime.now(UTC) - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S.%f"),
                      "rid": request_id})


def test_audit_purge_deletes_old_rows_and_says_how_many(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = Database(f"sqlite:///{cli_env / 'service.sqlite'}")
    for rid, days in (("old-1", 400), ("old-2", 100), ("new", 1)):
        db.audit(request_id=rid, actor="a", role="officer", action="verify", payload={}, result={},
                 corpus_version="c", index_version="i", status=200)
        _age(db, rid, days)
    runner = CliRunner()
    res = runner.invoke(cli, ["audit", "purge", "--older-than-days", "365"])
    assert res.exit_code == 0 and "deleted 1 audit record" in res.output
    assert {r["request_id"] for r in db.audit_records(10)} == {"old-2", "new"}
    assert runner.invoke(cli, ["audit", "purge"]).exit_code == 2  # no N and no EH_AUDIT_RETENTION_DAYS
    monkeypatch.setenv("EH_AUDIT_RETENTION_DAYS", "30")
    get_settings.cache_clear()
    res = runner.invoke(cli, ["audit", "purge"])
    assert res.exit_code == 0 and "deleted 1 audit record" in res.output
    assert [r["request_id"] for r in db.audit_records(10)] == ["new"]
    # `audit` alone still prints the newest records
    out = runner.invoke(cli, ["audit", "--limit", "5"])
    assert out.exit_code == 0 and json.loads(out.stdout.splitlines()[0])["request_id"] == "new"


def test_retention_is_applied_at_start_up(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.core.settings import Settings

    db = Database(f"sqlite:///{tmp_path / 'service.sqlite'}")
    db.audit(request_id="ancient", actor="a", role="officer", action="verify", payload={}, result={},
             corpus_version="c", index_version="i", status=200)
    _age(db, "ancient", 1000)
    with TestClient(create_app(Settings(data_dir=tmp_path, audit_retention_days=90))) as c:
        assert c.app.state.services.db.audit_records(10) == []


AGENCY_ROWS = [
    ["事项编号", "违法行为", "违反条款", "处罚依据", "裁量阶次", "裁量情节", "裁量标准"],
    ["A-1", "单位占用疏散通道", "《消防法》第二十八条", "《消防法》第六十条第一款第（三）项", "从轻", "初次违法", "处五千元以上一万元以下罚款"],
    ["A-1", "单位占用疏散通道", "《消防法》第二十八条", "《消防法》第六十条第一款第（三）项", "从重", "两年内第2次以上", "处三万元以上八万元以下罚款"],
]


def test_benchmarks_load_is_audited(cli_env: Path, data_dir: Path) -> None:
    (cli_env / "corpus.sqlite").symlink_to(data_dir / "corpus.sqlite")  # a benchmark store of its own
    table = cli_env / "agency.csv"
    with open(table, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(AGENCY_ROWS)
    runner = CliRunner()
    res = runner.invoke(cli, ["benchmarks", "load", str(table), "--name", "agency-test"])
    assert res.exit_code == 1, res.output  # one tier outside the statutory range is rejected
    db = Database(f"sqlite:///{cli_env / 'service.sqlite'}")
    rec = db.audit_records(1, "benchmarks_load")[0]
    assert rec["actor"] == f"os:{getpass.getuser()}" and rec["role"] == "local" and rec["status"] == 422
    assert rec["result"]["sha256"] == hashlib.sha256(table.read_bytes()).hexdigest()
    assert rec["result"]["rows_read"] == 2 and rec["result"]["rows_skipped"] == 1 and rec["result"]["ok"] is False
    assert rec["result"]["rejected"] and rec["result"]["benchmark"] == "agency-test"
    # with a key: only an admin key may change benchmarks, and the change is recorded under its holder
    officer = db.create_key("警官", "officer")
    res = runner.invoke(cli, ["benchmarks", "load", str(table), "--api-key", officer])
    assert res.exit_code == 2 and "forbidden" in res.output
    admin = db.create_key("管理员", "admin")
    runner.invoke(cli, ["benchmarks", "load", str(table), "--name", "agency-test", "--api-key", admin])
    assert db.audit_records(1, "benchmarks_load")[0]["actor"] == "管理员"
    # a file that cannot be loaded is audited too
    missing = runner.invoke(cli, ["benchmarks", "load", str(cli_env / "nope.csv")])
    assert missing.exit_code == 2
    rec = db.audit_records(1, "benchmarks_load")[0]
    assert rec["result"]["ok"] is False and rec["result"]["error"]["code"] == "file_not_found"
