"""Enforcement items (执法事项 of discretion tables) as retrieval evidence.

A discretion table names each violation in the words officers use (「占用、堵塞、封闭疏散通道、安全出口」) and cites its
违则/罚则. A description close to an item's title is strong evidence for the provisions the item cites, even when the
statute words the conduct differently; so every item title is embedded, and at query time the best-matching items
lift the passages they cite (the versions in force on the date) into the candidates with a bonus that grows with the
match. The passages themselves are still scored and returned: an item only points at statute text, it is never the
处罚依据 (R3.2). An agency that loads its own table improves retrieval for its own wording.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from index.dense import EmbeddingCache
from index.engine import PassageIndex
from nlp.citations import CitationError, normalize_title, parse_one
from nlp.encoders import Encoder


@dataclass(frozen=True)
class ItemRecord:
    """What the index needs of an enforcement item: where it comes from, its title, its citations."""

    benchmark: str
    item_id: str
    title: str
    basis: tuple[str, ...]
    violated: tuple[str, ...] = ()

    @property
    def citations(self) -> tuple[str, ...]:
        return self.basis + self.violated


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff" or c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:], strict=False)}


class ItemIndex:
    """Item titles with their vectors and the passage rows their citations resolve to.

    Args:
        records: the items (titles and 违则/罚则 citations).
        rows: per item, the passage rows (every version) of the provisions it cites.
        violated_rows: per item, the rows of its 违则 only.
        vecs: per item, the e5 passage vector of its title (None: lexical match only).
        lo, hi: dense cosine mapped to 0 and 1. e5 cosines sit in a narrow band: the best item title scores a median
            0.92 for dev descriptions of violations and 0.88 for the negatives (5th-95th percentile 0.89-0.98 and
            0.84-0.93). These and the other defaults are the best of a grid on the dev set without the lines derived
            from the tables themselves (scripts/bench_search.py items).
        dense_share: weight of the dense match against the character-bigram overlap.
        top: items that may lift their provisions per query.
        min_match: a match below this lifts nothing (a description of no violation stays without items).
    """

    def __init__(
        self,
        records: list[ItemRecord],
        rows: list[list[int]],
        vecs: np.ndarray | None,
        violated_rows: list[list[int]] | None = None,
        *,
        lo: float = 0.86,
        hi: float = 0.93,
        dense_share: float = 0.7,
        top: int = 3,
        min_match: float = 0.3,
    ) -> None:
        self.records, self.rows, self.vecs = records, rows, vecs
        self.violated_rows = violated_rows if violated_rows is not None else [[] for _ in records]
        self.grams = [_bigrams(r.title) for r in records]
        self.lo, self.hi, self.dense_share, self.top, self.min_match = lo, hi, dense_share, top, min_match

    def __len__(self) -> int:
        return len(self.records)

    @classmethod
    def build(
        cls,
        records: Iterable[ItemRecord],
        index: PassageIndex,
        encoder: Encoder | None,
        cache_dir: Path | None = None,
        **kwargs: float,
    ) -> ItemIndex:
        """Resolve each item's citations to passage rows and embed its title (cached by text hash)."""
        kept: list[ItemRecord] = []
        rows: list[list[int]] = []
        violated: list[list[int]] = []
        for rec in records:
            r = sorted({x for c in rec.citations for x in _rows_of(index, c)})
            if r and rec.title.strip():
                kept.append(rec)
                rows.append(r)
                violated.append(sorted({x for c in rec.violated for x in _rows_of(index, c)}))
        vecs = None
        if encoder is not None and kept:
            titles = [r.title for r in kept]
            if cache_dir is not None:
                cache = EmbeddingCache(Path(cache_dir), encoder.name)
                vecs, n_new = cache.embed(encoder, titles)
                if n_new:
                    cache.save()
            else:
                vecs = encoder.encode_passages(titles)
        return cls(kept, rows, vecs, violated, **kwargs)

    def match(self, qvec: np.ndarray | None, text: str) -> np.ndarray:
        """Match of the description to every item title, in [0, 1]."""
        q = _bigrams(text)
        lex = np.array([2 * len(q & g) / (len(q) + len(g)) if q and g else 0.0 for g in self.grams], dtype=np.float32)
        if qvec is None or self.vecs is None:
            return lex
        dense = np.clip((self.vecs @ qvec - self.lo) / (self.hi - self.lo), 0.0, 1.0)
        return self.dense_share * dense + (1 - self.dense_share) * lex

    def bonus(self, qvec: np.ndarray | None, text: str, allowed: np.ndarray,
              exclude_title: str | None = None) -> dict[int, tuple[float, int]]:
        """Rows (in force: ``allowed``) cited by the best-matching items: row → (match, item number).

        Items titled ``exclude_title`` give nothing (training the ranking stage: an item never answers itself).
        """
        if not self.records:
            return {}
        m = self.match(qvec, text)
        if exclude_title is not None:
            m[[i for i, r in enumerate(self.records) if r.title.strip() == exclude_title.strip()]] = 0.0
        out: dict[int, tuple[float, int]] = {}
        for i in np.argsort(-m)[: self.top]:
            s = float(m[i])
            if s < self.min_match:
                break
            for r in self.rows[i]:
                if allowed[r] and s > out.get(r, (0.0, -1))[0]:
                    out[r] = (s, int(i))
        return out

    def matches(self, qvec: np.ndarray | None, text: str, k: int = 3) -> list[tuple[ItemRecord, float]]:
        """The ``k`` best items with their match (for explanations and benchmarks)."""
        m = self.match(qvec, text)
        return [(self.records[i], round(float(m[i]), 4)) for i in np.argsort(-m)[:k]]


def _rows_of(index: PassageIndex, citation: str) -> list[int]:
    """Passage rows of a citation in every stored version: the cited 项/款 if indexed, else its article."""
    try:
        c = parse_one(citation)
    except (CitationError, ValueError):
        return []
    if not c.law or c.article is None:
        return []
    key = (normalize_title(c.law), c.article, c.article_sub or 0)
    tails = [(c.paragraph, c.item), (c.paragraph, None), (None, None)]
    if c.paragraph is None and c.item is not None:  # 第X条第（N）项: the item of whichever 款 has items (R1.8)
        tails[:1] = [(p, c.item) for p in range(1, 10)]
    for tail in tails:
        rows = index.by_provision.get((*key, *tail))
        if rows:
            return rows
    return []


def item_records(store: object, benchmarks: Iterable[str] | None = None) -> list[ItemRecord]:
    """Records of the items in a :class:`corpus.benchmarks.BenchmarkStore` (all benchmarks, or the named ones)."""
    names = list(benchmarks) if benchmarks is not None else [b.name for b in store.list()]  # type: ignore[attr-defined]
    return [ItemRecord(name, it.id, it.title, tuple(it.basis), tuple(it.violated))
            for name in names for it in store.items(benchmark=name)]  # type: ignore[attr-defined]
