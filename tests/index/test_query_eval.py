"""Conduct-clause extraction, evaluation metrics, no-match calibration, and the dev set itself."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index.calibration import NoMatchCalibrator, query_features
from index.evaluate import GoldRef, evaluate, load_dev
from index.query import extract_conduct
from index.search import Searcher

REPO = Path(__file__).resolve().parents[2]
DEV = REPO / "eval" / "retrieval_dev.jsonl"


def test_extract_conduct_drops_who_when_where_evidence() -> None:
    text = (
        "经查，当事人重庆某某餐饮管理有限公司于2026年3月12日起在其位于渝中区解放碑某街道12号的门店内，"
        "未取得食品经营许可证从事餐饮服务活动。以上事实有现场检查笔录、询问笔录、营业执照复印件及照片为证。"
    )
    out = extract_conduct(text)
    assert "未取得食品经营许可证从事餐饮服务活动" in out
    for noise in ("经查", "2026年", "有限公司", "笔录", "12号"):
        assert noise not in out
    short = "饮酒后驾驶机动车"
    assert extract_conduct(short) == short
    # Nothing but boilerplate: keep the original rather than an empty query.
    only = "经查，当事人于2026年3月12日。以上事实有现场检查笔录为证。"
    assert extract_conduct(only) == only


def test_goldref_article_and_exact_levels() -> None:
    g = GoldRef.parse("《中华人民共和国消防法》第六十条第一款第（三）项")
    hit_item = {"law": "中华人民共和国消防法", "article": 60, "paragraph": 1, "item": 3}
    hit_other_item = {"law": "中华人民共和国消防法", "article": 60, "paragraph": 1, "item": 4}
    hit_article = {"law": "消防法", "article": 60, "paragraph": None, "item": None}
    assert g.matches(hit_item, exact=True)
    assert g.matches(hit_other_item) and not g.matches(hit_other_item, exact=True)
    assert g.matches(hit_article) and not g.matches(hit_article, exact=True)
    assert not g.matches({"law": "中华人民共和国消防法实施条例", "article": 60})  # pitfall (a)
    assert not g.matches(None)


def test_evaluate_counts_ranks(searcher: Searcher, tmp_path: Path) -> None:
    rows = [
        {"id": "a", "query": "未取得食品生产经营许可从事食品生产经营活动", "as_of": "2026-10-01",
         "violated": ["《中华人民共和国食品安全法》第三十五条"], "basis": ["《中华人民共和国食品安全法》第一百二十二条"],
         "source": "t:1"},
        {"id": "b", "query": "在禁止焚烧的区域露天焚烧秸秆", "as_of": "2026-10-01", "violated": [],
         "basis": ["《中华人民共和国消防法》第一条"], "source": "t:2"},  # deliberately wrong gold
        {"id": "n", "query": "今天天气很好", "as_of": "2026-10-01", "violated": [], "basis": [], "source": "negative:x"},
    ]  # fmt: skip
    path = tmp_path / "dev.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    out = evaluate(searcher, path, top_k=10)
    assert out["positives"] == 2 and out["negatives"] == 1
    assert out["basis"]["n"] == 2
    assert out["basis"]["R@10"] == pytest.approx(0.5)  # "a" found, "b" cannot be
    assert 0 < out["basis"]["MRR"] <= 0.5
    assert out["violated"]["n"] == 1
    assert [f["id"] for f in out["failures"]] == ["b"]


def test_calibrator_threshold_keeps_positives() -> None:
    rng = np.random.default_rng(0)
    pos = [np.array([0.93, 0.05, 2.0, 0.4]) + rng.normal(0, 0.01, 4) for _ in range(60)]
    neg = [np.array([0.86, 0.01, 0.3, 0.05]) + rng.normal(0, 0.01, 4) for _ in range(30)]
    cal = NoMatchCalibrator.fit(pos, neg, key="k", keep_positive=0.95)
    kept = np.mean([cal.confidence(f) >= cal.threshold for f in pos])
    caught = np.mean([cal.confidence(f) < cal.threshold for f in neg])
    assert kept >= 0.95 and caught > 0.9
    feats = query_features(np.array([0.9, 0.85, 0.84]), np.array([3.0, 1.0, 0.0, 0.5]), 10)
    assert feats.shape == (4,) and feats[0] == pytest.approx(0.9) and feats[2] == pytest.approx(0.3)


def test_dev_set_is_well_formed() -> None:
    items = load_dev(DEV)
    assert len(items) >= 100
    ids = [it["id"] for it in items]
    assert len(ids) == len(set(ids))
    positives = [it for it in items if it["basis"] or it["violated"]]
    assert len(positives) >= 100 and len(items) - len(positives) >= 20
    for it in items:
        assert it["query"].strip() and it["source"]
        date.fromisoformat(it["as_of"])
        for c in it["basis"] + it["violated"]:
            GoldRef.parse(c)


def test_dev_gold_exists_in_store_on_its_date(store) -> None:
    """Every gold provision is in the real store and in force on the query's as_of date."""
    from index.evaluate import GoldRef
    from nlp.citations import normalize_title

    rows = store.con.execute(
        "SELECT i.title_key, a.number, a.sub, v.effective_from, v.effective_to FROM articles a"
        " JOIN versions v ON v.id=a.version_id JOIN instruments i ON i.id=v.instrument_id"
    ).fetchall()
    windows: dict[tuple, list[tuple]] = {}
    for key, n, sub, ef, et in rows:
        windows.setdefault((key, n, sub), []).append((ef or "", et or "9999"))
    missing = []
    for it in load_dev(DEV):
        for c in it["basis"] + it["violated"]:
            g = GoldRef.parse(c)
            spans = windows.get((normalize_title(g.law_key), g.article, g.sub), [])
            if not any(ef <= it["as_of"] < et for ef, et in spans):
                missing.append((it["id"], c))
    assert not missing, missing[:10]
