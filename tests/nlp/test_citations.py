"""Citation grammar: parse, normalise, format (DOMAIN.md R1.3, R1.4, R1.9, R1.10)."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from nlp.citations import Context, format_citation, normalize_title, parse_citations, parse_one


def keys(text: str, **kw) -> list[tuple]:
    return [(c.law, c.article, c.article_sub, c.paragraph, c.item, c.subitem) for c in parse_citations(text, **kw)]


@pytest.mark.parametrize(
    "text",
    [
        "《中华人民共和国消防法》第六十条第一款第三项",
        "《中华人民共和国消防法》第六十条第一款第（三）项",
        "《中华人民共和国消防法》第六十条第一款第(三)项",
        "《中华人民共和国消防法》第六十条第一款第3项",
        "《消防法》第60条第1款第3项",
        "《消防法》第６０条第１款第３项",
        "《 消防法 》第 六十 条 第 一 款 第（三）项",
    ],
)
def test_item_forms_normalise_to_one_key(text: str) -> None:
    (law, art, sub, par, item, mu), = keys(text)
    assert (normalize_title(law), art, sub, par, item, mu) == ("消防法", 60, 0, 1, 3, None)


def test_compound_reuses_article() -> None:
    # 沪消事项清单 (十三): 第60条第1款第2项、第2款 = 第60条第1款第2项 and 第60条第2款
    assert keys("《消防法》第60条第1款第2项、第2款") == [("消防法", 60, 0, 1, 2, None), ("消防法", 60, 0, 2, None, None)]


def test_ranges_and_lists() -> None:
    assert [k[1] for k in keys("依照《行政处罚法》第六十七条至第六十九条的规定")] == [67, 68, 69]
    text = "第一千零八十一条 有下列情形之一的：\n（一）甲；\n（二）乙。\n有前款第一项、第三项至第五项情形的，处罚款。"
    got = keys(text, context=Context(law="中华人民共和国生态环境法典"))
    assert [(k[1], k[3], k[4]) for k in got] == [(1081, 1, 1), (1081, 1, 3), (1081, 1, 4), (1081, 1, 5)]


def test_inserted_article_and_subitem() -> None:
    assert keys("《刑法》第一百二十条之一") == [("刑法", 120, 1, None, None, None)]
    assert keys("《海商法》第二百一十条第一款第（一）项第1目") == [("海商法", 210, 0, 1, 1, 1)]


def test_this_law_means_last_law_named() -> None:
    got = keys("依据《中华人民共和国行政处罚法》第三十二条和本法第三十三条，以及《消防法》第六十条、本法第七十条")
    assert [(normalize_title(k[0]), k[1]) for k in got] == [("行政处罚法", 32), ("行政处罚法", 33), ("消防法", 60), ("消防法", 70)]


def test_this_law_without_any_law_named_is_kept_unresolved() -> None:
    (c,) = parse_citations("违反本法第三十五条第一款规定")
    assert c.law is None and c.article == 35 and c.paragraph == 1


def test_relative_references_inside_a_statute() -> None:
    text = (
        "第六十条 单位违反本法规定，有下列行为之一的，处罚款：\n（一）甲；\n（二）乙；\n（三）丙。\n"
        "个人有前款第二项、第三项行为之一的，处警告。\n有本条第一款第三项行为，经责令改正拒不改正的，强制执行。"
    )
    got = keys(text, context=Context(law="消防法"))
    assert [(k[1], k[3], k[4]) for k in got] == [(60, 1, 2), (60, 1, 3), (60, 1, 3)]


def test_bare_relative_without_context_is_flagged() -> None:
    (c,) = parse_citations("依据前款规定")
    assert c.relative and c.article is None


def test_unbracketed_titles_need_the_known_list() -> None:
    assert keys("道交法第九十条") == []
    assert keys("违反道交法第九十条", known_titles=["道交法"]) == [("道交法", 90, 0, None, None, None)]


def test_implementing_regulation_is_not_its_parent_law() -> None:
    """Pitfall (a): the title keeps 实施条例; only 中华人民共和国 and brackets are dropped."""
    (c,) = parse_citations("《道路交通安全法实施条例》第五十六条第（一）项")
    assert normalize_title(c.law) == "道路交通安全法实施条例" != normalize_title("中华人民共和国道路交通安全法")
    assert normalize_title("《中华人民共和国道路交通安全法》") == "道路交通安全法"
    assert normalize_title("重庆市实施《中华人民共和国水土保持法》办法") == "重庆市实施水土保持法办法"


def test_version_label_is_kept_as_hint_not_title() -> None:
    (c,) = parse_citations("《中华人民共和国行政处罚法》（2017年修正）第二十九条")
    assert normalize_title(c.law) == "行政处罚法" and c.version_hint == "2017" and c.article == 29


def test_editorial_caption_after_article_is_ignored() -> None:
    """R1.13: CEE posts write 第四十八条【处罚告知和听证】."""
    assert keys("《行政处罚法》第四十八条【处罚告知和听证】") == [("行政处罚法", 48, 0, None, None, None)]


def test_words_that_look_like_numbers_are_not_citations() -> None:
    assert keys("当事人系第二次违法，于第三日改正") == []


def test_format_canonical() -> None:
    assert format_citation("中华人民共和国消防法", 60, 0, 1, 3) == "《中华人民共和国消防法》第六十条第一款第（三）项"
    assert format_citation("中华人民共和国消防法", 60, 0, 1, 3, show_paragraph=False) == "《中华人民共和国消防法》第六十条第（三）项"
    assert format_citation("中华人民共和国刑法", 120, 1) == "《中华人民共和国刑法》第一百二十条之一"
    assert format_citation("重庆市实施《中华人民共和国水土保持法》办法", 10) == "《重庆市实施〈中华人民共和国水土保持法〉办法》第十条"


@given(
    st.integers(1, 1300), st.integers(0, 3), st.one_of(st.none(), st.integers(1, 9)), st.one_of(st.none(), st.integers(1, 30))
)
def test_format_then_parse_round_trips(article: int, sub: int, paragraph: int | None, item: int | None) -> None:
    s = format_citation("中华人民共和国消防法", article, sub, paragraph, item)
    c = parse_one(s)
    assert (c.article, c.article_sub, c.paragraph, c.item) == (article, sub, paragraph, item)


def test_parse_one_accepts_unbracketed_title() -> None:
    c = parse_one("食品安全法第一百二十二条第一款")
    assert (c.law, c.article, c.paragraph) == ("食品安全法", 122, 1)


def test_this_word_binds_to_last_title_of_its_kind() -> None:
    got = keys("《道路交通安全法实施条例》第一条，《道路交通安全法》第二条，本条例第三条、本法第四条；《某办法》第五条，本法第六条")
    laws = [k[0] for k in got]
    assert laws == ["道路交通安全法实施条例", "道路交通安全法", "道路交通安全法实施条例", "道路交通安全法", "某办法",
                    "道路交通安全法"]
    (_, c) = parse_citations("《道路交通安全法》第九十条和本条例第一百零四条")
    assert c.law is None and c.article == 104


def test_short_name_and_that_law_inside_a_chain() -> None:
    got = keys("《中华人民共和国行政处罚法》（以下简称《处罚法》）第三十二条，依据该法第三十三条")
    assert [(normalize_title(k[0]), k[1]) for k in got] == [("行政处罚法", 32), ("行政处罚法", 33)]
    assert keys("（以下简称“处罚法”）") == []
    got = keys("《大气污染防治法》第十八条、《城市道路管理条例》第二十七条，依据上述法律第九十九条、上述条例第四十二条")
    assert [(k[0], k[1]) for k in got][2:] == [("大气污染防治法", 99), ("城市道路管理条例", 42)]
    assert keys("《消防法》第六十条，该法定代表人第一次到场") == [("消防法", 60, 0, None, None, None)]


def test_range_middle_members_are_labelled_by_the_whole_range() -> None:
    text = "依照《行政处罚法》第六十七条至第六十九条、第七十条第一项至第三项"
    got = parse_citations(text)
    assert [c.article for c in got] == [67, 68, 69, 70, 70, 70]
    assert got[1].raw == "《行政处罚法》第六十七条至第六十九条" and (got[1].start, got[1].end) == (2, text.index("、"))
    assert got[2].raw == "第六十九条"
    assert got[4].raw == "第七十条第一项至第三项" and got[4].item == 2 and got[5].raw == "第三项"
