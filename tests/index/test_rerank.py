"""The learned ranking stage: features, labels, training data and the served model (index/rerank.py)."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index import rerank
from index.evaluate import load_real, real_split
from index.rerank import Candidate, Priors, features, labels, short_title


def _cand(law: str, basis_text: str, fused: float, **kw: object) -> Candidate:
    base = dict(law=law, level="法律", is_liability=True, fused=fused, dense_hit=0.9, sparse_hit=10.0,
                dense_basis=0.9, sparse_basis=10.0, item_match=0.0, basis_source="self", violated_source="explicit",
                basis_text=basis_text, violated_text="", basis_key=(law, 1))
    base.update(kw)
    return Candidate(**base)  # type: ignore[arg-type]


def test_short_titles_are_what_a_narrative_mentions() -> None:
    assert short_title("中华人民共和国食品安全法") == "食品安全"
    assert short_title("《城市道路管理条例》") == "城市道路"
    assert short_title("中华人民共和国广告法") == "广告"
    assert short_title("重庆市食品生产加工小作坊和食品摊贩管理条例") == "重庆市食品生产加工小作坊和食品摊贩"


def test_features_read_the_title_and_the_penalty_wording_in_the_query() -> None:
    query = "当事人发布虚假广告，违反了广告法的规定"
    cands = [
        _cand("中华人民共和国广告法", "发布虚假广告的，由市场监督管理部门责令停止发布广告", 2.0),
        _cand("中华人民共和国食品安全法", "未取得食品生产经营许可从事食品生产经营活动", 1.0, dense_hit=None,
              basis_source=None, level="地方性法规"),
    ]
    x = features(cands, query, "发布虚假广告", Priors(["《中华人民共和国广告法》第五十五条"] * 3))
    col = {n: i for i, n in enumerate(rerank.FEATURES)}
    assert x.shape == (2, len(rerank.FEATURES))
    assert x[0, col["title_named"]] == 1.0 and x[1, col["title_named"]] == 0.0
    assert x[0, col["title_bigrams"]] == 1.0
    assert x[0, col["basis_in_conduct"]] > 0 and x[1, col["basis_in_conduct"]] == 0
    assert x[0, col["fused_rel"]] == 1.0 and x[1, col["fused_rel"]] == 0.5
    assert x[1, col["dense_hit"]] == -1.0 and x[1, col["basis_source"]] == 4 and x[1, col["level"]] == 3
    assert x[0, col["law_prior"]] == pytest.approx(np.log1p(3))


def test_an_item_never_counts_in_its_own_prior() -> None:
    cite = "《中华人民共和国广告法》第五十五条第一款"
    p = Priors([cite, cite, "《中华人民共和国广告法》第五十八条"])
    q = p.without([cite])
    assert p.article[("广告法", 55)] == 2 and q.article[("广告法", 55)] == 1 and q.law["广告法"] == 2


def test_labels_grade_the_penalty_provision_above_the_violated_one() -> None:
    hits = [
        {"law": "中华人民共和国广告法", "article": 28, "basis": {"law": "中华人民共和国广告法", "article": 55},
         "violated": {"law": "中华人民共和国广告法", "article": 28}},
        {"law": "中华人民共和国广告法", "article": 4, "basis": None,
         "violated": {"law": "中华人民共和国广告法", "article": 4}},
        {"law": "中华人民共和国广告法", "article": 58, "basis": {"law": "中华人民共和国广告法", "article": 58}},
    ]
    y = labels(hits, ["《中华人民共和国广告法》第五十五条第一款"], ["《中华人民共和国广告法》第四条"])
    assert y.tolist() == [2, 1, 0]


def test_training_is_deterministic() -> None:
    rng = np.random.default_rng(0)
    xs = [rng.random((12, len(rerank.FEATURES))).astype(np.float32) for _ in range(40)]
    ys = [np.array([2] + [0] * 11) if i % 2 else np.array([0] * 11 + [1]) for i in range(40)]
    a = rerank.fit(xs, ys, rounds=20).model_to_string()
    b = rerank.fit(xs, ys, rounds=20).model_to_string()
    assert a == b


def test_the_parsed_guangdong_table_gives_queries_with_real_citations(shared_dir: Path) -> None:
    path = shared_dir / "corpus/raw/cee-eco-env/converted/guangdong_eco_fine_discretion_items.jsonl"
    qs = rerank.table_queries(path)
    assert len(qs) >= 150  # 197 items carry a 处罚依据; a few repeat a title or cite no article
    assert all(rerank.gold_key(q.basis[0]) for q in qs)
    assert len({q.query for q in qs}) == len(qs) and all(q.exclude_title == q.query for q in qs)
    assert any("环境影响评价法" in q.basis[0] for q in qs)


def test_training_reads_only_the_dev_split_of_real_decisions(shared_dir: Path) -> None:
    path = shared_dir / "eval/real_decisions/decisions.jsonl"
    dev = rerank.real_queries(load_real(path, "dev"))
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    holdout_ids = {r["id"] for r in records if real_split(r["source"]) == "holdout"}
    assert dev and not {q.qid.removeprefix("real:") for q in dev} & holdout_ids


# ------------------------------------------------------------------------------------ the served model (real data)


@pytest.fixture(scope="module")
def services(built_index, data_dir, shared_dir):
    from api.core.settings import Settings
    from api.services import Services

    return Services(Settings(data_dir=data_dir, shared_dir=shared_dir))


@pytest.mark.slow
def test_the_built_model_ranks_the_served_search(services, shared_dir: Path) -> None:
    searcher = services.searcher
    assert searcher.reranker is not None
    meta = searcher.reranker.meta
    assert meta["queries"]["items"] > 200 and meta["queries"]["tables"] > 150 and meta["queries"]["real_dev"] > 10
    records = [json.loads(x) for x in (shared_dir / "eval/real_decisions/decisions.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]  # fmt: skip
    holdout = {f"real:{r['id']}" for r in records if real_split(r["source"]) == "holdout"}
    assert not set(meta["real_dev_ids"]) & holdout

    q = "经查，当事人在其经营的超市内销售超过保质期的食品，货值金额300元"
    ranked = searcher.search(q, as_of=date(2025, 3, 1), top_k=10)
    fused = searcher.search(q, as_of=date(2025, 3, 1), top_k=searcher.reranker.candidates, rerank=False)
    assert ranked.reranked and not fused.reranked
    assert len(ranked.rank_features) == len(ranked.hits) and len(ranked.rank_features[0]) == len(rerank.FEATURES)
    # The stage re-orders the fused candidates; it never brings in a provision retrieval did not find.
    assert {h.id for h in ranked.hits} <= {h.id for h in fused.hits}
    scores = [h.score for h in ranked.hits]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


@pytest.mark.slow
def test_a_model_for_another_index_build_is_refused(built_index: Path, data_dir: Path, shared_dir: Path,
                                                    tmp_path: Path) -> None:
    """A stale model never ranks silently: the service is not ready until `build` trains it again."""
    from api.core.settings import Settings
    from api.errors import NotBuilt
    from api.services import Services

    d = tmp_path / "data"
    d.mkdir()
    for item in data_dir.iterdir():
        if item.name != "index":
            (d / item.name).symlink_to(item.resolve())
    (d / "index").mkdir()
    for item in built_index.iterdir():
        if item.name != rerank.META_FILE:
            (d / "index" / item.name).symlink_to(item.resolve())
    meta = json.loads((built_index / rerank.META_FILE).read_text(encoding="utf-8"))
    meta["index"] = "another-build"
    (d / "index" / rerank.META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    svc = Services(Settings(data_dir=d, shared_dir=shared_dir))
    with pytest.raises(NotBuilt, match="enforcement-helper build"):
        _ = svc.searcher
    shutil.rmtree(d / "index")
