"""Benchmark citations checked against the statute store on a date, memoised for the life of the process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from corpus.resolver import Resolver

__all__ = ["ProvisionCache"]


class ProvisionCache:
    """``(citation, as_of) -> provision dict`` through the resolver, memoised: the store is read-only while the
    process serves. ``resolver`` is called at the first lookup, so a missing store is reported only when needed."""

    #: Entries kept before the cache starts afresh (every day of a churn of violation dates is another key).
    LIMIT = 4096

    def __init__(self, resolver: Callable[[], Resolver]) -> None:
        self._resolver = resolver
        self._cache: dict[tuple[str, date], dict[str, Any]] = {}

    def __call__(self, cite: str, as_of: date | None) -> dict[str, Any]:
        """A benchmark's citation checked against the store on the violation date, with its text (a copy)."""
        cache = self._cache
        key = (cite, as_of or date.today())
        # One read into a local: another request thread may clear the cache between a check and a second read.
        hit = cache.get(key)
        if hit is None:
            hit = self.uncached(cite, as_of)
            if len(cache) > self.LIMIT:
                cache.clear()
            cache[key] = hit
        return dict(hit)

    def uncached(self, cite: str, as_of: date | None) -> dict[str, Any]:
        """The resolver's answer for ``cite`` on ``as_of`` (today when None); an unparsable citation says so."""
        resolver = self._resolver()  # outside the try: a store not built is an error (a ValueError too), not this
        try:
            r = resolver.lookup(cite, as_of or date.today())
        except ValueError:
            return {"citation": cite, "status": "unparsed", "text": None}
        return {"citation": r.normalized or cite, "status": r.status, "reason": r.reason, "text": r.text,
                "as_of_version": r.as_of_version, "later_change": r.later_change}
