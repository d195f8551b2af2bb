"""从旧兼从轻 on real pairs of versions in the store."""

from __future__ import annotations

from datetime import date

from analysis.lighter import compare_versions


def test_one_version_covering_both_dates_needs_no_comparison(resolver) -> None:
    assert compare_versions(resolver, "《消防法》第六十条第一款", date(2022, 1, 1), date(2026, 1, 1)) is None


def test_two_versions_of_a_law_are_shown_and_compared(resolver) -> None:
    """消防法 第六十条: the 2008 text (violation in 2018) and the 2019 amendment (decision in 2020)."""
    c = compare_versions(resolver, "《消防法》第六十条第一款", date(2018, 6, 1), date(2020, 6, 1), "organization")
    old, new = c["violation_version"], c["decision_version"]
    assert old["effective_from"] == "2009-05-01" and new["effective_from"] == "2019-04-23"
    assert old["text"] and new["text"] and c["rule"].startswith("处罚法 第三十七条")
    assert c["lighter"] == "same" and "五千元以上五万元以下" in c["reason"]


def test_a_repealed_law_names_its_successor(resolver) -> None:
    """大气污染防治法 was repealed by 生态环境法典 on 2026-08-15."""
    c = compare_versions(resolver, "《大气污染防治法》第一百一十五条第一款", date(2025, 6, 1), date(2026, 9, 1))
    assert c["lighter"] == "unknown" and c["successor"] == "中华人民共和国生态环境法典"
    assert c["decision_version"]["status"] == "not_in_force" and c["violation_version"]["status"] == "verified"
    assert "继受" in c["reason"]


def test_a_lighter_amendment_is_recognised(resolver) -> None:
    """A range whose bounds both fall is the lighter law (checked on the comparison itself)."""
    from analysis.lighter import _verdict
    from nlp.money import find_fine_ranges

    old = find_fine_ranges("处一万元以上十万元以下罚款")[0]
    new = find_fine_ranges("处五千元以上五万元以下罚款")[0]
    assert _verdict(old, new)[0] == "new" and _verdict(new, old)[0] == "old"
    assert _verdict(old, find_fine_ranges("处五千元以上二十万元以下罚款")[0])[0] == "unknown"
