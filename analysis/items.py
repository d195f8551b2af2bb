"""Benchmark items for retrieved provisions: citation agreement, party and validity, and title similarity.

An item is reached through the 罚则/违则 a hit cites (``ItemMatcher.match``) or, when no retrieved provision maps
to one, by the resemblance of its title and tier conditions to the description (``ItemMatcher.by_title``).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from corpus.benchmarks import BenchmarkStore
from nlp.citations import format_citation

__all__ = ["ItemMatcher", "bigrams", "cite_agreement", "fact_fields", "item_similarity"]

# A benchmark's citation checked against the store on a date: ``(citation, as_of) -> provision dict``.
ProvisionLookup = Callable[[str, date | None], dict[str, Any]]


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the Chinese characters of ``text`` (digits, Latin letters and punctuation dropped)."""
    t = re.sub(r"[\W\d_a-zA-Z]+", "", text or "")
    return frozenset(t[i:i + 2] for i in range(len(t) - 1))


# The title fallback compares one description with every stored item: item-side sets are memoised (bounded by the
# stored items), the description's only for the last few texts (a description may be 20,000 characters).
_item_bigrams = functools.lru_cache(maxsize=32768)(bigrams)
_text_bigrams = functools.lru_cache(maxsize=8)(bigrams)


@functools.lru_cache(maxsize=32768)
def _condition_bigrams(conditions: tuple[str, ...]) -> frozenset[str]:
    return bigrams(" ".join(conditions))


def cite_agreement(item_cite: str, ref_cite: str) -> int:
    """0: the item cites exactly the retrieved 款/项; 1: one is the other's article/款 (compatible); 2: another 款/项."""
    if item_cite == ref_cite:
        return 0
    if not ref_cite or item_cite.startswith(ref_cite) or ref_cite.startswith(item_cite):
        return 1
    return 2


def fact_fields(facts: Any) -> set[str]:
    """Predicate fields the description states a number for (超标倍数, 违法所得 …), to rank items whose tiers use them."""
    if facts is None:
        return set()
    from analysis.tiers import facts_to_fields

    vals, src = facts_to_fields(facts)
    return {k for k in src if not isinstance(vals.get(k), bool) and k != "违法次数"}


def item_similarity(item: Any, text: str, fields: set[str]) -> float:
    """How well an item fits the description: bigram cosine with the title, share of the description's bigrams in
    the tier conditions (half weight), share of the stated numeric fields the tier predicates use (half weight)."""
    d = _text_bigrams(text)
    if not d:
        return 0.0
    t = _item_bigrams(item.title)
    title = len(d & t) / math.sqrt(len(d) * len(t)) if t else 0.0
    c = _condition_bigrams(tuple(tr.condition or "" for tr in item.tiers))
    cond = len(d & c) / len(d)
    used = {p.field for tr in item.tiers for p in tr.predicates}
    fit = len(fields & used) / len(fields) if fields else 0.0
    return title + 0.5 * cond + 0.5 * fit


