"""Citation verification against the real store: every pitfall of DOMAIN.md §8 is a regression test."""

from __future__ import annotations

from datetime import date

import pytest

from corpus.resolver import STATUSES

TODAY = date(2026, 11, 22)


def check(resolver, cite: str, as_of: date = TODAY):
    r = resolver.lookup(cite, as_of)
    assert r.status in STATUSES
    return r


def test_issue_examples(resolver) -> None:
    r = check(resolver, "《中华人民共和国食品安全法》第一百二十二条第一款")
    assert r.status == "verified" and "未取得食品生产经营许可" in r.text
    assert check(resolver, "《食品安全法》第122条").normalized == "《中华人民共和国食品安全法》第一百二十二条"
    r = check(resolver, "道交法第九十条")
    assert r.status == "verified" and r.law == "中华人民共和国道路交通安全法"
    r = check(resolver, "《道路交通安全法实施条例》第一百零四条第（二）项")
    assert r.status == "verified" and r.level == "行政法规" and "准驾车型不符" in r.text


def test_pitfall_a_implementing_regulation_never_resolves_to_parent(resolver) -> None:
    r = check(resolver, "《道路交通安全法实施条例》第五十六条第（一）项")
    assert r.law == "中华人民共和国道路交通安全法实施条例" and "牵引" in r.text
    # The parent law's 第五十六条 is about parking and has no items.
    assert check(resolver, "《道路交通安全法》第五十六条第（一）项").status == "item_not_found"
    law, reg = check(resolver, "《道路交通安全法》第一百零四条"), check(resolver, "《道路交通安全法实施条例》第一百零四条")
    assert law.text != reg.text and law.law != reg.law
    pla = check(resolver, "《中国人民解放军实施〈中华人民共和国药品管理法〉办法》第一条")
    assert pla.status == "verified" and pla.level == "行政法规" and pla.law != "药品管理法"
    assert check(resolver, "《某某省实施〈中华人民共和国药品管理法〉办法》第一条").status == "law_not_found"


def test_unknown_title_is_never_matched_by_substring(resolver) -> None:
    r = check(resolver, "《食品安全法实施细则》第一条")
    assert r.status == "law_not_found" and r.reason == "unknown_title"


@pytest.mark.parametrize(
    ("cite", "status"),
    [
        ("《消防法》第六十条第二款", "verified"),
        ("《消防法》第六十条第四款", "paragraph_not_found"),
        ("《消防法》第六十条第一款第（八）项", "item_not_found"),
        ("《消防法》第六十条第二款第（一）项", "item_not_found"),
        ("《消防法》第九百条", "article_not_found"),
        ("《中华人民共和国行政处罚法》第三十三条第一款", "verified"),
    ],
)
def test_pitfall_c_paragraph_and_item_must_both_exist(resolver, cite: str, status: str) -> None:
    assert check(resolver, cite).status == status


def test_pitfall_c_individual_vs_unit_ranges(resolver) -> None:
    unit = check(resolver, "《消防法》第六十条第一款").text
    person = check(resolver, "《消防法》第六十条第二款").text
    assert "五千元以上五万元以下" in unit and "五百元以下" in person and "五万元" not in person


@pytest.mark.parametrize(
    "cite",
    [
        "《道路交通安全法实施条例》第五十六条第（一）项",
        "《道路交通安全法实施条例》第五十六条第一款第（一）项",
        "《道路交通安全法实施条例》第五十六条第一项",
        "《道路交通安全法实施条例》第56条第1项",
        "《道路交通安全法实施条例》第五十六条第(一)项",
    ],
)
def test_pitfall_d_one_provision_written_many_ways(resolver, cite: str) -> None:
    r = check(resolver, cite)
    assert (r.status, r.law, r.article, r.paragraph, r.item) == (
        "verified", "中华人民共和国道路交通安全法实施条例", 56, 1, 1)
    assert r.normalized == "《中华人民共和国道路交通安全法实施条例》第五十六条第一款第（一）项"


def test_r1_8_item_in_later_paragraph(resolver) -> None:
    r = check(resolver, "《治安管理处罚法》第五十一条第（二）项", date(2026, 3, 1))
    assert r.status == "verified" and r.paragraph == 2


def test_r1_8_ambiguous_item_returns_candidates(resolver) -> None:
    r = check(resolver, "《劳动合同法》第四十一条第（一）项")
    assert r.status == "ambiguous" and r.reason == "item_paragraph_ambiguous"
    assert {c["paragraph"] for c in r.candidates} == {1, 2}


def test_pitfall_e_numbers_are_never_rewritten(resolver) -> None:
    """未批先建意见 cites 处罚法 第二十九条 for limitation; in 2021 that number is 一事不再罚款."""
    r = check(resolver, "《行政处罚法》第二十九条", date(2024, 1, 1))
    assert r.article == 29 and "两次以上罚款" in r.text


