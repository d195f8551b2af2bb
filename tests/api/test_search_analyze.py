"""Search and analyze end to end: real e5 model, real index, real benchmarks (issues #3, #4)."""

from __future__ import annotations

import json
from datetime import date, timedelta

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


# ---- audit of issue 4 (wrong items, party, circumstance cues, dates, lists) ------------------------------------


def _analyze(client, description: str, **kw) -> dict:
    r = client.post("/v1/analyze", json={"description": description, "as_of": "2026-10-01", **kw})
    assert r.status_code == 200, r.text
    return r.json()


def test_an_expired_tables_item_leaves_the_fine_to_the_statutory_range(client) -> None:
    """Audit 1 and 7 end to end (the ranking of items sharing an article: tests/analysis/test_items.py)."""
    # the 江门 table is expired, so the statutory range and its split decide, the expired band kept for
    # reference (audit 7). Worded as a decision states it: for the bare shorthand 「废气排放超标」 the learned ranking
    # stage ranks another 罚则 of the law first (docs/BENCHMARKS.md lists it among its known misses).
    decision_text = "某公司超过大气污染物排放标准排放废气，超标0.5倍"
    d = client.post("/v1/analyze", json={"description": decision_text, "as_of": "2025-06-01",
                                          "party_type": "organization"}).json()
    assert d["item"]["item_id"] == "jiangmen-3-3"
    f = d["fine"]
    assert f["source"] == "statutory_split" and f["min"] == 100000 and f["max"] == 1000000
    assert f["band_min"] <= f["suggested"] <= f["band_max"] and f["benchmark_band"]
    assert any(r["code"] == "benchmark_not_valid_statutory_range" for r in d["reminders"])


def test_party_type_chooses_the_individual_item(client) -> None:
    """Audit 2: an individual blocking an escape route gets 消防法 第六十条第二款, not the unit's 18,500–36,500 元."""
    d = _analyze(client, "张某在楼道堵塞疏散通道", party_type="individual")
    assert d["item"]["item_id"] == "fire-05" and d["fine"]["max"] <= 500
    unknown = _analyze(client, "张某在楼道堵塞疏散通道")
    assert any(r["code"] == "party_unknown" for r in unknown["reminders"])


def test_circumstance_cues_do_not_change_the_item(client) -> None:
    """Audit 3: mitigating/aggravating wording is kept out of retrieval; facts and tier still see it."""
    base = "某餐馆未取得食品经营许可证擅自经营"
    plain = _analyze(client, base, party_type="organization")
    first = _analyze(client, base + "，系初次违法，已及时改正，没有造成危害后果", party_type="organization")
    late = _analyze(client, base + "，未及时改正", party_type="organization")
    assert plain["item"]["item_id"] == first["item"]["item_id"] == late["item"]["item_id"] == "food-01"
    assert first["retrieval_text"] == base and "及时改正" in first["description"]
    assert any(r["code"] == "first_offence_no_penalty" for r in first["reminders"])


def test_discovery_date_and_limitation(client) -> None:
    """Audit 4: discovery_date reaches the limitation check; without it an old case is never 不予处罚 by an assumed
    date, but a blocking reminder asks for the discovery date."""
    text = "当事人在墙上乱涂写"
    d = _analyze(client, text, as_of="2023-01-01")
    assert d["discovery_date"] is None
    (need,) = [r for r in d["reminders"] if r["code"] == "discovery_date_needed"]
    assert need["blocking"] and "第三十六条" in need["rule"]
    assert d["adjustment"] != "不予处罚" and not any(r["code"] == "limitation_expired" for r in d["reminders"])
    assert d["tier"]["label"] and d["fine"]
    late = _analyze(client, text, as_of="2023-01-01", discovery_date="2025-06-01")
    assert late["adjustment"] == "不予处罚" and any(r["code"] == "limitation_expired" for r in late["reminders"])
    recent = _analyze(client, text, as_of="2024-01-01", discovery_date="2025-06-01")
    assert recent["adjustment"] != "不予处罚" and recent["discovery_date"] == "2025-06-01"
    assert not any(r["code"] == "discovery_date_needed" for r in recent["reminders"])
    fresh = _analyze(client, text, as_of=(date.today() - timedelta(days=30)).isoformat())
    assert not any(r["code"] == "discovery_date_needed" for r in fresh["reminders"])
    r = client.post("/v1/analyze/batch", json={"items": [{"description": text, "as_of": "2023-01-01",
                                                          "discovery_date": "2023-06-01"}]})
    (o,) = r.json()["results"]
    assert o["discovery_date"] == "2023-06-01" and o["adjustment"] != "不予处罚"
    assert client.post("/v1/analyze", json={"description": text, "discovery_date": "2023-13-01"}).json()[
        "error"]["field"] == "discovery_date"


def test_no_penalty_list_items_are_checked_with_their_ground(client) -> None:
    """Audit 5: matched 不予处罚 list items give reminders with the statutory ground (R5.7), not the tier."""
    d = _analyze(client, "某商场疏散通道被货物占用仅1处，首次发现后当场改正，没有实际影响人员疏散", party_type="organization")
    rems = [r for r in d["reminders"] if r["code"].startswith("no_penalty_list")]
    assert rems and all("第三十三条" in r["rule"] for r in rems)
    assert not d["item"]["no_penalty_list"]


