"""违则/罚则 pairing: link a penalty provision (罚则) to the provision it sanctions (违则) and back.

Three sources, in order of trust:
1. ``explicit``: the 罚则 names its 违则 (「违反本法第三十五条规定，…的，由…处…罚款」), parsed with
   :func:`nlp.citations.parse_citations`; only citations governed by a preceding 违反 count (「依照本法第九十条的规定处罚」
   names another 罚则, not a 违则).
2. ``retrieved``: most 法律责任 articles only say 「违反本法规定」 (about 1 in 8 names the article), so the nearest
   non-liability article of the same version, by passage-vector cosine, is proposed instead.
3. ``self``: a 罚则 that itself describes the conduct is its own 违则 source when nothing better exists.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.passages import Passage
from nlp.citations import Context, normalize_title, parse_citations

# How far (chars) a citation may sit after 违反 and still be what is violated: 「违反本法第十八条、第二十条第一款的规定」.
_VIOLATE_WINDOW = 40
_BREAK_RE = re.compile(r"[。；;]")
_DELEGATE_RE = re.compile(r"(依照|按照|依据|根据)[^违]{0,6}$")

ArticleKey = tuple[str, int, int]  # (law_key, article, sub)


def violated_refs(p: Passage) -> list[tuple[str, int, int, int | None, int | None]]:
    """Provisions a passage says are violated: ``(law_key, article, sub, paragraph, item)`` per citation."""
    ctx_text = p.meta.get("context") or ""
    text = f"{ctx_text}\n{p.text}" if ctx_text else p.text
    if "违反" not in text:
        return []
    m = p.meta
    ctx = Context(law=m.get("law"), article=m.get("article"), article_sub=m.get("article_sub") or 0,
                  paragraph=m.get("paragraph"))  # fmt: skip
    out: list[tuple[str, int, int, int | None, int | None]] = []
    for c in parse_citations(text, context=ctx):
        if c.relative or c.article is None or not c.law:
            continue
        head = text[max(0, c.start - _VIOLATE_WINDOW) : c.start]
        pos = head.rfind("违反")
        if pos < 0 or _BREAK_RE.search(head[pos:]) or _DELEGATE_RE.search(head):
            continue
        # A citation of the 罚则's own article (「违反本条规定」) is not a separate 违则.
        key = (normalize_title(c.law), c.article, c.article_sub, c.paragraph, c.item)
        if key[0] == m.get("law_key") and key[1] == m.get("article") and key[2] == (m.get("article_sub") or 0):
            continue
        if key not in out:
            out.append(key)
    return out


class PairScores:
    """The retrieved pairs' cosines, ``(row, row) → float``, read-only, as numpy arrays.

    What a loaded index keeps instead of a dict with a tuple key per pair: ~20 bytes a pair instead of ~300 (380k
    pairs: ~110 MB less per serving worker). It answers ``get``, ``[]``, ``in``, ``len`` and ``items`` (in the
    order read, so saving it again writes the same file).
    """

    def __init__(self, triples: Sequence[Sequence[float]]) -> None:
        arr = np.asarray(triples, dtype=np.float64).reshape(-1, 3)
        self._keys = (arr[:, 0].astype(np.int64) << 32) | arr[:, 1].astype(np.int64)
        self._vals = np.ascontiguousarray(arr[:, 2])
        self._order = np.argsort(self._keys, kind="stable")
        self._sorted = self._keys[self._order]

    def _find(self, key: tuple[int, int]) -> int:
        k = (int(key[0]) << 32) | int(key[1])
        i = int(np.searchsorted(self._sorted, k))
        return int(self._order[i]) if i < len(self._sorted) and self._sorted[i] == k else -1

    def get(self, key: tuple[int, int], default: float | None = None) -> float | None:
        i = self._find(key)
        return default if i < 0 else float(self._vals[i])

    def __getitem__(self, key: tuple[int, int]) -> float:
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        return float(self._vals[i])

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and len(key) == 2 and self._find(key) >= 0  # type: ignore[arg-type]

    def __len__(self) -> int:
        return len(self._keys)

    def items(self) -> Iterator[tuple[tuple[int, int], float]]:
        for k, v in zip(self._keys.tolist(), self._vals.tolist(), strict=True):
            yield (k >> 32, k & 0xFFFFFFFF), v


@dataclass
class PairIndex:
    """Pairing tables over passage row numbers.

    Attributes:
        explicit: liability row → rows of the violated provisions it names (all versions of the target law;
            the searcher keeps those in force).
        reverse: violated row → liability rows that name it (explicit).
        near_violated: liability row → nearest non-liability article rows of the same version, best first.
        near_basis: non-liability article row → nearest liability rows of the same version, best first.
        near_score: (row, row) → passage cosine of the retrieved pairs.
    """

    explicit: dict[int, list[int]] = field(default_factory=dict)
    reverse: dict[int, list[int]] = field(default_factory=dict)
    near_violated: dict[int, list[int]] = field(default_factory=dict)
    near_basis: dict[int, list[int]] = field(default_factory=dict)
    near_score: dict[tuple[int, int], float] | PairScores = field(default_factory=dict)

    def to_json(self) -> dict:
        """JSON-friendly form for the index directory."""
        return {
            "explicit": {str(k): v for k, v in self.explicit.items()},
            "near_violated": {str(k): v for k, v in self.near_violated.items()},
            "near_basis": {str(k): v for k, v in self.near_basis.items()},
            "near_score": [[a, b, round(s, 5)] for (a, b), s in self.near_score.items()],
        }

    @classmethod
    def from_json(cls, d: dict) -> PairIndex:
        """Inverse of :meth:`to_json`."""
        self = cls(
            explicit={int(k): v for k, v in d.get("explicit", {}).items()},
            near_violated={int(k): v for k, v in d.get("near_violated", {}).items()},
            near_basis={int(k): v for k, v in d.get("near_basis", {}).items()},
            near_score=PairScores(d.get("near_score", [])),
        )
        self._fill_reverse()
        return self

    def _fill_reverse(self) -> None:
        rev: dict[int, list[int]] = defaultdict(list)
        for src, targets in self.explicit.items():
            for t in targets:
                rev[t].append(src)
        self.reverse = dict(rev)


def _rowz(x: np.ndarray) -> np.ndarray:
    sd = x.std(axis=1, keepdims=True)
    sd[sd < 1e-9] = 1.0
    return (x - x.mean(axis=1, keepdims=True)) / sd


def build_pairs(
    passages: Sequence[Passage],
    vectors: np.ndarray | None,
    has_vector: np.ndarray | None = None,
    lexical=None,
    near_k: int = 3,
    mode: str = "both",
) -> PairIndex:
    """Build the pairing tables.

    Args:
        passages: all passages, row i ↔ ``passages[i]``.
        vectors: one L2-normalised vector per passage (a unit without its own vector carries its article's).
        has_vector: which rows have a (own or inherited) vector; dense similarity is used for a version only when
            all its candidate rows have one.
        lexical: passages × terms matrix with L2-normalised rows (``BM25Backend.doc_term_matrix``).
        near_k: how many retrieved partners to keep per row.
        mode: ``dense``, ``lexical`` or ``both`` (sum of row-standardised similarities); measured in
            scripts/bench_search.py.
    """
    pairs = PairIndex()
    # Resolve explicit references against every version of the cited law (article → paragraph → item rows).
    by_article: dict[ArticleKey, list[int]] = defaultdict(list)
    by_unit: dict[tuple[str, int, int, int | None, int | None], list[int]] = defaultdict(list)
    by_item: dict[tuple[str, int, int, int], list[int]] = defaultdict(list)
    for i, p in enumerate(passages):
        m = p.meta
        key = (m["law_key"], m["article"], m.get("article_sub") or 0)
        if m["unit"] == "article":
            by_article[key].append(i)
        by_unit[(*key, m.get("paragraph"), m.get("item"))].append(i)
        if m["unit"] == "item":
            by_item[(*key, m["item"])].append(i)
    for i, p in enumerate(passages):
        if not p.meta.get("is_liability"):
            continue
        rows: list[int] = []
        for law_key, art, sub, par, item in violated_refs(p):
            hit = by_unit.get((law_key, art, sub, par, item)) or by_unit.get((law_key, art, sub, par, None))
            if not hit and par is None and item is not None:
                # 「第X条第Y项」 with the 款 left out (R1.8): any 款 holding that item.
                hit = by_item.get((law_key, art, sub, item), [])
            hit = hit or by_article.get((law_key, art, sub), [])
            rows.extend(r for r in hit if r not in rows and r != i)
        if rows:
            pairs.explicit[i] = rows
    pairs._fill_reverse()
    if near_k <= 0 or (vectors is None and lexical is None):
        return pairs

    # Retrieved partners inside each version.
    by_version: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i, p in enumerate(passages):
        m = p.meta
        liab, other = by_version[m["version_id"]]
        if m.get("is_liability"):
            liab.append(i)
        elif m["unit"] == "article" and m.get("article", 0) > 1:
            other.append(i)  # 第一条 states the purpose of the whole law: never a 违则
    for _vid, (liab, other) in by_version.items():
        if not liab or not other:
            continue
        sims = None
        use_dense = (
            mode in ("dense", "both") and vectors is not None
            and (has_vector is None or (has_vector[liab].all() and has_vector[other].all()))
        )  # fmt: skip
        if use_dense:
            sims = vectors[liab] @ vectors[other].T
        if lexical is not None and (mode in ("lexical", "both") or sims is None):
            lex = (lexical[liab] @ lexical[other].T).toarray()
            sims = lex if sims is None else _rowz(sims) + _rowz(lex)
        if sims is None:
            continue
        k = min(near_k, len(other))
        top = np.argsort(-sims, axis=1)[:, :k]
        for a, row in enumerate(top):
            pairs.near_violated[liab[a]] = [other[j] for j in row]
            for j in row:
                pairs.near_score[(liab[a], other[j])] = float(sims[a, j])
        liab_art = [a for a, r in enumerate(liab) if passages[r].meta["unit"] == "article"]
        if liab_art:
            sims_t = sims[liab_art].T  # other × liability articles
            kb = min(near_k, len(liab_art))
            topb = np.argsort(-sims_t, axis=1)[:, :kb]
            for o, row in enumerate(topb):
                pairs.near_basis[other[o]] = [liab[liab_art[j]] for j in row]
                for j in row:
                    pairs.near_score[(liab[liab_art[j]], other[o])] = float(sims_t[o, j])
    return pairs
