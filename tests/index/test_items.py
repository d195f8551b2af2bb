"""Enforcement items as retrieval evidence (index.items): mechanics with the hashing encoder."""

from __future__ import annotations

from datetime import date

import numpy as np

from index.engine import is_criminal_law
from index.items import ItemIndex, ItemRecord
from index.search import Searcher

# An officer's wording that shares little with the statute's own text; the item ties it to 消防法 第六十条.
ITEM = ItemRecord("agency-table", "fire-x", "酒吧锁死安全出口", ("《中华人民共和国消防法》第六十条第一款第（三）项",))
OLD_LAW = ItemRecord("old-table", "air-x", "烟囱冒黑烟超标", ("《中华人民共和国大气污染防治法》第九十九条第（二）项",))


def _items(searcher: Searcher, *records: ItemRecord) -> ItemIndex:
    return ItemIndex.build(records, searcher.index, searcher.encoder)


def test_citations_resolve_to_the_cited_item_rows_in_every_version(searcher: Searcher) -> None:
    items = _items(searcher, ITEM, OLD_LAW, ItemRecord("t", "bad", "无法解析", ("《不存在的法》第一条",)))
    assert [r.item_id for r in items.records] == ["fire-x", "air-x"]  # an item citing nothing in the store is dropped
    metas = [searcher.index.passages[r].meta for r in items.rows[0]]
    assert metas and all((m["article"], m["paragraph"], m["item"]) == (60, 1, 3) for m in metas)


def test_a_matching_item_lifts_its_provision_and_is_shown_as_evidence(searcher: Searcher) -> None:
    q = "酒吧锁死安全出口"
    searcher.attach_items(_items(searcher, ITEM))
    try:
        res = searcher.search(q, as_of=date(2026, 10, 1), top_k=3)
        plain = searcher.search(q, as_of=date(2026, 10, 1), top_k=3, item_weight=0.0)
    finally:
        searcher.attach_items(None)
    top = res.hits[0]
    assert (top.law, top.article, top.item) == ("中华人民共和国消防法", 60, 3)
    assert top.items and top.items[0]["item_id"] == "fire-x" and 0 < top.items[0]["match"] <= 1
    assert all(not h.items for h in plain.hits)


def test_items_only_lift_provisions_in_force(searcher: Searcher) -> None:
    items = _items(searcher, OLD_LAW)
    allowed_after = searcher.index.in_force_mask(date(2026, 9, 1))  # 大气污染防治法 repealed on 2026-08-15
    allowed_before = searcher.index.in_force_mask(date(2025, 9, 1))
    assert items.bonus(None, "烟囱冒黑烟超标", allowed_before)
    assert items.bonus(None, "烟囱冒黑烟超标", allowed_after) == {}


def test_an_unrelated_description_lifts_nothing(searcher: Searcher) -> None:
    items = _items(searcher, ITEM, OLD_LAW)
    assert items.bonus(None, "今天天气很好我们去公园散步", np.ones(len(searcher.index.passages), bool)) == {}


def test_criminal_law_is_never_a_candidate() -> None:
    assert is_criminal_law("中华人民共和国刑法") and is_criminal_law("中华人民共和国刑法修正案（十一）")
    assert is_criminal_law("全国人民代表大会常务委员会关于《中华人民共和国刑法》第三十条的解释")
    assert not is_criminal_law("中华人民共和国治安管理处罚法") and not is_criminal_law("中华人民共和国行政处罚法")
