"""Statutory fine ranges and their split into tiers, on real 罚则 from the store."""

from __future__ import annotations

import re
from datetime import date

import pytest

from analysis.fines import DEFAULT_SPLIT, choose_range, find_referral, statutory_fine, unpriced_fine

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


# ---------------------------------------------------------------------------------------------- 罚则 with no range
def _basis(resolver, cite: str, day: date = D) -> dict:
    """A retrieved 罚则 as the search gives it, read from the real store."""
    from nlp.citations import parse_citations

    (c,) = parse_citations(cite)
    r = resolver.lookup(cite, day)
    assert r.status == "verified", (cite, r.status)
    return {"law": r.law, "article": c.article, "article_sub": c.article_sub, "paragraph": c.paragraph,
            "item": c.item, "text": r.text, "is_liability": True, "citation": cite}


@pytest.fixture(scope="module")
def analyzer():
    from api.services import Services

    return Services().analyzer


def test_a_referral_within_the_law_is_followed_to_its_range(resolver) -> None:
    # 食品安全法 第一百二十四条第三款: 「…依照第一款规定给予处罚」
    text = _text(resolver, "《食品安全法》第一百二十四条第三款")
    ref = find_referral(text, "中华人民共和国食品安全法", 124, 0, 3)
    assert ref is not None and (ref.article, ref.paragraph) == (124, 1)
    assert choose_range(text, None) is None  # nothing of its own


def test_a_referral_to_another_law_names_it(resolver) -> None:
    text = _text(resolver, "《建设项目环境保护管理条例》第二十一条")
    ref = find_referral(text, "建设项目环境保护管理条例", 21)
    assert ref is not None and ref.article is None and ref.law == "中华人民共和国环境影响评价法"
    # a 罚则 with its own range refers nowhere
    own = _text(resolver, "《大气污染防治法》第一百一十五条第一款")
    assert find_referral(own, "中华人民共和国大气污染防治法", 115, 0, 1) is None


def test_the_pipeline_takes_the_referred_range_and_says_so(resolver, analyzer) -> None:
    hit = _basis(resolver, "《食品安全法》第一百二十四条第三款")
    found = analyzer._penalty_text([hit], D)
    assert found.cite == "《中华人民共和国食品安全法》第一百二十四条第一款" and "依照第一款" in found.via
    fine = statutory_fine(found.text, found.cite, "organization", {})
    assert fine is not None and fine["min"] is not None or fine["base_needed"]


def test_a_penalty_provision_without_an_amount_still_gets_a_fine_answer(resolver, analyzer) -> None:
    # 公共场所卫生管理条例 第十四条: 「…给予警告、罚款、停业整顿…」 with no amount; 营业性演出管理条例 第四十七条第一款 is
    # priced in its third 款 for the 项 it lists (「第(二)项」 written with brackets).
    unpriced = analyzer._penalty_text([_basis(resolver, "《公共场所卫生管理条例》第十四条第一款")], D)
    fine = unpriced_fine(unpriced, "一般")
    assert fine["kind"] == "unspecified" and fine["min"] is None and "未规定数额" in fine["note"]
    show = analyzer._penalty_text([_basis(resolver, "《营业性演出管理条例》第四十七条第一款第（二）项")], D)
    priced = statutory_fine(show.text, show.cite, "organization", {}, item=show.item)
    assert (priced["min"], priced["max"]) == (50000.0, 100000.0)
    fourth = statutory_fine(show.text, show.cite, "organization", {}, item=4)
    assert (fourth["min"], fourth["max"]) == (5000.0, 10000.0)
    refer = analyzer._penalty_text([_basis(resolver, "《产品质量法》第五十九条")], D)
    assert unpriced_fine(refer, "一般")["kind"] == "referral" and refer.referred_law == "中华人民共和国广告法"


def test_a_penalty_provision_with_no_fine_forbids_one(resolver, analyzer) -> None:
    # 产品质量法 第十七条第一款: 责令改正、公告、停业整顿、吊销营业执照 — no 罚款
    found = analyzer._penalty_text([_basis(resolver, "《产品质量法》第十七条第一款")], D)
    fine = unpriced_fine(found, "一般")
    assert fine["kind"] == "no_fine" and (fine["min"], fine["max"]) == (0.0, 0.0) and "不得处以罚款" in fine["note"]


@pytest.mark.slow
def test_every_answer_with_a_penalty_provision_has_a_tier_and_a_fine(shared_dir, analyzer) -> None:
    """On the real published decisions: whatever the top 罚则, the answer carries a tier and a fine with its source."""
    import json

    from api.services import Services
    from index.evaluate import _real_as_of

    svc = Services()
    rows = [json.loads(x) for x in (shared_dir / "eval" / "real_decisions" / "decisions.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]
    checked = 0
    for rec in rows:
        day = _real_as_of(rec)
        a = svc.analyze(rec["facts"], date.fromisoformat(day) if day else None, region="全国")
        top = (a["provisions"] or [{}])[0]
        if a["no_violation"] or not (top.get("is_liability") or top.get("basis")):
            continue
        checked += 1
        assert a["tier"] and a["tier"]["label"] and a["fine"] and a["fine"]["source"] in ("item", "statutory_split"), \
            rec["id"]
        assert a["fine"]["arithmetic"], rec["id"]
    assert checked >= 0.8 * len(rows)
