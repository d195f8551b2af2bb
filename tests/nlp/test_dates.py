"""Dates and times (DOMAIN.md R7.5)."""

from __future__ import annotations

from datetime import date, time

import pytest

from nlp.dates import DateError, find_dates, find_times, parse_date, parse_time


@pytest.mark.parametrize(
    "written",
    ["2025年3月5日", "2025年03月05日", "二〇二五年三月五日", "二零二五年三月五日", "2025-03-05", "2025.3.5", "2025/3/5",
     "2025 年 3 月 5 日"],
)
def test_every_r75_date_style_parses_to_the_same_day(written: str) -> None:
    assert parse_date(written) == date(2025, 3, 5)


@pytest.mark.parametrize(
    ("written", "expected"),
    [("二〇二四年十二月三十一日", date(2024, 12, 31)), ("二零一九年十月十日", date(2019, 10, 10)),
     ("二〇二〇年二月二十九日", date(2020, 2, 29))],
)
def test_chinese_numeral_dates(written: str, expected: date) -> None:
    assert parse_date(written) == expected


def test_spans_cut_the_right_substring() -> None:
    text = "经查，当事人于2025年3月5日14时30分在店内，次日即二〇二五年三月六日下午2时许离开。"
    dates = find_dates(text)
    assert [d.text for d in dates] == ["2025年3月5日", "次日", "二〇二五年三月六日"]
    for d in dates:
        assert text[d.start:d.end] == d.text
    times = find_times(text)
    assert [(t.text, t.iso, t.approximate) for t in times] == [("14时30分", "14:30", False), ("下午2时许", "14:00", True)]
    for t in times:
        assert text[t.start:t.end] == t.text


@pytest.mark.parametrize(
    ("written", "expected", "approx"),
    [("14时30分", time(14, 30), False), ("14:30", time(14, 30), False), ("14：30", time(14, 30), False),
     ("下午2时许", time(14, 0), True), ("晚上8点左右", time(20, 0), True), ("上午九时二十分", time(9, 20), False),
     ("下午两点半", time(14, 30), False), ("凌晨1时许", time(1, 0), True), ("中午12时", time(12, 0), False),
     ("21时15分许", time(21, 15), True)],
)
def test_times(written: str, expected: time, approx: bool) -> None:
    assert parse_time(written) == expected
    assert find_times(written)[0].approximate is approx


def test_relative_dates_stay_unresolved_without_a_reference() -> None:
    found = find_dates("当事人昨日在此摆摊，当日被查获。")
    assert [d.text for d in found] == ["昨日", "当日"]
    assert all(d.value is None and d.kind == "relative" for d in found)
    with pytest.raises(DateError):
        parse_date("昨日")


def test_deictic_words_use_the_reference_and_anaphoric_ones_the_last_date() -> None:
    text = "2025年3月5日检查发现问题，次日复查；当事人称其昨日已整改。"
    found = {d.text: d.value for d in find_dates(text, reference=date(2025, 3, 20))}
    assert found["次日"] == date(2025, 3, 6)  # the day after the date just mentioned
    assert found["昨日"] == date(2025, 3, 19)  # the day before the text was written


def test_birth_dates_are_not_what_dangri_refers_to() -> None:
    text = "违法行为人张某，男，1986年1月16日出生。2025年2月25日20时许，张某在街上打人，派出所于当日受案。"
    found = find_dates(text)
    assert found[-1].text == "当日" and found[-1].value == date(2025, 2, 25)


def test_year_less_date_takes_the_year_of_the_previous_date() -> None:
    found = find_dates("于2025年3月5日至3月10日期间")
    assert found[1].text == "3月10日" and found[1].value == date(2025, 3, 10)
    # the end of a range never precedes its start
    assert find_dates("于2024年12月28日至1月3日期间")[1].value == date(2025, 1, 3)
    assert find_dates("于3月10日")[0].value is None  # no year anywhere, no reference: unresolved


def test_month_precision_dates() -> None:
    d = find_dates("当事人自2024年5月起无证经营")[0]
    assert d.text == "2024年5月" and d.precision == "month" and d.iso == "2024-05"


def test_impossible_dates_are_reported_not_dropped() -> None:
    d = find_dates("于2025年2月30日")[0]
    assert not d.valid and d.value is None and "不存在" in d.reason


def test_numbers_inside_identifiers_and_amounts_are_not_dates() -> None:
    assert find_dates("身份证号11010519491231002X，罚款3.5万元，编号2025-03-05-001，版本2025.3.5.1") == []


def test_words_that_look_like_times_are_not_times() -> None:
    assert find_times("当事人一时疏忽，提出三点意见，用时3小时") == []


def test_parse_errors_carry_a_code() -> None:
    with pytest.raises(DateError) as exc:
        parse_date("不是日期")
    assert exc.value.code == "bad_date"
    with pytest.raises(DateError):
        parse_time("25:61")
