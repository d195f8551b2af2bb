"""Benchmark the tier suggester (issue 4): held-out-by-violation accuracy on 江门, paraphrase agreement, latency.

1. **Tier accuracy / macro-F1 on the 江门 table, held out by violation.** Each of the 866 classed rows is a
   condition text (裁量情节) with its class; classes are mapped to severity 1–5 (DOMAIN.md R5.4). GroupKFold
   over violations (sheet + seq): a model never sees any row of the violation it is tested on. A test row's
   prediction is restricted to the severities its own violation has (the table is known when an item is
   matched; only the row is unknown), so "accuracy" = the right class of that violation. Macro-F1 is over
   the five severities. Models: majority tier (training majority, moved to the nearest severity the item
   has); predicates-only (logistic regression on parsed predicate features, no text); TF-IDF + predicates;
   e5 + predicates; e5 + TF-IDF + predicates (the default). All logistic regressions are sigmoid-calibrated;
   the expected calibration error (ECE, 10 bins) of the chosen tier's probability is reported.
2. **Paraphrase-group agreement** on ``eval/paraphrase_groups.jsonl`` (written by the FACTS helper): every
   paraphrase of a group goes through ``suggest_tier`` against the same SAMPLE item (picked once per group by
   character-TF-IDF similarity of the first paraphrase to the item titles of the group's domain); a group
   agrees when all paraphrases get the same tier label and adjustment (and, separately, the same suggested fine).
   The same groups are run again with the item's conditions reduced to words (no predicates), so that the
   classifier decides the band: that is the harder consistency test.
3. **Warm latency** of ``suggest_tier`` (facts + predicates + classifier), p50/p95, with the description's e5
   query embedding passed in (the analyze pipeline computes it once for retrieval).
4. **Full-pipeline paraphrase agreement and latency**: every paraphrase goes through ``Services.analyze``
   (retrieval, item matching, tier) on the built data (``EH_DATA_DIR``); a group agrees when all its
   paraphrases get the same benchmark item **and** the same tier label. Warm ``Services.analyze`` p50/p95 (ms)
   over the same calls, after one warm-up call.

Usage::

    python scripts/bench_tiers.py [--shared ../shared] [--encoder e5|none] [--folds 5] [--json out/bench_tiers.json]
    python scripts/bench_tiers.py --only pipeline --limit 3     # quick smoke run of measure 4
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analysis.tiers import TierModel, project, suggest_tier, training_rows  # noqa: E402
from corpus.benchmarks import DEFAULT_BENCHMARK, load_yaml  # noqa: E402
from corpus.benchmarks.sources import jiangmen_table  # noqa: E402

DOMAIN_MAP = {
    "食品": "市场监管/食品", "市场监管": "市场监管/食品", "城市管理": "城市管理/市容环卫", "道路交通": "道路交通/道路运输",
    "道路运输": "道路交通/道路运输", "生态环境": "生态环境", "消防": "消防", "安全生产": "安全生产", "税务": "税务/发票",
    "治安": "治安", "规划建设": "规划建设",
}


class CachedEncoder:
    """Memoises query embeddings so cross-validation folds encode each text once."""

    def __init__(self, enc) -> None:
        self.enc, self.name, self.dim, self.cache = enc, enc.name, enc.dim, {}

    def encode_queries(self, texts):
        miss = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if miss:
            for t, v in zip(miss, self.enc.encode_queries(miss), strict=True):
                self.cache[t] = v
        return np.vstack([self.cache[t] for t in texts])

    def encode_passages(self, texts, show_progress=False):
        return self.enc.encode_passages(texts, show_progress)


def ece(conf: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0, 1, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (conf > lo) & (conf <= hi)
        if m.any():
            total += m.mean() * abs(conf[m].mean() - correct[m].mean())
    return float(total)


def held_out(items, make, folds: int, correct_out: list | None = None):
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GroupKFold

    texts, feats, labels, groups = training_rows(items)
    y, g = np.array(labels), np.array(groups)
    cand = {it.id: sorted({t.severity for t in it.tiers if t.severity}) for it in items}
    pred = np.zeros(len(y), dtype=int)
    conf = np.ones(len(y))
    for tr, te in GroupKFold(folds).split(texts, y, g):
        model = make()
        if model is None:
            maj = Counter(y[tr]).most_common(1)[0][0]
            for i in te:
                pred[i] = min(cand[g[i]], key=lambda s: (abs(s - maj), s))
            conf[te] = np.nan
            continue
        model.fit([texts[i] for i in tr], feats[tr], y[tr])
        probs = model.predict_proba([texts[i] for i in te], feats[te])
        for k, i in enumerate(te):
            q = project(probs[k], model.classes_, cand[g[i]])
            j = int(np.argmax(q))
            pred[i], conf[i] = cand[g[i]][j], q[j]
    correct = (pred == y).astype(float)
    if correct_out is not None:
        correct_out.append(correct)
    out = {
        "accuracy": round(float(correct.mean()), 4),
        "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
        "within_one": round(float((np.abs(pred - y) <= 1).mean()), 4),
        "rows": int(len(y)),
        "violations": int(len(set(groups))),
    }
    if not np.isnan(conf).all():
        out["ece"] = round(ece(conf, correct), 4)
    return out


def mcnemar(a: np.ndarray, b: np.ndarray) -> dict:
    """Exact McNemar test of two models' correctness on the same rows: the discordant counts and two-sided p."""
    from scipy.stats import binomtest

    only_a, only_b = int(((a == 1) & (b == 0)).sum()), int(((a == 0) & (b == 1)).sum())
    p = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
    return {"only_a": only_a, "only_b": only_b, "p": round(float(p), 4)}


