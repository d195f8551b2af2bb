"""Benchmark items for retrieved provisions (analysis.items): 款/项 agreement, party, title similarity, reloads.

Real data: the benchmark tables seeded from ../shared into the test data dir and the real statute store.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from analysis.items import ItemMatcher, cite_agreement, item_similarity
from analysis.provisions import ProvisionCache
from corpus.benchmarks import DEFAULT_BENCHMARK, BenchmarkStore
from nlp.facts import extract_facts

DECISION = date(2026, 11, 1)


@pytest.fixture(scope="module")
def benchmarks(data_dir: Path) -> BenchmarkStore:
    return BenchmarkStore.open(data_dir / "benchmarks.sqlite", create=False)


@pytest.fixture(scope="module")
def matcher(benchmarks: BenchmarkStore, resolver) -> ItemMatcher:  # noqa: ANN001 - the conftest resolver
    return ItemMatcher(lambda: benchmarks, ProvisionCache(lambda: resolver))


def test_items_sharing_an_article_are_ranked_by_kuan_xiang_and_title(matcher: ItemMatcher) -> None:
    """Audit 1: items citing one article are told apart by the cited 款/项 and by the title, not insertion order."""
    text = "某公司废气排放超标0.5倍"
    hit = {"citation": "《中华人民共和国大气污染防治法》第九十九条", "law": "中华人民共和国大气污染防治法", "article": 99,
           "basis": None, "violated": None}
    ranked = matcher.match([hit], DECISION, date(2025, 6, 1), text, extract_facts(text), "organization")
    assert ranked[0]["summary"]["item_id"] == "jiangmen-3-3"  # 超标, not 3-2 (无证排放) listed first in the table
    # a hit on another 项 of the same article does not pick the item of (二)项 over an agreeing one
    food = {"citation": "《中华人民共和国食品安全法》第一百二十五条第一款第（四）项", "law": "中华人民共和国食品安全法",
            "article": 125, "basis": None, "violated": None}
    (m,) = [m for m in matcher.match([food], DECISION, date(2026, 10, 1)) if m["item"].id == "food-03"]
    assert m["summary"]["citation_conflict"] and m["summary"]["citation_agreement"] == "other"


def test_a_matched_items_citations_are_checked_on_the_violation_date(matcher: ItemMatcher) -> None:
    hit = {"citation": "《中华人民共和国大气污染防治法》第九十九条", "law": "中华人民共和国大气污染防治法", "article": 99,
           "basis": None, "violated": None}
    (first, *_) = matcher.match([hit], DECISION, date(2025, 6, 1))
    cited = first["summary"]["basis"] + first["summary"]["violated"]
    assert cited and all(c["status"] != "unparsed" and c["citation"].startswith("《") for c in cited)
    assert first["summary"]["via"] in ("basis", "violated", "hit")


def test_party_type_puts_the_partys_own_item_first(matcher: ItemMatcher) -> None:
    """Pitfall (c): 单位 and 个人 are fined under different 款 of 消防法 第六十条."""
    hit = {"citation": "《中华人民共和国消防法》第六十条", "law": "中华人民共和国消防法", "article": 60, "basis": None,
           "violated": None}
    text = "张某在楼道堵塞疏散通道"
    person = matcher.match([hit], DECISION, date(2026, 10, 1), text, extract_facts(text), "individual")
    unit = matcher.match([hit], DECISION, date(2026, 10, 1), text, extract_facts(text), "organization")
    assert person[0]["item"].party in ("individual", "any") and not person[0]["summary"]["party_mismatch"]
    assert unit[0]["item"].party in ("organization", "any") and not unit[0]["summary"]["party_mismatch"]
    assert person[0]["item"].id != unit[0]["item"].id


def test_the_title_fallback_finds_the_item_a_description_names(matcher: ItemMatcher) -> None:
    """No retrieved provision maps to an item: item titles and conditions are matched instead, never a 不予处罚 list."""
    t = "经营超过保质期的食品"
    found = matcher.by_title(t, extract_facts(t), DECISION, None, None)
    assert found[0]["item"].id == "food-02"
    assert all(m["summary"]["via"] == "title" and not m["summary"]["no_penalty_list"] for m in found)
    sims = [m["summary"]["similarity"] for m in found]
    assert all(s >= 0.3 for s in sims)


def test_citation_agreement_tells_exact_compatible_and_other() -> None:
    art = "《中华人民共和国食品安全法》第一百二十五条"
    kuan = art + "第一款"
    assert cite_agreement(kuan + "第（四）项", kuan + "第（四）项") == 0
    assert cite_agreement(kuan + "第（四）项", art) == cite_agreement(art, kuan) == cite_agreement(kuan, "") == 1
    assert cite_agreement(kuan + "第（二）项", kuan + "第（四）项") == 2


def test_title_similarity_prefers_the_item_the_description_is_about(benchmarks: BenchmarkStore) -> None:
    all_items = [it for b in benchmarks.list() for it in benchmarks.items(benchmark=b.name)]
    text = "经营超过保质期的食品"
    best = max(all_items, key=lambda it: item_similarity(it, text, set()))
    assert "保质期" in best.title
    assert item_similarity(best, "", set()) == 0.0  # nothing to compare: no similarity, never a division by zero


def test_a_reloaded_table_is_seen_without_a_restart(tmp_path: Path, data_dir: Path, resolver) -> None:  # noqa: ANN001
    """The matcher keeps the tables it read until the store's signature changes (a table loaded by another
    connection, as ``enforcement-helper load-benchmark`` does while the service runs)."""
    path = tmp_path / "benchmarks.sqlite"
    shutil.copy(data_dir / "benchmarks.sqlite", path)
    serving = BenchmarkStore.open(path, create=False)
    matcher = ItemMatcher(lambda: serving, ProvisionCache(lambda: resolver))
    infos, _ = matcher.bench_cache()
    before = len(matcher.all_items)
    assert "reload-test" not in infos
    report = BenchmarkStore.open(path).load(DEFAULT_BENCHMARK, resolver=resolver, name="reload-test")
    assert report.ok
    infos, _ = matcher.bench_cache()
    assert "reload-test" in infos
    assert len(matcher.all_items) > before
    assert any(b == "reload-test" for b, _ in matcher.all_items)
