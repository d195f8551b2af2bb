"""Benchmark citations checked on a date (analysis.provisions): answers from the real store, a cache that survives
concurrent churn across the dates of many requests."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta
from typing import Any

from analysis.provisions import ProvisionCache

CITE = "《中华人民共和国消防法》第六十条"


class _YieldingDict(dict):
    """A dict that lets other threads run right after each store: the interleaving an unlucky thread switch (or a
    free-threaded build) gives between a cache's check and its read, made frequent enough to test."""

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        time.sleep(0)


def test_a_citation_is_checked_on_the_violation_date(resolver) -> None:  # noqa: ANN001 - the conftest resolver
    provision = ProvisionCache(lambda: resolver)
    p = provision(CITE, date(2026, 10, 1))
    assert p["status"] == "verified" and p["text"] and p["citation"].startswith("《中华人民共和国消防法》第六十条")
    p["text"] = None  # the answer is a copy: a caller's edit never reaches the cache
    assert provision(CITE, date(2026, 10, 1))["text"]
    assert provision("第六十条", date(2026, 10, 1))["status"] == "unparsed"


def test_the_cache_survives_concurrent_churn_of_dates() -> None:
    """The cache holds LIMIT entries: many threads, every call another as_of, churn well past it."""
    resolved: list[str] = []
    provision = ProvisionCache(lambda: None)  # type: ignore[arg-type, return-value]
    provision.uncached = lambda cite, as_of: resolved.append(cite) or {"citation": cite, "as_of": str(as_of)}  # type: ignore[method-assign]
    provision._cache = _YieldingDict()
    errors: list[BaseException] = []
    threads, per_thread = 8, 700
    base = date(1990, 1, 1)

    def run(i: int) -> None:
        try:
            for n in range(per_thread):
                provision(CITE, base + timedelta(days=i * per_thread + n))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    workers = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(threads)]
    try:
        for w in workers:
            w.start()
    finally:
        for w in workers:
            w.join()
    assert threads * per_thread > ProvisionCache.LIMIT
    assert not errors, errors[:3]
    assert len(provision._cache) <= ProvisionCache.LIMIT + threads
    assert provision(CITE, date(2025, 1, 1))["as_of"] == "2025-01-01"
    n = len(resolved)
    assert provision(CITE, date(2025, 1, 1))["as_of"] == "2025-01-01" and len(resolved) == n  # the second is cached