def paraphrases(path: Path, sample_items, model, embed=None):
    """Agreement of suggest_tier across paraphrases; also with the item's conditions stripped to words only,
    so that the classifier (not the predicates) decides the band."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    groups = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 2)).fit([i.title for i in sample_items] + [p for g in groups for p in g["paraphrases"]])
    rows, times, methods = [], [], Counter()
    agree = {"full": [0, 0, 0, 0], "words_only": [0, 0, 0, 0]}  # groups agreeing, groups with fine agreeing, pairs same, pairs
    for grp in groups:
        dom = DOMAIN_MAP.get(grp["domain"])
        pool = [i for i in sample_items if i.domain == dom] or list(sample_items)
        sims = (vec.transform([grp["paraphrases"][0]]) @ vec.transform([i.title for i in pool]).T).toarray()[0]
        item = pool[int(np.argmax(sims))]
        words = item.model_copy(deep=True)
        for t in words.tiers:
            t.predicates = []
        suggest_tier(grp["paraphrases"][0], item, model)  # warm-up
        detail = {"group": grp["id"], "item": item.id}
        for mode, it in (("full", item), ("words_only", words)):
            outs = []
            for p in grp["paraphrases"]:
                emb = embed([p])[0] if embed is not None else None
                t0 = time.perf_counter()
                s = suggest_tier(p, it, model, embedding=emb)
                if mode == "full":
                    times.append((time.perf_counter() - t0) * 1000)
                methods[f"{mode}:{s.method}"] += 1
                outs.append(((s.tier["label"], s.adjustment), s.fine.get("suggested")))
            tiers = [o[0] for o in outs]
            a = agree[mode]
            a[0] += len(set(tiers)) == 1
            a[1] += len(set(outs)) == 1
            for x in range(len(tiers)):
                for y in range(x + 1, len(tiers)):
                    a[3] += 1
                    a[2] += tiers[x] == tiers[y]
            detail[mode] = [f"{t[0]}/{t[1]}/{f}" for t, f in outs]
        rows.append(detail)
    n = len(groups)
    res = {"groups": n, "paraphrases": sum(len(g["paraphrases"]) for g in groups), "methods": dict(methods)}
    for mode, a in agree.items():
        res[mode] = {"tier_agreement": round(a[0] / n, 4), "tier_and_fine_agreement": round(a[1] / n, 4),
                     "pairwise_tier_agreement": round(a[2] / max(a[3], 1), 4)}
    res["suggest_tier_ms_p50"] = round(statistics.median(times), 2)
    res["suggest_tier_ms_p95"] = round(float(np.percentile(times, 95)), 2)
    res["detail"] = rows
    return res


def pipeline(path: Path, as_of: str = "2026-10-01", limit: int | None = None, services=None) -> dict:
    """Measure 4: paraphrase agreement (same item and same tier label) and warm latency of Services.analyze."""
    from datetime import date

    from api.services import Services

    svc = services or Services()
    groups = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][:limit]
    day = date.fromisoformat(as_of)
    svc.analyze(groups[0]["paraphrases"][0], day)  # warm-up: loads store, index, model, benchmarks
    times, rows = [], []
    same_item = same_both = pairs = pairs_same = 0
    for grp in groups:
        outs = []
        for p in grp["paraphrases"]:
            t0 = time.perf_counter()
            d = svc.analyze(p, day)
            times.append((time.perf_counter() - t0) * 1000)
            outs.append(((d.get("item") or {}).get("item_id"), (d.get("tier") or {}).get("label")))
        same_item += len({o[0] for o in outs}) == 1
        same_both += len(set(outs)) == 1
        for x in range(len(outs)):
            for y in range(x + 1, len(outs)):
                pairs += 1
                pairs_same += outs[x] == outs[y]
        rows.append({"group": grp["id"], "answers": [f"{i}/{t}" for i, t in outs]})
    n = len(groups)
    return {"groups": n, "paraphrases": len(times), "as_of": as_of,
            "item_and_tier_agreement": round(same_both / n, 4), "item_agreement": round(same_item / n, 4),
            "pairwise_agreement": round(pairs_same / max(pairs, 1), 4),
            "analyze_ms_p50": round(statistics.median(times), 2),
            "analyze_ms_p95": round(float(np.percentile(times, 95)), 2), "detail": rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=None, help="shared/ folder (default: settings)")
    ap.add_argument("--encoder", choices=["e5", "none"], default="e5")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--only", choices=["all", "pipeline"], default="all", help="pipeline: measure 4 only")
    ap.add_argument("--limit", type=int, default=None, help="paraphrase groups for measure 4 (default: all)")
    args = ap.parse_args()
    groups_path = REPO / "eval" / "paraphrase_groups.jsonl"
    if args.only == "pipeline":
        report = {"analyze_pipeline": pipeline(groups_path, limit=args.limit)}
        _report_pipeline(report["analyze_pipeline"])
        _write(report, args.json)
        return

    from api.core.settings import Settings

    settings = Settings()
    shared = args.shared or settings.shared_dir
    items = jiangmen_table(shared / "corpus" / "raw").benchmark.items
    enc = None
    if args.encoder == "e5":
        from nlp.encoders import make_encoder

        t0 = time.perf_counter()
        enc = CachedEncoder(make_encoder("e5", settings.model_dir, build=True))
        print(f"e5 loaded in {time.perf_counter() - t0:.1f}s", file=sys.stderr)

    configs = {
        "majority": lambda: None,
        "predicates-only": lambda: TierModel(text="none"),
        "tfidf+predicates": lambda: TierModel(text="tfidf"),
    }
    if enc is not None:
        configs["e5+predicates"] = lambda: TierModel(encoder=enc, text="e5")
        configs["e5+tfidf+predicates"] = lambda: TierModel(encoder=enc, text="hybrid")
    report: dict = {"jiangmen_held_out_by_violation": {}}
    correct: dict[str, np.ndarray] = {}
    for name, make in configs.items():
        t0 = time.perf_counter()
        got: list = []
        res = held_out(items, make, args.folds, got)
        correct[name] = got[0]
        res["seconds"] = round(time.perf_counter() - t0, 1)
        report["jiangmen_held_out_by_violation"][name] = res
        print(f"{name:22s} acc {res['accuracy']:.3f}  macro-F1 {res['macro_f1']:.3f}  ±1 {res['within_one']:.3f}"
              + (f"  ECE {res['ece']:.3f}" if "ece" in res else ""), file=sys.stderr)

    if "e5+tfidf+predicates" in correct:
        report["paired_tfidf_vs_hybrid"] = mcnemar(correct["tfidf+predicates"], correct["e5+tfidf+predicates"])
        r = report["paired_tfidf_vs_hybrid"]
        print(f"paired, same rows: only TF-IDF right {r['only_a']}, only hybrid right {r['only_b']}, exact McNemar "
              f"p = {r['p']:.3f}", file=sys.stderr)

    texts, feats, labels, _ = training_rows(items)
    # the model the service uses (settings tier_text), so the paraphrase figures describe what officers get
    served = settings.tier_text if enc is not None or settings.tier_text in ("tfidf", "none") else "tfidf"
    final = TierModel(encoder=enc if served in ("e5", "hybrid") else None, text=served).fit(texts, feats, labels)
    sample, _ = load_yaml(DEFAULT_BENCHMARK)
    embed = enc.encode_queries if enc is not None else None
    para = paraphrases(groups_path, sample.items, final, embed)
    report["paraphrase_groups"] = para
    report["model"] = final.kind
    for mode in ("full", "words_only"):
        r = para[mode]
        print(f"paraphrases [{mode}] {para['groups']} groups: tier agreement {r['tier_agreement']:.3f} "
              f"(pairwise {r['pairwise_tier_agreement']:.3f}; tier+fine {r['tier_and_fine_agreement']:.3f})", file=sys.stderr)
    print(f"suggest_tier warm (e5 query embedding passed in, as analyze does): p50 {para['suggest_tier_ms_p50']} ms, "
          f"p95 {para['suggest_tier_ms_p95']} ms; methods {para['methods']}", file=sys.stderr)
    report["analyze_pipeline"] = pipeline(groups_path, limit=args.limit)
    _report_pipeline(report["analyze_pipeline"])
    _write(report, args.json)


def _report_pipeline(r: dict) -> None:
    print(f"Services.analyze on {r['groups']} groups / {r['paraphrases']} paraphrases: same item+tier "
          f"{r['item_and_tier_agreement']:.3f} (same item {r['item_agreement']:.3f}; pairwise {r['pairwise_agreement']:.3f}); "
          f"warm p50 {r['analyze_ms_p50']} ms, p95 {r['analyze_ms_p95']} ms", file=sys.stderr)


def _write(report: dict, path: Path | None) -> None:
    out = json.dumps(report, ensure_ascii=False, indent=1)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out, encoding="utf-8")
    else:
        print(out)


if __name__ == "__main__":
    main()
