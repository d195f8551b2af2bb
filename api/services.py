"""The one pipeline both the CLI and HTTP call: loaded once per process, shared by requests."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from functools import cached_property
from typing import Any

from api.core.settings import Settings, get_settings
from api.db.database import Database
from api.errors import AppError
from corpus.benchmarks import BenchmarkError, BenchmarkStore
from corpus.resolver import Resolver
from corpus.store import Store, StoreMissing
from nlp.citations import CitationError

# Fields every verify answer carries (the case-system contract, issue #2); the rest are extras.
CITATION_FIELDS = ("raw", "normalized", "law", "article", "paragraph", "item", "status", "as_of_version", "text")


class Services:
    """Heavy objects (store, resolver, index) loaded lazily, once."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    @cached_property
    def store(self) -> Store:
        try:
            return Store.open(self.settings.store_path)
        except StoreMissing as exc:
            raise AppError("store_missing", str(exc), status=503) from None

    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.store)

    @cached_property
    def benchmarks(self) -> BenchmarkStore:
        """Discretion benchmarks (seeded by ``enforcement-helper build``)."""
        if not self.settings.benchmarks_path.exists():
            raise AppError("benchmarks_missing", f"no benchmark store at {self.settings.benchmarks_path}: "
                           "run `enforcement-helper build`", status=503)
        return BenchmarkStore.open(self.settings.benchmarks_path, create=False)

    def load_benchmark(self, path: Path, name: str | None = None) -> dict[str, Any]:
        """Load an agency's table (YAML/CSV/XLSX); the report says what was parsed and what was not."""
        if not path.exists():
            raise AppError("file_not_found", f"{path} does not exist", "path", 422)
        store = BenchmarkStore.open(self.settings.benchmarks_path)
        try:
            report = store.load(path, resolver=self.resolver, name=name)
        except BenchmarkError as exc:
            raise AppError(getattr(exc, "code", "bad_benchmark"), str(exc), "path", 422) from None
        return {"ok": report.ok, "summary": report.summary(), "report": json.loads(report.model_dump_json())}

    @cached_property
    def db(self) -> Database:
        """Keys and audit (SQLite by default, PostgreSQL through EH_DATABASE_URL)."""
        return Database(self.settings.db_url)

    def warm_up(self) -> None:
        """Load everything heavy before the service reports ready (store, index, model, benchmarks)."""
        _ = self.resolver, self.db
        if self.settings.index_dir.exists():
            _ = self.searcher, self.tier_model

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
        from nlp.encoders import make_encoder

        return make_encoder(self.settings.encoder, self.settings.model_dir)

    @cached_property
    def searcher(self) -> Any:
        """The index for the current store: loaded when current, else built (``enforcement-helper build``)."""
        from index.search import Searcher

        return Searcher.from_store(self.store, self.encoder, self.settings.index_dir, quiet=True)

    def search(self, query: str, as_of: date | None = None, top_k: int = 10) -> dict[str, Any]:
        """Applicable provisions with their 违则/罚则 pairs, for the version in force on ``as_of``."""
        from index.search import SearchError

        self._check_text(query, "query")
        try:
            return self.searcher.search(query, as_of, top_k).to_dict()
        except SearchError as exc:
            raise AppError(exc.code, str(exc), "query", 422) from None

    # ---- analysis ---------------------------------------------------------------------------
    @cached_property
    def tier_model(self) -> Any:
        """Tier classifier trained once on the 江门 table's conditions (saved in the data dir)."""
        from nlp.tiers import load_or_train

        items = list(self.benchmarks.items(benchmark="jiangmen-eco-2020"))
        return load_or_train(self.settings.tier_model_path, items, self.encoder)

    def analyze(self, description: str, as_of: date | None = None, party_type: str | None = None) -> dict[str, Any]:
        """Provisions, matched benchmark items, tier, fine and reminders for a violation description."""
        from nlp.tiers import suggest_tier

        if party_type not in (None, "individual", "individual_business", "organization"):
            raise AppError("bad_party_type", "party_type must be individual, individual_business or organization",
                           "party_type", 422)
        found = self.search(description, as_of, top_k=5)
        decision = date.today()
        matches = self._match_items(found["results"], decision, as_of)
        answer: dict[str, Any] = {
            "description": description, "as_of": found["as_of"], "decision_date": decision.isoformat(),
            "no_match": found["no_match"], "confidence": found["confidence"],
            "provisions": found["results"], "matches": [m["summary"] for m in matches],
            "tier": None, "fine": None, "factors": [], "reminders": [],
        }
        if not matches:
            answer["reminders"].append({"code": "no_benchmark", "message": "未匹配到裁量基准事项：请按罚则的法定幅度裁量",
                                        "rule": "R3.2"})
            return answer
        best = matches[0]
        party = "individual" if party_type == "individual_business" else party_type
        tier = suggest_tier(description, best["item"], self.tier_model, decision_date=decision, violation_date=as_of,
                            party_type=party).to_dict()
        tier_info = tier.get("tier") or {}
        answer.update({
            "item": best["summary"],
            "tier": {"label": tier_info.get("label"), "rank": tier_info.get("rank"),
                     "probability": tier_info.get("probability"), **tier_info},
            "fine": tier.get("fine"), "factors": tier.get("factors", []), "reminders": tier.get("reminders", []),
            "adjustment": tier.get("adjustment"), "method": tier.get("method"),
            "probabilities": tier.get("probabilities"),
        })
        return answer

    def _provision(self, cite: str, as_of: date | None) -> dict[str, Any]:
        """A benchmark's citation checked against the store on the violation date, with its text."""
        try:
            r = self.resolver.lookup(cite, as_of or date.today())
        except ValueError:
            return {"citation": cite, "status": "unparsed", "text": None}
        return {"citation": r.normalized or cite, "status": r.status, "reason": r.reason, "text": r.text,
                "as_of_version": r.as_of_version, "later_change": r.later_change}

    def _match_items(self, hits: list[dict[str, Any]], decision: date, as_of: date | None) -> list[dict[str, Any]]:
        """Benchmark items citing the retrieved 罚则/违则, best first.

        Order: the hit's rank, then an item citing the 罚则 exactly, then a benchmark valid on the decision
        date (R2.9), then real agency tables before the project's sample. 不予处罚 lists are kept as
        matches but never chosen as the tier source, since they only say when not to punish.
        """
        from nlp.citations import format_citation

        infos = {b.name: b for b in self.benchmarks.list()}
        scored: list[tuple[tuple, dict[str, Any]]] = []
        seen: set[tuple[str, str]] = set()
        for rank, hit in enumerate(hits):
            refs = [(hit.get("basis"), "basis"), (hit.get("violated"), "violated"), (hit, "hit")]
            for ref, role in refs:
                if not ref or not ref.get("law") or not ref.get("article"):
                    continue
                art = format_citation(ref["law"], ref["article"], ref.get("article_sub") or 0)
                for bench, cite, item in self.benchmarks.by_article(art):
                    if (bench, item.id) in seen:
                        continue
                    seen.add((bench, item.id))
                    info = infos.get(bench)
                    valid = info.valid_on(decision) if info else False
                    no_penalty = bool(item.tiers) and all(t.level == "不予处罚" for t in item.tiers)
                    exact = cite == ref.get("citation")
                    key = (no_penalty, rank, role != "basis", not exact, not valid, bool(info and info.sample))
                    summary = {
                        "benchmark": bench, "item_id": item.id, "title": item.title, "domain": item.domain,
                        "benchmark_valid_on_decision_date": valid, "sample": bool(info and info.sample),
                        "matched_citation": cite, "via": role,
                        "violated": [self._provision(c, as_of) for c in item.violated],
                        "basis": [self._provision(c, as_of) for c in item.basis],
                        "retrieved": {"violated": hit.get("violated"), "basis": hit.get("basis")},
                        "no_penalty_list": no_penalty,
                    }
                    scored.append((key, {"summary": summary, "item": item}))
        scored.sort(key=lambda x: x[0])
        return [m for k, m in scored if not k[0]] + [m for k, m in scored if k[0]]

    # ---- citations --------------------------------------------------------------------------
    def verify(self, text: str, as_of: date | None = None) -> list[dict[str, Any]]:
        """Check every citation in ``text``."""
        self._check_text(text, "text")
        return [_citation_dict(c.to_dict()) for c in self.resolver.verify_text(text, as_of)]

    def show(self, cite: str, as_of: date | None = None) -> dict[str, Any]:
        """Look up one provision by citation and date."""
        self._check_text(cite, "cite")
        try:
            return _citation_dict(self.resolver.lookup(cite, as_of).to_dict())
        except CitationError as exc:
            raise AppError(exc.code, str(exc), "cite", 422) from None

    def corpus_listing(self) -> list[dict[str, Any]]:
        """One entry per instrument with its versions."""
        out = []
        for inst in self.store.instruments():
            versions = [v.to_dict() for v in self.store.versions(inst.id)]
            out.append({"law": inst.title, "level": inst.level, "issuer": inst.issuer, "region": inst.region,
                        "versions": versions})
        return out

    # ---- entities ---------------------------------------------------------------------------
    def extract(self, text: str, reference: date | None = None) -> list[dict[str, Any]]:
        """Entities of a description (party, IDs validated, addresses, plate, dates, money …) with spans."""
        from nlp.entities import extract_entities

        self._check_text(text, "text")
        return [e.to_dict() for e in extract_entities(text, reference=reference)]

    # ---- documents --------------------------------------------------------------------------
    def document(self, kind: str, case: dict[str, Any], fmt: str = "docx", draft: bool = False) -> bytes | str:
        """Render a penalty document (or the 三书同达 bundle) for a case; citations verified first."""
        from api.documents.cli import default_counter
        from api.documents.errors import DocumentError
        from api.documents.render import render

        try:
            return render(kind, case, fmt, self.settings.template_dir, draft, verify=self.resolver.lookup,
                          counter=None if draft else default_counter())
        except DocumentError as exc:
            status = {"verifier_unavailable": 503, "bad_template": 500, "template_not_found": 500}.get(exc.code, 422)
            err = AppError(exc.code, exc.message, exc.field, status)
            err.details = exc.details  # type: ignore[attr-defined]
            raise err from None

    def _check_text(self, text: str, field: str) -> None:
        if not isinstance(text, str) or not text.strip():
            raise AppError("empty_input", f"{field} is empty", field, 422)
        if len(text) > self.settings.max_text_chars:
            raise AppError("input_too_large", f"{field} has {len(text)} characters; the limit is "
                           f"{self.settings.max_text_chars}", field, 413)


def _citation_dict(d: dict[str, Any]) -> dict[str, Any]:
    """Contract fields first, extras after (stable key order for case systems)."""
    return {**{k: d.get(k) for k in CITATION_FIELDS}, **{k: v for k, v in d.items() if k not in CITATION_FIELDS}}
