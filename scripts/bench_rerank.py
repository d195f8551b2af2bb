"""Measure the learned ranking stage (index/rerank.py) against the fused order.

    python scripts/bench_rerank.py              # real dev: fused vs items-only model vs 5-fold CV with real dev
    python scripts/bench_rerank.py --holdout    # the frozen model (items + all real dev) on the real holdout split
                                                # and the blind retrieval_holdout2 set

R@k here is the share of queries whose first candidate with a gold 罚则 (the hit or its 罚则) is within k, the
definition of index/evaluate.py; candidates are the fused top 30, so a gold outside them counts as a miss for both.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.services import Services  # noqa: E402
from index import rerank  # noqa: E402
from index.evaluate import load_dev, load_real  # noqa: E402


def recall(orders: list[np.ndarray], ys: list[np.ndarray], n_total: int) -> dict[str, float]:
    """R@1/5/10 and MRR over ``n_total`` queries (queries without candidates count as misses)."""
    ranks = []
    for order, y in zip(orders, ys, strict=False):
        hit = np.flatnonzero(y[order] == 2)
        ranks.append(int(hit[0]) + 1 if len(hit) else None)
    out = {f"R@{k}": round(sum(1 for r in ranks if r is not None and r <= k) / n_total, 3) for k in (1, 5, 10)}
    out["MRR"] = round(sum(1 / r for r in ranks if r) / n_total, 3)
    out["n"] = n_total
    return out


def fused(xs: list[np.ndarray]) -> list[np.ndarray]:
    return [np.arange(len(x)) for x in xs]


def ranked(booster, xs: list[np.ndarray]) -> list[np.ndarray]:
    """Order by the served scoring (the model plus the 按日连续处罚 rule of index.rerank.Reranker.scores)."""
    model = rerank.Reranker(booster, rerank.Priors(()), {})
    return [np.argsort(-model.scores(x), kind="stable") for x in xs]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--holdout", action="store_true", help="final figures on the held-out sets (run once, frozen)")
    ap.add_argument("--candidates", type=int, default=30)
    ap.add_argument("--table", action="store_true", help="also train on the parsed 广东 table's items")
    ap.add_argument("--own-dev", action="store_true", help="also train on eval/retrieval_dev.jsonl")
    ap.add_argument("--blend", action="store_true", help="model score + beta x a feature, on own dev and real dev CV")
    ap.add_argument("--blend-feature", default="item_match")
    args = ap.parse_args()
    svc = Services()
    searcher = svc.searcher
    real_path = svc.settings.shared_dir / "eval" / "real_decisions" / "decisions.jsonl"
    t0 = time.time()
    items_q = rerank.item_queries(searcher.items.records if searcher.items else [])
    if args.table:
        items_q += rerank.table_queries(svc.settings.raw_dir / "cee-eco-env" / "converted"
                                        / "guangdong_eco_fine_discretion_items.jsonl")
    if args.own_dev:
        items_q += [rerank.TrainQuery(d["id"], d["query"], None if not d.get("as_of") else
                                      __import__("datetime").date.fromisoformat(d["as_of"]), "重庆",
                                      tuple(d["basis"]), tuple(d.get("violated") or ()), "own")
                    for d in load_dev(ROOT / "eval" / "retrieval_dev.jsonl") if d.get("basis")]  # fmt: skip
    dev_q = rerank.real_queries(load_real(real_path, "dev"))
    xi, yi, _ = rerank.collect(searcher, items_q, args.candidates)
    xd, yd, _ = rerank.collect(searcher, dev_q, args.candidates)
    print(f"collected {len(xi)} item and {len(xd)} real-dev queries in {time.time() - t0:.0f}s", file=sys.stderr)
    report: dict = {"items_with_gold_in_candidates": round(float(np.mean([y.max() > 0 for y in yi])), 3)}
    report["real_dev_fused"] = recall(fused(xd), yd, len(dev_q))
    items_only = rerank.fit(xi, yi)
    report["real_dev_items_only_model"] = recall(ranked(items_only, xd), yd, len(dev_q))
    # 5-fold CV over the real dev decisions: each fold ranked by a model that never saw it.
    folds = 5
    orders: list[np.ndarray | None] = [None] * len(xd)
    for f in range(folds):
        train_idx = [i for i in range(len(xd)) if i % folds != f]
        b = rerank.fit(xi + [xd[i] for i in train_idx], yi + [yd[i] for i in train_idx])
        for i in range(len(xd)):
            if i % folds == f:
                orders[i] = ranked(b, [xd[i]])[0]
    report["real_dev_cv_model"] = recall([o for o in orders if o is not None], yd, len(dev_q))
    if args.blend:
        own = [rerank.TrainQuery(d["id"], d["query"], None if not d.get("as_of") else
                                 __import__("datetime").date.fromisoformat(d["as_of"]), None,
                                 tuple(d["basis"]), tuple(d.get("violated") or ()), "own")
               for d in load_dev(ROOT / "eval" / "retrieval_dev.jsonl") if d.get("basis")]  # fmt: skip
        xo, yo, _ = rerank.collect(searcher, own, args.candidates)
        model = rerank.fit(xi + xd, yi + yd)
        col = rerank.FEATURES.index(args.blend_feature)
        report["own_dev_fused"] = recall(fused(xo), yo, len(own))
        for beta in (0.0, 1.0, 2.0, 3.0, 5.0):
            o = [np.argsort(-(model.predict(x, num_threads=1) + beta * x[:, col]), kind="stable") for x in xo]
            report[f"own_dev_blend_{beta}"] = recall(o, yo, len(own))
            cvo = []
            for f in range(folds):
                tr = [i for i in range(len(xd)) if i % folds != f]
                b = rerank.fit(xi + [xd[i] for i in tr], yi + [yd[i] for i in tr])
                cvo += [(i, np.argsort(-(b.predict(xd[i], num_threads=1) + beta * xd[i][:, col]), kind="stable"))
                        for i in range(len(xd)) if i % folds == f]
            cvo.sort(key=lambda t: t[0])
            report[f"real_dev_cv_blend_{beta}"] = recall([o for _, o in cvo], yd, len(dev_q))
    final = rerank.fit(xi + xd, yi + yd)
    imp = final.feature_importance("gain")
    report["feature_gain"] = {n: round(float(g), 1) for n, g in sorted(zip(rerank.FEATURES, imp, strict=False), key=lambda t: -t[1])}
    if args.holdout:
        hold_q = rerank.real_queries(load_real(real_path, "holdout"))
        xh, yh, _ = rerank.collect(searcher, hold_q, args.candidates)
        report["real_holdout_fused"] = recall(fused(xh), yh, len(hold_q))
        report["real_holdout_model"] = recall(ranked(final, xh), yh, len(hold_q))
        blind = [rerank.TrainQuery(d["id"], d["query"], None if not d.get("as_of") else
                                   __import__("datetime").date.fromisoformat(d["as_of"]), None,
                                   tuple(d["basis"]), tuple(d.get("violated") or ()), "blind")
                 for d in load_dev(ROOT / "eval" / "retrieval_holdout2.jsonl") if d.get("basis")]  # fmt: skip
        xb, yb, _ = rerank.collect(searcher, blind, args.candidates)
        report["holdout2_fused"] = recall(fused(xb), yb, len(blind))
        report["holdout2_model"] = recall(ranked(final, xb), yb, len(blind))
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
