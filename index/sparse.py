"""Sparse backend: BM25 (bm25s) over Chinese text with a choice of tokenisation.

Tokenisers (compared on the dev set by scripts/bench_search.py ``--sparse-tokenizer``):
``char1`` single CJK characters, ``char2`` CJK character bigrams, ``char12`` both, ``jieba`` jieba search-mode words.
ASCII words and digits are kept whole in every mode.
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from nlp.errors import EHError

TOKENIZERS = ("char1", "char2", "char12", "jieba")
_RUN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+|[A-Za-z]+|[0-9]+(?:\.[0-9]+)?")
_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class SparseError(EHError):
    """Bad sparse-backend configuration."""

    code = "sparse_error"


def _runs(text: str) -> list[str]:
    return _RUN_RE.findall(text)


def tok_char1(text: str) -> list[str]:
    """Single CJK characters; ASCII words and numbers whole."""
    out: list[str] = []
    for r in _runs(text):
        out.extend(r if _CJK_RE.match(r) else [r.lower()])
    return out


def tok_char2(text: str) -> list[str]:
    """CJK bigrams inside each run of CJK text (a one-character run stays a unigram)."""
    out: list[str] = []
    for r in _runs(text):
        if not _CJK_RE.match(r):
            out.append(r.lower())
        elif len(r) == 1:
            out.append(r)
        else:
            out.extend(r[i : i + 2] for i in range(len(r) - 1))
    return out


def tok_char12(text: str) -> list[str]:
    """Unigrams and bigrams together."""
    return tok_char1(text) + [t for t in tok_char2(text) if len(t) == 2 and _CJK_RE.match(t)]


_JIEBA = None


def tok_jieba(text: str) -> list[str]:
    """jieba search-mode words (punctuation dropped)."""
    global _JIEBA
    if _JIEBA is None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        _JIEBA = jieba
    return [w.lower() for w in _JIEBA.lcut_for_search(text) if _RUN_RE.fullmatch(w) or _CJK_RE.search(w)]


def get_tokenizer(name: str) -> Callable[[str], list[str]]:
    """Tokeniser by name."""
    try:
        return {"char1": tok_char1, "char2": tok_char2, "char12": tok_char12, "jieba": tok_jieba}[name]
    except KeyError:
        raise SparseError(f"unknown sparse tokenizer {name!r}; expected one of {TOKENIZERS}") from None


class BM25Backend:
    """BM25 over passages; returns a score for every passage so date masks and fusion stay exact."""

    def __init__(self, tokenizer: str = "char2", k1: float = 1.2, b: float = 0.75) -> None:
        self.tokenizer_name = tokenizer
        self.tokenize = get_tokenizer(tokenizer)
        self.k1, self.b = k1, b
        self.model = None
        self.n = 0

    def build(self, texts: Iterable[str], show_progress: bool = False) -> None:
        """Index ``texts`` (row i of every later score vector is ``texts[i]``).

        Equivalent to ``bm25s.BM25.index`` on the token lists (same postings, same float32 scores: the same formula
        evaluated in the same dtypes), but streamed: each text is tokenised, counted and dropped at once, so only
        the (document, token, count) triples are held — as compact arrays — instead of every token string of the
        corpus (over 8 GB for 390k passages in char12). Token ids are numbered in order of first appearance, so
        an unchanged corpus gives byte-identical files.
        """
        import bm25s

        model = bm25s.BM25(k1=self.k1, b=self.b)
        if model.method not in ("lucene", "robertson") or (model.idf_method or model.method) != "lucene":
            raise SparseError(f"streamed BM25 build supports the lucene variant only, not {model.method!r}")
        vocab: dict[str, int] = {}
        voc = array("i")  # token id per (document, token) posting, documents in row order
        tf = array("f")  # its count in the document
        n_unique = array("l")  # postings per document
        doc_len = array("l")  # tokens per document (with repeats): BM25's document length
        for text in texts:
            counts = Counter(self.tokenize(text) or [""])
            doc_len.append(sum(counts.values()))
            n_unique.append(len(counts))
            voc.extend(vocab.setdefault(t, len(vocab)) for t in counts)
            tf.extend(counts.values())
        n_docs, n_vocab = len(doc_len), len(vocab)
        if n_docs == 0:
            raise SparseError("no texts to index")
        voc_a = np.frombuffer(voc, dtype=np.int32)
        tf_a = np.frombuffer(tf, dtype=np.float32)
        lens = np.frombuffer(n_unique, dtype=np.int64)
        dlen = np.frombuffer(doc_len, dtype=np.int64)
        avg_doc_len = dlen.mean()  # np.float64, as bm25s computes it: keeps the scores' float64 intermediates
        df = np.bincount(voc_a, minlength=n_vocab)
        # math.log per token as bm25s does (np.log may differ in the last bit).
        idf = np.array([math.log(1 + (n_docs - int(d) + 0.5) / (int(d) + 0.5)) for d in df], dtype=np.float32)
        k1, b = self.k1, self.b
        data = np.empty(len(voc_a), dtype=np.float32)
        rows = np.repeat(np.arange(n_docs, dtype=np.int32), lens)
        step = 1 << 22  # bounded float64 temporaries
        for s in range(0, len(voc_a), step):
            e = s + step
            l_d = dlen[rows[s:e]]
            t = tf_a[s:e]
            data[s:e] = idf[voc_a[s:e]] * (t / (k1 * ((1 - b) + b * l_d / avg_doc_len) + t))
        # CSC by token: a stable sort keeps each token's documents in row order (bm25s sorts by (token, row)).
        order = np.argsort(voc_a, kind="stable")
        indptr = np.zeros(n_vocab + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        scores = {"data": data[order], "indices": rows[order], "indptr": indptr, "num_docs": n_docs}
        del order, rows, data
        if "" not in vocab:
            vocab[""] = n_vocab  # bm25s's empty token, outside the matrix
        model.scores = scores
        model.vocab_dict = vocab
        model.unique_token_ids_set = set(vocab.values())
        model.nonoccurrence_array = None
        self.model = model
        self.n = n_docs

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for ``query`` (zeros when no query token is in the vocabulary)."""
        if self.model is None:
            raise SparseError("BM25 index not built")
        ids = self.model.get_tokens_ids(self.tokenize(query))
        out = np.zeros(self.n, dtype=np.float32)
        # bm25s walks a token's postings once per occurrence: 「第」×5,000 would walk the longest list 5,000 times.
        # Each distinct token is walked once and weighted by its count (the same sum).
        by_count: dict[int, list[int]] = {}
        for token_id, count in Counter(ids).items():
            by_count.setdefault(count, []).append(token_id)
        for count, group in by_count.items():
            out += count * np.asarray(self.model.get_scores_from_ids(group), dtype=np.float32)
        return out

    def doc_term_matrix(self):
        """Passages × vocabulary matrix of BM25 term weights (scipy CSR), rows L2-normalised: a lexical profile of
        each passage, used to pair 罚则 with 违则 without a dense vector for every article."""
        import scipy.sparse as sp

        if self.model is None:
            raise SparseError("BM25 index not built")
        sc = self.model.scores
        m = sp.csc_matrix((np.asarray(sc["data"]), np.asarray(sc["indices"]), np.asarray(sc["indptr"])),
                          shape=(int(sc["num_docs"]), len(sc["indptr"]) - 1)).tocsr()  # fmt: skip
        norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sp.diags(1.0 / norms) @ m

    def save(self, path: Path) -> None:
        """Persist to a directory."""
        if self.model is None:
            raise SparseError("BM25 index not built")
        self.model.save(str(path))

    @classmethod
    def load(cls, path: Path, tokenizer: str, n: int, mmap: bool = True) -> BM25Backend:
        """Load a saved index (memory-mapped unless ``mmap`` is false)."""
        import bm25s

        self = cls(tokenizer)
        self.model = bm25s.BM25.load(str(path), mmap=mmap)
        self.k1, self.b = self.model.k1, self.model.b
        self.n = n
        return self
