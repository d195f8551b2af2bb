"""Money: amounts (R7.6), fine ranges (R5.8, R5.9) on real statute text, amounts in words (R6.8)."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from nlp.money import (
    AmountError,
    FineRange,
    amount_in_words,
    find_amounts,
    find_fine_ranges,
    format_money,
    parse_amount,
)

# --------------------------------------------------------------------------- R6.8


@pytest.mark.parametrize(
    ("yuan", "words"),
    [  # the whole R6.8 table
        ("3000", "人民币叁仟元整"),
        ("200000", "人民币贰拾万元整"),
        ("10500", "人民币壹万零伍佰元整"),
        ("2000020", "人民币贰佰万零贰拾元整"),
        ("100500", "人民币壹拾万零伍佰元整"),
        ("12.50", "人民币壹拾贰元伍角整"),
        ("1005000", "人民币壹佰万零伍仟元整"),
        ("1000.05", "人民币壹仟元零伍分"),
    ],
)
def test_amount_in_words_r68_table(yuan: str, words: str) -> None:
    fen = parse_amount(yuan + "元")
    assert amount_in_words(fen) == words


def test_format_money_prints_both_forms() -> None:
    assert format_money(300000) == "人民币叁仟元整（¥3,000.00）"  # R6.8 example
    assert format_money(100005) == "人民币壹仟元零伍分（¥1,000.05）"


def test_amount_in_words_rules() -> None:
    assert amount_in_words(1000) == "人民币壹拾元整"  # a leading 拾 is written 壹拾
    assert amount_in_words(10010000000) == "人民币壹亿零壹拾万元整"  # one 零 across 万 and 亿
    assert amount_in_words(0) == "人民币零元整"
    with pytest.raises(AmountError):
        amount_in_words(-1)


@given(st.integers(min_value=0, max_value=10**13))
def test_words_parse_back_to_the_same_fen(fen: int) -> None:
    assert parse_amount(amount_in_words(fen)) == fen


@given(st.text(alphabet="零一二两三四五六七八九十百千万亿壹贰叁仟佰拾0123456789.,元角分整人民币¥余多倍分之以上以下罚款处的", max_size=24))
def test_bad_input_only_ever_raises_amount_error(text: str) -> None:
    try:
        fen = parse_amount(text)
    except AmountError:
        return
    assert type(fen) is int and fen >= 0
    find_amounts(text)
    find_fine_ranges(text)


# --------------------------------------------------------------------------- R7.6 parse


@pytest.mark.parametrize(
    "text", ["3000元", "3,000元", "¥3000", "￥3000", "人民币3000元", "三千元", "叁仟元", "0.3万元", "3千元", "人民币叁仟元整", "3000"]
)
def test_every_r76_form_of_three_thousand(text: str) -> None:
    fen = parse_amount(text)
    assert fen == 300000 and type(fen) is int


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1.5亿元", 15_000_000_000), ("十万元", 10_000_000), ("0.35万元", 350_000), ("12元5角", 1250),
     ("一万零五百元", 1_050_000), ("3万余元", 3_000_000), ("1万5千元", 1_500_000)],
)
def test_other_amounts(text: str, fen: int) -> None:
    assert parse_amount(text) == fen


@pytest.mark.parametrize("bad", ["", "千元", "三千美元", "abc", "3000元整整整", "0.001元"])
def test_bad_amounts_raise_coded_value_error(bad: str) -> None:
    with pytest.raises(AmountError) as exc:
        parse_amount(bad)
    assert isinstance(exc.value, ValueError) and exc.value.code == "bad_amount"


def test_find_amounts_says_what_each_amount_is() -> None:
    text = ("经查，当事人销售假冒商品，销售额共计人民币5,000元，获利约800元，库存货值金额1.2万元，"
            "违建部分工程造价三十万元，进货金额2000元。拟处罚款3000元。")
    kinds = {a.raw: (a.kind, a.value_fen) for a in find_amounts(text)}
    assert kinds == {
        "人民币5,000元": ("销售额", 500000),
        "800元": ("违法所得", 80000),
        "1.2万元": ("货值金额", 1200000),
        "三十万元": ("工程造价", 30000000),
        "2000元": ("其他", 200000),  # purchase price is not 货值
        "3000元": ("罚款", 300000),
    }
    approx = [a for a in find_amounts(text) if a.approximate]
    assert [a.raw for a in approx] == ["800元"]
    for a in find_amounts(text):
        assert text[a.span[0] : a.span[1]] == a.raw


# --------------------------------------------------------------------------- fine ranges on real statutes


@pytest.fixture(scope="module")
def ldb(laws_db: Path) -> sqlite3.Connection:
    con = sqlite3.connect(f"file:{laws_db}?mode=ro", uri=True)
    yield con
    con.close()


def article(con: sqlite3.Connection, law: str, no: int) -> str:
    row = con.execute(
        "SELECT article_text FROM articles WHERE law_name = ? AND article_no_arabic = ?", (law, no)
    ).fetchone()
    assert row, (law, no)
    return row[0]


def test_fire_law_art60_unit_and_individual(ldb: sqlite3.Connection) -> None:
    # DOMAIN.md pitfall (c): 第一款 unit 5,000–50,000 yuan; 第二款 individual 警告 or ≤ 500 yuan.
    unit, person = find_fine_ranges(article(ldb, "中华人民共和国消防法", 60))
    assert (unit.kind, unit.min_fen, unit.max_fen, unit.target) == ("amount", 500000, 5000000, "单位")
    assert (person.min_fen, person.max_fen, person.target, person.alternatives) == (None, 50000, "个人", ("警告",))


def test_food_safety_art122_goods_value_fallback(ldb: sqlite3.Connection) -> None:
    text = article(ldb, "中华人民共和国食品安全法", 122)
    small, multiple, _second_paragraph = find_fine_ranges(text)
    assert (small.min_fen, small.max_fen) == (5000000, 10000000)
    assert multiple.kind == "multiple" and multiple.base == "货值金额"
    assert (multiple.min_multiplier, multiple.max_multiplier) == (10, 20)
    # 不足一万元 excludes 10,000 yuan; 一万元以上 includes it (R5.8, R5.9).
    assert small.condition.holds(999_999) is True and small.condition.holds(1_000_000) is False
    assert multiple.condition.holds(1_000_000) is True and multiple.condition.holds(999_999) is False
    assert multiple.bounds_for(2_000_000) == (20_000_000, 40_000_000)
    with pytest.raises(AmountError) as exc:
        multiple.bounds_for(None)
    assert exc.value.code == "base_required"


def test_planning_law_art64_share_of_construction_cost(ldb: sqlite3.Connection) -> None:
    first, second = find_fine_ranges(article(ldb, "中华人民共和国城乡规划法", 64))
    assert first.kind == "percent" and first.base == "工程造价"
    assert (first.min_multiplier, first.max_multiplier) == (Fraction(5, 100), Fraction(10, 100))
    assert first.bounds_for(parse_amount("100万元")) == (parse_amount("5万元"), parse_amount("10万元"))
    assert second.min_multiplier is None and second.max_multiplier == Fraction(1, 10)


def test_insurance_law_art158_gains_fallback_includes_no_gains(ldb: sqlite3.Connection) -> None:
    mult, fallback = find_fine_ranges(article(ldb, "中华人民共和国保险法", 158))
    assert mult.base == "违法所得" and (mult.min_multiplier, mult.max_multiplier) == (1, 5)
    assert (fallback.min_fen, fallback.max_fen) == (parse_amount("二十万元"), parse_amount("一百万元"))
    assert fallback.condition.includes_none and fallback.condition.holds(None) is True
    assert fallback.condition.holds(parse_amount("二十万元")) is False


def test_inclusivity_per_source_r58() -> None:
    (r,) = find_fine_ranges("处五万元以下的罚款")
    assert r.max_inclusive is True
    (r,) = find_fine_ranges("处五万元以下的罚款", below_inclusive=False)  # 粤裁量规定 第二十三条
    assert r.max_inclusive is False
    (r,) = find_fine_ranges("处5%（含）以上8%（含）以下罚款", below_inclusive=False)  # 沪违建办法 writes （含）
    assert r.min_inclusive and r.max_inclusive and r.max_multiplier == Fraction(8, 100)


def test_benchmark_forms() -> None:
    (fixed,) = find_fine_ranges("处二十万元罚款")  # R5.9 fixed amount
    assert fixed.is_fixed and fixed.min_fen == 20_000_000
    (r,) = find_fine_ranges("处五十万以上一百万元以下罚款")  # lower bound written without 元 (江门表)
    assert (r.min_fen, r.max_fen) == (50_000_000, 100_000_000)
    (r,) = find_fine_ranges("处所收费用三倍以上四倍以下的罚款")  # 江门表 环评 1-4
    assert r.kind == "multiple" and r.base == "所收费用"
    (r,) = find_fine_ranges("每日处五千元罚款")
    assert r.per == "日"
    assert find_fine_ranges("一个因子超标且超标0.2倍以下的") == []  # a condition on facts, not a fine


def _amount_phrases(text: str) -> int:
    return len(re.findall(r"(?:元|倍|之[一二三四五六七八九十]+)(?:以上|以下)?(?:的)?(?:罚款|罚金)", text))


def test_every_fine_article_in_laws_db_parses_consistently(ldb: sqlite3.Connection) -> None:
    rows = ldb.execute("SELECT law_name, article_no_arabic, article_text FROM articles WHERE article_text LIKE '%罚款%'").fetchall()
    assert len(rows) > 1000
    total, short = 0, []
    for law, no, text in rows:
        ranges: list[FineRange] = find_fine_ranges(text)
        total += len(ranges)
        if len(ranges) < _amount_phrases(text):
            short.append((law, no))
        for r in ranges:
            assert text[r.span[0] : r.span[1]] == r.raw
            json.dumps(r.to_dict(), ensure_ascii=False)
            if r.kind == "amount":
                assert r.min_fen is not None or r.max_fen is not None, (law, no, r.raw)
                assert r.min_fen is None or r.max_fen is None or r.min_fen <= r.max_fen, (law, no, r.raw)
            else:
                assert r.min_multiplier is not None or r.max_multiplier is not None, (law, no, r.raw)
                assert r.min_multiplier is None or r.max_multiplier is None or r.min_multiplier <= r.max_multiplier
            if r.condition is not None:
                c = r.condition
                assert text[c.span[0] : c.span[1]] == c.text
                assert c.span[1] <= r.span[0]
    assert total > 2000
    assert short == [], short[:10]


def test_jiangmen_bands_lie_inside_their_statutory_ranges(shared_dir: Path) -> None:
    """Every 江门表 band parses, and sits inside the 罚则 range it quotes (R5.10 step 2)."""
    path = shared_dir / "corpus/raw/cee-eco-env/converted/jiangmen_eco_discretion_table.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 872
    unparsed, outside = [], set()
    for row in rows:
        bands = find_fine_ranges(row["penalty_standard"])
        if "罚款" in row["penalty_standard"] and not bands and "直接损失" not in row["penalty_standard"]:
            unparsed.append(row["seq"])
        legal = [r for r in find_fine_ranges(row["legal_basis"]) if r.kind == "amount"]
        if not legal:
            continue
        lo = min(r.min_fen or 0 for r in legal)
        hi = max(r.max_fen or 0 for r in legal)
        for b in bands:
            if b.kind == "amount" and ((b.min_fen or 0) < lo or (b.max_fen or 0) > hi):
                outside.add(row["seq"])
    assert unparsed == []
    # 10-16 class 2 reads "处七万元以下九万元以下罚款" in the source: a typo the parser must not paper over.
    assert outside == {"10-16"}
