"""「适用于本案」: the calibrated probability that a hit's 罚则 applies (index/applicability.py), on the served model."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from index import applicability as A, rerank
from index.evaluate import load_dev, load_real

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def services(built_index, data_dir, shared_dir):
    from api.core.settings import Settings
    from api.services import Services

    return Services(Settings(data_dir=data_dir, shared_dir=shared_dir))


@pytest.fixture(scope="module")
def calib(services) -> A.Applicability:
    ranker = services.searcher.reranker
    assert ranker is not None and ranker.applicability is not None, "no calibration: run enforcement-helper build"
    return ranker.applicability


def _rows(n: int) -> np.ndarray:
    """Ranking feature rows of ``n`` plain hits (a 罚则 of their own, no item, a mid-length query)."""
    x = np.zeros((n, len(rerank.FEATURES)), dtype=np.float32)
    x[:, rerank.FEATURES.index("basis_source")] = 0
    x[:, rerank.FEATURES.index("query_len")] = 3.5
    return x


def test_the_probability_never_falls_as_the_ranking_score_rises(calib: A.Applicability) -> None:
    x = _rows(3)
    for conf in (0.1, 0.9):
        top = [calib.probabilities(A.hit_features(np.array([z, -4.0, -5.0]), x, conf, [False] * 3))[0]
               for z in np.linspace(-3.9, 8.0, 40)]
        second = [calib.probabilities(A.hit_features(np.array([6.0, z, -5.0]), x, conf, [False] * 3))[1]
                  for z in np.linspace(-4.9, 5.9, 40)]
        assert all(b >= a for a, b in zip(top, top[1:], strict=False))
        assert all(b >= a for a, b in zip(second, second[1:], strict=False))
        assert top[-1] > top[0] and second[-1] > second[0]
    # The signs that guarantee it are the saved model's, not a property of these inputs.
    coef = dict(zip(A.FEATURES, calib.coef, strict=True))
    assert coef["score"] > 0 and coef["lead"] >= 0 and coef["behind"] <= 0


def test_served_hits_carry_a_probability_band_and_chinese_evidence(services, calib: A.Applicability) -> None:
    res = services.searcher.search("经查，当事人在其经营的超市内销售超过保质期的食品，货值金额300元",
                                   as_of=date(2025, 3, 1), top_k=10)
    assert res.hits
    probs = []
    for i, h in enumerate(res.hits):
        app = h.applicability
        assert app is not None and 0.0 <= app["probability"] <= 1.0
        assert app["band"] == calib.band(app["probability"])
        assert app["evidence"] and app["evidence"][0].startswith("排序第一" if i == 0 else f"排序第{i + 1}")
        probs.append(app["probability"])
    # Ranked order and probability agree for the first hit: nothing below it is more likely to apply.
    assert probs[0] == max(probs)
    assert calib.low < calib.high


def test_fitting_is_deterministic_and_leaves_the_holdouts_alone(services, shared_dir: Path) -> None:
    searcher = services.searcher
    dev = A.own_dev_queries(ROOT / "eval" / "retrieval_dev.jsonl")[::6]
    got = A.collect(searcher, dev, searcher.reranker.candidates)
    a = A.fit_logistic(*A.oof_rows(got, folds=3)[:2])
    b = A.fit_logistic(*A.oof_rows(got, folds=3)[:2])
    assert a == b
    f, y, _ = A.oof_rows(got, folds=3)
    p = A.Applicability(*a, 0.7, 0.3, {}).probabilities(f)
    assert len(p) == len(y) and np.all((p >= 0) & (p <= 1))
    # The queries the build fits on: the ranking model's (items, table, real dev) and the own dev set; never a
    # real holdout decision or a retrieval_holdout2 line.
    real = shared_dir / "eval/real_decisions/decisions.jsonl"
    table = shared_dir / "corpus/raw/cee-eco-env/converted/guangdong_eco_fine_discretion_items.jsonl"
    fitted = {q.qid for q in A.ranker_queries(searcher, real, table)} | {q.qid for q in A.own_dev_queries(
        ROOT / "eval" / "retrieval_dev.jsonl")}  # fmt: skip
    held = {f"real:{it['id']}" for it in load_real(real, "holdout")}
    held |= {d["id"] for d in load_dev(ROOT / "eval" / "retrieval_holdout2.jsonl")}
    assert held and not fitted & held


def test_on_real_dev_decisions_the_high_band_is_right_more_often_than_the_low(services, shared_dir: Path) -> None:
    """Real published decisions (the dev split): a hit's 罚则 is right when the agency cited it (article level)."""
    from nlp.regions import normalize_region

    searcher = services.searcher
    correct: dict[str, list[bool]] = {b: [] for b in A.BANDS}
    for it in load_real(shared_dir / "eval/real_decisions/decisions.jsonl", "dev"):
        if not it["basis"]:
            continue
        res = searcher.search(it["query"], as_of=date.fromisoformat(it["as_of"]) if it["as_of"] else None, top_k=5,
                              region=normalize_region(it["region"]))
        y = rerank.labels([h.to_dict() for h in res.hits], it["basis"], it["violated"])
        for h, label in zip(res.hits, y, strict=True):
            correct[h.applicability["band"]].append(bool(label == 2))
    share = {b: (sum(v) / len(v) if v else None) for b, v in correct.items()}
    assert correct["high"] and correct["medium"] and correct["low"], share
    assert share["high"] > share["low"] and share["medium"] > share["low"], share


def test_a_missing_or_stale_calibration_means_not_built(built_index: Path, data_dir: Path, shared_dir: Path,
                                                         tmp_path: Path) -> None:
    """Serving never fits: without the calibration of the saved ranking model the service asks for `build`."""
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
        if item.name != A.FILE:
            (d / "index" / item.name).symlink_to(item.resolve())
    try:
        with pytest.raises(NotBuilt, match="适用概率校准缺失"):
            _ = Services(Settings(data_dir=d, shared_dir=shared_dir)).searcher
        saved = json.loads((built_index / A.FILE).read_text(encoding="utf-8"))
        (d / "index" / A.FILE).write_text(json.dumps({**saved, "ranker": "another-model"}), encoding="utf-8")
        with pytest.raises(NotBuilt, match="不是为当前排序模型拟合的"):
            _ = Services(Settings(data_dir=d, shared_dir=shared_dir)).searcher
    finally:
        shutil.rmtree(d / "index")