def test_pitfall_f_inserted_articles_are_distinct(resolver) -> None:
    texts = {check(resolver, f"《刑法》第一百二十条{s}").text for s in ("", "之一", "之二", "之三")}
    assert len(texts) == 4
    assert check(resolver, "《刑法》第一百二十条之一").normalized == "《中华人民共和国刑法》第一百二十条之一"


def test_pitfall_g_missing_code_articles(resolver) -> None:
    for n in ("一千一百二十", "一千二百零一"):
        r = check(resolver, f"《生态环境法典》第{n}条")
        assert (r.status, r.reason) == ("article_not_found", "text_not_in_store")
    assert check(resolver, "《生态环境法典》第一千一百零七条").status == "verified"


def test_pitfall_h_repealed_law_still_governs_earlier_acts(resolver) -> None:
    before = check(resolver, "《大气污染防治法》第九十九条第（二）项", date(2025, 5, 1))
    assert before.status == "verified" and before.later_change["kind"] == "repealed"
    after = check(resolver, "《大气污染防治法》第九十九条第（二）项", TODAY)
    assert (after.status, after.reason) == ("not_in_force", "repealed")
    assert after.last_version and after.text  # the old text is shown for the reviewer


def test_pitfall_h_adopted_but_not_yet_in_force(resolver) -> None:
    r = check(resolver, "《生态环境法典》第一千一百零七条", date(2026, 5, 1))
    assert (r.status, r.reason) == ("not_in_force", "not_yet_effective")
    trademark = check(resolver, "《商标法》第六十条", TODAY)
    assert trademark.status == "verified" and trademark.as_of_version["effective_to"] == "2027-01-01"
    assert trademark.later_change["kind"] == "amended"


def test_r2_7_date_before_stored_version(resolver) -> None:
    # the earliest stored 行政处罚法 is the 2017 amendment; the 1996 law was in force in 2017-01 but is not stored
    r = check(resolver, "《行政处罚法》第三十二条", date(2017, 1, 1))
    assert (r.status, r.reason) == ("not_in_force", "version_not_in_store")


def test_version_label_that_is_not_in_force_is_superseded(resolver) -> None:
    r = check(resolver, "《中华人民共和国行政处罚法》（2017年修正）第二十九条", date(2024, 1, 1))
    assert (r.status, r.reason) == ("not_in_force", "superseded")
    assert r.as_of_version["version_date"] == "2021-01-22"


def test_pitfall_m_stale_regulation_flagged(resolver) -> None:
    r = check(resolver, "《公安机关办理行政案件程序规定》第三十七条")
    assert r.status == "verified" and any("R2.8" in w for w in r.warnings)


def test_repealed_regulation(resolver) -> None:
    r = check(resolver, "《个体工商户条例》第二十三条")
    assert (r.status, r.reason) == ("not_in_force", "repealed")
    assert check(resolver, "《个体工商户条例》第二十三条", date(2020, 1, 1)).status == "verified"


def test_ambiguous_alias_lists_candidates(resolver) -> None:
    r = check(resolver, "法典第一千条")
    assert r.status == "ambiguous" and {c["law"] for c in r.candidates} == {
        "中华人民共和国民法典", "中华人民共和国生态环境法典"}


def test_text_this_law_and_short_names(resolver) -> None:
    text = ("本案适用《中华人民共和国道路交通安全法》（以下简称道交安法）。当事人违反道交安法第九十条和本法第一百一十四条，"
            "《道交安法》第九十一条第一款，以及前款。")
    got = resolver.verify_text(text, TODAY)
    assert [(r.article, r.status) for r in got[:3]] == [(90, "verified"), (114, "verified"), (91, "verified")]
    assert got[-1].status == "ambiguous" and got[-1].reason == "relative_without_context"


def test_this_law_with_no_law_named(resolver) -> None:
    (r,) = resolver.verify_text("违反本法第三十五条第一款规定", TODAY)
    assert (r.status, r.reason) == ("law_not_found", "no_law_named")


def test_items_without_paragraph_in_multi_paragraph_article_print_the_paragraph(resolver) -> None:
    """R1.4: print the 款 whenever the article has more than one."""
    r = check(resolver, "《消防法》第六十条第（三）项")
    assert r.normalized == "《中华人民共和国消防法》第六十条第一款第（三）项"
    single = check(resolver, "《行政处罚法》第三十二条第（一）项")
    assert single.normalized == "《中华人民共和国行政处罚法》第三十二条第（一）项"


