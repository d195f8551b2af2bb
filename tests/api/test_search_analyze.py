"""Search and analyze end to end: real e5 model, real index, real benchmarks (issues #3, #4)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(built_index, data_dir, shared_dir):
    from api.core.settings import Settings

    with TestClient(create_app(Settings(data_dir=data_dir, shared_dir=shared_dir))) as c:
        yield c


def test_search_returns_the_penalty_provision_in_force(client) -> None:
    r = client.post("/v1/search", json={"query": "某餐馆后厨未取得食品经营许可证擅自经营，系初次被查处",
                                         "as_of": "2026-10-01", "top_k": 5})
    assert r.status_code == 200
    res = r.json()["results"]
    assert {"citation", "law", "article", "paragraph", "item", "text", "score", "violated", "basis"} <= set(res[0])
    bases = [h["basis"]["citation"] for h in res if h.get("basis")]
    assert any(c.startswith("《中华人民共和国食品安全法》第一百二十二条") for c in bases)


def test_search_respects_the_violation_date(client) -> None:
    q = {"query": "化工厂超过大气污染物排放标准排放废气", "top_k": 10}
    old = client.post("/v1/search", json={**q, "as_of": "2025-05-01"}).json()["results"]
    new = client.post("/v1/search", json={**q, "as_of": "2026-10-01"}).json()["results"]
    assert any("大气污染防治法" in h["law"] for h in old)
    assert not any("大气污染防治法" in h["law"] for h in new)  # repealed on 2026-08-15 (R2.6)
    assert any("生态环境法典" in h["law"] for h in new)


def test_analyze_gives_item_tier_fine_and_reminders(client) -> None:
    body = {"description": "某餐馆后厨未取得食品经营许可证擅自经营，货值金额八千元，系初次违法，危害后果轻微，已当场改正",
            "as_of": "2026-10-01", "party_type": "organization"}
    r = client.post("/v1/analyze", json=body)
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["item"]["basis"][0]["status"] == "verified" and "一百二十二条" in d["item"]["basis"][0]["citation"]
    assert set(d["tier"]) >= {"label", "rank", "probability"}
    fine = d["fine"]
    assert 50000 <= fine["min"] <= fine["suggested"] <= fine["max"] <= 100000  # 货值不足一万元: 五万–十万 (食品安全法 122)
    assert any(x["code"] == "first_offence_no_penalty" for x in d["reminders"])
    spans = [f["span"] for f in d["factors"] if f.get("span")]
    assert all(body["description"][s:e] for s, e in spans)
    rec = client.app.state.services.db.audit_records(1, "analyze")[0]
    assert rec["result"]["tier"]["label"] == d["tier"]["label"] and rec["index_version"] != "none"


def test_same_facts_same_tier(client) -> None:
    texts = ["工地土方裸露未覆盖，扬尘严重，经责令改正拒不改正",
             "施工工地的建筑土方没有覆盖防尘网，扬尘严重，责令改正后拒不改正",
             "某建筑工地裸土未采取覆盖措施造成扬尘，执法人员责令整改，当事人拒不改正"]
    tiers = {client.post("/v1/analyze", json={"description": t, "as_of": "2026-10-01",
                                               "party_type": "organization"}).json()["tier"]["label"] for t in texts}
    assert len(tiers) == 1


def test_batch_and_errors(client) -> None:
    items = [{"id": "1", "description": "小贩擅自占道摆摊卖水果", "as_of": "2026-10-01"},
             {"id": "2", "description": "司机酒后驾驶机动车", "as_of": "2026-99-01"}]
    r = client.post("/v1/analyze/batch", json={"items": items})
    out = r.json()["results"]
    assert [o["id"] for o in out] == ["1", "2"] and "provisions" in out[0] and out[1]["error"]["code"] == "bad_date"
    too_many = {"items": [{"description": "x"}] * 101}
    assert client.post("/v1/analyze/batch", json=too_many).status_code == 413
    assert client.post("/v1/search", json={"query": "x", "top_k": 0}).status_code == 422
    assert client.post("/v1/analyze", json={"description": "x", "party_type": "alien"}).status_code == 422


def test_cli_search_and_analyze_jsonl(monkeypatch, built_index, data_dir, shared_dir) -> None:
    from api.core.settings import get_settings

    monkeypatch.setenv("EH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("EH_SHARED_DIR", str(shared_dir))
    get_settings.cache_clear()
    lines = "\n".join([
        json.dumps({"id": "a", "query": "超市销售超过保质期的食品", "as_of": "2026-10-01", "top_k": 3}, ensure_ascii=False),
        "{broken",
        json.dumps({"id": "c", "query": "", "as_of": "2026-10-01"}),
    ])
    res = CliRunner().invoke(cli, ["search", "--jsonl"], input=lines)
    out = [json.loads(x) for x in res.stdout.splitlines()]
    assert [o.get("id") for o in out] == ["a", None, "c"]
    assert len(out[0]["results"]) == 3 and {"citation", "violated", "basis", "score"} <= set(out[0]["results"][0])
    assert out[1]["error"]["code"] == "bad_json" and out[2]["error"]["code"] == "empty_input"
    res = CliRunner().invoke(cli, ["analyze", "--jsonl"], input=json.dumps(
        {"id": "x", "description": "商场占用、堵塞疏散通道", "as_of": "2026-10-01", "party_type": "organization"},
        ensure_ascii=False))
    (o,) = [json.loads(x) for x in res.stdout.splitlines()]
    assert o["id"] == "x" and o["provisions"]
    get_settings.cache_clear()
