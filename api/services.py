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
        """Load everything heavy before the service reports ready."""
        _ = self.resolver, self.db

    def corpus_version(self) -> str:
        """Version of the statute store answers were computed from."""
        try:
            return self.store.corpus_version()
        except AppError:
            return "none"

    def index_version(self) -> str:
        """Version of the retrieval index, if one is loaded."""
        return "none"

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
