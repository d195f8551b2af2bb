"""The passage index: build (with embedding cache and progress), persist with a manifest, load, and score.

Layout of an index directory::

    manifest.json     corpus version + hash, encoder, counts, config, build time
    passages.jsonl    one passage per line (row order = every array below)
    vectors.npy       float32 vectors of the units that have their own (config.dense_units)
    vec_row.npy       per passage: its vector row (own, else its article's), -1 if none
    bm25/             bm25s files
    pairs.json        违则/罚则 pairing tables
    cache/<encoder>/  embedding cache keyed by sha256 of the embedded text (survives rebuilds)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np

from index.dense import DenseBackend, EmbeddingCache
from index.pairing import PairIndex, build_pairs
from index.passages import UNITS, Passage, corpus_fingerprint, embed_text, share_meta
from index.sparse import BM25Backend
from nlp.encoders import Encoder
from nlp.errors import EHError

FORMAT_VERSION = 1
_FAR_FUTURE = date(9999, 12, 31).toordinal()


class IndexError_(EHError):
    """An index directory that is missing, stale or built with another encoder."""

    code = "index_error"


@dataclass
class IndexConfig:
    """What is indexed and how it is scored. Defaults are the measured best (scripts/bench_search.py).

    Attributes:
        granularity: passage units kept (article, paragraph, item).
        dense_units: units that get their own vector (``article``, ``item``…, or ``liability:item`` for the units
            of 罚则 only); the others inherit their article's vector if it has one. Measured on the dev set: vectors
            for 罚则 articles and items only (14k) beat vectors for every article plus 罚则 items (64k) and every
            article (57k) — 罚则 R@5 0.85 / 0.82 / 0.78 without query expansion — because the dense side then
            ranks penalty provisions, whose 违则 comes from pairing; and they embed in ~3 min instead of ~12.
        dense: ``"faiss"`` or ``"none"``.
        sparse: ``"bm25"`` or ``"none"``.
        sparse_tokenizer: see :data:`index.sparse.TOKENIZERS`.
        fusion: see :data:`index.fusion.FUSIONS`.
        dense_weight: weight of the dense side in fusion.
        candidates: how many rows each backend contributes before fusion.
        conduct_filter: strip who/when/where/evidence from long narrative queries.
        propagate_dense: a candidate without a vector takes the dense score of the 罚则 it pairs with.
        expand: where shorthand expansion (index.query.JARGON) applies: ``none``, ``sparse``, ``dense``, ``both``.
        near_k: retrieved 违则/罚则 partners kept per provision.
        pairing: similarity for retrieved partners: ``dense``, ``lexical`` or ``both``.
        item_weight: bonus for passages cited by enforcement items whose title matches the query (index.items),
            added to the fused score scaled to [0, 1]; used only when items are attached.
    """

    granularity: tuple[str, ...] = UNITS
    dense_units: tuple[str, ...] = ("liability:article", "liability:item")
    dense: str = "faiss"
    sparse: str = "bm25"
    sparse_tokenizer: str = "char12"
    fusion: str = "minmax"
    dense_weight: float = 0.5
    candidates: int = 200
    conduct_filter: bool = True
    propagate_dense: bool = False
    expand: str = "sparse"
    near_k: int = 3
    pairing: str = "lexical"
    item_weight: float = 0.8

    def to_json(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_json(cls, d: dict) -> IndexConfig:
        known = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def build_key(self) -> dict:
        """The settings that change what is stored (the rest only change scoring)."""
        return {k: self.to_json()[k] for k in ("granularity", "dense_units", "dense", "sparse", "sparse_tokenizer",
                                                "near_k", "pairing")}  # fmt: skip


def dense_selected(p: Passage, units: tuple[str, ...]) -> bool:
    """Does a passage get its own vector? ``units`` holds unit names (``article``) or ``liability:<unit>``."""
    u = p.meta["unit"]
    if u in units:
        return True
    return bool(p.meta.get("is_liability")) and f"liability:{u}" in units


# R3.8: criminal law and criminal procedure are never the 违则/罚则 of an administrative penalty (a conduct that may be a
# crime is transferred, 处罚法 第二十七条); as candidates they only crowd out the administrative provisions.
_CRIMINAL_RE = re.compile(r"^(中华人民共和国)?(刑法|刑事诉讼法|监狱法)|关于《(中华人民共和国)?(刑法|刑事诉讼法)》")


def is_criminal_law(title: str) -> bool:
    """Whether an instrument is criminal law (刑法, its amendments and interpretations) or criminal procedure."""
    return bool(_CRIMINAL_RE.search(title))


def _ordinal(iso: str | None, default: int) -> int:
    return date.fromisoformat(iso).toordinal() if iso else default


def _log(msg: str, quiet: bool) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


@dataclass
class PassageIndex:
    """Passages with their dense/sparse backends and pairing tables, row-aligned."""

    passages: list[Passage]
    config: IndexConfig
    manifest: dict
    sparse: BM25Backend | None
    dense: DenseBackend | None
    vec_row: np.ndarray
    pairs: PairIndex
    _masks: dict[int, np.ndarray] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        n = len(self.passages)
        self.eff_from = np.fromiter(
            (_ordinal(p.meta.get("effective_from"), 0) for p in self.passages), dtype=np.int32, count=n
        )
        self.eff_to = np.fromiter(
            (_ordinal(p.meta.get("effective_to"), _FAR_FUTURE) for p in self.passages), dtype=np.int32, count=n
        )
        self.is_liability = np.fromiter((bool(p.meta.get("is_liability")) for p in self.passages), dtype=bool, count=n)
        self.admissible = np.fromiter((not is_criminal_law(p.meta.get("law", "")) for p in self.passages), dtype=bool,
                                      count=n)
        self.region = np.array([p.meta.get("region") or "" for p in self.passages], dtype=object)
        self._region_masks: dict[str | None, np.ndarray] = {}
        self.unit_of_row: dict[int, list[int]] = {}
        for i, r in enumerate(self.vec_row):
            if r >= 0:
                self.unit_of_row.setdefault(int(r), []).append(i)
        self.row_of_id = {p.id: i for i, p in enumerate(self.passages)}
        # Same provision in other versions: (law_key, article, sub, paragraph, item) → rows.
        self.by_provision: dict[tuple, list[int]] = {}
        self.versions_of_law: dict[str, list[tuple[str, str]]] = {}
        self.law_windows: dict[str, list[tuple[str | None, str | None]]] = {}
        seen: dict[tuple[str, str], int] = {}
        self._version_windows: dict[str, list[tuple[str, str, str]]] = {}
        version_of_row = np.empty(n, dtype=np.int32)
        for i, p in enumerate(self.passages):
            m = p.meta
            key = (m["law_key"], m["article"], m.get("article_sub") or 0, m.get("paragraph"), m.get("item"))
            self.by_provision.setdefault(key, []).append(i)
            vk = (m["law_key"], m["version_id"])
            if vk not in seen:
                seen[vk] = len(seen)
                self.versions_of_law.setdefault(m["law_key"], []).append((m.get("effective_from") or "", m["version_id"]))
                self.law_windows.setdefault(m["law_key"], []).append((m.get("effective_from"), m.get("effective_to")))
                self._version_windows.setdefault(m["law_key"], []).append(
                    (m.get("effective_from") or "", m.get("effective_to") or "", m["version_id"]))
            version_of_row[i] = seen[vk]
        for v in self.versions_of_law.values():
            v.sort()
        self.law_enacted = self._enactment_dates()
        self.version_of_row = version_of_row
        self._version_number = {vid: i for (_, vid), i in seen.items()}
        self._version_ids = [vid for (_, vid) in seen]
        self._segments: tuple[np.ndarray, np.ndarray, np.ndarray, list[str]] | None = None
        self._stand_in_masks: dict[int, np.ndarray] = {}

    def _enactment_dates(self) -> dict[str, str]:
        """``law_key → date`` from which the instrument existed, when its earliest stored text says so.

        The last article of a first enactment names the day it took effect (「本法典自2026年8月15日起施行」); before
        that the instrument did not exist, which is no gap in the store. A revision restates its own date, so for a
        law whose earlier texts are missing this errs towards "did not exist" (a gap then goes unreported).
        """
        from corpus.sources.common import start_date

        earliest = {k: v[0][1] for k, v in self.versions_of_law.items() if v}
        last: dict[str, tuple[int, str]] = {}
        for p in self.passages:
            m = p.meta
            key = m["law_key"]
            if m["unit"] == "article" and earliest.get(key) == m["version_id"] and m["article"] >= last.get(key, (0, ""))[0]:
                last[key] = (m["article"], p.text)
        out = {}
        for key, (_, text) in last.items():
            start = start_date(text)
            if start:
                out[key] = start
        return out

    # ---- build ------------------------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        passages: Iterable[Passage],
        encoder: Encoder | None,
        config: IndexConfig | None = None,
        cache_dir: Path | None = None,
        corpus_version: str | None = None,
        quiet: bool = False,
        previous: Path | None = None,
    ) -> PassageIndex:
        """Build from passages. ``encoder`` may be None only when ``config.dense == "none"``.

        ``previous``: an index directory; when it holds an index of exactly these passages (same corpus hash) with
        the same stored-structure settings and encoder, its BM25 index and pairing tables are reused instead of
        recomputed (vectors always come from the embedding cache).
        """
        t0 = time.time()
        config = config or IndexConfig()
        ps = [p for p in passages if p.meta.get("unit") in config.granularity]
        if not ps:
            raise IndexError_("no passages to index")
        texts = [embed_text(p) for p in ps]
        corpus_hash = corpus_fingerprint(ps)
        old = cls.read_manifest(previous) if previous else None
        reuse = (
            old is not None
            and old.get("format_version") == FORMAT_VERSION
            and old.get("corpus_hash") == corpus_hash
            and old.get("encoder") == (encoder.name if encoder is not None else None)
            and IndexConfig.from_json(old.get("config", {})).build_key() == config.build_key()
        )
        _log(f"index: {len(ps)} passages", quiet)

        vec_row = np.full(len(ps), -1, dtype=np.int64)
        dense = None
        n_encoded = 0
        vectors = None
        if config.dense != "none":
            if encoder is None:
                raise IndexError_("a dense index needs an encoder")
            own = [i for i, p in enumerate(ps) if dense_selected(p, config.dense_units)]
            cache = EmbeddingCache(cache_dir, encoder.name) if cache_dir else None
            te = time.time()
            if cache is not None:
                vectors, n_encoded = cache.embed(encoder, [texts[i] for i in own], show_progress=not quiet)
                if n_encoded:
                    cache.save()
            else:
                vectors = encoder.encode_passages([texts[i] for i in own], show_progress=not quiet)
                n_encoded = len(own)
            _log(f"index: {len(own)} vectors, {n_encoded} encoded in {time.time() - te:.1f}s", quiet)
            vec_row[own] = np.arange(len(own))
            # Units without their own vector share their article's.
            art_row = {(p.meta["version_id"], p.meta["article"], p.meta.get("article_sub") or 0): int(vec_row[i])
                       for i, p in enumerate(ps) if vec_row[i] >= 0 and p.meta["unit"] == "article"}  # fmt: skip
            for i, p in enumerate(ps):
                if vec_row[i] < 0:
                    vec_row[i] = art_row.get((p.meta["version_id"], p.meta["article"], p.meta.get("article_sub") or 0), -1)
            dense = DenseBackend(vectors)

        sparse = None
        if config.sparse != "none":
            ts = time.time()
            if reuse and (previous / "bm25").is_dir():
                # Load fully into memory: the files are about to be replaced by save().
                sparse = BM25Backend.load(previous / "bm25", config.sparse_tokenizer, len(ps), mmap=False)
                _log("index: BM25 unchanged, reused", quiet)
            else:
                sparse = BM25Backend(config.sparse_tokenizer)
                sparse.build(texts, show_progress=not quiet)
                _log(f"index: BM25 ({config.sparse_tokenizer}) in {time.time() - ts:.1f}s", quiet)

        tp = time.time()
        if reuse and (previous / "pairs.json").is_file():
            pairs = PairIndex.from_json(json.loads((previous / "pairs.json").read_text(encoding="utf-8")))
            _log("index: pairs unchanged, reused", quiet)
        else:
            has_vec = vec_row >= 0
            pvecs = None
            # Lexical pairing never reads the vectors: skip a passages × dim float32 matrix (600 MB at 390k rows).
            if vectors is not None and config.pairing in ("dense", "both"):
                pvecs = np.zeros((len(ps), vectors.shape[1]), dtype=np.float32)
                pvecs[has_vec] = vectors[vec_row[has_vec]]
            lexical = sparse.doc_term_matrix() if sparse is not None else None
            pairs = build_pairs(ps, pvecs, has_vec, lexical, near_k=config.near_k, mode=config.pairing)
            _log(f"index: pairs ({len(pairs.explicit)} explicit) in {time.time() - tp:.1f}s", quiet)

        manifest = {
            "format_version": FORMAT_VERSION,
            "corpus_version": corpus_version,
            "corpus_hash": corpus_hash,
            "encoder": encoder.name if encoder is not None else None,
            "dim": encoder.dim if encoder is not None else None,
            "passage_count": len(ps),
            "vector_count": 0 if vectors is None else int(len(vectors)),
            "encoded_this_build": int(n_encoded),
            "reused_sparse_and_pairs": bool(reuse),
            "config": config.to_json(),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_seconds": round(time.time() - t0, 2),
        }
        return cls(ps, config, manifest, sparse, dense, vec_row, pairs)

    # ---- persistence --------------------------------------------------------------------------------------
    def save(self, path: Path) -> None:
        """Write to ``path`` (replaced atomically as a whole; the embedding cache subfolder is kept)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        tmp = path / f".tmp-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        with (tmp / "passages.jsonl").open("w", encoding="utf-8") as f:
            for p in self.passages:
                f.write(json.dumps({"id": p.id, "text": p.text, "meta": p.meta}, ensure_ascii=False) + "\n")
        np.save(tmp / "vec_row.npy", self.vec_row)
        if self.dense is not None:
            np.save(tmp / "vectors.npy", np.ascontiguousarray(self.dense.vectors()))
        if self.sparse is not None:
            self.sparse.save(tmp / "bm25")
        (tmp / "pairs.json").write_text(json.dumps(self.pairs.to_json()), encoding="utf-8")
        # Manifest last: a directory without it is incomplete.
        (tmp / "manifest.json").write_text(json.dumps(self.manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        for name in ("passages.jsonl", "vec_row.npy", "vectors.npy", "bm25", "pairs.json", "manifest.json"):
            dst = path / name
            if dst.is_dir():
                shutil.rmtree(dst)
            elif dst.exists():
                dst.unlink()
            if (tmp / name).exists():
                (tmp / name).replace(dst)
        shutil.rmtree(tmp, ignore_errors=True)

    @staticmethod
    def read_manifest(path: Path) -> dict | None:
        """The manifest of an index directory, or None."""
        mp = Path(path) / "manifest.json"
        if not mp.is_file():
            return None
        try:
            return json.loads(mp.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            return None

    @classmethod
    def load(cls, path: Path, encoder: Encoder | None) -> PassageIndex:
        """Load a saved index; the encoder must be the one it was built with."""
        path = Path(path)
        manifest = cls.read_manifest(path)
        if manifest is None:
            raise IndexError_(f"no index at {path}: run `enforcement-helper build`")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexError_(f"index at {path} has format {manifest.get('format_version')}, need {FORMAT_VERSION}")
        config = IndexConfig.from_json(manifest["config"])
        if config.dense != "none" and (encoder is None or encoder.name != manifest.get("encoder")):
            raise IndexError_(
                f"index at {path} was built with encoder {manifest.get('encoder')!r}, "
                f"not {getattr(encoder, 'name', None)!r}: rebuild it"
            )
        # Pairs first: the parsed JSON they are made from is freed before the passages fill the same heap.
        pairs = PairIndex.from_json(json.loads((path / "pairs.json").read_text(encoding="utf-8")))
        passages = []
        pool: dict[str, str] = {}  # one copy of each repeated meta string (share_meta): ~0.7 GB less per worker
        with (path / "passages.jsonl").open(encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                passages.append(Passage(d["id"], d["text"], share_meta(d["meta"], pool)))
        del pool
        vec_row = np.load(path / "vec_row.npy")
        dense = DenseBackend(np.load(path / "vectors.npy")) if (path / "vectors.npy").is_file() else None
        sparse = (
            BM25Backend.load(path / "bm25", config.sparse_tokenizer, len(passages))
            if (path / "bm25").is_dir()
            else None
        )
        return cls(passages, config, manifest, sparse, dense, vec_row, pairs)

    # ---- scoring --------------------------------------------------------------------------------------------
    def in_force_mask(self, as_of: date | None) -> np.ndarray:
        """Admissible rows in force on ``as_of`` (every version when None)."""
        if as_of is None:
            return self.admissible.copy()
        d = as_of.toordinal()
        m = self._masks.get(d)
        if m is None:
            m = (self.eff_from <= d) & (d < self.eff_to) & self.admissible
            if len(self._masks) > 64:
                self._masks.clear()
            self._masks[d] = m
        return m

    def stand_in_versions(self, as_of: date) -> dict[str, str]:
        """Stored versions that stand in for a version missing from the store on ``as_of``: ``version_id → status``.

        An instrument that existed on the date (its enactment, :meth:`_enactment_dates`, is not later) but has no
        stored version in force then is represented by its nearest stored version: ``nearest_later`` (the date
        precedes every stored text, or falls nearer the next one) or ``nearest_earlier``. An instrument not yet
        enacted (or of unknown enactment), or whose every stored text ended before the date (repealed), has no
        stand-in: nothing is missing.
        """
        starts, ends, numbers, statuses = self._stand_in_segments()
        d = as_of.toordinal()
        hit = np.flatnonzero((starts <= d) & (d < ends))
        vid_of = self._version_ids
        return {vid_of[int(numbers[i])]: statuses[int(i)] for i in hit}

    def _stand_in_segments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
        """Every stretch of days an instrument existed with no stored version in force, and the version for it.

        Precomputed once so that a request's date costs one vectorised comparison, not a walk over 2,800 laws.
        """
        if self._segments is not None:
            return self._segments
        starts: list[int] = []
        ends: list[int] = []
        numbers: list[int] = []
        statuses: list[str] = []
        for key, windows in self._version_windows.items():
            enacted = self.law_enacted.get(key)
            if enacted is None:
                continue
            wins = sorted((_ordinal(ef or None, 0), _ordinal(et or None, _FAR_FUTURE), vid) for ef, et, vid in windows)
            cursor = date.fromisoformat(enacted).toordinal()
            last_end: tuple[int, str] | None = None  # (day it ended, version) of the latest-ending text so far
            for ef, et, vid in wins:
                if ef > cursor:  # uncovered [cursor, ef): before ef the next text is ``vid``
                    if last_end is not None and last_end[0] <= cursor:
                        # nearer the end of the earlier text than the start of the next: the earlier one
                        mid = (last_end[0] + ef + 1) // 2  # d < mid  ⟺  d − end < ef − d
                        if mid > cursor:
                            starts.append(cursor), ends.append(mid), numbers.append(self._version_number[last_end[1]])
                            statuses.append("nearest_earlier")
                        cursor = max(cursor, mid)
                    if ef > cursor:
                        starts.append(cursor), ends.append(ef), numbers.append(self._version_number[vid])
                        statuses.append("nearest_later")
                # every earlier text counts, even one that ended before the enactment date the cursor started at
                last_end = max(last_end, (et, vid)) if last_end is not None else (et, vid)
                cursor = max(cursor, et)
        self._segments = (np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64),
                          np.array(numbers, dtype=np.int64), statuses)  # fmt: skip
        return self._segments

    def eligible_mask(self, as_of: date | None) -> np.ndarray:
        """:meth:`in_force_mask` plus the rows of the versions that stand in for missing ones (search's candidates)."""
        if as_of is None:
            return self.in_force_mask(None)
        d = as_of.toordinal()
        m = self._stand_in_masks.get(d)
        if m is None:
            starts, ends, numbers, _ = self._stand_in_segments()
            chosen = np.zeros(len(self._version_ids), dtype=bool)
            chosen[numbers[(starts <= d) & (d < ends)]] = True
            m = self.in_force_mask(as_of) | (chosen[self.version_of_row] & self.admissible)
            if len(self._stand_in_masks) > 64:
                self._stand_in_masks.clear()
            self._stand_in_masks[d] = m
        return m

    def region_mask(self, region: str | None) -> np.ndarray:
        """Rows of national instruments and of ``region``'s local ones (every row when None).

        Another province's local regulation never binds a case here, yet its wording is often closest to the
        description (杭州 and 重庆 市容 regulations read alike), so it is kept out of the candidates.
        """
        m = self._region_masks.get(region)
        if m is None:
            m = np.ones(len(self.passages), dtype=bool) if region is None else (self.region == "") | (self.region == region)
            self._region_masks[region] = m  # one per province at most: bounded
        return m

    def dense_rows_mask(self, unit_mask: np.ndarray) -> np.ndarray | None:
        """Vector rows that have at least one allowed unit."""
        if self.dense is None:
            return None
        rows = np.zeros(self.dense.n, dtype=bool)
        own = self.vec_row[unit_mask]
        rows[own[own >= 0]] = True
        return rows
