"""A learned ranking stage: LightGBM LambdaRank over the fused candidates of a search.

The fused score (BM25 + e5 + item evidence, hand-weighted) puts the right 罚则 among the first ten for about half of
real narratives but first for only a fifth: the weights were fitted to our own wording. The stage re-orders the best
``candidates`` articles of the fused ranking with features a person would weigh — how well the 罚则's own wording
and the law's title appear in the conduct, the retrieval scores of the hit and of its 罚则, whether an agency's table
cites it, the kind of instrument — learned from what officers actually cite:

- the loaded discretion tables (江门, 广东, 上海 …): each item's violation title → the 罚则/违则 it cites. An item never
  sees its own title as evidence (items with the same title are left out of its search), so the model learns how
  far other agencies' wording carries, not to copy its own answer;
- the real published decisions of the ``dev`` split (``index.evaluate.real_split``): the facts as written → the
  罚则/违则 the agency cited. The ``holdout`` split is never read here.

Training is deterministic (one thread, fixed seed) and takes seconds on two cores; ``enforcement-helper build``
trains it after the index and saves it beside the index (``rerank.txt`` + ``rerank.json``). Without a saved model
search keeps the fused order.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from nlp.citations import CitationError, normalize_title, parse_one
from nlp.errors import EHError

MODEL_FILE = "rerank.txt"
META_FILE = "rerank.json"
FORMAT = 4  # bump when a feature is computed differently: the saved model no longer fits

FEATURES: tuple[str, ...] = (
    "fused_rel",  # fused score / best fused score among the candidates
    "fused_rank",  # log of the fused rank
    "dense_hit",  # e5 cosine of the hit minus the best cosine among the candidates (−1: no vector)
    "sparse_hit",  # BM25 of the hit / best BM25 among the candidates
    "dense_basis",  # the same for the hit's 罚则 (its own row when the hit is one)
    "sparse_basis",
    "item_match",  # best item-title match behind the hit or its 罚则 (0: no item cites them)
    "is_liability",
    "basis_source",  # 0 self, 1 explicit cross-reference, 2 retrieved partner, 3 item, 4 none
    "violated_source",
    "level",  # 0 法律, 1 行政法规, 2 部门规章, 3 地方性法规, 4 other
    "title_bigrams",  # share of the law's short title's bigrams found in the whole query
    "title_named",  # the law's short title appears verbatim in the query
    "basis_in_conduct",  # share of the 罚则 text's bigrams found in the conduct
    "conduct_in_basis",  # share of the conduct's bigrams found in the 罚则 text
    "violated_in_conduct",  # share of the 违则 text's bigrams found in the conduct
    "law_prior",  # log(1 + loaded items citing the law)
    "article_prior",  # log(1 + loaded items citing the 罚则's article)
    "query_len",  # log(1 + characters of the conduct)
    "same_law_share",  # share of the candidates from the hit's law
    "needs_refusal",  # the 罚则 is 按日连续处罚 (after a refused order) and the query tells of no refusal
)
# 按日连续处罚 (环保法 第五十九条, 大气法 第一百二十三条) applies only after a fine and an order to correct were
# ignored; its 项 repeat the conduct's own wording, so it outscores the first-instance 罚则 unless the narrative says
# the order was refused. (Many first-instance 罚则 mention 拒不改正 as an escalation: that is no condition.)
_REFUSAL_BASIS = re.compile(r"按日连续处罚")
_REFUSAL_QUERY = re.compile(r"拒不|逾期|仍未|仍然未|继续|再次|屡|不予改正|未改正|没有改正|没改")
_NEEDS_REFUSAL = FEATURES.index("needs_refusal")
_SOURCE = {"self": 0, "explicit": 1, "retrieved": 2, "item": 3}
_LEVEL = {"法律": 0, "行政法规": 1, "部门规章": 2, "地方性法规": 3}
_TITLE_AFFIX = ("中华人民共和国",)
_TITLE_SUFFIXES = ("实施条例", "实施细则", "管理条例", "管理办法", "管理规定", "条例", "办法", "规定", "细则", "法")


class RerankError(EHError):
    """A saved ranking model that does not fit this index."""

    code = "rerank_error"


@lru_cache(maxsize=32768)
def bigrams(text: str) -> frozenset[str]:
    """Character bigrams of the CJK letters and digits of ``text`` (cached: the same 罚则 texts recur)."""
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff" or c.isalnum()]
    return frozenset(a + b for a, b in zip(chars, chars[1:], strict=False))


def short_title(law: str) -> str:
    """The distinctive part of a title: 《中华人民共和国食品安全法》 → 食品安全 (what a narrative mentions)."""
    t = normalize_title(law)
    for a in _TITLE_AFFIX:
        t = t.removeprefix(a)
    for s in _TITLE_SUFFIXES:
        if t.endswith(s) and len(t) > len(s) + 1:
            return t[: -len(s)]
    return t


def _share(part: frozenset[str], whole: frozenset[str]) -> float:
    return len(part & whole) / len(part) if part else 0.0


@dataclass
class Candidate:
    """What the features need of one candidate hit (filled by :class:`index.search.Searcher`)."""

    law: str
    level: str
    is_liability: bool
    fused: float
    dense_hit: float | None
    sparse_hit: float
    dense_basis: float | None
    sparse_basis: float
    item_match: float
    basis_source: str | None
    violated_source: str | None
    basis_text: str
    violated_text: str
    basis_key: tuple[str, int] | None


class Priors:
    """How often the loaded discretion tables cite each law and each 罚则 article (the agencies' own prior)."""

    def __init__(self, citations: Iterable[str]) -> None:
        self.law: Counter[str] = Counter()
        self.article: Counter[tuple[str, int]] = Counter()
        for c in citations:
            key = gold_key(c)
            if key is not None:
                self.law[key[0]] += 1
                self.article[key] += 1


    def without(self, citations: Iterable[str]) -> Priors:
        """These priors less the given citations (an item's own, when it is the training query)."""
        out = Priors(())
        out.law, out.article = self.law.copy(), self.article.copy()
        for c in citations:
            key = gold_key(c)
            if key is not None:
                out.law[key[0]] -= 1
                out.article[key] -= 1
        return out


def gold_key(citation: str) -> tuple[str, int] | None:
    """(normalised title, article) of a citation, or None when it names no article."""
    try:
        c = parse_one(citation)
    except (CitationError, ValueError):
        return None
    if not c.law or c.article is None:
        return None
    return normalize_title(c.law), c.article


def features(cands: Sequence[Candidate], query: str, conduct: str, priors: Priors) -> np.ndarray:
    """The feature matrix of a query's candidates (rows in fused order), columns as :data:`FEATURES`."""
    n = len(cands)
    out = np.zeros((n, len(FEATURES)), dtype=np.float32)
    if n == 0:
        return out
    best_fused = max(c.fused for c in cands) or 1.0
    dense = [c.dense_hit for c in cands if c.dense_hit is not None] + [
        c.dense_basis for c in cands if c.dense_basis is not None]
    best_dense = max(dense) if dense else 0.0
    best_sparse = max(max(c.sparse_hit, c.sparse_basis) for c in cands) or 1.0
    q_grams = bigrams(query)
    c_grams = bigrams(conduct)
    laws = Counter(normalize_title(c.law) for c in cands)
    refusal_query = bool(_REFUSAL_QUERY.search(query))
    refusal_basis = [bool(_REFUSAL_BASIS.search(c.basis_text)) for c in cands]
    for i, c in enumerate(cands):
        key = normalize_title(c.law)
        title = short_title(c.law)
        b_grams = bigrams(c.basis_text)
        out[i] = (
            c.fused / best_fused,
            math.log1p(i),
            (c.dense_hit - best_dense) if c.dense_hit is not None else -1.0,
            c.sparse_hit / best_sparse,
            (c.dense_basis - best_dense) if c.dense_basis is not None else -1.0,
            c.sparse_basis / best_sparse,
            c.item_match,
            float(c.is_liability),
            _SOURCE.get(c.basis_source or "", 4),
            _SOURCE.get(c.violated_source or "", 4),
            _LEVEL.get(c.level, 4),
            _share(bigrams(title), q_grams),
            float(len(title) >= 2 and title in query),
            _share(b_grams, c_grams),
            _share(c_grams, b_grams),
            _share(bigrams(c.violated_text), c_grams),
            math.log1p(priors.law[key]),
            math.log1p(priors.article[c.basis_key]) if c.basis_key else 0.0,
            math.log1p(len(conduct)),
            laws[key] / n,
            float(refusal_basis[i] and not refusal_query),
        )
    return out


class Reranker:
    """A trained LambdaRank model and the priors its features use."""

    def __init__(self, booster: Any, priors: Priors, meta: dict[str, Any]) -> None:
        self.booster = booster
        self.priors = priors
        self.meta = meta
        self.candidates = int(meta.get("candidates", 30))
        self.applicability: Any = None  # index.applicability.Applicability fitted for this model (load / build)

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Model score of each candidate row (higher ranks first)."""
        if len(x) == 0:
            return np.zeros(0, dtype=np.float32)
        out = np.asarray(self.booster.predict(x, num_threads=1), dtype=np.float32)
        # A rule, not a weight: 按日连续处罚 applies only after an order to correct was refused, so unless the
        # description tells of one it ranks below every first-instance 罚则.
        out[x[:, _NEEDS_REFUSAL] > 0] -= 100.0
        return out

    def save(self, index_dir: Path) -> None:
        """Write the model and its meta beside an index."""
        self.booster.save_model(str(Path(index_dir) / MODEL_FILE))
        (Path(index_dir) / META_FILE).write_text(json.dumps(self.meta, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, index_dir: Path, priors: Priors, manifest: dict[str, Any] | None = None,
             calibrated: bool = True) -> Reranker | None:
        """The model saved beside an index, or None when there is none; with ``calibrated`` also the calibration of
        its applicability (index.applicability) fitted for it.

        Raises:
            RerankError: the model was trained on other features or for another build of the index, or (with
                ``calibrated``) its calibration is missing or was fitted for another model.
        """
        model, meta_path = Path(index_dir) / MODEL_FILE, Path(index_dir) / META_FILE
        if not model.exists() or not meta_path.exists():
            return None
        import lightgbm as lgb

        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or tuple(meta.get("features", ())) != FEATURES:
            raise RerankError("排序模型与当前特征不一致：请运行 enforcement-helper build")
        if manifest is not None and meta.get("index") != index_key(manifest):
            raise RerankError("排序模型不是为当前索引训练的：请运行 enforcement-helper build")
        ranker = cls(lgb.Booster(model_file=str(model)), priors, meta)
        if calibrated:
            from index.applicability import Applicability, ApplicabilityError

            try:  # the calibration of "applies to this case" fitted for this model (index.applicability)
                ranker.applicability = Applicability.load(index_dir, meta)
            except ApplicabilityError as exc:
                raise RerankError(str(exc)) from None
        return ranker


# ---------------------------------------------------------------------------------------------------- training


@dataclass(frozen=True)
class TrainQuery:
    """One training query: text, violation date, region, gold 罚则 and 违则 citations, and where it comes from."""

    qid: str
    query: str
    as_of: date | None
    region: str | None
    basis: tuple[str, ...]
    violated: tuple[str, ...]
    source: str
    exclude_title: str | None = None  # an item's own title, never its own evidence


# Items are searched as of a day their tables applied (before 生态环境法典 replaced the environmental laws they cite)
# and in the province of their agency, as an officer of that agency would search.
ITEM_AS_OF = date(2025, 6, 1)
_ITEM_REGIONS = {"jiangmen": "广东", "guangdong": "广东", "shanghai": "上海", "beijing": "北京", "zhejiang": "浙江",
                 "shandong": "山东", "henan": "河南", "chongqing": "重庆"}  # fmt: skip


def _item_region(benchmark: str) -> str:
    return next((r for k, r in _ITEM_REGIONS.items() if benchmark.startswith(k)), "重庆")


def item_queries(records: Iterable[Any]) -> list[TrainQuery]:
    """One query per distinct item title with a 罚则 (the first item of a title gives the gold)."""
    seen: set[str] = set()
    out: list[TrainQuery] = []
    for r in records:
        title = r.title.strip()
        if not r.basis or title in seen or len(title) < 4:
            continue
        seen.add(title)
        out.append(TrainQuery(f"item:{r.benchmark}:{r.item_id}", title, ITEM_AS_OF, _item_region(r.benchmark),
                              tuple(r.basis),
                              tuple(r.violated), f"item:{r.benchmark}", exclude_title=title))  # fmt: skip
    return out


def table_queries(path: Path, region: str = "广东") -> list[TrainQuery]:
    """Queries from a parsed table of items with ``title``, ``violated_provision`` and ``penalty_basis`` text
    (``cee-eco-env/converted/guangdong_eco_fine_discretion_items.jsonl``): the first article-level citation of each
    text is the gold. Items without a parsable 罚则 are skipped."""
    from nlp.citations import format_citation, parse_citations

    def first(text: str | None) -> tuple[str, ...]:
        for c in parse_citations(text or ""):
            if c.law and c.article is not None:
                return (format_citation(c.law, c.article, c.article_sub, c.paragraph, c.item),)
        return ()

    out: list[TrainQuery] = []
    seen: set[str] = set()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines()):
        rec = json.loads(line)
        title = (rec.get("title") or "").strip()
        basis = first(rec.get("penalty_basis"))
        if len(title) < 4 or not basis or title in seen:
            continue
        seen.add(title)
        out.append(TrainQuery(f"table:{Path(path).stem}:{n}", title, ITEM_AS_OF, region, basis,
                              first(rec.get("violated_provision")), f"table:{Path(path).stem}",
                              exclude_title=title))  # fmt: skip
    return out


def real_queries(lines: Iterable[dict]) -> list[TrainQuery]:
    """Queries from :func:`index.evaluate.load_real` lines (the caller passes the dev split only)."""
    from nlp.regions import RegionError, normalize_region

    out = []
    for it in lines:
        if not it.get("basis"):
            continue
        try:
            region = normalize_region(it.get("region") or "全国")
        except RegionError:
            region = None
        as_of = date.fromisoformat(it["as_of"]) if it.get("as_of") else None
        out.append(TrainQuery(f"real:{it['id']}", it["query"], as_of, region, tuple(it["basis"]),
                              tuple(it.get("violated") or ()), "real"))  # fmt: skip
    return out


def labels(hits: Sequence[dict], basis: Sequence[str], violated: Sequence[str]) -> np.ndarray:
    """Graded relevance of each hit: 2 its 罚则 is a gold 罚则, 1 only its 违则 is a gold 违则, else 0."""
    from index.evaluate import GoldRef

    gb = [GoldRef.parse(c) for c in basis if gold_key(c)]
    gv = [GoldRef.parse(c) for c in violated if gold_key(c)]
    out = np.zeros(len(hits), dtype=np.int32)
    for i, h in enumerate(hits):
        if any(g.matches(h) or g.matches(h.get("basis")) for g in gb):
            out[i] = 2
        elif any(g.matches(h) or g.matches(h.get("violated")) for g in gv):
            out[i] = 1
    return out


# Domain knowledge the few hundred training queries cannot be trusted to learn alone: more retrieval evidence, more of
# the 罚则's wording in the conduct, the law named in the query, an agency's item citing it never make a candidate
# worse. Without these constraints the model inverted single cases (「废气排放超标」 ranked 餐饮油烟 above 超标排放).
MONOTONE: dict[str, int] = {"fused_rel": 1, "sparse_hit": 1, "sparse_basis": 1, "dense_hit": 1, "dense_basis": 1,
                            "item_match": 1, "title_bigrams": 1, "title_named": 1, "basis_in_conduct": 1,
                            "conduct_in_basis": 1, "violated_in_conduct": 1, "fused_rank": -1}  # fmt: skip

PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "monotone_constraints": [MONOTONE.get(f, 0) for f in FEATURES],
    "metric": "ndcg",
    "ndcg_eval_at": [1, 5],
    "learning_rate": 0.05,
    "num_leaves": 15,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "num_threads": 1,
    "deterministic": True,
    "force_row_wise": True,
    "seed": 13,
    "verbose": -1,
}
ROUNDS = 200


def collect(searcher: Any, queries: Sequence[TrainQuery], candidates: int,
            progress: Callable[[int], None] | None = None) -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    """Features and labels of every query's candidates (queries whose gold is not among them still count: the
    model learns from their negatives, and they keep the figures honest)."""
    xs, ys, ids = [], [], []
    for q in queries:
        res = searcher.search(q.query, as_of=q.as_of, top_k=candidates, region=q.region, use_today=True,
                              rerank=False, exclude_item_title=q.exclude_title, with_features=True)  # fmt: skip
        hits = [h.to_dict() for h in res.hits]
        if not hits:
            continue
        xs.append(np.asarray(res.rank_features, dtype=np.float32))
        ys.append(labels(hits, q.basis, q.violated))
        ids.append(q.qid)
        if progress:
            progress(1)
    return xs, ys, ids


def fit(xs: Sequence[np.ndarray], ys: Sequence[np.ndarray], rounds: int = ROUNDS, seed: int = 13) -> Any:
    """A LambdaRank booster on the queries that have at least one relevant candidate."""
    import lightgbm as lgb

    keep = [i for i, y in enumerate(ys) if y.max() > 0]
    x = np.vstack([xs[i] for i in keep])
    y = np.concatenate([ys[i] for i in keep])
    groups = [len(ys[i]) for i in keep]
    ds = lgb.Dataset(x, y, group=groups, feature_name=list(FEATURES), free_raw_data=False)
    return lgb.train({**PARAMS, "seed": seed}, ds, num_boost_round=rounds)


def train(searcher: Any, real_lines: Sequence[dict], candidates: int = 30, rounds: int = ROUNDS,
          seed: int = 13, progress: Callable[[int], None] | None = None,
          extra: Sequence[TrainQuery] = ()) -> Reranker:
    """Train the ranking stage on the attached tables' items and the given real decisions (the dev split).

    Args:
        searcher: the :class:`index.search.Searcher` to rank for, with its items attached.
        real_lines: :func:`index.evaluate.load_real` lines of the ``dev`` split.
        candidates: fused candidates re-ordered per query.
        rounds, seed: boosting rounds and seed (deterministic with one thread).
        progress: called with 1 per query collected.
        extra: further queries (e.g. :func:`table_queries` of a parsed table that is not loaded as a benchmark).
    """
    items = searcher.items.records if searcher.items is not None else []
    queries = item_queries(items) + list(extra) + real_queries(real_lines)
    xs, ys, _ = collect(searcher, queries, candidates, progress)
    booster = fit(xs, ys, rounds, seed)
    meta = {"format": FORMAT, "features": list(FEATURES), "candidates": candidates, "rounds": rounds, "seed": seed,
            "queries": {"items": sum(q.source.startswith("item:") for q in queries),
                        "tables": sum(q.source.startswith("table:") for q in queries),
                        "real_dev": sum(q.source == "real" for q in queries)},
            "real_dev_ids": sorted(q.qid for q in queries if q.source == "real"),
            "with_relevant": int(sum(int(y.max() > 0) for y in ys))}  # fmt: skip
    return Reranker(booster, searcher.priors(), meta)


def index_key(manifest: dict[str, Any]) -> str:
    """What a trained model is tied to: the index it ranks for (its corpus, encoder and build)."""
    return f"{manifest.get('corpus_version')}:{manifest.get('encoder')}:{manifest.get('built_at')}"


def _files_hash(paths: Iterable[Path]) -> str:
    import hashlib

    h = hashlib.sha256()
    for p in paths:
        h.update(str(p.name).encode())
        h.update(p.read_bytes() if p.exists() else b"-")
    return h.hexdigest()[:16]


def ensure_trained(searcher: Any, index_dir: Path, real_path: Path, table_path: Path | None = None,
                   progress: Callable[[int], None] | None = None) -> tuple[Reranker, bool]:
    """The ranking model for ``searcher``: loaded when trained on the same index, tables and decisions, else trained
    and saved. Returns the model and whether it was trained now."""
    from index.evaluate import load_real

    items = searcher.items.records if searcher.items is not None else []
    key = {"format": FORMAT, "index": index_key(searcher.index.manifest), "features": list(FEATURES),
           "params": {k: v for k, v in PARAMS.items() if k != "ndcg_eval_at"}, "rounds": ROUNDS,
           "items": _items_hash(items),
           "data": _files_hash([real_path] + ([table_path] if table_path else []))}  # fmt: skip
    meta_path = Path(index_dir) / META_FILE
    if meta_path.exists() and (Path(index_dir) / MODEL_FILE).exists():
        old = json.loads(meta_path.read_text(encoding="utf-8"))
        if old.get("key") == key:
            loaded = Reranker.load(index_dir, searcher.priors(), searcher.index.manifest, calibrated=False)
            if loaded is not None:
                return loaded, False
    extra = table_queries(table_path) if table_path is not None and table_path.exists() else []
    model = train(searcher, load_real(real_path, "dev") if real_path.exists() else [], extra=extra,
                  progress=progress)
    model.meta["key"] = key
    model.meta["index"] = key["index"]
    model.save(index_dir)
    return model, True


def _items_hash(records: Sequence[Any]) -> str:
    import hashlib

    h = hashlib.sha256()
    for r in records:
        h.update(f"{r.benchmark}|{r.title}|{'|'.join(r.basis)}|{'|'.join(r.violated)}\n".encode())
    return h.hexdigest()[:16]
