"""Score fusion of the dense and sparse backends over a candidate set.

Methods (chosen on the dev set by scripts/bench_search.py; the default is the measured winner):
* ``minmax``: weighted sum of scores min-max normalised over the candidates;
* ``zscore``: weighted sum of z-scores over the candidates (robust to e5's compressed cosines);
* ``rrf``: reciprocal-rank fusion, ``Σ w / (k + rank)``.
"""

from __future__ import annotations

import numpy as np

FUSIONS = ("minmax", "zscore", "rrf")


def minmax(x: np.ndarray) -> np.ndarray:
    """Scores scaled to [0, 1] (all zeros when they are all equal)."""
    lo, hi = float(x.min()), float(x.max())
    return np.zeros_like(x) if hi - lo < 1e-9 else (x - lo) / (hi - lo)


def top_indices(x: np.ndarray, k: int, stride: int = 32) -> np.ndarray:
    """Indices of the ``k`` largest values of ``x`` (unordered), as ``np.argpartition`` would give them.

    A full partition of the 144k BM25 scores costs ~1.5 ms a query. A strided sample gives a threshold; when at
    least ``k`` values reach it, the top ``k`` are all among them, so only those few are partitioned (exact, ~0.07
    ms). Otherwise it falls back to the full partition.
    """
    n = len(x)
    if k >= n:
        return np.arange(n)
    if k < 1:
        return np.zeros(0, dtype=np.int64)
    sample = x[::stride]
    j = min(len(sample), (4 * k) // stride + 4)  # ~4k values expected to reach it; fewer than k is rare
    threshold = np.partition(sample, len(sample) - j)[len(sample) - j]
    cand = np.flatnonzero(x >= threshold)
    if len(cand) < k:
        return np.argpartition(-x, k - 1)[:k]
    return cand[np.argpartition(-x[cand], k - 1)[:k]]


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return np.zeros_like(x) if sd < 1e-9 else (x - float(x.mean())) / sd


def _ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(-x, kind="stable")
    r = np.empty(len(x), dtype=np.float32)
    r[order] = np.arange(1, len(x) + 1, dtype=np.float32)
    return r


def fuse(
    dense: np.ndarray | None,
    sparse: np.ndarray | None,
    dense_weight: float,
    method: str = "minmax",
    rrf_k: float = 60.0,
) -> np.ndarray:
    """Fused score per candidate (higher is better).

    Args:
        dense: dense scores of the candidates (None: sparse only).
        sparse: sparse scores of the same candidates (None: dense only).
        dense_weight: weight of the dense side in [0, 1]; the sparse side gets the rest.
        method: one of :data:`FUSIONS`.
        rrf_k: the RRF constant.
    """
    if dense is None and sparse is None:
        raise ValueError("nothing to fuse")
    if dense is None or dense_weight <= 0.0:
        return np.asarray(sparse, dtype=np.float32)
    if sparse is None or dense_weight >= 1.0:
        return np.asarray(dense, dtype=np.float32)
    w = float(dense_weight)
    if method == "minmax":
        return w * minmax(dense) + (1 - w) * minmax(sparse)
    if method == "zscore":
        return w * _z(dense) + (1 - w) * _z(sparse)
    if method == "rrf":
        return w / (rrf_k + _ranks(dense)) + (1 - w) / (rrf_k + _ranks(sparse))
    raise ValueError(f"unknown fusion {method!r}; expected one of {FUSIONS}")
