"""违则/罚则 pairing on real statute text."""

from __future__ import annotations

from index.pairing import violated_refs
from index.passages import Passage
from nlp.citations import normalize_title


def _get(passages: list[Passage], law: str, article: int, unit: str = "article", item: int | None = None) -> Passage:
    """The unit in the current version (no end date): older versions number their articles differently."""
    return next(
        p for p in passages
        if p.meta["law"] == law and p.meta["article"] == article and p.meta["unit"] == unit
        and (item is None or p.meta["item"] == item) and not p.meta.get("effective_to")
    )  # fmt: skip


def test_violated_refs_on_real_liability_articles(passages: list[Passage]) -> None:
    ad = normalize_title("中华人民共和国广告法")
    # 广告法 第六十条: 「违反本法第三十四条规定，…」 and 「违反本法第三十五条规定，…」
    refs = violated_refs(_get(passages, "中华人民共和国广告法", 60))
    assert (ad, 34, 0, None, None) in refs and (ad, 35, 0, None, None) in refs
    # 城市道路管理条例 第四十二条: 「违反本条例第二十七条规定，或者有下列行为之一的」 (half-width items)
    road = normalize_title("城市道路管理条例")
    assert (road, 27, 0, None, None) in violated_refs(_get(passages, "城市道路管理条例", 42))
    # The lead-in's reference also reaches the item units (their context).
    item = _get(passages, "城市道路管理条例", 42, "item", 2)
    assert (road, 27, 0, None, None) in violated_refs(item)


def test_delegating_reference_is_not_a_violated_provision(passages: list[Passage]) -> None:
    # 道交法 第九十五条: 「…可以依照本法第九十条的规定予以处罚」 names another 罚则, not a 违则.
    assert violated_refs(_get(passages, "中华人民共和国道路交通安全法", 95)) == []
    # 消防法 第六十条 has no 违反本法第X条; its relative 「前款第二项」 is not a 违则 either.
    assert violated_refs(_get(passages, "中华人民共和国消防法", 60)) == []


def test_search_hit_carries_explicit_pair(searcher) -> None:
    from datetime import date

    res = searcher.search("广告经营者、广告发布者未公布其收费标准和收费办法", as_of=date(2026, 10, 1), top_k=5)
    hit = next(h for h in res.hits if h.law == "中华人民共和国广告法" and h.article == 60)
    assert hit.basis["citation"].startswith("《中华人民共和国广告法》第六十条")
    assert hit.violated["source"] == "explicit"
    assert hit.violated["article"] in (34, 35)


def test_violated_side_hit_gets_its_basis(searcher) -> None:
    from datetime import date

    # 城市道路管理条例 第二十七条 (prohibitions) is named by 第四十二条: a hit on the 违则 returns that 罚则.
    res = searcher.search("擅自占用或者挖掘城市道路", as_of=date(2026, 10, 1), top_k=10)
    hit = next(h for h in res.hits if h.law == "城市道路管理条例" and h.article == 27)
    assert not hit.is_liability
    assert hit.basis is not None and hit.basis["article"] == 42 and hit.basis["source"] == "explicit"


def test_liability_without_reference_pairs_inside_its_version(searcher) -> None:
    from datetime import date

    res = searcher.search("饮酒后驾驶机动车", as_of=date(2026, 10, 1), top_k=10)
    for h in res.hits:
        if h.is_liability and h.violated["source"] == "retrieved":
            assert h.violated["law"] == h.law  # a retrieved 违则 comes from the same instrument
            assert h.violated["article"] != h.article
            break
    else:
        raise AssertionError("no liability hit with a retrieved 违则")


def test_loaded_pair_scores_answer_as_the_built_table_and_save_the_same_file(passages: list[Passage]) -> None:
    """A loaded index keeps retrieved-pair cosines in arrays (PairScores); lookups and the saved JSON are unchanged."""
    import json

    from index.pairing import PairIndex, PairScores, build_pairs
    from index.passages import embed_text
    from index.sparse import BM25Backend

    bm = BM25Backend("char12")
    bm.build([embed_text(p) for p in passages])
    built = build_pairs(passages, None, None, bm.doc_term_matrix(), near_k=3, mode="lexical")
    assert len(built.near_score) > 100
    saved = json.dumps(built.to_json())
    loaded = PairIndex.from_json(json.loads(saved))
    assert isinstance(loaded.near_score, PairScores)
    assert json.dumps(loaded.to_json()) == saved  # reused by an unchanged rebuild: the same bytes again
    for (a, b), s in built.near_score.items():
        assert loaded.near_score.get((a, b)) == round(s, 5) and (a, b) in loaded.near_score
    assert loaded.near_score.get((len(passages) + 1, 0), -1.0) == -1.0
    assert (len(passages) + 1, 0) not in loaded.near_score
    assert loaded.explicit == built.explicit and loaded.near_violated == built.near_violated
