"""Reliability of the served 「适用于本案」 probability (index/applicability.py) on labelled queries.

    python scripts/bench_calibration.py            # tables on real holdout, retrieval_holdout2, own dev, real dev
    python scripts/bench_calibration.py --json out.json

For each set every query is searched as served (ranking model and calibration from ./data, ``top_k`` hits); a hit is
correct when its 罚则 (the hit itself or its ``basis``) is a gold 罚则 at article level (index.evaluate.GoldRef). The
table groups hits by predicted probability: count, mean predicted, share actually correct; the expected calibration
error (ECE) is the count-weighted gap. Reported for the first hit alone (what the page shows first) and for all
``top_k`` hits, with the share correct per band.

Which sets were used in fitting (index/applicability.py): the own dev set (scored by the served model, which never
trained on it) and the ranking model's training queries out of fold, among them the real ``dev`` split. The real
``holdout`` split and ``retrieval_holdout2`` were never used: those two are the honest figures. The real ``dev``
line is scored by the served ranking model, which trained on it (optimistic: shown for reference only).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.services import Services  # noqa: E402
from index.applicability import BANDS, reliability  # noqa: E402
from index.evaluate import load_dev, load_real  # noqa: E402
from index.rerank import labels  # noqa: E402
from nlp.regions import normalize_region  # noqa: E402


def score_set(searcher: Any, lines: list[dict], top_k: int) -> dict[str, Any]:
    """Probability, band and correctness of every returned hit, and of each query's first hit."""
    p_all: list[float] = []
    y_all: list[float] = []
    b_all: list[str] = []
    first: list[int] = []
    for it in lines:
        as_of = date.fromisoformat(it["as_of"]) if it.get("as_of") else None
        region = normalize_region(it["region"]) if it.get("region") else None
        res = searcher.search(it["query"], as_of=as_of, top_k=top_k, region=region)
        hits = [h.to_dict() for h in res.hits]
        if not hits:
            continue
        y = labels(hits, it.get("basis") or [], it.get("violated") or [])
        first.append(len(p_all))
        for h, label in zip(hits, y, strict=True):
            app = h.get("applicability")
            if app is None:
                raise SystemExit("the served index has no applicability calibration: run enforcement-helper build")
            p_all.append(float(app["probability"]))
            b_all.append(app["band"])
            y_all.append(float(label == 2))
    p, y, b = np.array(p_all), np.array(y_all), np.array(b_all)
    out: dict[str, Any] = {"queries": len(lines), "answered": len(first)}
    for name, idx in (("first_hit", np.array(first, dtype=int)), (f"top{top_k}", np.arange(len(p)))):
        pp, yy, bb = p[idx], y[idx], b[idx]
        out[name] = {**reliability(pp, yy), "share_correct": round(float(yy.mean()), 3) if len(yy) else None,
                     "mean_predicted": round(float(pp.mean()), 3) if len(pp) else None,
                     "bands": {band: {"n": int((bb == band).sum()),
                                      "share_correct": round(float(yy[bb == band].mean()), 3)
                                      if (bb == band).any() else None} for band in BANDS}}  # fmt: skip
    return out


def print_table(name: str, block: dict[str, Any]) -> None:
    """The reliability table of one set, for a person."""
    print(f"\n== {name}: {block['queries']} queries ({block['answered']} with hits)")
    for part in [k for k in block if k.startswith(("first_hit", "top"))]:
        t = block[part]
        print(f"-- {part}: n={t['n']}  ECE={t['ece']}  mean predicted={t['mean_predicted']}  "
              f"share correct={t['share_correct']}")
        print(f"   {'band':<12}{'n':>6}{'mean pred':>11}{'correct':>9}")
        for r in t["rows"]:
            print(f"   {r['band']:<12}{r['n']:>6}{r['mean_predicted']:>11.3f}{r['share_correct']:>9.3f}")
        print("   bands: " + "  ".join(f"{b} n={v['n']} correct={v['share_correct']}" for b, v in t["bands"].items()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--top-k", type=int, default=5)
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args()
    svc = Services()
    searcher = svc.searcher
    ranker = searcher.reranker
    if ranker is None or ranker.applicability is None:
        raise SystemExit("the ranking stage or its calibration is off (EH_RERANK=false?)")
    real = svc.settings.shared_dir / "eval" / "real_decisions" / "decisions.jsonl"
    sets = {
        "real holdout (never fitted on)": load_real(real, "holdout"),
        "retrieval_holdout2 (never fitted on)": load_dev(ROOT / "eval" / "retrieval_holdout2.jsonl"),
        "own dev (fitted on)": load_dev(ROOT / "eval" / "retrieval_dev.jsonl"),
        "real dev (ranking model trained on it: optimistic)": load_real(real, "dev"),
    }
    app = ranker.applicability
    report: dict[str, Any] = {"bands": {"high": app.high, "low": app.low}, "fitted_on": app.meta.get("fitted_on")}
    print(f"bands: high ≥ {app.high}, low < {app.low}; fitted on {app.meta.get('fitted_on')}")
    for name, lines in sets.items():
        report[name] = score_set(searcher, lines, args.top_k)
        print_table(name, report[name])
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
