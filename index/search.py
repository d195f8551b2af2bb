"""The search service: a violation description in, the applicable provisions (with 违则/罚则 pairs) out."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from index.calibration import NoMatchCalibrator, query_features
from index.engine import IndexConfig, IndexError_, PassageIndex
from index.fusion import fuse, minmax, top_indices
from index.items import ItemIndex
from index.passages import Passage, article_id, passages_from_store
from index.query import expand_query, extract_conduct
from index.rerank import Candidate, Priors, Reranker, features
from nlp.encoders import Encoder
from nlp.errors import EHError

INDEX_MISSING = "检索索引尚未建立"


class SearchError(EHError):
    """Bad search input."""

    code = "bad_search"


@dataclass
class SearchHit:
    """One applicable provision.

    ``violated`` / ``basis`` are ``{"citation", "text", "source", …}`` dicts (source: explicit | retrieved | item | self)
    or None. ``newer_version`` is set when a later version of the same instrument exists (处罚法 第三十七条 / R2.1).
    """

    citation: str
    law: str
    article: int
    paragraph: int | None
    item: int | None
    text: str
    score: float
    violated: dict | None
    basis: dict | None
    unit: str = "article"
    article_sub: int = 0
    is_liability: bool = False
    version_id: str = ""
    effective_from: str | None = None
    effective_to: str | None = None
    newer_version: dict | None = None
    id: str = ""
    # ``in_force`` on ``as_of``; ``nearest_later`` / ``nearest_earlier`` when the store has no version of the
    # instrument in force that day and this is its nearest stored text (never the applicable one: see
    # ``version_note``); None when no date was given.
    version_status: str | None = None
    version_note: str | None = None
    # Enforcement items whose title matched the query and that cite this provision (evidence, never the basis).
    items: list[dict] = field(default_factory=list)
    # How likely this hit's 罚则 is the one that applies to the case: ``{"probability", "band", "evidence"}``
    # (index.applicability); None without the ranking stage. Independent of whether the text exists and is in force.
    applicability: dict | None = None
    # Passage rows of the hit, its 罚则 and its 违则 (the ranking stage's features); not part of the answer.
    _rows: tuple[int, int | None, int | None] = field(default=(-1, None, None), repr=False)

    def to_dict(self) -> dict:
        """JSON-friendly dict (shallow: the nested dicts are built afresh for every hit, so a deep copy would only
        cost time on the request path)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if not f.name.startswith("_")}


@dataclass
class SearchResult:
    """Hits plus the calibrated "nothing applicable" signal."""

    query: str
    as_of: str | None
    hits: list[SearchHit]
    no_match: bool
    confidence: float | None
    conduct: str = ""
    timings_ms: dict[str, float] = field(default_factory=dict)
    features: list[float] = field(default_factory=list)  # inputs of the no-match calibrator
    notes: list[str] = field(default_factory=list)
    # Instruments among the hits whose text of ``as_of`` is missing from the store, answered by their nearest
    # stored version (R2.7): law, version_status, stored_from/stored_to, rank, outranks_results (it ranks first:
    # ``confidence_flag`` is "version_gap" then).
    version_gaps: list[dict] = field(default_factory=list)
    confidence_flag: str | None = None
    # The ranking stage's inputs, one row per hit (index.rerank.FEATURES); filled when asked for or when ranking.
    rank_features: list[list[float]] = field(default_factory=list)
    reranked: bool = False

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "as_of": self.as_of,
            "conduct": self.conduct,
            "no_match": self.no_match,
            "confidence": self.confidence,
            "confidence_flag": self.confidence_flag,
            "notes": self.notes,
            "version_gaps": self.version_gaps,
            "results": [h.to_dict() for h in self.hits],
        }


def _with_context(p: Passage) -> str:
    """A unit's text after the sentence it completes (a 项 after its 款's lead-in: 「…按日连续处罚：」)."""
    context = p.meta.get("context") or ""
    return f"{context}{p.text}" if context else p.text


def _version_status(eff_from: int, eff_to: int, as_of: date | None) -> str | None:
    """``in_force`` / ``nearest_later`` / ``nearest_earlier`` of a row (effective-window ordinals) on ``as_of``."""
    if as_of is None:
        return None
    d = as_of.toordinal()
    if eff_from <= d < eff_to:
        return "in_force"
    return "nearest_later" if eff_from > d else "nearest_earlier"


