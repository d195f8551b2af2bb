"""``python -m corpus.benchmarks``: load an agency table, list stored benchmarks, seed the real sources.

The project CLI (``enforcement-helper benchmarks load|list``) calls the same functions; this entry point
needs only paths, so an agency can check its table before the service is set up::

    python -m corpus.benchmarks load my_table.xlsx --store data/benchmarks.sqlite --statutes data/corpus.sqlite
    python -m corpus.benchmarks list --store data/benchmarks.sqlite
    python -m corpus.benchmarks seed --store data/benchmarks.sqlite --statutes data/corpus.sqlite --raw ../shared/corpus/raw
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from corpus.benchmarks import BenchmarkError, BenchmarkStore, seed
from corpus.benchmarks.cites import ResolverLike


def _resolver(path: Path | None) -> ResolverLike | None:
    if path is None:
        return None
    from corpus.resolver import Resolver
    from corpus.store import Store

    return Resolver(Store.open(path))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m corpus.benchmarks", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    ld = sub.add_parser("load", help="load a YAML/CSV/XLSX table and print what was parsed and what was not")
    ld.add_argument("path", type=Path)
    ld.add_argument("--name", default=None, help="benchmark name (default: file stem or the YAML's name)")
    ls = sub.add_parser("list", help="list stored benchmarks")
    sd = sub.add_parser("seed", help="store the SAMPLE benchmark and the real tables under shared/corpus/raw")
    sd.add_argument("--raw", type=Path, required=True, help="shared/corpus/raw")
    for p in (ld, ls, sd):
        p.add_argument("--store", type=Path, required=True, help="benchmark store (e.g. data/benchmarks.sqlite)")
        p.add_argument("--json", action="store_true", help="machine-readable output")
    for p in (ld, sd):
        p.add_argument("--statutes", type=Path, default=None, help="statute store for citation checks (data/corpus.sqlite)")
    args = ap.parse_args(argv)
    try:
        store = BenchmarkStore.open(args.store)
        if args.cmd == "load":
            rep = store.load(args.path, resolver=_resolver(args.statutes), name=args.name)
            print(rep.model_dump_json(indent=1) if args.json else rep.summary())
            return 0 if rep.ok else 2
        if args.cmd == "seed":
            reps = seed(store, args.raw, _resolver(args.statutes))
            for rep in reps:
                print(rep.model_dump_json() if args.json else rep.summary())
            return 0
        infos = store.list()
        if args.json:
            print(json.dumps([i.to_dict() for i in infos], ensure_ascii=False, indent=1))
        else:
            for i in infos:
                window = f"{i.valid_from or '…'} – {i.valid_to or '…'}"
                print(f"{i.name:34s} {i.items:4d} items {i.tiers:4d} tiers  {window:25s} {i.doc_no or ''}"
                      + ("  [SAMPLE]" if i.sample else ""))
        return 0
    except BenchmarkError as exc:
        print(f"error ({exc.code}): {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
