"""Dense backend (faiss inner product over L2-normalised e5 vectors) and the embedding cache."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from index.passages import text_hash
from nlp.encoders import Encoder


class DenseBackend:
    """Exact inner-product search (faiss ``IndexFlatIP``).

    ~60–140k rows × 384 dims is small enough for a flat index: an exhaustive query costs a few ms, and exact scores
    keep fusion and the no-match calibration stable. Date filtering goes through a faiss ID selector.
    """

    def __init__(self, vectors: np.ndarray) -> None:
        import faiss

        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.dim = int(vectors.shape[1])
        self.index = faiss.IndexFlatIP(self.dim)
        if len(vectors):
            self.index.add(vectors)
        self._faiss = faiss

    @property
    def n(self) -> int:
        return int(self.index.ntotal)

    def search(self, qvec: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` rows for one query vector.

        Args:
            qvec: (dim,) query vector.
            k: how many rows.
            allowed: optional boolean mask over rows (e.g. in force on the as-of date).

        Returns:
            (row ids, scores), best first; ids are -1 where fewer than ``k`` rows qualify.
        """
        k = max(1, min(k, self.n))
        q = np.ascontiguousarray(qvec.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            bitmap = np.packbits(allowed.astype(np.uint8), bitorder="little")
            sel = self._faiss.IDSelectorBitmap(len(allowed), self._faiss.swig_ptr(bitmap))
            params = self._faiss.SearchParameters(sel=sel)
            scores, ids = self.index.search(q, k, params=params)
        else:
            scores, ids = self.index.search(q, k)
        return ids[0], scores[0]

    def vectors(self) -> np.ndarray:
        """The stored vectors as a read-only numpy view (no copy)."""
        if self.n == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._faiss.rev_swig_ptr(self.index.get_xb(), self.n * self.dim).reshape(self.n, self.dim)

    def score_rows(self, qvec: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact scores of given rows (for fusion candidates the other backend found)."""
        if len(rows) == 0:
            return np.zeros(0, dtype=np.float32)
        return self.vectors()[rows] @ qvec.astype(np.float32)


class EmbeddingCache:
    """Vectors keyed by sha256 of the embedded text, per encoder, stored as two .npy files.

    A rebuild with unchanged texts re-embeds nothing; changed or new texts are embedded and appended.
    """

    def __init__(self, root: Path, encoder_name: str) -> None:
        self.dir = Path(root) / encoder_name
        self.keys: dict[bytes, int] = {}
        self.vecs: np.ndarray | None = None
        kp, vp = self.dir / "keys.npy", self.dir / "vectors.npy"
        if kp.is_file() and vp.is_file():
            keys = np.load(kp)
            vecs = np.load(vp)
            if len(keys) == len(vecs):
                # Keys are raw 32-byte digests stored as uint8 rows. (A fixed-width bytes dtype would drop a digest's
                # trailing NUL bytes on read, so ~1 key in 256 would never match again.)
                if keys.dtype == np.uint8:
                    self.keys = {k.tobytes(): i for i, k in enumerate(keys)}
                else:  # older S32 files: restore the stripped NULs
                    self.keys = {bytes(k).ljust(32, b"\0"): i for i, k in enumerate(keys)}
                self.vecs = vecs

    def __len__(self) -> int:
        return len(self.keys)

    def embed(
        self, encoder: Encoder, texts: Sequence[str], show_progress: bool = False
    ) -> tuple[np.ndarray, int]:
        """Vectors for ``texts``: cached ones looked up, the rest encoded and added to the cache.

        Returns:
            (vectors, number of texts actually encoded).
        """
        digests = [bytes.fromhex(text_hash(t)) for t in texts]
        missing: dict[bytes, int] = {}
        for i, d in enumerate(digests):
            if d not in self.keys and d not in missing:
                missing[d] = i
        if missing:
            new = encoder.encode_passages([texts[i] for i in missing.values()], show_progress=show_progress)
            base = 0 if self.vecs is None else len(self.vecs)
            self.vecs = new if self.vecs is None else np.concatenate([self.vecs, new.astype(self.vecs.dtype)])
            for j, d in enumerate(missing):
                self.keys[d] = base + j
        dim = encoder.dim if self.vecs is None else self.vecs.shape[1]
        out = np.zeros((len(texts), dim), dtype=np.float32)
        if texts:
            rows = np.fromiter((self.keys[d] for d in digests), dtype=np.int64, count=len(digests))
            out[:] = self.vecs[rows]
        return out, len(missing)

    def save(self) -> None:
        """Write the cache (atomically per file)."""
        if self.vecs is None:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        # Compact: rows no key points to (a key stored twice by an older writer) are dropped.
        items = sorted(self.keys.items(), key=lambda kv: kv[1])
        rows = np.fromiter((i for _, i in items), dtype=np.int64, count=len(items))
        if len(rows) != len(self.vecs) or (len(rows) and rows[-1] != len(rows) - 1):
            self.vecs = self.vecs[rows]
            self.keys = {k: j for j, (k, _) in enumerate(items)}
        keys = np.zeros((len(self.keys), 32), dtype=np.uint8)
        for k, i in self.keys.items():
            keys[i] = np.frombuffer(k, dtype=np.uint8)
        for name, arr in (("keys.npy", keys), ("vectors.npy", self.vecs)):
            tmp = self.dir / f".{name}.{os.getpid()}.tmp"
            with tmp.open("wb") as f:
                np.save(f, arr)
            tmp.replace(self.dir / name)