def _stand_in_note(meta: dict, status: str | None, as_of: date | None) -> str | None:
    """The Chinese warning a stand-in version carries: its dates, and that it is not the text of the day."""
    if status in (None, "in_force"):
        return None
    window = (f"自 {meta.get('effective_from')} 起施行" if status == "nearest_later"
              else f"{meta.get('effective_from') or '施行日不详'} 至 {meta.get('effective_to')} 施行")  # fmt: skip
    which = "其后" if status == "nearest_later" else "此前"
    return (f"《{meta['law']}》：库中没有 {as_of} 当日有效的版本，所示为{which}最接近的版本（{window}），"
            "仅供参考，不是当日适用的文本；请核实当时有效的版本（国家法律法规数据库 flk.npc.gov.cn）")


def _version_gaps(hits: list[SearchHit]) -> list[dict]:
    """One entry per instrument whose returned text stands in for a missing version (first rank kept)."""
    out: dict[str, dict] = {}
    for rank, h in enumerate(hits, 1):
        if h.version_status in (None, "in_force") or h.law in out:
            continue
        out[h.law] = {"law": h.law, "version_status": h.version_status, "stored_from": h.effective_from,
                      "stored_to": h.effective_to, "rank": rank, "outranks_results": rank == 1}  # fmt: skip
    return list(out.values())


def _ref(p: Passage, source: str, score: float | None = None) -> dict:
    m = p.meta
    d = {
        "citation": m["citation"],
        "text": p.text,
        "law": m["law"],
        "article": m["article"],
        "article_sub": m.get("article_sub") or 0,
        "paragraph": m.get("paragraph"),
        "item": m.get("item"),
        "source": source,
    }
    if score is not None:
        d["score"] = round(float(score), 4)
    return d


