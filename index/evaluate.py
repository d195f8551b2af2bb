"""Retrieval evaluation on a development set (``eval/retrieval_dev.jsonl``; provenance in ``eval/README.md``).

Each line: ``{"id", "query", "as_of", "violated": [citation…], "basis": [citation…], "source"}``; a line with both
lists empty is a negative (nothing applicable) and only scores the no-match signal.

A hit counts for the 罚则 when the hit itself or its ``basis`` is one of the gold ``basis`` provisions, and for the
违则 when the hit itself or its ``violated`` is one of the gold ``violated`` provisions. Matching is by instrument
and article (``article`` level, the headline figure) and, when the gold names a 款/项, also at that level
(``exact``).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from nlp.citations import CitationError, normalize_title, parse_one

KS = (1, 5, 10)


@dataclass(frozen=True)
class GoldRef:
    """A gold provision: instrument key, article, 之N, and optionally 款/项."""

    law_key: str
    article: int
    sub: int
    paragraph: int | None
    item: int | None

    @classmethod
    def parse(cls, citation: str) -> GoldRef:
        c = parse_one(citation)
        if c.article is None or not c.law:
            raise CitationError(f"gold citation without article: {citation!r}")
        return cls(normalize_title(c.law), c.article, c.article_sub, c.paragraph, c.item)

    def matches(self, ref: dict[str, Any] | None, exact: bool = False) -> bool:
        """Does a hit (or its violated/basis dict) point at this provision?"""
        if not ref:
            return False
        if normalize_title(ref.get("law", "")) != self.law_key or ref.get("article") != self.article:
            return False
        if int(ref.get("article_sub") or 0) != self.sub and "article_sub" in ref:
            return False
        if not exact:
            return True
        # Exact: the 项 must be the gold's; a 款 may be left open (an article-level hit) but must not differ.
        if self.paragraph is not None and ref.get("paragraph") not in (None, self.paragraph):
            return False
        return self.item is None or ref.get("item") == self.item


def load_dev(path: Path) -> list[dict]:
    """Read a dev set, one JSON object per line (blank lines and ``#`` comments skipped)."""
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(json.loads(line))
    return out


REAL_SPLITS = ("dev", "holdout")


def real_split(source: str) -> str:
    """The fixed split of a real decision: by its page, so cases of one page never straddle the two."""
    return REAL_SPLITS[1 - int(hashlib.sha1(source.encode()).hexdigest(), 16) % 2]


def _real_as_of(rec: dict) -> str | None:
    """The violation date as the case gives it: event, else decision, else publication; a month → its 1st."""
    for key in ("event_date", "date", "date_published"):
        v = rec.get(key)
        if v and len(v) >= 7:
            return v if len(v) == 10 else f"{v[:7]}-01"
    return None


def _struct_citation(s: dict) -> str:
    return f"《{s['law']}》第{s['article']}条"


def load_real(path: Path, split: str | None = None) -> list[dict]:
    """Real published decisions (``../shared/eval/real_decisions``) as eval lines, optionally one split.

    The query is the facts as written; the gold is the cited 罚则 and 违则 at article level; the case's province
    becomes the search region (a case from a province without local regulations in the store searches national
    instruments and, harmlessly, no local ones).
    """
    from nlp.regions import RegionError, normalize_region

    out = []
    for rec in load_dev(path):
        if split is not None and real_split(rec["source"]) != split:
            continue
        try:
            region = normalize_region(rec.get("region") or "全国")
        except RegionError:
            region = None
        out.append({
            "id": rec["id"], "query": rec["facts"], "as_of": _real_as_of(rec), "region": region or "全国",
            "basis": [_struct_citation(s) for s in rec.get("basis_penalty_struct") or [] if s.get("article")],
            "violated": [_struct_citation(s) for s in rec.get("violated_struct") or [] if s.get("article")],
            "source": f"real-{real_split(rec['source'])}",
        })
    # A case with no article-level gold on either side scores nothing and is not a negative either.
    return [it for it in out if it["basis"] or it["violated"]]


def _first_rank(hits: list[dict], golds: list[GoldRef], field: str, exact: bool) -> int | None:
    for rank, h in enumerate(hits, 1):
        for g in golds:
            if g.matches(h, exact) or g.matches(h.get(field), exact):
                return rank
    return None


def _summary(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    if n == 0:
        return {"n": 0}
    out: dict[str, float] = {"n": n}
    for k in KS:
        out[f"R@{k}"] = round(sum(1 for r in ranks if r is not None and r <= k) / n, 4)
    out["MRR"] = round(sum(1.0 / r for r in ranks if r is not None) / n, 4)
    return out


def evaluate(searcher: Any, path: Path | list[dict], top_k: int = 10, groups: bool = True,
             **search_kwargs: Any) -> dict:
    """Recall@1/5/10 and MRR for 罚则 and 违则 on a dev set, plus the no-match rates and latency.

    Args:
        searcher: an :class:`index.search.Searcher` (anything with a compatible ``search``).
        path: the dev set, or its lines already read (e.g. :func:`load_real`); a line's ``region`` is searched.
        top_k: hits retrieved per query.
        groups: also report figures per ``source`` group (the part of ``source`` before the first ``:``).
        **search_kwargs: passed to ``searcher.search`` (e.g. ``dense_weight`` for BM25-/dense-only runs).
    """
    items = path if isinstance(path, list) else load_dev(path)
    ranks: dict[str, list[int | None]] = defaultdict(list)
    per_group: dict[str, dict[str, list[int | None]]] = defaultdict(lambda: defaultdict(list))
    neg_flags: list[bool] = []
    pos_flags: list[bool] = []
    latencies: list[float] = []
    failures: list[dict] = []
    gaps: list[bool] = []
    for it in items:
        as_of = date.fromisoformat(it["as_of"]) if it.get("as_of") else None
        kwargs = dict(search_kwargs)
        if "region" in it:
            from nlp.regions import normalize_region

            kwargs["region"] = normalize_region(it["region"])
        t0 = time.perf_counter()
        res = searcher.search(it["query"], as_of=as_of, top_k=top_k, **kwargs)
        latencies.append((time.perf_counter() - t0) * 1000)
        hits = [h.to_dict() if hasattr(h, "to_dict") else h for h in res.hits]
        basis = [GoldRef.parse(c) for c in it.get("basis", [])]
        violated = [GoldRef.parse(c) for c in it.get("violated", [])]
        group = str(it.get("source", "")).split(":", 1)[0]
        if not basis and not violated:
            neg_flags.append(bool(res.no_match))
            continue
        pos_flags.append(bool(res.no_match))
        gaps.append(bool(getattr(res, "version_gaps", None)))
        for name, golds, field in (("basis", basis, "basis"), ("violated", violated, "violated")):
            if not golds:
                continue
            for exact in (False, True):
                key = name + ("_exact" if exact else "")
                r = _first_rank(hits, golds, field, exact)
                ranks[key].append(r)
                per_group[group][key].append(r)
                if key == "basis" and (r is None or r > 5):
                    failures.append({"id": it["id"], "query": it["query"], "gold": it.get("basis"), "rank": r,
                                     "top3": [h["citation"] for h in hits[:3]]})  # fmt: skip
    lat = np.array(latencies) if latencies else np.zeros(1)
    out: dict[str, Any] = {
        "queries": len(items),
        "positives": len(pos_flags),
        "negatives": len(neg_flags),
        "basis": _summary(ranks["basis"]),
        "basis_exact": _summary(ranks["basis_exact"]),
        "violated": _summary(ranks["violated"]),
        "violated_exact": _summary(ranks["violated_exact"]),
        "no_match": {
            "negatives_flagged": round(float(np.mean(neg_flags)), 4) if neg_flags else None,
            "positives_flagged": round(float(np.mean(pos_flags)), 4) if pos_flags else None,
        },
        "version_gap_share": round(float(np.mean(gaps)), 4) if gaps else None,
        "latency_ms": {"p50": round(float(np.percentile(lat, 50)), 2), "p95": round(float(np.percentile(lat, 95)), 2)},
        "failures": failures,
    }
    if groups:
        out["groups"] = {
            g: {k: _summary(v) for k, v in d.items() if k in ("basis", "violated")} for g, d in sorted(per_group.items())
        }
    return out


def check_dev(items: Iterable[dict], searcher: Any) -> list[str]:
    """Problems with a dev set against an index: gold provisions that are not in force on ``as_of`` or absent."""
    idx = searcher.index
    problems = []
    for it in items:
        as_of = date.fromisoformat(it["as_of"]) if it.get("as_of") else None
        mask = idx.in_force_mask(as_of)
        for field in ("basis", "violated"):
            for c in it.get(field, []):
                try:
                    g = GoldRef.parse(c)
                except CitationError as e:
                    problems.append(f"{it['id']}: {field} {c!r}: {e}")
                    continue
                rows = [i for i, p in enumerate(idx.passages)
                        if p.meta["law_key"] == g.law_key and p.meta["article"] == g.article and mask[i]]  # fmt: skip
                if not rows:
                    problems.append(f"{it['id']}: {field} {c!r} not in force on {as_of} (or not in the store)")
    return problems
