"""Sparse and dense backends, fusion, embedding cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.dense import DenseBackend, EmbeddingCache
from index.fusion import fuse, top_indices
from index.passages import Passage, embed_text
from index.sparse import BM25Backend, SparseError, get_tokenizer, tok_char1, tok_char2, tok_jieba
from nlp.encoders import HashEncoder


def test_tokenizers_on_statute_text() -> None:
    t = "机动车驾驶人违反道路交通安全法律、法规关于道路通行规定的，处警告或者20元以上200元以下罚款。"
    assert tok_char1(t)[:3] == ["机", "动", "车"]
    assert "罚款" in tok_char2(t) and "20" in tok_char2(t) and "，" not in "".join(tok_char2(t))
    assert "道路交通" in tok_jieba(t) or "交通" in tok_jieba(t)
    with pytest.raises(SparseError):
        get_tokenizer("bigram")


@pytest.mark.parametrize("tokenizer", ["char1", "char2", "char12", "jieba"])
def test_bm25_finds_the_provision_quoted(passages: list[Passage], tokenizer: str) -> None:
    arts = [p for p in passages if p.meta["unit"] == "article"]
    bm = BM25Backend(tokenizer)
    bm.build([embed_text(p) for p in arts])
    target = next(i for i, p in enumerate(arts) if p.meta["law"] == "中华人民共和国食品安全法" and p.meta["article"] == 122)
    scores = bm.scores("未取得食品生产经营许可从事食品生产经营活动")
    assert scores.shape == (len(arts),)
    assert int(np.argmax(scores)) == target
    assert not bm.scores("zzzz").any()  # no token in the vocabulary: all zero, no error


def test_bm25_save_load_roundtrip(tmp_path: Path, passages: list[Passage]) -> None:
    texts = [embed_text(p) for p in passages[:300]]
    bm = BM25Backend("char2")
    bm.build(texts)
    bm.save(tmp_path / "bm25")
    again = BM25Backend.load(tmp_path / "bm25", "char2", len(texts))
    q = texts[17][5:40]
    assert np.allclose(bm.scores(q), again.scores(q))


def test_dense_search_respects_mask() -> None:
    enc = HashEncoder(64)
    texts = ["禁止在人行道上停放机动车", "饮酒后驾驶机动车", "销售超过保质期的食品", "占用消防车通道"]
    dense = DenseBackend(enc.encode_passages(texts))
    q = enc.encode_queries(["饮酒后驾驶机动车"])[0]
    ids, scores = dense.search(q, 2)
    assert ids[0] == 1 and scores[0] == pytest.approx(1.0, abs=1e-5)
    mask = np.array([True, False, True, True])
    ids, _ = dense.search(q, 3, mask)
    assert 1 not in set(ids.tolist())
    assert np.allclose(dense.score_rows(q, np.array([1, 3])), dense.vectors()[[1, 3]] @ q)


def test_fusion_reduces_to_one_side_and_mixes() -> None:
    d = np.array([0.90, 0.85, 0.80], dtype=np.float32)
    s = np.array([1.0, 9.0, 5.0], dtype=np.float32)
    assert np.argmax(fuse(d, s, 1.0)) == 0
    assert np.argmax(fuse(d, s, 0.0)) == 1
    for method in ("minmax", "zscore", "rrf"):
        # Row 1 is best on BM25 and second on dense; row 2 is never better than row 1.
        f = fuse(d, s, 0.5, method)
        assert f.shape == (3,)
        assert int(np.argmax(f)) == 1 and int(np.argmin(f)) == 2
    with pytest.raises(ValueError):
        fuse(d, s, 0.5, "max")


class _Counting(HashEncoder):
    def __init__(self) -> None:
        super().__init__(32)
        self.calls = 0

    def encode_passages(self, texts, show_progress=False):  # type: ignore[override]
        self.calls += len(texts)
        return super().encode_passages(texts, show_progress)


def test_embedding_cache_reembeds_only_new_texts(tmp_path: Path) -> None:
    enc = _Counting()
    texts = ["甲条文", "乙条文", "甲条文"]
    cache = EmbeddingCache(tmp_path, enc.name)
    v1, n1 = cache.embed(enc, texts)
    assert n1 == 2 and enc.calls == 2  # duplicates embedded once
    cache.save()
    cache2 = EmbeddingCache(tmp_path, enc.name)
    v2, n2 = cache2.embed(enc, texts + ["丙条文"])
    assert n2 == 1 and enc.calls == 3
    assert np.allclose(v1, v2[:3])
    assert len(EmbeddingCache(tmp_path, "another-encoder")) == 0


def test_embedding_cache_survives_duplicate_keys_on_disk(tmp_path: Path) -> None:
    # Two writers racing can leave one text stored twice; the cache must still load, extend and save.
    enc = _Counting()
    cache = EmbeddingCache(tmp_path, enc.name)
    cache.embed(enc, ["甲", "乙"])
    cache.save()
    d = tmp_path / enc.name
    keys, vecs = np.load(d / "keys.npy"), np.load(d / "vectors.npy")
    np.save(d / "keys.npy", np.concatenate([keys, keys[:1]]))
    np.save(d / "vectors.npy", np.concatenate([vecs, vecs[:1]]))
    again = EmbeddingCache(tmp_path, enc.name)
    out, n = again.embed(enc, ["甲", "丙"])
    assert n == 1
    again.save()
    final = EmbeddingCache(tmp_path, enc.name)
    assert len(final) == 3 and len(final.vecs) == 3
    assert np.allclose(final.embed(enc, ["甲", "丙"])[0], out)


def test_embedding_cache_keys_ending_in_nul_survive_a_reload(tmp_path: Path) -> None:
    # sha256 digests end in a NUL byte 1 time in 256: they must round-trip like any other.
    from index.passages import text_hash

    texts = [f"条文{i}" for i in range(3000)]
    assert any(text_hash(t).endswith("00") for t in texts)
    enc = _Counting()
    cache = EmbeddingCache(tmp_path, enc.name)
    cache.embed(enc, texts)
    cache.save()
    _, n = EmbeddingCache(tmp_path, enc.name).embed(enc, texts)
    assert n == 0


@pytest.mark.parametrize("k", [1, 5, 20, 200, 999, 1000, 1500])
def test_top_indices_is_an_exact_top_k(k):
    """The sampled threshold never loses a top value: same set as a full partition (ties at -inf, zeros, skew)."""
    rng = np.random.default_rng(k)
    for x in (rng.gamma(1.0, 3.0, 1000).astype(np.float32),
              np.where(rng.random(1000) < 0.7, rng.gamma(0.5, 2.0, 1000), -np.inf).astype(np.float32),
              np.zeros(1000, dtype=np.float32), np.sort(rng.random(1000)).astype(np.float32)):
        got = top_indices(x, k)
        assert len(got) == min(k, len(x)) and len(set(got.tolist())) == len(got)
        want = np.sort(x)[::-1][: min(k, len(x))]
        assert np.array_equal(np.sort(x[got])[::-1], want)


@pytest.mark.parametrize("tokenizer", ["char12", "jieba"])
def test_streamed_bm25_build_equals_bm25s_own_index(passages: list[Passage], tokenizer: str) -> None:
    """The streamed build (index.sparse) gives every token the postings and float32 scores bm25s.BM25.index gives."""
    import bm25s

    texts = [embed_text(p) for p in passages] + [""]  # an empty text takes bm25s's empty token
    ours = BM25Backend(tokenizer)
    ours.build(iter(texts))  # any iterable: the build streams
    ref = bm25s.BM25(k1=ours.k1, b=ours.b)
    ref.index([ours.tokenize(t) or [""] for t in texts], show_progress=False)
    va, vb = ours.model.vocab_dict, ref.vocab_dict
    assert set(va) == set(vb)
    a, b = ours.model.scores, ref.scores
    assert len(a["data"]) == len(b["data"]) and len(a["indptr"]) == len(b["indptr"])
    for tok, i in va.items():
        j = vb[tok]
        if i >= len(a["indptr"]) - 1:  # the empty token outside the matrix, in both
            assert j >= len(b["indptr"]) - 1
            continue
        sa, sb = slice(a["indptr"][i], a["indptr"][i + 1]), slice(b["indptr"][j], b["indptr"][j + 1])
        assert np.array_equal(a["indices"][sa], b["indices"][sb]), tok
        assert np.array_equal(a["data"][sa], b["data"][sb]), tok
    twin = BM25Backend(tokenizer)
    twin.model, twin.n = ref, len(texts)
    for q in ("未取得食品生产经营许可从事食品生产经营活动", "占用、堵塞、封闭消防车通道", texts[5][:30]):
        assert np.array_equal(ours.scores(q), twin.scores(q))


def test_streamed_bm25_files_are_reproducible(tmp_path: Path, passages: list[Passage]) -> None:
    """Token ids follow first appearance, so the same texts give byte-identical files (bm25s numbers them by set order,
    which changes with the process's string hashing)."""
    texts = [embed_text(p) for p in passages[:400]]
    for name in ("a", "b"):
        bm = BM25Backend("char12")
        bm.build(texts)
        bm.save(tmp_path / name)
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