class Searcher:
    """Dense + sparse retrieval over statute passages, date-aware, with 违则/罚则 pairs.

    Build with :meth:`build` (from passages), :meth:`from_store` (statute store; loads a saved index when its
    manifest matches the corpus, else builds and saves) or :meth:`load` (saved index directory).
    """

    def __init__(
        self,
        index: PassageIndex,
        encoder: Encoder | None,
        calibrator: NoMatchCalibrator | None = None,
    ) -> None:
        self.index = index
        self.encoder = encoder
        self.config = index.config
        self.calibrator = calibrator if calibrator is not None else NoMatchCalibrator.default_for(
            getattr(encoder, "name", None), index.config
        )
        self._row_masks: dict[tuple[int, str | None], np.ndarray | None] = {}
        self.items: ItemIndex | None = None  # enforcement items as evidence (attach_items)
        self.reranker: Reranker | None = None  # the learned ranking stage (attach_reranker)

    def attach_items(self, items: ItemIndex | None) -> None:
        """Use enforcement-item titles as retrieval evidence (index.items); None detaches them."""
        self.items = items

    def attach_reranker(self, reranker: Reranker | None) -> None:
        """Re-order the fused candidates with a trained ranking model (index.rerank); None keeps the fused order."""
        self.reranker = reranker

    def priors(self) -> Priors:
        """How often the attached discretion tables cite each law and article (features of the ranking stage)."""
        return Priors(c for r in (self.items.records if self.items else ()) for c in r.basis)

    # ---- construction ------------------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        passages: Iterable[Passage],
        encoder: Encoder | None,
        config: IndexConfig | None = None,
        index_dir: Path | None = None,
        corpus_version: str | None = None,
        quiet: bool = True,
        cache_dir: Path | None = None,
    ) -> Searcher:
        """Build an index from passages, saved to ``index_dir`` when given.

        The embedding cache lives in ``cache_dir`` (default ``index_dir/cache``): a folder outside the data dir
        survives a fresh checkout, so a new clone on the same machine re-embeds nothing.
        """
        cache = Path(cache_dir) if cache_dir else Path(index_dir) / "cache" if index_dir else None
        idx = PassageIndex.build(passages, encoder, config, cache_dir=cache, corpus_version=corpus_version, quiet=quiet,
                                 previous=Path(index_dir) if index_dir else None)  # fmt: skip
        if index_dir:
            idx.save(Path(index_dir))
        return cls(idx, encoder)

    @classmethod
    def load(cls, index_dir: Path, encoder: Encoder | None) -> Searcher:
        """Load a saved index."""
        return cls(PassageIndex.load(Path(index_dir), encoder), encoder)

    @classmethod
    def from_store(
        cls,
        store: Any,
        encoder: Encoder | None,
        index_dir: Path,
        config: IndexConfig | None = None,
        rebuild: bool = False,
        quiet: bool = False,
        cache_dir: Path | None = None,
    ) -> Searcher:
        """Load the index for ``store`` from ``index_dir`` if it is current, else (re)build and save it.

        "Current" means the same corpus version, encoder and stored-structure settings. A rebuild reuses the
        embedding cache, so unchanged texts are not re-embedded.
        """
        config = config or IndexConfig()
        corpus_version = store.corpus_version() if hasattr(store, "corpus_version") else None
        if not rebuild:
            try:
                return cls.load_current(store, encoder, index_dir, config)
            except IndexError_:
                pass
        t0 = time.time()
        passages = list(passages_from_store(store, granularity=config.granularity))
        if not quiet:
            print(f"index: read {len(passages)} passages from the store in {time.time() - t0:.1f}s", file=sys.stderr)
        return cls.build(passages, encoder, config, index_dir=index_dir, corpus_version=corpus_version, quiet=quiet,
                         cache_dir=cache_dir)

    @classmethod
    def load_current(cls, store: Any, encoder: Encoder | None, index_dir: Path,
                     config: IndexConfig | None = None) -> Searcher:
        """Load the saved index for ``store`` from ``index_dir``; never builds (what serving calls).

        "Current" means the same corpus version, encoder and stored-structure settings.

        Raises:
            IndexError_: no index, or one built from another corpus, encoder or structure (the message, in
                Chinese, says which).
        """
        config = config or IndexConfig()
        corpus_version = store.corpus_version() if hasattr(store, "corpus_version") else None
        manifest = PassageIndex.read_manifest(Path(index_dir))
        if manifest is None:
            raise IndexError_(INDEX_MISSING)
        if corpus_version is None or manifest.get("corpus_version") != corpus_version:
            raise IndexError_("检索索引已过期（建立时的法规库版本与当前法规库不同）")
        if manifest.get("encoder") != getattr(encoder, "name", None):
            raise IndexError_("检索索引已过期（建立时使用的向量模型与当前设置不同）")
        if IndexConfig.from_json(manifest.get("config", {})).build_key() != config.build_key():
            raise IndexError_("检索索引已过期（建立时的索引结构设置与当前设置不同）")
        try:
            s = cls.load(Path(index_dir), encoder)
        except (IndexError_, OSError, ValueError):
            raise IndexError_("检索索引无法读取（文件不完整或已损坏）") from None
        s.index.config = s.config = config  # scoring settings may differ from the build's
        return s

    # ---- search ----------------------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        as_of: date | None = None,
        top_k: int = 10,
        *,
        dense_weight: float | None = None,
        fusion: str | None = None,
        conduct_filter: bool | None = None,
        expand: str | None = None,
        item_weight: float | None = None,
        use_today: bool = True,
        region: str | None = None,
        rerank: bool | None = None,
        exclude_item_title: str | None = None,
        with_features: bool = False,
    ) -> SearchResult:
        """Search provisions for a violation description.

        Args:
            query: the description (a short phrase or a pasted narrative).
            as_of: violation date; only provisions in force that day are returned. None means today unless
                ``use_today`` is false (then every version is eligible).
            top_k: number of distinct articles returned.
            dense_weight, fusion, conduct_filter, expand, item_weight: override the index config (benchmarks).
            region: the province whose local regulations are candidates (normalised, e.g. ``重庆``); None admits
                every province's.
            rerank: apply the attached ranking model (default: when one is attached).
            exclude_item_title: items with this title give no evidence (training: an item never answers itself).
            with_features: return the ranking features of the hits (``rank_features``) even without a model.
        """
        if not isinstance(query, str) or not query.strip():
            raise SearchError("检索内容不能为空")
        if top_k < 1 or top_k > 100:
            raise SearchError("返回条数（top_k）须在 1 至 100 之间")
        if as_of is None and use_today:
            as_of = date.today()
        cfg = self.config
        w = cfg.dense_weight if dense_weight is None else dense_weight
        method = fusion or cfg.fusion
        use_filter = cfg.conduct_filter if conduct_filter is None else conduct_filter
        idx = self.index
        t = {"start": time.perf_counter()}
        conduct = extract_conduct(query) if use_filter else query.strip()
        use_expand = cfg.expand if expand is None else expand
        sparse_q = expand_query(conduct) if use_expand in ("sparse", "both") else conduct
        dense_q = expand_query(conduct) if use_expand in ("dense", "both") else conduct

        # In force that day, plus the nearest stored version of an instrument whose text of that day is missing: it
        # competes on its merits and is marked, so the law that fits is never silently dropped (R2.7).
        allowed = idx.eligible_mask(as_of) & idx.region_mask(region)
        n_cand = cfg.candidates
        cand: dict[int, None] = {}
        qvec = None
        d_top: np.ndarray = np.zeros(0, dtype=np.float32)
        if idx.dense is not None and self.encoder is not None and w > 0:
            qvec = self.encoder.encode_queries([dense_q])[0]
            t["encode"] = time.perf_counter()
            rows_ok = self._rows_mask(as_of, region, allowed)
            rows, d_top = idx.dense.search(qvec, n_cand, rows_ok)
            d_top = d_top[rows >= 0]
            for r in rows[rows >= 0]:
                for u in idx.unit_of_row.get(int(r), ()):
                    if allowed[u]:
                        cand[u] = None
        t["dense"] = time.perf_counter()
        s_all: np.ndarray | None = None
        s_top = np.zeros(0, dtype=np.float32)  # BM25 scores of the best eligible rows (k ≥ 20: enough for features)
        if idx.sparse is not None and w < 1:
            s_all = idx.sparse.scores(sparse_q)
            s_masked = np.where(allowed, s_all, -np.inf)
            n_ok = int(allowed.sum())
            k = min(n_cand, n_ok)
            if k > 0:
                top = top_indices(s_masked, k)
                s_top = s_masked[top]
                for u in top[np.isfinite(s_top) & (s_top > 0)]:
                    cand[int(u)] = None
                if k < min(20, n_ok):
                    s_top = s_masked[top_indices(s_masked, min(20, n_ok))]
        t["sparse"] = time.perf_counter()
        w_items = cfg.item_weight if item_weight is None else item_weight
        bonus = (self.items.bonus(qvec, conduct, allowed, exclude_title=exclude_item_title)
                 if self.items is not None and w_items > 0 else {})  # fmt: skip
        for r in bonus:
            cand[r] = None

        rows_c = np.fromiter(cand.keys(), dtype=np.int64, count=len(cand))
        if len(rows_c) == 0:
            return SearchResult(query, as_of.isoformat() if as_of else None, [], True, 0.0, conduct)
        dense_c = None
        if qvec is not None:
            vr = idx.vec_row[rows_c]
            dense_c = np.full(len(rows_c), -1.0, dtype=np.float32)
            okr = vr >= 0
            dense_c[okr] = idx.dense.score_rows(qvec, vr[okr])
            if self.config.propagate_dense and not okr.all():
                # A 违则 without a vector of its own borrows the dense score of the 罚则 it pairs with: the dense
                # side then ranks the pair, and BM25 decides whether the 违则's own wording matches.
                for j in np.flatnonzero(~okr):
                    partner = self._partner_row(int(rows_c[j]), allowed)
                    if partner is not None:
                        dense_c[j] = float(idx.dense.score_rows(qvec, np.array([idx.vec_row[partner]]))[0])
        sparse_c = s_all[rows_c] if s_all is not None else None
        fused = fuse(dense_c, sparse_c, w if dense_c is not None else 0.0, method)
        if bonus:
            fused = minmax(fused) + w_items * np.array([bonus[int(r)][0] if int(r) in bonus else 0.0 for r in rows_c],
                                                       dtype=np.float32)
        order = np.argsort(-fused, kind="stable")

        evidence: dict[tuple, list[tuple[float, int]]] = {}
        for r, (match, i) in sorted(bonus.items(), key=lambda kv: -kv[1][0]):
            m = idx.passages[r].meta
            ev = evidence.setdefault((m["version_id"], m["article"], m.get("article_sub") or 0), [])
            if all(j != i for _, j in ev):
                ev.append((match, i))
        ranker = self.reranker if rerank is None or rerank else None
        want = max(top_k, ranker.candidates if ranker is not None else 0)
        hits: list[SearchHit] = []
        first_row: int | None = None  # the top hit's passage, for the version-gap check
        seen: set[tuple] = set()
        score_of = {int(r): float(f) for r, f in zip(rows_c, fused, strict=True)}
        for j in order:
            r = int(rows_c[j])
            m = idx.passages[r].meta
            key = (m["version_id"], m["article"], m.get("article_sub") or 0)
            if key in seen:
                continue
            seen.add(key)
            first_row = r if first_row is None else first_row
            hit = self._hit(r, float(fused[j]), score_of, qvec, allowed, as_of)
            if key in evidence:
                self._add_item_evidence(hit, evidence[key], allowed)
            hits.append(hit)
            if len(hits) >= want:
                break
        t["fuse"] = time.perf_counter()
        rank_x = None
        if ranker is not None or with_features:
            # The conduct as BM25 saw it: shorthand expanded to statute wording (超标 → 超过排放标准) is what the
            # 罚则 text can overlap with.
            rank_x = self._rank_features(hits, query, sparse_q, qvec, s_all, bonus, ranker, exclude_item_title)
        reranked = False
        ranked_z: np.ndarray | None = None  # the ranking model's scores in the final order (applicability)
        if ranker is not None and rank_x is not None and len(hits) == 1:
            ranked_z = ranker.scores(rank_x)
        if ranker is not None and rank_x is not None and len(hits) > 1:
            model = ranker.scores(rank_x)
            new_order = np.argsort(-model, kind="stable")
            hits = [hits[i] for i in new_order]
            rank_x = rank_x[new_order]
            ranked_z = model[new_order]
            for h, z in zip(hits, model[new_order], strict=True):
                h.score = round(float(1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))), 4)  # order shown in [0, 1]
            reranked = True
            first_row = hits[0]._rows[0]
        hits = hits[:top_k]
        t["rank"] = time.perf_counter()

        feats = query_features(d_top, s_top if s_all is not None else None, len(sparse_q))
        conf = self.calibrator.confidence(feats) if self.calibrator else None
        no_match = bool(conf is not None and conf < self.calibrator.threshold) if self.calibrator else False
        if ranked_z is not None and rank_x is not None and ranker is not None and ranker.applicability is not None:
            ranker.applicability.annotate(hits, ranked_z, rank_x, conf,
                                          self.calibrator.threshold if self.calibrator else None)
        gaps = _version_gaps(hits)
        notes = list(dict.fromkeys(h.version_note for h in hits if h.version_note))
        flag = "version_gap" if hits and hits[0].version_status not in (None, "in_force") else None
        if flag:
            notes.append("排在首位的条文取自该法规库中最接近的版本，并非违法行为发生时有效的文本：不得直接引用，请核实当时有效的条文")
        timings = {k: round((v - t["start"]) * 1000, 2) for k, v in t.items() if k != "start"}
        return SearchResult(query, as_of.isoformat() if as_of else None, hits, no_match,
                            None if conf is None else round(conf, 4), conduct, timings, feats.tolist(), notes,
                            gaps, flag, rank_x[:top_k].tolist() if rank_x is not None else [], reranked)  # fmt: skip

    def _rank_features(self, hits: list[SearchHit], query: str, conduct: str, qvec: np.ndarray | None,
                       s_all: np.ndarray | None, bonus: dict[int, tuple[float, int]],
                       ranker: Reranker | None, exclude_item_title: str | None = None) -> np.ndarray:
        """The ranking stage's feature rows of ``hits`` (index.rerank.FEATURES)."""
        idx = self.index

        def dense(r: int | None) -> float | None:
            if r is None or qvec is None or idx.dense is None or idx.vec_row[r] < 0:
                return None
            return float(idx.dense.score_rows(qvec, np.array([idx.vec_row[r]]))[0])

        def sparse(r: int | None) -> float:
            return float(s_all[r]) if s_all is not None and r is not None else 0.0

        cands = []
        for h in hits:
            r, b, v = h._rows
            b_row = r if h.is_liability else b
            m = idx.passages[r].meta
            item = max((bonus[x][0] for x in (r, b_row) if x is not None and x in bonus), default=0.0)
            cands.append(Candidate(
                law=m["law"], level=m.get("level") or "", is_liability=h.is_liability, fused=h.score,
                dense_hit=dense(r), sparse_hit=sparse(r), dense_basis=dense(b_row), sparse_basis=sparse(b_row),
                item_match=item, basis_source=(h.basis or {}).get("source"),
                violated_source=(h.violated or {}).get("source"),
                basis_text=_with_context(idx.passages[b_row]) if b_row is not None else "",
                violated_text=idx.passages[v].text if v is not None else "",
                basis_key=(idx.passages[b_row].meta["law_key"], idx.passages[b_row].meta["article"])
                if b_row is not None else None,
            ))  # fmt: skip
        priors = ranker.priors if ranker is not None else self._priors()
        if exclude_item_title is not None and self.items is not None:
            own = [c for r in self.items.records if r.title.strip() == exclude_item_title.strip() for c in r.basis]
            priors = priors.without(own)
        return features(cands, query, conduct, priors)

    def _priors(self) -> Priors:
        cached = getattr(self, "_priors_cache", None)
        if cached is None or cached[0] is not self.items:
            cached = (self.items, self.priors())
            self._priors_cache = cached
        return cached[1]

    def _rows_mask(self, as_of: date | None, region: str | None, allowed: np.ndarray) -> np.ndarray | None:
        if as_of is None and region is None:
            return None
        cache = self._row_masks
        key = (as_of.toordinal() if as_of else 0, region)
        # Read once into a local: another request thread may clear the cache between a check and a read.
        mask = cache.get(key)
        if mask is None:
            mask = self.index.dense_rows_mask(allowed)
            if len(cache) > 64:
                cache.clear()
            cache[key] = mask
        return mask

    # ---- pairing at query time ---------------------------------------------------------------------------------
    def _partner_row(self, r: int, allowed: np.ndarray) -> int | None:
        """The in-force 罚则 row a non-liability row pairs with (explicit first, else retrieved), with a vector."""
        idx = self.index
        m = idx.passages[r].meta
        if m.get("is_liability"):
            return None
        art = idx.row_of_id.get(article_id(m), r)
        pairs = idx.pairs
        for cand in (pairs.reverse.get(r), pairs.reverse.get(art), pairs.near_basis.get(art)):
            for x in cand or ():
                if allowed[x] and idx.vec_row[x] >= 0:
                    return x
        return None

    def _query_score(self, r: int, score_of: dict[int, float], qvec: np.ndarray | None) -> float:
        """Relevance of a partner row to the query: its fused score if it was a candidate, else its dense cosine."""
        if r in score_of:
            return score_of[r]
        if qvec is not None and self.index.dense is not None and self.index.vec_row[r] >= 0:
            return float(self.index.dense.score_rows(qvec, np.array([self.index.vec_row[r]]))[0]) - 1.0
        return -1.0

    def _pick(self, rows: list[int], allowed: np.ndarray, own_version: str, score_of, qvec) -> int | None:
        """Best partner in force: same version first, then by relevance to the query."""
        live = [r for r in rows if allowed[r]]
        if not live:
            return None
        same = [r for r in live if self.index.passages[r].meta["version_id"] == own_version]
        pool = same or live
        return max(pool, key=lambda r: self._query_score(r, score_of, qvec))

    def _hit(
        self, r: int, score: float, score_of: dict[int, float], qvec: np.ndarray | None,
        allowed: np.ndarray, as_of: date | None,
    ) -> SearchHit:  # fmt: skip
        idx = self.index
        p = idx.passages[r]
        m = p.meta
        pairs = idx.pairs
        status = _version_status(int(idx.eff_from[r]), int(idx.eff_to[r]), as_of)
        violated = basis = None
        b_row: int | None = None
        v_row: int | None = r
        if m.get("is_liability"):
            b_row = r
            basis = _ref(p, "self")
            article_row = idx.row_of_id.get(article_id(m), r)
            explicit = pairs.explicit.get(r) or pairs.explicit.get(article_row)
            pick = self._pick(explicit, allowed, m["version_id"], score_of, qvec) if explicit else None
            if pick is not None:
                violated = _ref(idx.passages[pick], "explicit")
                v_row = pick
            else:
                near = pairs.near_violated.get(r) or pairs.near_violated.get(article_row) or []
                pick = self._pick(near, allowed, m["version_id"], score_of, qvec) if near else None
                if pick is not None:
                    violated = _ref(idx.passages[pick], "retrieved",
                                    pairs.near_score.get((r, pick), pairs.near_score.get((article_row, pick))))
                    v_row = pick
                else:
                    violated = _ref(p, "self")
        else:
            violated = _ref(p, "self")
            article_row = idx.row_of_id.get(article_id(m), r)
            explicit = list(dict.fromkeys((pairs.reverse.get(r) or []) + (pairs.reverse.get(article_row) or [])))
            pick = self._pick(explicit, allowed, m["version_id"], score_of, qvec) if explicit else None
            if pick is not None:
                basis = _ref(idx.passages[pick], "explicit")
                b_row = pick
            else:
                near = pairs.near_basis.get(article_row) or []
                pick = self._pick(near, allowed, m["version_id"], score_of, qvec) if near else None
                if pick is not None:
                    basis = _ref(idx.passages[pick], "retrieved", pairs.near_score.get((pick, article_row)))
                    b_row = pick
        return SearchHit(
            citation=m["citation"], law=m["law"], article=m["article"], paragraph=m.get("paragraph"),
            item=m.get("item"), text=p.text, score=round(score, 4), violated=violated, basis=basis,
            unit=m["unit"], article_sub=m.get("article_sub") or 0, is_liability=bool(m.get("is_liability")),
            version_id=m["version_id"],
            effective_from=m.get("effective_from"), effective_to=m.get("effective_to"),
            newer_version=self._newer(r, as_of), id=p.id, _rows=(r, b_row, v_row),
            version_status=status, version_note=_stand_in_note(m, status, as_of),
        )  # fmt: skip

    def _add_item_evidence(self, hit: SearchHit, matched: list[tuple[float, int]], allowed: np.ndarray) -> None:
        """Name the items behind a hit; a 罚则 without an explicit 违则 takes the best item's 违则 (source ``item``).

        An item that an agency reviewed pairs conduct with its 违则 more reliably than retrieved similarity does,
        but a cross-reference written in the statute itself (``explicit``) always wins.
        """
        items = self.items
        assert items is not None
        hit.items = [{"benchmark": items.records[i].benchmark, "item_id": items.records[i].item_id,
                      "title": items.records[i].title, "match": round(m, 3)} for m, i in matched]  # fmt: skip
        if not hit.is_liability or (hit.violated or {}).get("source") == "explicit":
            return
        for _, i in matched:
            rows = [r for r in items.violated_rows[i] if allowed[r]]
            if rows:
                hit.violated = _ref(self.index.passages[rows[0]], "item")
                hit._rows = (hit._rows[0], hit._rows[1], rows[0])
                return

    def _newer(self, r: int, as_of: date | None) -> dict | None:
        """The newest later version of the same instrument, with this provision's text there (R2.1, R2.2)."""
        idx = self.index
        m = idx.passages[r].meta
        versions = idx.versions_of_law.get(m["law_key"], [])
        own_from = m.get("effective_from") or ""
        later = [(ef, vid) for ef, vid in versions if vid != m["version_id"] and ef > own_from]
        if not later:
            if m.get("effective_to"):
                return {"version_id": None, "effective_from": m["effective_to"], "citation": None, "text": None,
                        "note": f"该版本自 {m['effective_to']} 起不再施行"
                                + (f"（被《{m['repealed_by']}》废止）" if m.get("repealed_by") else "")}  # fmt: skip
            return None
        ef, vid = later[-1]
        key = (m["law_key"], m["article"], m.get("article_sub") or 0, m.get("paragraph"), m.get("item"))
        same = [x for x in idx.by_provision.get(key, []) if idx.passages[x].meta["version_id"] == vid]
        if same:
            q = idx.passages[same[0]]
            return {"version_id": vid, "effective_from": ef or None, "citation": q.meta["citation"], "text": q.text,
                    "changed": q.text != idx.passages[r].text}  # fmt: skip
        return {"version_id": vid, "effective_from": ef or None, "citation": None, "text": None,
                "note": "新版本中没有该条款序号（请核实是否已重新编号）"}  # fmt: skip
