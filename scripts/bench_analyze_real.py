"""Analyze on real published decisions: does the imposed fine fall in the suggested range, per split.

Input is the facts as written, the violation date as ``as_of`` and the case's province as ``region``; the party type
is left unknown, as an officer pasting a narrative would leave it. Reports, per split of ``load_real``:
- answered: share of cases whose answer has a tier and a fine with a source (``item`` / ``statutory_split``);
- in_range: of the cases with an imposed fine, the share inside the lawful range suggested (``fine.lawful_range``:
  the statutory range of the top pair's 罚则);
- in_band: the share inside the suggested tier's band (the item's band, or the statutory split's);
- tier_match: where the page states a tier, the share the answer names.

Usage: python scripts/bench_analyze_real.py [--json]
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import date

from api.services import Services
from index.evaluate import REAL_SPLITS, _real_as_of, real_split
from nlp.regions import RegionError, normalize_region


def _region(text: str | None) -> str:
    try:
        return normalize_region(text or "全国") or "全国"
    except RegionError:
        return "全国"


def main() -> None:
    svc = Services()
    path = svc.settings.shared_dir / "eval" / "real_decisions" / "decisions.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    report: dict[str, dict] = {}
    for split in REAL_SPLITS:
        stats: Counter = Counter()
        lat: list[float] = []
        cases = []
        for rec in rows:
            if real_split(rec["source"]) != split:
                continue
            as_of = _real_as_of(rec)
            t0 = time.perf_counter()
            a = svc.analyze(rec["facts"], date.fromisoformat(as_of) if as_of else None, None, None,
                            region=_region(rec.get("region")))
            lat.append((time.perf_counter() - t0) * 1000)
            fine, tier = a.get("fine") or {}, a.get("tier") or {}
            stats["n"] += 1
            answered = bool(tier.get("label") and fine.get("source"))
            stats["answered"] += answered
            stats[f"source:{fine.get('source')}"] += 1
            imposed = rec.get("fine_yuan")
            ok = band = None
            if imposed is not None and rec.get("basis_penalty_struct"):
                stats["with_fine"] += 1
                lawful = fine.get("lawful_range") or {}
                lo, hi = lawful.get("min"), lawful.get("max")
                ok = lo is not None and hi is not None and lo <= imposed <= hi
                blo, bhi = fine.get("band_min", fine.get("min")), fine.get("band_max", fine.get("max"))
                band = blo is not None and bhi is not None and blo <= imposed <= bhi
                stats["in_range"] += ok
                stats["in_band"] += band
            if rec.get("tier_stated"):
                stats["with_tier"] += 1
                stats["tier_match"] += (tier.get("label") == rec["tier_stated"] or
                                        (rec["tier_stated"] == "不予处罚" and a.get("adjustment") == "不予处罚"))
            lawful = fine.get("lawful_range") or {}
            cases.append({"id": rec["id"], "imposed": imposed, "range": [lawful.get("min"), lawful.get("max")],
                          "tier": tier.get("label"), "source": fine.get("source"), "in_range": ok,
                          "top": (a.get("provisions") or [{}])[0].get("citation")})
        n, wf = stats["n"], stats["with_fine"]
        report[split] = {
            "cases": n,
            "answered": round(stats["answered"] / n, 3) if n else None,
            "with_fine": wf,
            "in_range": round(stats["in_range"] / wf, 3) if wf else None,
            "in_band": round(stats["in_band"] / wf, 3) if wf else None,
            "tier_stated": stats["with_tier"],
            "tier_match": round(stats["tier_match"] / stats["with_tier"], 3) if stats["with_tier"] else None,
            "sources": {k[7:]: v for k, v in stats.items() if k.startswith("source:")},
            "latency_ms_p50": round(sorted(lat)[len(lat) // 2], 1) if lat else None,
            "cases_detail": cases,
        }
    if "--json" in sys.argv:
        print(json.dumps(report, ensure_ascii=False, indent=1))
        return
    for split, r in report.items():
        print(f"[{split}] {r['cases']} cases: answered {r['answered']}; fine in range {r['in_range']} "
              f"(in band {r['in_band']}) of {r['with_fine']}; tier match {r['tier_match']} of {r['tier_stated']}; "
              f"sources {r['sources']}; p50 {r['latency_ms_p50']} ms")


if __name__ == "__main__":
    main()
