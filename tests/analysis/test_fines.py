"""Statutory fine ranges and their split into tiers, on real 罚则 from the store."""

from __future__ import annotations

import re
from datetime import date

import pytest

from analysis.fines import DEFAULT_SPLIT, choose_range, statutory_fine

D = date(2024, 6, 1)


def _text(resolver, cite: str, day: date = D) -> str:
    r = resolver.lookup(cite, day)
    assert r.status == "verified", (cite, r.status)
    return r.text


def test_a_fixed_range_is_split_into_three_tiers(resolver) -> None:
    cite = "《大气污染防治法》第一百一十五条第一款"
    f = statutory_fine(_text(resolver, cite), cite, "organization", {})
    assert (f["min"], f["max"], f["source"]) == (10000.0, 100000.0, "statutory_split")
    assert f["band_min"] == 10000 + 0.3 * 90000 and f["band_max"] == 100000 - 0.3 * 90000
    assert f["band_min"] <= f["suggested"] <= f["band_max"] and cite in f["arithmetic"][0]
    light = statutory_fine(_text(resolver, cite), cite, "organization", {}, tier="从轻")
    heavy = statutory_fine(_text(resolver, cite), cite, "organization", {}, tier="从重")
    assert light["band_max"] <= f["band_min"] and heavy["band_min"] >= f["band_max"]
    assert "30%" in f["rule"] and DEFAULT_SPLIT.lower == 0.3


def test_a_multiple_is_computed_from_the_amount_or_asked_for(resolver) -> None:
    cite = "《食品安全法》第一百二十四条第一款"
    text = _text(resolver, cite)
    big = statutory_fine(text, cite, "organization", {"货值金额": 20000.0})
    assert (big["min"], big["max"]) == (200000.0, 400000.0)
    assert any("20,000.00" in s for s in big["arithmetic"])
    small = statutory_fine(text, cite, "organization", {"货值金额": 5000.0})
    assert (small["min"], small["max"]) == (50000.0, 100000.0)
    unknown = statutory_fine(text, cite, "organization", {})
    assert unknown["assumptions"] and "货值金额" in unknown["assumptions"][0]


def test_the_partys_range_is_chosen(resolver) -> None:
    """消防法 第六十条: 单位 五千元以上五万元以下; 个人 警告或者五百元以下 (第二款)."""
    org = choose_range(_text(resolver, "《消防法》第六十条第一款"), "organization")
    ind = choose_range(_text(resolver, "《消防法》第六十条第二款"), "individual")
    assert (org.min_fen, org.max_fen) == (500_000, 5_000_000)
    assert ind.max_fen == 50_000 and ind.min_fen is None


def test_persons_in_charge_never_get_the_partys_range() -> None:
    text = "对单位处十万元以上五十万元以下的罚款，对其直接负责的主管人员和其他直接责任人员处一万元以上五万元以下的罚款。"
    r = choose_range(text, "organization")
    assert (r.min_fen, r.max_fen) == (10_000_000, 50_000_000)


@pytest.mark.slow
def test_share_of_liability_articles_parsed(store) -> None:
    """Every 法律责任 article that names a fine in yuan or as a multiple: the share whose range is read."""
    fine_re = re.compile(r"罚款")
    amount_re = re.compile(r"[0-9一二三四五六七八九十百千万]+(?:元|倍)")
    rows = store.con.execute("SELECT text FROM articles WHERE liability=2").fetchall()
    named = [t for (t,) in rows if fine_re.search(t) and amount_re.search(t)]
    parsed = [t for t in named if choose_range(t, None) is not None]
    assert len(named) > 5000
    assert len(parsed) / len(named) >= 0.95, len(parsed) / len(named)
