"""Load report: what a loader parsed and what it did not, with reasons."""

from __future__ import annotations

from collections import Counter
from typing import Literal

from pydantic import BaseModel, Field

from corpus.benchmarks.schema import Benchmark


class Issue(BaseModel):
    """One thing a loader could not take as it was."""

    level: Literal["error", "warning", "info"]
    where: str
    code: str
    message: str


class LoadReport(BaseModel):
    """Counts and issues of one load. ``ok`` is False when any row was rejected."""

    source: str
    format: str
    benchmark: str = ""
    rows_read: int = 0
    rows_loaded: int = 0
    rows_skipped: int = 0
    items: int = 0
    tiers: int = 0
    tiers_with_predicates: int = 0
    tiers_words_only: int = 0
    predicates: int = 0
    tiers_with_fine: int = 0
    citations: dict[str, int] = Field(default_factory=dict)
    issues: list[Issue] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No row was rejected and no error was recorded."""
        return self.rows_skipped == 0 and not any(i.level == "error" for i in self.issues)

    def add(self, level: Literal["error", "warning", "info"], where: str, code: str, message: str) -> None:
        """Record an issue."""
        self.issues.append(Issue(level=level, where=where, code=code, message=message))

    def count_citation(self, status: str) -> None:
        """Tally one citation check by status."""
        self.citations[status] = self.citations.get(status, 0) + 1

    def tally(self, bench: Benchmark) -> None:
        """Fill the item/tier/predicate counts from what was built."""
        self.benchmark = bench.name
        self.items = len(bench.items)
        tiers = [t for it in bench.items for t in it.tiers]
        self.tiers = len(tiers)
        self.tiers_with_predicates = sum(1 for t in tiers if t.predicates)
        self.tiers_words_only = sum(1 for t in tiers if not t.predicates and t.condition)
        self.predicates = sum(len(t.predicates) for t in tiers)
        self.tiers_with_fine = sum(1 for t in tiers if t.fines)

    def summary(self) -> str:
        """A few lines for a person at a terminal."""
        lines = [
            f"{self.benchmark or self.source} ({self.format}): {self.items} items, {self.tiers} tiers "
            f"from {self.rows_read} rows ({self.rows_loaded} loaded, {self.rows_skipped} skipped)",
            f"  conditions: {self.tiers_with_predicates} tiers parsed into {self.predicates} predicates, "
            f"{self.tiers_words_only} written in words only; {self.tiers_with_fine} tiers with a fine range",
        ]
        if self.citations:
            lines.append("  citations: " + ", ".join(f"{k} {v}" for k, v in sorted(self.citations.items())))
        by_code = Counter((i.level, i.code) for i in self.issues)
        for (level, code), n in sorted(by_code.items()):
            example = next(i for i in self.issues if i.code == code and i.level == level)
            lines.append(f"  {level} {code} ×{n}: e.g. {example.where}: {example.message}")
        return "\n".join(lines)
