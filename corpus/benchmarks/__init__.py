"""Discretion benchmarks (裁量基准): schema, loaders, source adapters and the SQLite store.

Typical use::

    store = BenchmarkStore.open(settings.data_dir / "benchmarks.sqlite")
    report = store.load(Path("my_agency_table.xlsx"), resolver=Resolver(statutes))
    print(report.summary())
    for info in store.list(): ...

``seed(store, raw_dir, resolver)`` stores the project's SAMPLE benchmark and the real tables under
``shared/corpus/raw`` (江门, 上海 fire, the three 不予处罚 lists).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from corpus.benchmarks.cites import ResolverLike
from corpus.benchmarks.loaders import load_path, load_table, load_yaml
from corpus.benchmarks.report import Issue, LoadReport
from corpus.benchmarks.scales import DATA_DIR, TierMapping, default_mapping
from corpus.benchmarks.schema import (
    LEVELS,
    PENALTY_TYPES,
    Benchmark,
    BenchmarkError,
    EnforcementItem,
    FineRange,
    Predicate,
    SourceDoc,
    Tier,
    Window,
)
from corpus.benchmarks.store import BenchmarkInfo, BenchmarkStore

DEFAULT_BENCHMARK = DATA_DIR / "default_benchmark.yaml"


def seed(store: BenchmarkStore, raw_dir: Path | None = None, resolver: ResolverLike | None = None,
         today: date | None = None) -> list[LoadReport]:
    """Store the SAMPLE benchmark and, when ``raw_dir`` is given, every real source table.

    Args:
        store: The benchmark store.
        raw_dir: ``shared/corpus/raw`` (``Settings.raw_dir``); ``None`` stores only the sample.
        resolver: Citation verifier over the statute store.
        today: Reference date for validity flags.

    Returns:
        One load report per benchmark stored.
    """
    reports = [store.load(DEFAULT_BENCHMARK, resolver=resolver, today=today)]
    if raw_dir is not None:
        from corpus.benchmarks.sources import load_sources

        for loaded in load_sources(Path(raw_dir), resolver, today):
            store.put(loaded.benchmark, loaded.report, origin=loaded.report.source)
            reports.append(loaded.report)
    return reports


__all__ = [
    "DEFAULT_BENCHMARK",
    "LEVELS",
    "PENALTY_TYPES",
    "Benchmark",
    "BenchmarkError",
    "BenchmarkInfo",
    "BenchmarkStore",
    "EnforcementItem",
    "FineRange",
    "Issue",
    "LoadReport",
    "Predicate",
    "SourceDoc",
    "Tier",
    "TierMapping",
    "Window",
    "default_mapping",
    "load_path",
    "load_table",
    "load_yaml",
    "seed",
]