def test_lawful_description_cites_no_violation(client) -> None:
    """A record of compliance gets no tier and no fine; its provisions are only the rules that were checked."""
    d = _analyze(client, "经现场检查，该餐馆证照齐全，食品均在保质期内，从业人员持有健康证明。")
    assert d["no_violation"] is True and d["tier"] is None and d["fine"] is None
    assert any(e["text"] == "证照齐全" for e in d["no_violation_evidence"])
    assert all(p["context_only"] and p["label"].startswith("已核查") for p in d["provisions"])
    assert d["confidence"] == 0.0 and any(r["code"] == "no_violation" for r in d["reminders"])
    v = _analyze(client, "经现场检查，该餐馆证照齐全，但冷柜内3袋熟食已超过保质期仍在销售。")
    assert v["no_violation"] is False


def test_every_answer_with_a_penalty_provision_has_a_fine_and_its_source(client) -> None:
    """Without an agreeing benchmark item the fine is the 罚则's statutory range split into tiers, with arithmetic."""
    for text in ("施工工地未设置硬质围挡，土方未覆盖，造成扬尘污染", "药店将处方药与非处方药混放陈列，未分区",
                 "餐馆未取得食品经营许可从事餐饮服务"):
        d = _analyze(client, text, party_type="organization", region="全国")
        top = d["provisions"][0]
        if not (top.get("is_liability") or top.get("basis")):
            continue
        assert d["fine"] and d["fine"]["source"] in ("item", "statutory_split"), text
        assert d["tier"]["label"] and d["tier"]["source"] == d["fine"]["source"]
        if d["fine"]["source"] == "statutory_split" and d["fine"]["max"] is not None:
            assert d["fine"]["min"] <= d["fine"]["suggested"] <= d["fine"]["max"]
            assert d["fine"]["arithmetic"] and "30%" in d["fine"]["rule"]
        for s in d.get("similar_items") or []:
            assert s["label"] == "相似事项（仅供参考）"


def test_region_filters_local_regulations_over_http(client) -> None:
    q = {"query": "在河道管理范围内弃置、堆放阻碍行洪的物体", "as_of": "2024-06-01", "top_k": 20}
    zj = client.post("/v1/search", json={**q, "region": "浙江"}).json()
    cq = client.post("/v1/search", json=q).json()
    assert zj["region"] == "浙江" and cq["region"] == "重庆"
    assert any(h["law"].startswith("浙江省") for h in zj["results"])
    assert not any(h["law"].startswith(("浙江", "上海", "山东", "河南", "北京", "广东")) for h in cq["results"])
    bad = client.post("/v1/search", json={**q, "region": "火星"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "region"


def test_decision_date_brings_the_from_old_from_light_comparison(client) -> None:
    """A 2025 dust violation decided after 生态环境法典 took effect: both versions shown, the successor named."""
    text = "施工工地未设置硬质围挡，也未对裸露土方进行覆盖，造成扬尘污染"
    d = _analyze(client, text, as_of="2025-06-01", decision_date="2026-09-01", party_type="organization",
                 region="全国")
    assert d["decision_date"] == "2026-09-01"
    top = d["provisions"][0]
    assert (top.get("basis") or top)["law"] == "中华人民共和国大气污染防治法"
    c = d["from_old_from_light"]
    assert c["violation_version"]["status"] == "verified" and c["rule"].startswith("处罚法 第三十七条")
    assert c["successor"] == "中华人民共和国生态环境法典" and c["lighter"] == "unknown" and c["reason"]
    same_day = _analyze(client, text, as_of="2025-06-01", decision_date="2025-07-01", region="全国")
    assert same_day["from_old_from_light"] is None


HOSTILE_QUERIES = {
    "repeated-tokens": "第" * 5000 + "条款项" * 3000,  # BM25 used to walk 「第」's postings once per occurrence
    "digits": "1" * 20_000,  # the evidence-clause pattern used to rescan the run from every position
    "blanks": "当事人" + " " * 19_990 + "。",
    "semicolons": "；" * 19_999 + "x",
    "admin-suffixes": "当事人在" + "镇" * 60 + "。",
}


@pytest.mark.parametrize("name", list(HOSTILE_QUERIES))
def test_hostile_queries_answer_quickly_through_the_real_index(client, name: str) -> None:
    """The hardening probes through search and analyze on the served index: a result or a 4xx, well within a second
    of a linear path each (measured again once if the machine stalls), never seconds per request."""
    import time

    text = HOSTILE_QUERIES[name]
    def post(url: str, body: dict) -> tuple[int, float]:
        start = time.perf_counter()
        status = client.post(url, json=body).status_code
        return status, time.perf_counter() - start

    for url, body in (("/v1/search", {"query": text}), ("/v1/analyze", {"description": text})):
        status, elapsed = post(url, body)
        if elapsed > 1.5:
            status, elapsed = post(url, body)
        assert status < 500 and elapsed <= 1.5, (url, name, status, round(elapsed, 2))
