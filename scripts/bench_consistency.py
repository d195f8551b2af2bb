"""Lawful look-alikes and paraphrase groups through the full ``analyze``, per split (dev / blind).

- lawful: of the texts stating compliance or no finding (``eval/lawful_lookalikes.jsonl``, kind ``lawful``), the
  share cited as a violation (an answer without ``no_violation``); of the real violations written alike (kind
  ``violation``), the share still answered as violations.
- paraphrase: of the groups of four wordings of the same facts (``eval/paraphrase_groups2.jsonl``), the share whose
  four answers name the same item and tier, and the share with the same fine range.

Usage: python scripts/bench_consistency.py [--json]
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from api.services import Services

EVAL = Path(__file__).resolve().parents[1] / "eval"


def _lines(name: str) -> list[dict]:
    return [json.loads(x) for x in (EVAL / name).read_text(encoding="utf-8").splitlines() if x.strip()]


def _key(a: dict) -> tuple:
    item = (a.get("item") or {}).get("item_id")
    tier = (a.get("tier") or {}).get("label")
    return item, tier


def _fine(a: dict) -> tuple:
    f = a.get("fine") or {}
    return f.get("min"), f.get("max")


def main() -> None:
    svc = Services()
    out: dict[str, dict] = defaultdict(dict)
    lat: list[float] = []
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    misses: dict[str, list[str]] = defaultdict(list)
    for rec in _lines("lawful_lookalikes.jsonl"):
        t0 = time.perf_counter()
        a = svc.analyze(rec["text"])
        lat.append((time.perf_counter() - t0) * 1000)
        c = counts[rec["split"]]
        c[rec["kind"]] += 1
        if rec["kind"] == "lawful" and not a["no_violation"]:
            c["lawful_cited"] += 1
            misses[rec["split"]].append(rec["id"])
        if rec["kind"] == "violation" and not a["no_violation"]:
            c["violation_answered"] += 1
        if rec["kind"] == "violation" and a["no_violation"]:
            misses[rec["split"]].append(rec["id"])
    for split, c in counts.items():
        out[split]["lawful_cited"] = round(c["lawful_cited"] / c["lawful"], 3) if c["lawful"] else None
        out[split]["violations_answered"] = round(c["violation_answered"] / c["violation"], 3) if c["violation"] else None
        out[split]["lawful_n"], out[split]["violation_n"] = c["lawful"], c["violation"]
        out[split]["lawful_misses"] = misses[split]
    groups: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    disagree: dict[str, list[str]] = defaultdict(list)
    for g in _lines("paraphrase_groups2.jsonl"):
        answers = [svc.analyze(w) for w in g["wordings"]]
        same = len({_key(a) for a in answers}) == 1
        same_fine = len({_fine(a) for a in answers}) == 1
        groups[g["split"]].append((same, same_fine))
        if not (same and same_fine):
            disagree[g["split"]].append(g["id"])
    for split, rows in groups.items():
        out[split]["paraphrase_groups"] = len(rows)
        out[split]["same_item_and_tier"] = round(sum(s for s, _ in rows) / len(rows), 3)
        out[split]["same_fine_range"] = round(sum(f for _, f in rows) / len(rows), 3)
        out[split]["paraphrase_disagree"] = disagree[split]
    lat.sort()
    result = {"splits": dict(out), "analyze_p50_ms": round(lat[len(lat) // 2], 1) if lat else None}
    if "--json" in sys.argv:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return
    for split, r in sorted(out.items()):
        print(f"[{split}] lawful cited {r.get('lawful_cited')} (n={r.get('lawful_n')}); violations answered "
              f"{r.get('violations_answered')} (n={r.get('violation_n')}); paraphrase same item+tier "
              f"{r.get('same_item_and_tier')}, same fine {r.get('same_fine_range')} (groups={r.get('paraphrase_groups')})")
    print(f"analyze p50 {result['analyze_p50_ms']} ms")


if __name__ == "__main__":
    main()
