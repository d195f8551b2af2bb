"""Searcher mechanics with the hashing encoder: dates, versions, persistence, rebuild cache, bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from index.engine import IndexConfig, IndexError_, PassageIndex
from index.passages import Passage, embed_text
from index.search import Searcher, SearchError
from nlp.encoders import HashEncoder

from .conftest import CountingEncoder


def test_only_provisions_in_force_are_returned(searcher: Searcher) -> None:
    q = "超过大气污染物排放标准排放大气污染物"
    before = searcher.search(q, as_of=date(2026, 8, 14), top_k=10)
    after = searcher.search(q, as_of=date(2026, 8, 15), top_k=10)
    assert before.hits and after.hits
    assert all(h.law != "中华人民共和国生态环境法典" for h in before.hits)
    assert all(h.law != "中华人民共和国大气污染防治法" for h in after.hits)
    for h in before.hits + after.hits:
        day = before.as_of if h in before.hits else after.as_of
        assert ((h.effective_from or "") <= day) == (h.version_status == "in_force")


def test_old_version_hit_reports_newer_version(searcher: Searcher) -> None:
    # 商标法: the 2019 text is in force until 2027-01-01, when the renumbered 2026 revision takes over.
    res = searcher.search("销售侵犯注册商标专用权的商品", as_of=date(2026, 10, 1), top_k=5)
    tm = [h for h in res.hits if h.law == "中华人民共和国商标法"]
    assert tm and all(h.effective_to == "2027-01-01" for h in tm)
    assert all(h.newer_version and h.newer_version["effective_from"] == "2027-01-01" for h in tm)
    res27 = searcher.search("销售侵犯注册商标专用权的商品", as_of=date(2027, 3, 1), top_k=5)
    assert all(h.newer_version is None for h in res27.hits if h.law == "中华人民共和国商标法")
    assert {h.version_id for h in tm}.isdisjoint({h.version_id for h in res27.hits})


def test_repealed_version_reports_end_date(searcher: Searcher) -> None:
    res = searcher.search("施工工地未设置硬质围挡", as_of=date(2025, 6, 1), top_k=3)
    air = [h for h in res.hits if h.law == "中华人民共和国大气污染防治法"]
    assert air and "2026-08-15" in air[0].newer_version["note"]


def test_hits_are_distinct_articles_with_fields(searcher: Searcher) -> None:
    res = searcher.search("占用、堵塞、封闭疏散通道、安全出口", as_of=date(2026, 10, 1), top_k=8)
    keys = [(h.version_id, h.article, h.article_sub) for h in res.hits]
    assert len(keys) == len(set(keys)) == 8
    top = res.hits[0]
    assert top.law == "中华人民共和国消防法" and top.article in (28, 60)  # the prohibition or its 罚则
    d = top.to_dict()
    for f in ("citation", "law", "article", "paragraph", "item", "text", "score", "violated", "basis"):
        assert f in d
    assert [h.score for h in res.hits] == sorted((h.score for h in res.hits), reverse=True)
    json.dumps(res.to_dict(), ensure_ascii=False)


def test_bad_input_raises_value_error_with_code(searcher: Searcher) -> None:
    for bad in ("", "   "):
        with pytest.raises(SearchError) as e:
            searcher.search(bad)
        assert e.value.code == "bad_search"
    with pytest.raises(SearchError):
        searcher.search("闯红灯", top_k=0)


def test_persisted_index_gives_same_results(searcher: Searcher, index_dir: Path) -> None:
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["passage_count"] == len(searcher.index.passages)
    assert manifest["encoder"] == "hash-256-1-2" and manifest["corpus_version"] == "test"
    assert manifest["corpus_hash"] and manifest["built_at"] and manifest["build_seconds"] >= 0
    loaded = Searcher.load(index_dir, HashEncoder(256))
    for q in ("饮酒后驾驶机动车", "未取得食品生产经营许可从事食品生产经营活动"):
        a = searcher.search(q, as_of=date(2026, 10, 1))
        b = loaded.search(q, as_of=date(2026, 10, 1))
        assert [(h.id, h.score) for h in a.hits] == [(h.id, h.score) for h in b.hits]
    with pytest.raises(IndexError_):
        Searcher.load(index_dir, HashEncoder(128))  # built with another encoder


def test_rebuild_with_unchanged_texts_embeds_nothing(passages: list[Passage], tmp_path: Path) -> None:
    few = [p for p in passages if p.meta["law"] in ("中华人民共和国消防法", "城市道路管理条例")]
    enc = CountingEncoder()
    cfg = IndexConfig(dense_units=("article",))
    Searcher.build(few, enc, cfg, index_dir=tmp_path)
    first = enc.encoded
    # one vector per distinct text: an article unchanged across versions is embedded once
    assert first == len({embed_text(p) for p in few if p.meta["unit"] == "article"})
    Searcher.build(few, enc, cfg, index_dir=tmp_path)
    assert enc.encoded == first
    assert PassageIndex.read_manifest(tmp_path)["encoded_this_build"] == 0
    changed = [Passage(p.id, p.text + "（修改）", p.meta) if p.meta["unit"] == "article" and p.meta["article"] == 1
               else p for p in few]  # fmt: skip
    Searcher.build(changed, enc, cfg, index_dir=tmp_path)
    new_texts = {embed_text(p) for p in changed if p.meta["unit"] == "article"} - {embed_text(p) for p in few}
    assert len(new_texts) >= 2 and enc.encoded == first + len(new_texts)  # only the changed 第一条 of each version


def test_from_store_reuses_current_index(store, tmp_path: Path) -> None:
    enc = CountingEncoder(64)
    cfg = IndexConfig(dense="none", granularity=("article",))
    s1 = Searcher.from_store(store, enc, tmp_path, cfg, quiet=True)
    assert s1.index.manifest["corpus_version"] == store.corpus_version()
    built_at = s1.index.manifest["built_at"]
    s2 = Searcher.from_store(store, enc, tmp_path, cfg, quiet=True)
    assert s2.index.manifest["built_at"] == built_at  # loaded, not rebuilt
    assert s2.search("饮酒后驾驶机动车", as_of=date(2026, 10, 1)).hits


def test_narrative_boilerplate_does_not_change_top_hit(searcher: Searcher) -> None:
    plain = searcher.search("在人行道上停放机动车", as_of=date(2026, 9, 3), top_k=3)
    story = searcher.search(
        "经查，2026年9月3日14时许，当事人张某驾驶渝A12345小型轿车，在人行道上停放机动车，执法人员现场检查发现"
        "驾驶人不在现场。以上事实有现场照片、询问笔录为证。",
        as_of=date(2026, 9, 3),
        top_k=3,
    )
    assert "2026年" not in story.conduct and "笔录" not in story.conduct
    assert story.hits[0].id == plain.hits[0].id


def test_violation_before_the_only_stored_version_gets_the_nearest_later_text(searcher: Searcher, store) -> None:
    # 道路交通安全法 is stored from its 2011 amendment; the law has existed since 2004 (its last article), so for a 2010
    # violation the text then in force is missing. The law is not dropped: its nearest stored text competes, marked
    # nearest_later with its own dates and a Chinese warning, and the answer's confidence is flagged.
    (inst,) = store.instruments_by_key("道路交通安全法")
    starts = store.versions(inst.id)[0].effective_from
    q = "饮酒后驾驶机动车的，处暂扣机动车驾驶证"
    res = searcher.search(q, as_of=date(2010, 6, 1), top_k=5)
    road = [h for h in res.hits if h.law == "中华人民共和国道路交通安全法"]
    assert road and res.hits[0] is road[0]
    for h in road:
        assert h.version_status == "nearest_later" and h.effective_from == starts > "2010-06-01"
        assert "2010-06-01" in h.version_note and starts in h.version_note and "不是当日适用的文本" in h.version_note
        assert h.to_dict()["version_status"] == "nearest_later"
    assert all(h.version_status == "in_force" for h in res.hits if h.law != "中华人民共和国道路交通安全法")
    (gap,) = [g for g in res.version_gaps if g["law"] == "中华人民共和国道路交通安全法"]
    assert gap == {"law": "中华人民共和国道路交通安全法", "version_status": "nearest_later", "stored_from": starts,
                   "stored_to": road[0].effective_to, "rank": 1, "outranks_results": True}
    assert res.confidence_flag == "version_gap" and any("道路交通安全法" in n and starts in n for n in res.notes)
    assert res.to_dict()["version_gaps"] == res.version_gaps
    later = searcher.search(q, as_of=date(2026, 1, 1), top_k=5)
    assert later.hits[0].law == "中华人民共和国道路交通安全法" and later.hits[0].version_status == "in_force"
    assert later.version_gaps == [] and later.confidence_flag is None and not later.notes


def test_no_date_means_no_version_status(searcher: Searcher) -> None:
    res = searcher.search("饮酒后驾驶机动车", use_today=False, top_k=3)
    assert res.hits and all(h.version_status is None and h.version_note is None for h in res.hits)


def test_an_instrument_that_did_not_exist_is_no_version_gap(searcher: Searcher) -> None:
    """生态环境法典 (in force 2026-08-15) for a 2021 event: not a gap, whatever it matches."""
    res = searcher.search("超过大气污染物排放标准排放大气污染物", as_of=date(2021, 6, 1), top_k=5)
    assert all(g["law"] != "中华人民共和国生态环境法典" for g in res.version_gaps)
    assert all(h.law != "中华人民共和国生态环境法典" for h in res.hits)
    # a repealed law has no stand-in either: after 2026-08-15 大气污染防治法 is gone, not missing
    after = searcher.search("超过大气污染物排放标准排放大气污染物", as_of=date(2026, 9, 1), top_k=10)
    assert all(h.law != "中华人民共和国大气污染防治法" for h in after.hits)
