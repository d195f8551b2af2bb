"""Passages from the real store: units, citations, lead-ins, dates."""

from __future__ import annotations

from datetime import date

from index.passages import Passage, corpus_fingerprint, embed_text, text_hash


def _units(passages: list[Passage], law: str, article: int) -> list[Passage]:
    return [p for p in passages if p.meta["law"] == law and p.meta["article"] == article]


def test_xiaofang_60_has_article_paragraph_and_item_units(passages: list[Passage]) -> None:
    # 消防法 第六十条: 第一款 = lead-in + items (一)–(七); 第二款 = 个人…; 第三款 (DOMAIN.md R1.7).
    units = _units(passages, "中华人民共和国消防法", 60)
    kinds = {(p.meta["unit"], p.meta["paragraph"], p.meta["item"]) for p in units}
    assert ("article", None, None) in kinds
    assert {("paragraph", 1, None), ("paragraph", 2, None)} <= kinds
    assert {("item", 1, n) for n in range(1, 8)} <= kinds
    assert not any(p.meta["unit"] == "item" and p.meta["paragraph"] == 2 for p in units)
    item3 = next(p for p in units if p.meta["item"] == 3)
    assert item3.meta["citation"] == "《中华人民共和国消防法》第六十条第一款第（三）项"
    assert "疏散通道" in item3.text
    # The item is indexed with its lead-in, which carries the sanction.
    assert "五千元以上五万元以下罚款" in item3.meta["context"]
    assert "罚款" in embed_text(item3) and "疏散通道" in embed_text(item3)
    assert all(p.meta["is_liability"] for p in units)


def test_ids_unique_and_liability_flags_real(passages: list[Passage]) -> None:
    ids = [p.id for p in passages]
    assert len(ids) == len(set(ids))
    # 食品安全法 第三十五条 (licensing duty) is not a 罚则; 第一百二十二条 (its sanction) is.
    art35 = next(p for p in _units(passages, "中华人民共和国食品安全法", 35) if p.meta["unit"] == "article")
    art122 = next(p for p in _units(passages, "中华人民共和国食品安全法", 122) if p.meta["unit"] == "article")
    assert not art35.meta["is_liability"]
    assert art122.meta["is_liability"]


def test_in_force_on_uses_version_window(passages: list[Passage]) -> None:
    # 大气污染防治法 (2018 text) is repealed by 生态环境法典 on 2026-08-15 (DOMAIN.md R2.6).
    air = next(p for p in _units(passages, "中华人民共和国大气污染防治法", 99)
               if p.meta["unit"] == "article" and p.meta["effective_to"] == "2026-08-15")
    assert air.in_force_on(date(2026, 8, 14))
    assert not air.in_force_on(date(2026, 8, 15))
    code = next(p for p in passages if p.meta["law"] == "中华人民共和国生态环境法典")
    assert not code.in_force_on(date(2026, 8, 14))
    assert code.in_force_on(date(2026, 8, 15))


def test_fingerprint_and_hash_change_with_text(passages: list[Passage]) -> None:
    few = passages[:50]
    fp = corpus_fingerprint(few)
    assert fp == corpus_fingerprint(list(few))
    changed = [Passage(few[0].id, few[0].text + "。", few[0].meta), *few[1:]]
    assert corpus_fingerprint(changed) != fp
    assert text_hash("甲") != text_hash("乙")


def test_share_meta_keeps_content_and_shares_repeated_strings(passages: list[Passage]) -> None:
    """Loading an index shares one copy of each repeated meta string; nothing a passage says changes."""
    import json
    import sys

    from index.passages import share_meta

    pool: dict[str, str] = {}
    loaded = [json.loads(json.dumps(p.meta, ensure_ascii=False)) for p in passages[:50]]
    shared = [share_meta(m, pool) for m in loaded]
    for before, after in zip(loaded, shared, strict=True):
        assert after == before and list(after) == list(before)  # same keys, values and key order
    same_version = [m for m in shared if m["version_id"] == shared[0]["version_id"]]
    assert len(same_version) > 1
    assert all(m["law"] is same_version[0]["law"] for m in same_version)
    assert all(m["version_id"] is same_version[0]["version_id"] for m in same_version)
    # and the dicts share one key table: smaller than the parsed ones (the serving worker holds 390k of them)
    assert sys.getsizeof(shared[1]) < sys.getsizeof(loaded[1])
    shared[1]["note"] = "x"  # still an ordinary dict
    assert shared[1]["note"] == "x" and json.loads(json.dumps(shared[2])) == loaded[2]
