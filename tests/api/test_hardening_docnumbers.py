"""文号 integrity: six-digit integer serials, a UNIQUE register of issued numbers, migrations under a lock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from api.db.database import Database, advisory_lock, migrate
from api.documents.docnumber import MAX_SERIAL, NumberCounter, format_doc_number, normalize_doc_number
from api.documents.errors import BadDocNumber, DocNumberTaken
from nlp.identifiers import uscc_check_char

REPO = Path(__file__).resolve().parents[2]
CASE = json.loads((REPO / "examples" / "case.json").read_text(encoding="utf-8"))
P = "渝北市监处罚"


@pytest.mark.parametrize("serial", ["9223372036854775807", str(2**63), str(2**64 + 5), "1234567", "0001234567"])
def test_serials_longer_than_six_digits_are_refused(serial: str) -> None:
    with pytest.raises(BadDocNumber, match="six|6"):
        normalize_doc_number(f"{P}〔2026〕{serial}号")


def test_serial_bounds_and_types() -> None:
    assert normalize_doc_number(f"{P}〔2026〕{MAX_SERIAL}号") == f"{P}〔2026〕999999号"
    assert normalize_doc_number(f"{P}[2026]000012号") == f"{P}〔2026〕12号"  # zero padding is not a digit count
    for bad in (1.0, 2**63, True, MAX_SERIAL + 1, 0, -3):
        with pytest.raises(BadDocNumber):
            format_doc_number(P, 2026, bad)  # type: ignore[arg-type]
    with pytest.raises(BadDocNumber):
        format_doc_number(P, 2026.0, 1)  # type: ignore[arg-type]
    with pytest.raises(BadDocNumber):
        normalize_doc_number(f"{P}〔2026〕1.5号")
    with pytest.raises(BadDocNumber):
        normalize_doc_number(f"{P}〔2026〕١٢号")  # Arabic-Indic digits: int() would read them, 文号 never has them


def test_an_entered_huge_serial_cannot_break_the_counter(tmp_path: Path) -> None:
    counter = NumberCounter(tmp_path / "n.sqlite")
    for serial in ("9223372036854775807", str(2**63)):
        with pytest.raises(BadDocNumber):
            counter.observe(f"{P}〔2026〕{serial}号")
    assert counter.next(P, 2026) == f"{P}〔2026〕1号"  # an integer string, not 9.2e+18


def test_counter_stops_at_the_last_six_digit_serial(tmp_path: Path) -> None:
    counter = NumberCounter(tmp_path / "n.sqlite")
    counter.observe(f"{P}〔2026〕{MAX_SERIAL}号")
    with pytest.raises(BadDocNumber, match="999999"):
        counter.next(P, 2026)


def test_entered_numbers_are_checked_against_the_issued_ones(tmp_path: Path) -> None:
    counter = NumberCounter(tmp_path / "n.sqlite")
    first = counter.next(P, 2026, owner="penalty_decision\x1f甲")
    with pytest.raises(DocNumberTaken) as exc:
        counter.observe(first, owner="penalty_decision\x1f乙")  # another decision may not reuse an allocated one
    assert exc.value.code == "doc_number_taken"
    counter.observe(first, owner="penalty_decision\x1f甲")  # the same document rendered again may
    counter.observe(f"{P}〔2026〕7号", owner="x")
    for owner in ("y", None):
        with pytest.raises(DocNumberTaken):
            counter.observe(f"{P}（2026）第0007号", owner=owner)  # any spelling of the same 文号
    assert counter.next(P, 2026) == f"{P}〔2026〕8号"
    db = counter.db
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT number, source, owner FROM doc_numbers ORDER BY id")).all()
    assert [(r.number, r.source) for r in rows] == [(first, "counter"), (f"{P}〔2026〕7号", "entered"),
                                                    (f"{P}〔2026〕8号", "counter")]
    assert all(r.owner is None or ("甲" not in r.owner and len(r.owner) == 64) for r in rows)  # keyed hash only


def test_the_register_is_unique_in_the_schema(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 's.sqlite'}")
    uniques = sa.inspect(db.engine).get_unique_constraints("doc_numbers")
    assert any(u["column_names"] == ["number"] for u in uniques)
    row = {"number": "甲〔2026〕1号", "prefix": "甲", "year": 2026, "serial": 1, "source": "entered",
           "issued_at": "2026-01-01 00:00:00"}
    with db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO doc_numbers (number, prefix, year, serial, source, issued_at) "
                             "VALUES (:number, :prefix, :year, :serial, :source, :issued_at)"), row)
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO doc_numbers (number, prefix, year, serial, source, issued_at) "
                             "VALUES (:number, :prefix, :year, :serial, :source, :issued_at)"), row)


def test_legacy_counter_file_is_carried_over(tmp_path: Path) -> None:
    import sqlite3

    legacy = tmp_path / "doc_numbers.sqlite"
    con = sqlite3.connect(legacy)
    con.execute("CREATE TABLE doc_counters (prefix TEXT, year INTEGER, last INTEGER, PRIMARY KEY (prefix, year))")
    con.executemany("INSERT INTO doc_counters VALUES (?, ?, ?)", [(P, 2026, 41), ("坏", 2026, 9223372036854775807)])
    con.commit()
    con.close()
    counter = NumberCounter(Database(f"sqlite:///{tmp_path / 'service.sqlite'}"), legacy=legacy)
    assert counter.next(P, 2026) == f"{P}〔2026〕42号"
    assert counter.next("坏", 2026) == "坏〔2026〕1号"  # an overflowed legacy counter is not carried over


def test_migrations_of_concurrent_starts_do_not_race(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    code = f"from api.db.database import Database; Database({url!r}); print('ok')"
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [e[-800:] for _, e in outs]
    assert (tmp_path / "fresh.sqlite.migrate.lock").exists()
    with Database(url).engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0003"


class _FakePgConnection:
    """Just enough of a Connection to see what migrate() asks PostgreSQL for."""

    class dialect:  # noqa: N801 - mimics the attribute
        name = "postgresql"

    def __init__(self) -> None:
        self.sql: list[tuple[str, dict]] = []

    def execute(self, statement, params=None):  # noqa: ANN001, ANN201
        self.sql.append((str(statement), params or {}))


def test_postgresql_migration_takes_an_advisory_lock() -> None:
    conn = _FakePgConnection()
    assert advisory_lock(conn) is True  # type: ignore[arg-type]
    (sql, params), = conn.sql
    assert "pg_advisory_xact_lock" in sql and isinstance(params["key"], int)
    sqlite = sa.create_engine("sqlite://")
    with sqlite.connect() as c:
        assert advisory_lock(c) is False


def test_migrate_takes_the_lock_inside_its_transaction(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import api.db.database as database

    seen: list[str] = []
    monkeypatch.setattr(database, "advisory_lock", lambda conn: seen.append(conn.dialect.name) or False)
    migrate(sa.create_engine(f"sqlite:///{tmp_path / 'm.sqlite'}"))
    assert seen == ["sqlite"]


# ------------------------------------------------------------------------------ through the HTTP API
@pytest.fixture()
def client(app_env):
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(app_env)) as c:
        yield c


def _officer(client) -> dict:
    return {"X-API-Key": client.app.state.services.db.create_key("number-test", "officer")}


def test_http_refuses_a_huge_serial_with_a_4xx(client) -> None:
    case = json.loads(json.dumps(CASE))
    for serial in ("9223372036854775807", str(2**63), "1234567"):
        case["numbers"]["penalty_decision"] = f"{P}〔2026〕{serial}号"
        r = client.post("/v1/documents", json={"kind": "penalty_decision", "case": case, "format": "json"},
                        headers=_officer(client))
        assert r.status_code == 422, r.text
        assert r.json()["error"]["code"] in ("invalid_case", "bad_doc_number")


def test_http_refuses_a_number_another_decision_has(client) -> None:
    h = _officer(client)
    first = json.loads(json.dumps(CASE))
    first["numbers"] = {"penalty_decision": f"{P}〔2031〕5号"}
    body = {"kind": "penalty_decision", "case": first, "format": "json"}
    assert client.post("/v1/documents", json=body, headers=h).status_code == 200
    assert client.post("/v1/documents", json=body, headers=h).status_code == 200  # the same decision again
    other = json.loads(json.dumps(first))
    other["party"]["name"] = "重庆市渝北区另一家餐馆"
    other["party"]["credit_code"] = "92500112MA5UQ8K4X" + uscc_check_char("92500112MA5UQ8K4X")
    r = client.post("/v1/documents", json={**body, "case": other}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "doc_number_taken", r.text
    rec = client.app.state.services.db.audit_records(1, "document")[0]
    assert rec["status"] == 409 and rec["result"]["error"]["code"] == "doc_number_taken"
