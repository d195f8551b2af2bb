"""Evaluate nlp.facts on the labelled descriptions and on paraphrase groups.

Usage (from the repo root)::

    python scripts/eval_facts.py                      # test split, per-type precision/recall
    python scripts/eval_facts.py --split dev --errors # dev split, print every miss and false alarm
    python scripts/eval_facts.py --by-code            # also per cue code
    python scripts/eval_facts.py --json out.json      # machine-readable numbers

Matching: a predicted fact matches a gold fact when type and code agree, the value agrees (numbers
compared exactly, as strings), the unit and polarity agree where the gold gives them, and the spans
overlap. Derived facts (``attrs.derived``) are not scored: they are functions of scored facts.

Paraphrase check (``eval/paraphrase_groups.jsonl``, one group per line: ``{"id", "paraphrases": [...]}``):
every paraphrase of a group should give the same :meth:`nlp.facts.Facts.signature`. The helpers
:func:`load_groups` and :func:`group_agreement` take any key function, so the tier suggester can reuse
them with ``key=lambda text: suggest(text).tier`` ("same facts, same tier").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from nlp.facts import Fact, extract_facts  # noqa: E402

FACTS_PATH = REPO / "eval" / "facts.jsonl"
GROUPS_PATH = REPO / "eval" / "paraphrase_groups.jsonl"


def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines file."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _same_value(gold: Any, pred: Any) -> bool:
    if gold is None:
        return True
    return str(gold) == str(pred)


def _match(gold: dict[str, Any], pred: Fact) -> bool:
    if gold["type"] != pred.type or gold["code"] != pred.code:
        return False
    if gold.get("polarity") is not None and gold["polarity"] != pred.polarity:
        return False
    if not _same_value(gold.get("value"), pred.value):
        return False
    if gold.get("unit") and gold["unit"] != pred.unit:
        return False
    gs, ge = gold["span"]
    ps, pe = pred.span
    return ps < ge and gs < pe


def score(records: Iterable[dict[str, Any]], errors: list[str] | None = None) -> dict[str, Any]:
    """Per-type and per-code counts of true positives, false positives and false negatives."""
    by_type: dict[str, Counter[str]] = defaultdict(Counter)
    by_code: dict[str, Counter[str]] = defaultdict(Counter)
    n = 0
    for rec in records:
        n += 1
        preds = [f for f in extract_facts(rec["text"]).facts if not f.derived]
        used: set[int] = set()
        for g in rec["facts"]:
            hit = next((i for i, p in enumerate(preds) if i not in used and _match(g, p)), None)
            key = f"{g['type']}:{g['code']}"
            if hit is None:
                by_type[g["type"]]["fn"] += 1
                by_code[key]["fn"] += 1
                if errors is not None:
                    errors.append(f"{rec['id']} MISS {key} v={g.get('value')} pol={g.get('polarity')} «{g['text']}»")
            else:
                used.add(hit)
                by_type[g["type"]]["tp"] += 1
                by_code[key]["tp"] += 1
        for i, p in enumerate(preds):
            if i in used:
                continue
            by_type[p.type]["fp"] += 1
            by_code[f"{p.type}:{p.code}"]["fp"] += 1
            if errors is not None:
                errors.append(f"{rec['id']} FALSE {p.type}:{p.code} v={p.value} pol={p.polarity} «{p.text}»")

    def prf(c: Counter[str]) -> dict[str, float | int]:
        tp, fp, fn = c["tp"], c["fp"], c["fn"]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3)}

    total: Counter[str] = Counter()
    for c in by_type.values():
        total.update(c)
    return {
        "descriptions": n,
        "micro": prf(total),
        "by_type": {k: prf(v) for k, v in sorted(by_type.items())},
        "by_code": {k: prf(v) for k, v in sorted(by_code.items())},
    }


def load_groups(path: Path = GROUPS_PATH) -> list[dict[str, Any]]:
    """Paraphrase groups: ``[{"id": ..., "paraphrases": [text, ...]}, ...]``."""
    return load_jsonl(path)


def group_agreement(groups: list[dict[str, Any]], key: Callable[[str], Hashable]) -> dict[str, Any]:
    """How often paraphrases of one description get the same ``key`` (signature, tier, …).

    Returns:
        ``groups``: number of groups; ``all_agree``: share of groups whose paraphrases all agree;
        ``pairwise``: share of agreeing pairs; ``disagreeing``: ids of groups that do not agree,
        with each paraphrase's key.
    """
    full, pairs, agree_pairs = 0, 0, 0
    bad: list[dict[str, Any]] = []
    for g in groups:
        keys = [key(t) for t in g["paraphrases"]]
        for i in range(len(keys)):
            for j in range(i + 1, len(keys)):
                pairs += 1
                agree_pairs += keys[i] == keys[j]
        if len(set(keys)) == 1:
            full += 1
        else:
            bad.append({"id": g["id"], "keys": [repr(k) for k in keys]})
    return {
        "groups": len(groups),
        "all_agree": round(full / len(groups), 3) if groups else 1.0,
        "pairwise": round(agree_pairs / pairs, 3) if pairs else 1.0,
        "disagreeing": bad,
    }


def expected_found(groups: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of paraphrases in which every fact listed under ``expected`` is extracted (derived ones count)."""
    total, ok = 0, 0
    missing: list[str] = []
    for g in groups:
        for t in g["paraphrases"]:
            total += 1
            facts = extract_facts(t).facts
            lacks = [
                e for e in g.get("expected", [])
                if not any(
                    f.code == e["code"]
                    and (e.get("polarity") is None or f.polarity == e["polarity"])
                    and (e.get("value") is None or str(f.value) == str(e["value"]))
                    for f in facts
                )
            ]
            if lacks:
                missing.append(f"{g['id']}: {t} — missing {[(e['code'], e.get('value'), e.get('polarity')) for e in lacks]}")
            else:
                ok += 1
    return {"paraphrases": total, "all_expected_found": round(ok / total, 3) if total else 1.0, "missing": missing}