# ---- audit regressions: 本条例/该法 binding, short names in a chain, not-in-force text, ranges ----------------
def test_this_instrument_word_binds_only_to_a_title_of_its_kind(resolver) -> None:
    """R1.9, pitfall (a): 本条例 after a 法 is not that 法."""
    law90, reg = resolver.verify_text("《中华人民共和国道路交通安全法》第九十条和本条例第一百零四条", TODAY)
    assert law90.status == "verified"
    assert (reg.status, reg.reason, reg.law) == ("law_not_found", "no_law_named", None)
    mixed = resolver.verify_text("《道路交通安全法实施条例》第一百零四条、《道路交通安全法》第九十条，"
                                 "本条例第五十六条第（一）项，本法第一百一十四条", TODAY)
    by_raw = {r.raw: r for r in mixed}
    this_reg, this_law = by_raw["本条例第五十六条第（一）项"], by_raw["本法第一百一十四条"]
    assert this_reg.law == check(resolver, "《道路交通安全法实施条例》第五十六条").law
    assert this_reg.text == check(resolver, "《道路交通安全法实施条例》第五十六条第（一）项").text
    assert this_law.law == check(resolver, "《道路交通安全法》第一百一十四条").law
    # 本法 is never a 办法 (a title ending in 法 by its last character).
    pla = resolver.verify_text("《中国人民解放军实施〈中华人民共和国药品管理法〉办法》第一条，本法第一条", TODAY)
    assert pla[0].status == "verified" and (pla[1].status, pla[1].reason) == ("law_not_found", "no_law_named")
    assert resolver.verify_text("《中国人民解放军实施〈中华人民共和国药品管理法〉办法》第一条，本办法第二条",
                                TODAY)[1].law == pla[0].law


def test_short_name_defined_inside_the_chain_keeps_the_citation(resolver) -> None:
    """R1.11: （以下简称《处罚法》） between the title and 第三十二条 neither drops it nor loses the name."""
    got = resolver.verify_text("依据《中华人民共和国行政处罚法》（以下简称《处罚法》）第三十二条和《处罚法》第三十三条", TODAY)
    assert [(r.article, r.status) for r in got] == [(32, "verified"), (33, "verified")]
    assert {r.law for r in got} == {check(resolver, "《行政处罚法》第三十二条").law}


def test_that_law_means_the_instrument_named_last(resolver) -> None:
    day = date(2025, 5, 1)
    text = "违反《大气污染防治法》第十八条的规定，依据该法第九十九条第（二）项，对该法定代表人一并处理"
    got = resolver.verify_text(text, day)
    assert [(r.article, r.item, r.status) for r in got] == [(18, None, "verified"), (99, 2, "verified")]
    assert got[1].text == check(resolver, "《大气污染防治法》第九十九条第（二）项", day).text
    (same,) = resolver.verify_text("《消防法》第六十条、同法第六十一条", TODAY)[1:]
    assert same.law == check(resolver, "《消防法》第六十条").law and same.article == 61


def test_not_in_force_never_puts_another_versions_text_in_text(resolver) -> None:
    """R2.7: a date before the stored version gets no text; the newer text is kept apart, flagged."""
    now = check(resolver, "《治安管理处罚法》第五十一条第（一）项", TODAY)
    old = check(resolver, "《治安管理处罚法》第五十一条第（一）项", date(2010, 6, 1))  # before the 2012 text
    assert now.status == "verified" and old.status == "not_in_force"
    assert old.text is None and old.as_of_version is None
    # the stored text shown apart is the nearest stored version's (the 2012 text), never marked applicable
    assert old.stored_text and old.stored_text != now.text and old.stored_text_applicable is False
    assert old.stored_version["version_date"] == "2012-10-26" and old.stored_text_note
    label = check(resolver, "《中华人民共和国行政处罚法》（2017年修正）第二十九条", date(2024, 1, 1))
    assert label.status == "not_in_force" and label.text is None and label.stored_text_applicable is False
    assert label.stored_text == check(resolver, "《行政处罚法》第二十九条", date(2024, 1, 1)).text


def test_bare_relative_reference_has_a_reason(resolver) -> None:
    (r,) = resolver.verify_text("依照前款规定处罚", TODAY)
    assert (r.status, r.reason, r.candidates) == ("ambiguous", "relative_without_context", [])
    assert r.message


def test_range_middle_members_carry_the_whole_range(resolver) -> None:
    text = "违反《治安管理处罚法》第五十一条至第五十三条"
    got = resolver.verify_text(text, TODAY)
    assert [r.article for r in got] == [51, 52, 53] and all(r.status == "verified" for r in got)
    whole = (text.index("《"), len(text))
    assert (got[1].raw, got[1].span) == (text[whole[0]:], whole)
    assert got[2].raw == "第五十三条"


@pytest.mark.parametrize(("short", "full"), [
    ("网安法", "中华人民共和国网络安全法"), ("数安法", "中华人民共和国数据安全法"),
    ("未保法", "中华人民共和国未成年人保护法"), ("破产法", "中华人民共和国企业破产法"),
    ("电商法", "中华人民共和国电子商务法"), ("特设法", "中华人民共和国特种设备安全法"),
])
def test_common_short_names_resolve(resolver, short: str, full: str) -> None:
    r = check(resolver, f"《{short}》第一条", TODAY)
    assert r.status == "verified" and r.law == full
