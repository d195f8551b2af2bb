"""Benchmark citation verification on the full store (issue #2).

Reports verification throughput (citations/s) over every cross-reference in the 罚则 of laws and
regulations in force, and single-lookup latency (p50/p95) for canonical citations.

    python scripts/bench_verify.py [--store data/corpus.sqlite]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date
from pathlib import Path

from corpus.resolver import Resolver
from corpus.store import Store
from nlp.citations import Context


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", type=Path, default=Path("data/corpus.sqlite"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    store = Store.open(args.store)
    resolver = Resolver(store)
    print(f"open store + resolver: {time.perf_counter() - t0:.2f} s")
    today = date.today()
    texts = [(p.text, Context(law=p.title, article=p.article, article_sub=p.sub))
             for p in store.iter_provisions(as_of=today, levels=("article",)) if p.liability]
    t0 = time.perf_counter()
    n = verified = 0
    for text, ctx in texts:
        for r in resolver.verify_text(text, today, ctx):
            n += 1
            verified += r.status == "verified"
    dt = time.perf_counter() - t0
    print(f"verify_text: {len(texts)} liability articles, {n} citations in {dt:.2f} s = {n / dt:.0f} citations/s "
          f"({verified / n:.1%} verified)")

    units = list(store.iter_provisions(as_of=today, levels=("article", "paragraph", "item")))
    rng = random.Random(7)
    sample = rng.sample(units, 2000)
    lat = []
    for p in sample:
        t = time.perf_counter()
        resolver.lookup(p.citation, today)
        lat.append((time.perf_counter() - t) * 1000)
    lat.sort()
    print(f"lookup: {len(lat)} canonical citations, p50 {statistics.median(lat):.2f} ms, "
          f"p95 {lat[int(len(lat) * 0.95)]:.2f} ms, max {lat[-1]:.2f} ms")


if __name__ == "__main__":
    main()