def fact_signature(text: str) -> frozenset[tuple[str, str, str]]:
    """The fact key used for the paraphrase check (see :meth:`nlp.facts.Facts.signature`)."""
    return extract_facts(text).signature()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", default="test", choices=["dev", "test", "holdout", "holdout2", "all"])
    ap.add_argument("--errors", action="store_true", help="print misses and false alarms")
    ap.add_argument("--by-code", action="store_true", help="print per-code numbers")
    ap.add_argument("--json", type=Path, help="write all numbers to this file")
    ap.add_argument("--facts", type=Path, default=FACTS_PATH)
    ap.add_argument("--groups", type=Path, default=GROUPS_PATH)
    args = ap.parse_args(argv)

    records = [r for r in load_jsonl(args.facts) if args.split == "all" or r["split"] == args.split]
    errs: list[str] = []
    res = score(records, errs if args.errors else None)
    print(f"facts, split={args.split}: {res['descriptions']} descriptions")
    print(f"{'type':<10}{'tp':>5}{'fp':>5}{'fn':>5}{'P':>8}{'R':>8}{'F1':>8}")
    for k, v in list(res["by_type"].items()) + [("ALL", res["micro"])]:
        print(f"{k:<10}{v['tp']:>5}{v['fp']:>5}{v['fn']:>5}{v['precision']:>8.3f}{v['recall']:>8.3f}{v['f1']:>8.3f}")
    if args.by_code:
        print()
        for k, v in res["by_code"].items():
            print(f"{k:<36}{v['tp']:>5}{v['fp']:>5}{v['fn']:>5}{v['precision']:>8.3f}{v['recall']:>8.3f}")
    if args.errors:
        print()
        print("\n".join(errs))

    out: dict[str, Any] = {"facts": res}
    if args.groups.exists():
        groups = load_groups(args.groups)
        agr = group_agreement(groups, fact_signature)
        print(f"\nparaphrase groups: {agr['groups']}, all paraphrases agree in {agr['all_agree']:.1%} of groups, "
              f"pairwise agreement {agr['pairwise']:.1%}")
        for b in agr["disagreeing"]:
            print(f"  {b['id']}:")
            for k in b["keys"]:
                print(f"     {k}")
        exp = expected_found(groups)
        print(f"paraphrases with every expected fact found: {exp['all_expected_found']:.1%} of {exp['paraphrases']}")
        for m in exp["missing"]:
            print(f"  {m}")
        out["paraphrase"] = agr
        out["paraphrase_expected"] = exp
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
