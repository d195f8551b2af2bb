"""Precision / recall / F1 of ``nlp.entities.extract_entities`` on ``eval/entities.jsonl``.

Two scores per entity type:

* **span**: label, start and end all equal to the gold span;
* **value**: span correct *and* the normalised value agrees with the gold value (party kind, legal-rep role,
  address kind, identifier validity + reason, plate/phone normalisation, ISO date/time + approximate, fen).

Run::

    python scripts/eval_entities.py                 # dev, test, fresh, fresh2 and all
    python scripts/eval_entities.py --split test --errors 30
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nlp.entities import LABELS, Entity, extract_entities  # noqa: E402


def predicted_value(e: Entity) -> dict[str, Any]:
    """The entity's value in the gold file's shape."""
    a = e.attrs
    return {
        "PARTY": lambda: {"kind": a.get("kind")},
        "LEGAL_REP": lambda: {"role": a.get("role")},
        "ADDRESS": lambda: {"kind": a.get("kind")},
        "USCC": lambda: {"valid": e.valid, "reason": e.reason},
        "ID_CARD": lambda: {"valid": e.valid, "reason": e.reason},
        "PLATE": lambda: {"normalized": e.value},
        "PHONE": lambda: {"normalized": e.value},
        "DATE": lambda: {"iso": e.value},
        "TIME": lambda: {"iso": e.value, "approximate": a.get("approximate")},
        "MONEY": lambda: {"fen": e.value},
    }.get(e.label, lambda: {})()


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def score(records: list[dict[str, Any]], errors: int = 0) -> dict[str, dict[str, float]]:
    """Per-label counts and P/R/F1; prints up to ``errors`` mistakes."""
    tp: dict[str, int] = defaultdict(int)
    tpv: dict[str, int] = defaultdict(int)
    npred: dict[str, int] = defaultdict(int)
    ngold: dict[str, int] = defaultdict(int)
    shown = 0
    for r in records:
        ents = extract_entities(r["text"])
        pred = {(e.label, e.start, e.end): e for e in ents}
        gold = {(g["label"], g["start"], g["end"]): g for g in r["spans"]}
        for k in pred:
            npred[k[0]] += 1
        for k, g in gold.items():
            ngold[k[0]] += 1
            if k in pred:
                tp[k[0]] += 1
                pv = predicted_value(pred[k])
                if all(pv.get(f) == v for f, v in g["value"].items()):
                    tpv[k[0]] += 1
                elif shown < errors:
                    shown += 1
                    print(f"[value] {r['id']} {k[0]} {g['text']!r}: gold {g['value']} got {pv}")
        if shown < errors:
            for k in sorted(set(gold) - set(pred), key=lambda k: k[1]):
                if shown < errors:
                    shown += 1
                    near = [f"{e.label}:{e.text}" for e in ents if e.start < k[2] and k[1] < e.end]
                    print(f"[miss]  {r['id']} {k[0]} {gold[k]['text']!r} overlapping={near}")
            for k in sorted(set(pred) - set(gold), key=lambda k: k[1]):
                if shown < errors:
                    shown += 1
                    print(f"[extra] {r['id']} {k[0]} {pred[k].text!r}")
    table: dict[str, dict[str, float]] = {}
    labels = [lb for lb in LABELS if ngold[lb] or npred[lb]]
    for lb in [*labels, "ALL"]:
        if lb == "ALL":
            t, tv, p, g = sum(tp.values()), sum(tpv.values()), sum(npred.values()), sum(ngold.values())
        else:
            t, tv, p, g = tp[lb], tpv[lb], npred[lb], ngold[lb]
        prec, rec = (t / p if p else 0.0), (t / g if g else 0.0)
        vprec, vrec = (tv / p if p else 0.0), (tv / g if g else 0.0)
        table[lb] = {"gold": g, "pred": p, "P": prec, "R": rec, "F1": _f1(prec, rec),
                     "vP": vprec, "vR": vrec, "vF1": _f1(vprec, vrec)}
    return table


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def print_table(title: str, table: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    print(f"{'label':<10} {'gold':>5} {'pred':>5} | {'P':>5} {'R':>5} {'F1':>5} | {'vP':>5} {'vR':>5} {'vF1':>5}")
    print("-" * 66)
    for lb, row in table.items():
        if lb == "ALL":
            print("-" * 66)
        print(f"{lb:<10} {row['gold']:>5} {row['pred']:>5} | {row['P']:5.3f} {row['R']:5.3f} {row['F1']:5.3f} | "
              f"{row['vP']:5.3f} {row['vR']:5.3f} {row['vF1']:5.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description="Entity extraction P/R/F1 per label (span and value match).")
    ap.add_argument("--data", type=Path, default=ROOT / "eval" / "entities.jsonl")
    ap.add_argument("--split", choices=["dev", "test", "fresh", "fresh2", "all", "each"], default="each")
    ap.add_argument("--errors", type=int, default=0, help="print up to N mistakes")
    ap.add_argument("--json", action="store_true", help="print the tables as JSON as well")
    args = ap.parse_args()
    records = load(args.data)
    splits = ["dev", "test", "fresh", "fresh2", "all"] if args.split == "each" else [args.split]
    out = {}
    for sp in splits:
        sel = records if sp == "all" else [r for r in records if r["split"] == sp]
        t0 = time.perf_counter()
        table = score(sel, errors=args.errors if sp != "all" else 0)
        dt = time.perf_counter() - t0
        print_table(f"split={sp}  records={len(sel)}  ({dt * 1000 / max(len(sel), 1):.1f} ms/record)", table)
        out[sp] = table
    if args.json:
        print(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
