"""款/项/目 splitting on real statute text (DOMAIN.md R1.7, R1.8, pitfalls (c), (g), (i))."""

from __future__ import annotations

from corpus.segment import repair_lines, split_article


def article(store, title: str, number: int, as_of=None):
    from datetime import date

    from corpus.resolver import Resolver

    inst = store.instruments_by_key(title)[0]
    v, _ = Resolver._version_on(store.versions(inst.id), as_of or date(2026, 11, 22))
    return store.article(v.id, number)


def test_fire_law_60_has_three_paragraphs_items_in_first(store) -> None:
    a = article(store, "消防法", 60)
    assert a.paragraph_numbers() == [1, 2, 3]
    assert a.paragraphs_with_items() == [1]
    assert [n for p, n, *_ in a.items] == [1, 2, 3, 4, 5, 6, 7]
    assert dict(a.paragraphs)[2].startswith("个人有前款第二项")


def test_public_security_law_51_items_in_second_paragraph(store) -> None:
    a = article(store, "治安管理处罚法", 51)
    assert a.paragraphs_with_items() == [2]


def test_code_broken_lines_are_repaired(store) -> None:
    """Pitfall (g): 法典 第一千零五十五条 is one 款; 第一千一百三十六条 has two, not three."""
    assert article(store, "生态环境法典", 1055).paragraph_numbers() == [1]
    a = article(store, "生态环境法典", 1136)
    assert a.paragraph_numbers() == [1, 2]
    assert dict(a.paragraphs)[2].startswith("有前款第三项")


def test_code_merged_articles_are_not_served(store) -> None:
    a = article(store, "生态环境法典", 1119)
    assert "境主管部门" not in a.text.split("\n")[-1][:6]
    assert not any(line.startswith("境主管部门") for line in a.text.split("\n"))
    assert article(store, "生态环境法典", 1120) is None


def test_half_width_items_in_regulations(store) -> None:
    """道交条例 第五十六条: items (一)–(三) in 第一款, 第二款 has none (pitfall (d))."""
    a = article(store, "道路交通安全法实施条例", 56)
    assert a.paragraphs_with_items() == [1]
    assert a.paragraph_numbers() == [1, 2]


def test_annex_tables_are_not_paragraphs(store) -> None:
    a = article(store, "环境保护税法", 29)
    assert a.paragraph_numbers() == [1]


def test_spaces_between_cjk_removed_and_items_not_joined() -> None:
    lines = ["违反本法规定，有下列情形之一的，由生态 环境主管部门责令改正", "处罚款：", "（一）甲", "（二）乙。"]
    assert repair_lines(lines) == ["违反本法规定，有下列情形之一的，由生态环境主管部门责令改正处罚款：", "（一）甲", "（二）乙。"]
    paras = split_article(lines)
    assert len(paras) == 1 and [i.number for i in paras[0].items] == [1, 2]


def test_non_item_line_after_items_starts_new_paragraph() -> None:
    paras = split_article(["有下列行为之一的，处罚款：", "(一)甲；", "(二)乙。", "证据必须经查证属实。"])
    assert [p.number for p in paras] == [1, 2] and len(paras[0].items) == 2 and not paras[1].items