class ItemMatcher:
    """Benchmark items for a description, over the loaded tables.

    ``benchmarks`` is called on every use, so a store replaced by its owner is seen at once; what is read from it
    is kept until its ``signature()`` changes (a table loaded, reloaded or removed). ``provision`` re-verifies an
    item's citations on the violation date.
    """

    def __init__(self, benchmarks: Callable[[], BenchmarkStore], provision: ProvisionLookup) -> None:
        self._benchmarks = benchmarks
        self._provision = provision
        self._bench: tuple[tuple[Any, ...], dict[str, Any], dict[str, Any]] | None = None
        self._all: list[tuple[str, Any]] | None = None

    def bench_cache(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Benchmark infos and a per-article item cache, reset whenever a benchmark is (re)loaded."""
        store = self._benchmarks()
        sig = store.signature()
        # One tuple, read and replaced whole: concurrent requests never pair one load's infos with another's cache.
        cached = self._bench
        if cached is None or cached[0] != sig:
            cached = (sig, {b.name: b for b in store.list()}, {})
            self._bench = cached
            self._all = None
        return cached[1], cached[2]

    @property
    def all_items(self) -> list[tuple[str, Any]]:
        """(benchmark, item) for every stored item, read once per load (the title fallback scans them)."""
        items = self._all
        if items is None:
            store = self._benchmarks()
            items = self._all = [(b.name, it) for b in store.list() for it in store.items(benchmark=b.name)]
        return items

    def match(self, hits: list[dict[str, Any]], decision: date, as_of: date | None, text: str = "",
              facts: Any = None, party: str | None = None, similarity_margin: float = 0.3) -> list[dict[str, Any]]:
        """Benchmark items citing the retrieved 罚则/违则, best first.

        Order: the hit's rank; an item reached through the 罚则; an item for the party's type (item.party:
        单位/个人 are in different 款, pitfall (c)); an item whose citation agrees with the hit's 款/项 (exact, then
        compatible, then another 款/项 of the same article); a benchmark valid on the decision date (R2.9); the
        item most similar to the description (title and tier conditions, character bigrams, plus the facts'
        fields its tier predicates use, plus the e5 title match the search reports in ``hit["items"]``); real agency
        tables before the project's sample. An item of a lower hit whose similarity beats the first item's by
        ``similarity_margin`` is moved first. 不予处罚 lists are kept as matches but never chosen as the tier source,
        since they only say when not to punish.
        """
        infos, by_article = self.bench_cache()
        fields = fact_fields(facts)
        # e5 similarity of the query to item titles, when the search reports it (its query vector, reused)
        e5: dict[tuple[str, str], float] = {}
        for hit in hits:
            for m in hit.get("items") or []:
                k = (m.get("benchmark"), m.get("item_id"))
                e5[k] = max(e5.get(k, 0.0), float(m.get("match") or 0.0))
        scored: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        seen: set[tuple[str, str]] = set()
        for rank, hit in enumerate(hits):
            refs = [(hit.get("basis"), "basis"), (hit.get("violated"), "violated"), (hit, "hit")]
            for ref, role in refs:
                if not ref or not ref.get("law") or not ref.get("article"):
                    continue
                art = format_citation(ref["law"], ref["article"], ref.get("article_sub") or 0)
                entries = by_article.get(art)
                if entries is None:
                    entries = by_article[art] = self._benchmarks().by_article(art)
                for bench, cite, item in entries:
                    if (bench, item.id) in seen:
                        continue
                    seen.add((bench, item.id))
                    info = infos.get(bench)
                    valid = info.valid_on(decision) if info else False
                    no_penalty = bool(item.tiers) and all(t.level == "不予处罚" for t in item.tiers)
                    agree = cite_agreement(cite, ref.get("citation") or "")
                    if hit.get("citation", "").startswith(art):  # the hit's own 款/项 counts too
                        agree = max(agree, cite_agreement(cite, hit["citation"]))
                    wrong_party = bool(party) and item.party not in ("any", party)
                    # another 款/项 is another violation, unless it is the party's own 款 (单位/个人, pitfall (c))
                    conflict = agree == 2 and not (party and item.party == party)
                    sim = item_similarity(item, text, fields) + e5.get((bench, item.id), 0.0)
                    key = (no_penalty, conflict, rank, role != "basis", wrong_party, agree, not valid, -sim,
                           bool(info and info.sample))
                    summary = self.summary(
                        bench, item, info, valid, as_of, wrong_party, sim, matched_citation=cite, via=role, hit_rank=rank,
                        retrieved={"violated": hit.get("violated"), "basis": hit.get("basis")},
                        no_penalty_list=no_penalty, citation_agreement=("exact", "compatible", "other")[agree],
                        citation_conflict=conflict)
                    scored.append((key, {"summary": summary, "item": item}))
        scored.sort(key=lambda x: x[0])
        penal = [m for k, m in scored if not k[0]]
        # a lower hit's item that fits the description far better than the top hit's items goes first
        if penal and not penal[0]["summary"]["party_mismatch"]:
            top = penal[0]["summary"]["similarity"]
            better = [m for m in penal[1:] if not m["summary"]["party_mismatch"] and not m["summary"]["citation_conflict"]
                      and m["summary"]["similarity"] >= top + similarity_margin]
            if better:
                pick = max(better, key=lambda m: m["summary"]["similarity"])
                pick["summary"]["promoted_by_similarity"] = True
                penal = [pick] + [m for m in penal if m is not pick]
        return penal + [m for k, m in scored if k[0]]

    def by_title(self, text: str, facts: Any, decision: date, as_of: date | None, party: str | None,
                 limit: int = 3, threshold: float = 0.3) -> list[dict[str, Any]]:
        """Fallback when no retrieved provision maps to an item: items whose title and conditions resemble the
        description (character bigrams), the party's own items and valid benchmarks first."""
        fields = fact_fields(facts)
        infos, _ = self.bench_cache()
        scored = []
        for bench, item in self.all_items:
            if item.tiers and all(t.level == "不予处罚" for t in item.tiers):
                continue
            sim = item_similarity(item, text, fields)
            if sim >= threshold:
                scored.append((sim, bench, item))
        out = []
        for sim, bench, item in sorted(scored, key=lambda x: -x[0])[: limit * 4]:
            info = infos.get(bench)
            valid = info.valid_on(decision) if info else item.window.contains(decision)
            wrong_party = bool(party) and item.party not in ("any", party)
            summary = self.summary(bench, item, info, valid, as_of, wrong_party, sim, matched_citation=None,
                                   via="title", retrieved=None, no_penalty_list=False, citation_agreement=None,
                                   citation_conflict=False)
            out.append(((wrong_party, not valid, -sim), {"summary": summary, "item": item}))
        out.sort(key=lambda x: x[0])
        return [m for _, m in out[:limit]]

    def summary(self, bench: str, item: Any, info: Any, valid: bool, as_of: date | None, wrong_party: bool,
                sim: float, **how: Any) -> dict[str, Any]:
        """One match as answered: the item, its citations re-verified on the violation date, how it was matched."""
        return {"benchmark": bench, "item_id": item.id, "title": item.title, "domain": item.domain,
                "benchmark_valid_on_decision_date": valid, "sample": bool(info and info.sample),
                "violated": [self._provision(c, as_of) for c in item.violated],
                "basis": [self._provision(c, as_of) for c in item.basis],
                "party": item.party, "party_mismatch": wrong_party, "similarity": round(sim, 4), **how}
