"""Fixtures for the index tests: real passages from the real statute store, a hashing encoder for mechanics."""

from __future__ import annotations

from pathlib import Path

import pytest

from index.engine import IndexConfig
from index.passages import Passage, passages_from_store
from index.search import Searcher
from nlp.citations import normalize_title
from nlp.encoders import HashEncoder

# A few instruments that exercise the interesting cases: items in a later 款 (消防法 第六十条), explicit 违则
# references (广告法, 城市道路管理条例 with half-width items), two versions with renumbering (商标法 2019 / 2027),
# a law repealed on 2026-08-15 and the code that replaced it (大气污染防治法 / 生态环境法典).
LAWS = (
    "中华人民共和国消防法",
    "中华人民共和国道路交通安全法",
    "中华人民共和国食品安全法",
    "中华人民共和国广告法",
    "中华人民共和国商标法",
    "中华人民共和国大气污染防治法",
    "中华人民共和国生态环境法典",
    "城市道路管理条例",
)


class CountingEncoder(HashEncoder):
    """HashEncoder that counts how many passages it was asked to embed."""

    def __init__(self, dim: int = 256) -> None:
        super().__init__(dim)
        self.encoded = 0

    def encode_passages(self, texts, show_progress: bool = False):  # type: ignore[override]
        self.encoded += len(texts)
        return super().encode_passages(texts, show_progress)


@pytest.fixture(scope="session")
def passages(store) -> list[Passage]:
    keys = {normalize_title(t) for t in LAWS}
    out = [p for p in passages_from_store(store) if p.meta["law_key"] in keys]
    assert out, "the store lacks the test instruments"
    return out


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("index")


@pytest.fixture(scope="session")
def searcher(passages: list[Passage], index_dir: Path) -> Searcher:
    cfg = IndexConfig(dense_units=("article", "liability:item"))
    return Searcher.build(passages, HashEncoder(256), cfg, index_dir=index_dir, corpus_version="test")
