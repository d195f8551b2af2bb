"""Build eval/archive_planted.jsonl: real published decisions, clean and with planted defects (issue 15).

Deterministic (seeded). Every record is a real decision of ``../shared/eval/real_decisions/decisions.jsonl`` in its
own schema, under a new id, with ``label_planted`` (the defect, or null for a clean copy) and ``label_expect`` (the
finding rules that count as catching it). The defects are planted with the store and the statute text, never with
the audit's own checks:

- ``wrong_article``: the 罚则 (or 违则) cites an article, or a 款, that the version in force on the violation date
  does not have (the article number moved by a few hundred, or a 款 past the last one);
- ``repealed``: a provision no longer in force on the violation date — a decision citing one of the environmental
  laws the 生态环境法典 repealed on 2026-08-15 is moved to a violation after that day; any other gets its 罚则
  replaced by an article of an instrument the store records as repealed before the violation;
- ``fine_out_of_range``: the fine set to 2.5 times the largest amount any clause of the cited 罚则 allows (and at
  least three times the fine imposed), only where every clause names amounts (no multiple of a base);
- ``duplicate_doc_no``: pairs of different decisions given the same 文号.

Clean copies keep everything as published (a published decision may itself carry a defect; the benchmark lists the
clean copies it flags so they can be checked by hand). Planted copies other than the 文号 pairs carry no 文号, so a
copy never duplicates its clean original's.

    python scripts/make_archive_planted.py [--out eval/archive_planted.jsonl] [--seed 15]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import re
import sys
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from api.core.settings import get_settings  # noqa: E402
from corpus.resolver import Resolver  # noqa: E402
from corpus.store import Store  # noqa: E402
from nlp.citations import format_citation  # noqa: E402
from nlp.money import find_fine_ranges  # noqa: E402
from nlp.numerals import int_to_cn  # noqa: E402

ENV_REPEALED_ON = date(2026, 8, 15)  # 法典 第一千二百四十二条 (DOMAIN.md R2.6)


def _day(rec: dict) -> date | None:
    for k in ("event_date", "date", "date_published"):
        v = rec.get(k)
        if v and len(v) >= 7:
            parts = [int(p) for p in v.split("-")]
            return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    return None


def _target(rec: dict) -> tuple[str, str] | None:
    """(field, citation) to plant on: the first 罚则, else the first 违则."""
    for f in ("basis_penalty_provisions", "violated"):
        if rec.get(f):
            return f, rec[f][0]
    return None


def _replace(rec: dict, field: str, old: str, new: str) -> None:
    rec[field] = [new if c == old else c for c in rec[field]]
    if field == "basis_penalty_provisions":
        rec["basis"] = [new if c == old else c for c in rec.get("basis") or []]


def _title_as_written(cite: str) -> str | None:
    m = re.match(r"\s*《([^》]+)》", cite)
    return m.group(1) if m else None


def plant_wrong_article(rec: dict, resolver: Resolver, rng: random.Random) -> dict | None:
    t = _target(rec)
    day = _day(rec) or date.today()
    if t is None:
        return None
    field, cite = t
    try:
        chk = resolver.lookup(cite, day)
    except ValueError:
        return None
    title = _title_as_written(cite)
    if chk.status != "verified" or not chk.article or not title:
        return None
    if rng.random() < 0.5:
        art = resolver.store.article((chk.as_of_version or {})["id"], chk.article, chk.article_sub)
        if art is not None and art.paragraphs:
            bad = len(art.paragraphs) + rng.randint(2, 4)
            new = f"《{title}》第{int_to_cn(chk.article)}条第{int_to_cn(bad)}款"
            return {"field": field, "from": cite, "to": new, "expect": ["citation_paragraph_not_found"]}
    for shift in (rng.choice((300, 400, 500)), 700, 1100, 1500):
        n = chk.article + shift
        new = f"《{title}》第{int_to_cn(n)}条"
        probe = resolver.lookup(new, day)
        if probe.status == "article_not_found":
            return {"field": field, "from": cite, "to": new, "expect": ["citation_article_not_found"]}
    return None


def _repealed_instruments(store: Store) -> list[tuple[str, str, str, int]]:
    """(title, effective_to, version id, an article near the end) of instruments whose last version ended."""
    out = []
    for inst in sorted(store.instruments(), key=lambda i: i.title):
        vs = store.versions(inst.id)
        if not vs or not vs[-1].effective_to or inst.level not in ("法律", "行政法规", "部门规章"):
            continue
        arts = [a for a in store.articles_of(vs[-1].id) if not a.sub]
        if len(arts) < 10:
            continue
        liability = [a.number for a in arts if a.liability]  # a 法律责任 article reads like a 罚则
        nums = liability or [a.number for a in arts][int(len(arts) * 0.8):]
        out.append((inst.title, vs[-1].effective_to, vs[-1].id, nums[len(nums) // 2]))
    return out


def plant_repealed(rec: dict, resolver: Resolver, repealed: list[tuple[str, str, str, int]],
                   rng: random.Random) -> dict | None:
    t = _target(rec)
    if t is None:
        return None
    field, cite = t
    day = _day(rec)
    try:
        chk = resolver.lookup(cite, day or date.today())
    except ValueError:
        return None
    change = chk.later_change or {}
    if chk.status == "verified" and change.get("kind") == "repealed" and change.get("effective") == ENV_REPEALED_ON.isoformat():
        new_day = ENV_REPEALED_ON + timedelta(days=rng.randint(20, 90))
        return {"field": "event_date", "from": rec.get("event_date"), "to": new_day.isoformat(),
                "decision": (new_day + timedelta(days=rng.randint(30, 60))).isoformat(),
                "expect": ["citation_repealed"]}
    if day is None:
        return None
    older = [r for r in repealed if r[1] <= (day - timedelta(days=365)).isoformat()]
    if not older:
        return None
    title, ended, _vid, article = rng.choice(older)
    new = format_citation(title, article)
    probe = resolver.lookup(new, day)
    if probe.status != "not_in_force":
        return None
    return {"field": field, "from": cite, "to": new, "repealed_on": ended, "expect": ["citation_repealed"]}


def plant_fine(rec: dict, resolver: Resolver) -> dict | None:
    if not rec.get("fine_yuan") or not rec.get("basis_penalty_provisions"):
        return None
    day = _day(rec) or date.today()
    top = 0
    for cite in rec["basis_penalty_provisions"]:
        try:
            chk = resolver.lookup(cite, day)
        except ValueError:
            continue
        if chk.status != "verified" or not chk.law:
            continue
        whole = resolver.lookup(format_citation(chk.law, chk.article, chk.article_sub), day)
        for text in (chk.text or "", whole.text or ""):
            for fr in find_fine_ranges(text):
                if fr.kind != "amount" or fr.max_fen is None:
                    return None  # a multiple or an open range: "out of range" would depend on a base
                top = max(top, fr.max_fen)
    if not top:
        return None
    fine = round(max(top * len(rec["basis_penalty_provisions"]) * 2.5 / 100, rec["fine_yuan"] * 3), -2)
    return {"field": "fine_yuan", "from": rec["fine_yuan"], "to": fine, "expect": ["fine_above_max"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=REPO / "eval" / "archive_planted.jsonl")
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--pairs", type=int, default=10, help="pairs of decisions sharing a 文号")
    args = ap.parse_args()
    s = get_settings()
    src = s.shared_dir / "eval" / "real_decisions" / "decisions.jsonl"
    real = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines() if line.strip()]
    store = Store.open(s.store_path)
    resolver = Resolver(store)
    rng = random.Random(args.seed)
    repealed = _repealed_instruments(store)
    out: list[dict] = []

    def emit(base: dict, kind: str | None, plant: dict | None, suffix: str) -> None:
        rec = copy.deepcopy(base)
        rec.pop("full_text", None)  # the page excerpt would carry the original citations and fine
        rec["source_id"] = base["id"]
        rec["id"] = f"{suffix}-{base['id']}"
        rec["label_planted"] = kind
        rec["label_expect"] = plant["expect"] if plant else []
        rec["label_detail"] = plant
        if kind and kind != "duplicate_doc_no":
            rec["doc_no"] = None
        if plant and plant["field"] in ("basis_penalty_provisions", "violated"):
            _replace(rec, plant["field"], plant["from"], plant["to"])
        elif plant and plant["field"] == "event_date":
            rec["event_date"], rec["date"] = plant["to"], plant["decision"]
            rec["date_published"] = plant["decision"]
        elif plant and plant["field"] == "fine_yuan":
            rec["fine_yuan"] = plant["to"]
        out.append(rec)

    for r in real:
        emit(r, None, None, "clean")
    counts = {"wrong_article": 0, "repealed": 0, "fine_out_of_range": 0, "duplicate_doc_no": 0}
    for r in real:
        for kind, make in (("wrong_article", lambda x: plant_wrong_article(x, resolver, rng)),
                           ("repealed", lambda x: plant_repealed(x, resolver, repealed, rng)),
                           ("fine_out_of_range", lambda x: plant_fine(x, resolver))):
            p = make(r)
            if p is not None:
                emit(r, kind, p, {"wrong_article": "wa", "repealed": "rp", "fine_out_of_range": "fo"}[kind])
                counts[kind] += 1
    order = list(range(len(real)))
    rng.shuffle(order)
    for k in range(args.pairs):
        a, b = real[order[2 * k]], real[order[2 * k + 1]]
        no = f"{(a.get('agency') or '某机关')[:2]}罚〔{2020 + k % 5}〕{rng.randint(100, 999)}号"
        for x in (a, b):
            plant = {"field": "doc_no", "from": x.get("doc_no"), "to": no, "with": (b if x is a else a)["id"],
                     "expect": ["duplicate_doc_no"]}
            emit({**x, "doc_no": no}, "duplicate_doc_no", plant, f"dn{k:02d}")
            counts["duplicate_doc_no"] += 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for rec in out:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}: {len(out)} decisions, {len(real)} clean; planted {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
