"""What both the CLI and HTTP call: the heavy artefacts, loaded once per process and shared by requests, wired into
the search, the analysis (``analysis.pipeline``) and the documents (``api.documents.service``)."""

from __future__ import annotations

import json
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api.contract import CITATION_FIELDS, check_party_type, check_region, check_text, citation_dict, corpus_listing
from api.core.settings import Settings, get_settings
from api.db.database import Database
from api.errors import AppError, NotBuilt
from corpus.benchmarks import BenchmarkError, BenchmarkStore
from corpus.resolver import Resolver
from corpus.store import Store, StoreMissing
from nlp.citations import CitationError

if TYPE_CHECKING:
    from analysis.pipeline import Analyzer
    from api.documents.service import DocumentService

__all__ = ["CITATION_FIELDS", "Services"]


class Services:
    """Heavy objects (store, resolver, index) loaded lazily, once."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    @cached_property
    def store(self) -> Store:
        try:
            return Store.open(self.settings.store_path)
        except StoreMissing:
            raise NotBuilt("法规库尚未建立") from None

    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.store)

    @cached_property
    def benchmarks(self) -> BenchmarkStore:
        """Discretion benchmarks (seeded by ``enforcement-helper build``)."""
        if not self.settings.benchmarks_path.exists():
            raise NotBuilt("裁量基准库尚未建立")
        return BenchmarkStore.open(self.settings.benchmarks_path, create=False)

    def load_benchmark(self, path: Path, name: str | None = None) -> dict[str, Any]:
        """Load an agency's table (YAML/CSV/XLSX); the report says what was parsed and what was not."""
        if not path.exists():
            raise AppError("file_not_found", f"文件不存在：{path}", "path", 422)
        store = BenchmarkStore.open(self.settings.benchmarks_path)
        try:
            report = store.load(path, resolver=self.resolver, name=name)
        except BenchmarkError as exc:
            raise AppError(getattr(exc, "code", "bad_benchmark"), str(exc), "path", 422) from None
        return {"ok": report.ok, "summary": report.summary(), "report": json.loads(report.model_dump_json())}

    @cached_property
    def db(self) -> Database:
        """Keys and audit (SQLite by default, PostgreSQL through EH_DATABASE_URL)."""
        s = self.settings
        return Database(s.db_url, secret_path=s.audit_secret_path, synchronous=s.sqlite_synchronous)

    def warm_up(self) -> None:
        """Load everything heavy before the service reports ready; ``not_ready`` lists what is missing or stale.

        Nothing is built here: a missing or stale artefact is only reported (``enforcement-helper build`` makes it).
        """
        self.not_ready: list[str] = []
        _ = self.db
        for name in ("resolver", "benchmarks", "encoder", "searcher", "tier_model"):
            try:
                getattr(self, name)
            except NotBuilt as exc:
                if exc.message not in self.not_ready:
                    self.not_ready.append(exc.message)
        if not self.not_ready:
            # The first call of each path loads jieba's dictionary, the spaCy pipeline and the benchmark items
            # (seconds): paid here, not by the first officer (nor counted against a request's deadline).
            sample = "当事人张三于2025年3月5日在其经营场所销售超过保质期的食品，违法所得1000元。"
            self.extract(sample)
            self.analyze(sample)

    def corpus_version(self) -> str:
        """Version of the statute store answers were computed from."""
        try:
            return self.store.corpus_version()
        except AppError:
            return "none"

    def index_version(self) -> str:
        """Version of the retrieval index, if one is loaded."""
        if "searcher" not in self.__dict__:
            return "none"
        m = self.searcher.index.manifest
        return f"{m.get('corpus_version', '?')}:{m.get('encoder', '?')}:{m.get('built_at', m.get('build_time', '?'))}"

    # ---- retrieval --------------------------------------------------------------------------
    @cached_property
    def encoder(self) -> Any:
        """The configured encoder (e5 int8 ONNX by default), loaded once."""
        from nlp.encoders import EncoderNotBuilt, make_encoder

        threads = self.settings.encoder_threads
        kwargs = {"threads": threads} if threads and not self.settings.encoder.startswith("hash") else {}
        try:
            return make_encoder(self.settings.encoder, self.settings.model_dir, **kwargs)
        except EncoderNotBuilt as exc:
            raise NotBuilt(str(exc)) from None

    @cached_property
    def searcher(self) -> Any:
        """The saved index of the current store; never built here (``enforcement-helper build`` does)."""
        from index.engine import IndexError_, PassageIndex
        from index.search import INDEX_MISSING, Searcher

        if PassageIndex.read_manifest(self.settings.index_dir) is None:  # said even when the model is missing too
            raise NotBuilt(INDEX_MISSING)
        try:
            searcher = Searcher.load_current(self.store, self.encoder, self.settings.index_dir)
        except IndexError_ as exc:
            raise NotBuilt(str(exc)) from None
        searcher.attach_items(self.item_index(searcher))
        if self.settings.rerank:
            from index.rerank import Reranker, RerankError

            try:
                ranker = Reranker.load(self.settings.index_dir, searcher.priors(), searcher.index.manifest)
            except RerankError as exc:
                raise NotBuilt(str(exc)) from None
            if ranker is None:
                raise NotBuilt("排序模型缺失：请运行 enforcement-helper build")
            searcher.attach_reranker(ranker)
        return searcher

    def item_index(self, searcher: Any) -> Any:
        """Titles of every loaded benchmark item, pointing retrieval at the provisions they cite (index.items)."""
        from index.items import ItemIndex, item_records

        if not self.settings.benchmarks_path.exists():
            return None
        return ItemIndex.build(item_records(self.benchmarks), searcher.index, self.encoder,
                               self.settings.index_dir / "item_cache")

    def search(self, query: str, as_of: date | None = None, top_k: int = 10,
               region: str | None = None) -> dict[str, Any]:
        """Applicable provisions with their 违则/罚则 pairs, for the version in force on ``as_of``.

        Local regulations are those of ``region`` (default: the configured one); other provinces' never bind.
        """
        from index.search import SearchError

        self._check_text(query, "query")
        province = check_region(region, self.settings.region)
        try:
            out = self.searcher.search(query, as_of, top_k, region=province).to_dict()
        except SearchError as exc:
            raise AppError(exc.code, str(exc), "query", 422) from None
        out["region"] = province or "全国"
        return out

    # ---- analysis ---------------------------------------------------------------------------
    @cached_property
    def tier_model(self) -> Any:
        """The tier classifier saved by ``enforcement-helper build``; never trained here."""
        from analysis.tiers import TierModelNotBuilt, load_tier_model

        text = self.settings.tier_text
        try:
            return load_tier_model(self.settings.tier_model_path, self._tier_encoder(), text)
        except TierModelNotBuilt as exc:
            raise NotBuilt(str(exc)) from None

    def build_tier_model(self) -> None:
        """Train the tier classifier on the 江门 table's conditions and save it, unless a current one is saved
        (``enforcement-helper build`` only)."""
        from analysis.tiers import load_or_train

        items = list(self.benchmarks.items(benchmark="jiangmen-eco-2020"))
        self.__dict__["tier_model"] = load_or_train(self.settings.tier_model_path, items, self._tier_encoder(),
                                                    text=self.settings.tier_text)

    def _tier_encoder(self) -> Any:
        return self.encoder if self.settings.tier_text in ("e5", "hybrid") else None

    @cached_property
    def analyzer(self) -> Analyzer:
        """The analysis pipeline over this service's search and artefacts, each loaded when first needed (an answer
        from the statutory range needs no tier model); a rebuilt tier model or a reloaded table is seen at once."""
        from analysis.pipeline import Analyzer

        return Analyzer(self.search, lambda: self.resolver, lambda: self.benchmarks, lambda: self.tier_model)

    def analyze(self, description: str, as_of: date | None = None, party_type: str | None = None,
                discovery_date: date | None = None, region: str | None = None,
                decision_date: date | None = None) -> dict[str, Any]:
        """Provisions, matched benchmark items, tier, fine and reminders for a violation description
        (``analysis.pipeline.Analyzer.analyze``, after the input is checked)."""
        check_party_type(party_type)
        self._check_text(description, "description")
        return self.analyzer.analyze(description, as_of, party_type, discovery_date, region, decision_date)

    # ---- citations --------------------------------------------------------------------------
    def verify(self, text: str, as_of: date | None = None) -> list[dict[str, Any]]:
        """Check every citation in ``text``."""
        self._check_text(text, "text")
        return [citation_dict(c.to_dict()) for c in self.resolver.verify_text(text, as_of)]

    def show(self, cite: str, as_of: date | None = None) -> dict[str, Any]:
        """Look up one provision by citation and date."""
        self._check_text(cite, "cite")
        try:
            return citation_dict(self.resolver.lookup(cite, as_of).to_dict())
        except CitationError as exc:
            raise AppError(exc.code, str(exc), "cite", 422) from None

    def corpus_listing(self) -> list[dict[str, Any]]:
        """One entry per instrument with its versions."""
        return corpus_listing(self.store)

    # ---- entities ---------------------------------------------------------------------------
    def extract(self, text: str, reference: date | None = None) -> list[dict[str, Any]]:
        """Entities of a description (party, IDs validated, addresses, plate, dates, money …) with spans."""
        from nlp.entities import extract_entities

        self._check_text(text, "text")
        return [e.to_dict() for e in extract_entities(text, reference=reference)]

    # ---- documents --------------------------------------------------------------------------
    @cached_property
    def documents(self) -> DocumentService:
        """Documents rendered with this service's templates, agency profile, 文号 counter and resolver."""
        from api.documents.service import DocumentService

        s = self.settings
        return DocumentService(s.template_dir, s.data_dir, s.agency_file, lambda: self.db, lambda: self.resolver.lookup)

    def document(self, kind: str, case: dict[str, Any], fmt: str = "docx", draft: bool = False) -> bytes | str:
        """Render a penalty document (or the 三书同达 bundle) for a case; citations verified first."""
        return self.documents.render(kind, case, fmt, draft)

    def _check_text(self, text: str, field: str) -> None:
        check_text(text, field, self.settings.max_text_chars)
