"""Compare two built index directories: are they the same index?

Checks passages.jsonl, vec_row.npy, vectors.npy and rerank.txt byte for byte; BM25 term by term (the vocabulary may be
numbered differently, so each token's postings — documents and scores — are compared after mapping ids); pairs.json
table by table (explicit pairs exactly; retrieved partners and their cosines, reporting the largest score difference
and any partner list that differs).

Usage::

    .venv/bin/python scripts/compare_index.py DIR_A DIR_B

Exit code 0 when everything is equal (retrieved-pair scores within ``--tol``), 1 otherwise.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import sys
from pathlib import Path

import numpy as np


def _bytes_equal(a: Path, b: Path) -> bool:
    if not a.exists() and not b.exists():
        return True
    return a.exists() and b.exists() and filecmp.cmp(a, b, shallow=False)


def compare_bm25(a: Path, b: Path) -> list[str]:
    """Differences between two bm25s directories, token by token."""
    out: list[str] = []
    va = json.loads((a / "vocab.index.json").read_text(encoding="utf-8"))
    vb = json.loads((b / "vocab.index.json").read_text(encoding="utf-8"))
    if set(va) != set(vb):
        out.append(f"bm25: vocabularies differ ({len(set(va) ^ set(vb))} tokens in one only)")
        return out
    pa = json.loads((a / "params.index.json").read_text(encoding="utf-8"))
    pb = json.loads((b / "params.index.json").read_text(encoding="utf-8"))
    pa.pop("version", None), pb.pop("version", None)
    if pa != pb:
        out.append(f"bm25: params differ: {pa} vs {pb}")
    load = {d: {n: np.load(d / f"{n}.csc.index.npy", mmap_mode="r") for n in ("data", "indices", "indptr")}
            for d in (a, b)}  # fmt: skip
    A, B = load[a], load[b]
    if len(A["data"]) != len(B["data"]):
        out.append(f"bm25: {len(A['data'])} vs {len(B['data'])} postings")
        return out
    ncols_a, ncols_b = len(A["indptr"]) - 1, len(B["indptr"]) - 1
    if ncols_a != ncols_b:
        out.append(f"bm25: {ncols_a} vs {ncols_b} columns")
        return out
    # Permute B's columns into A's numbering, then compare the arrays whole.
    tokens = [t for t, i in va.items() if i < ncols_a]
    ia = np.array([va[t] for t in tokens], dtype=np.int64)
    ib = np.array([vb[t] for t in tokens], dtype=np.int64)
    order_b = np.empty(ncols_a, dtype=np.int64)
    order_b[ia] = ib  # A's column j is B's column order_b[j]
    starts, ends = np.asarray(B["indptr"][:-1])[order_b], np.asarray(B["indptr"][1:])[order_b]
    lens = ends - starts
    if not np.array_equal(lens, np.diff(np.asarray(A["indptr"]))):
        out.append("bm25: posting-list lengths differ")
        return out
    idx = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens) + np.arange(lens.sum())
    if not np.array_equal(np.asarray(B["indices"])[idx], np.asarray(A["indices"])):
        out.append("bm25: posting documents differ")
    db, da = np.asarray(B["data"])[idx], np.asarray(A["data"])
    if not np.array_equal(db, da):
        out.append(
            f"bm25: scores differ (max |Δ| {float(np.abs(db - da).max()):.3g}, {int((db != da).sum())} postings)"
        )
    return out


def compare_pairs(a: Path, b: Path, tol: float) -> tuple[list[str], list[str]]:
    """(differences, notes) between two pairs.json files."""
    pa = json.loads(a.read_text(encoding="utf-8"))
    pb = json.loads(b.read_text(encoding="utf-8"))
    diffs: list[str] = []
    notes: list[str] = []
    if pa["explicit"] != pb["explicit"]:
        diffs.append("pairs: explicit tables differ")
    for table in ("near_violated", "near_basis"):
        ta, tb = pa[table], pb[table]
        if set(ta) != set(tb):
            diffs.append(f"pairs: {table} keys differ")
            continue
        bad = [k for k in ta if ta[k] != tb[k]]
        if bad:
            # A different order among partners whose cosines tie (to float rounding) is no real difference.
            sa = {(x, y): s for x, y, s in pa["near_score"]}
            real = []
            for k in bad:
                if sorted(ta[k]) == sorted(tb[k]):
                    continue
                real.append(k)
            msg = f"pairs: {table}: {len(bad)} rows list partners differently ({len(real)} with other partners)"
            (diffs if real else notes).append(
                msg + (f", e.g. row {real[0]}: {ta[real[0]]} vs {tb[real[0]]}" if real else "")
            )
            del sa
    sa = {(x, y): s for x, y, s in pa["near_score"]}
    sb = {(x, y): s for x, y, s in pb["near_score"]}
    if set(sa) != set(sb):
        diffs.append(f"pairs: near_score keys differ ({len(set(sa) ^ set(sb))})")
    else:
        d = max((abs(sa[k] - sb[k]) for k in sa), default=0.0)
        n = sum(1 for k in sa if sa[k] != sb[k])
        (diffs if d > tol else notes).append(f"pairs: near_score max |Δ| {d:.2g} over {n} of {len(sa)} pairs")
    return diffs, notes


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--tol", type=float, default=2e-5, help="largest retrieved-pair cosine difference accepted")
    args = ap.parse_args()
    diffs: list[str] = []
    notes: list[str] = []
    for name in ("passages.jsonl", "vec_row.npy", "vectors.npy", "rerank.txt"):
        same = _bytes_equal(args.a / name, args.b / name)
        (notes if same else diffs).append(f"{name}: {'identical' if same else 'DIFFERENT'}")
    bm = compare_bm25(args.a / "bm25", args.b / "bm25")
    diffs += bm
    if not bm:
        notes.append("bm25: every token's postings and scores identical")
    if _bytes_equal(args.a / "pairs.json", args.b / "pairs.json"):
        notes.append("pairs.json: identical")
    else:
        d, n = compare_pairs(args.a / "pairs.json", args.b / "pairs.json", args.tol)
        diffs += d
        notes += n
    for line in notes:
        print("  ok   " + line)
    for line in diffs:
        print("  DIFF " + line)
    print("SAME" if not diffs else "DIFFERENT")
    return 0 if not diffs else 1


if __name__ == "__main__":
    sys.exit(main())
