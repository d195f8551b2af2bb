"""Hundreds of citation forms taken from real provisions of the store (issue #2, DOMAIN.md R1.3)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

import pytest

from nlp.citations import Context, normalize_title
from nlp.numerals import int_to_cn

TODAY = date(2026, 11, 22)


def test_cross_references_inside_statutes_resolve(store, resolver) -> None:
    """Every 违反本法第X条…规定 / 前款第X项 / 本条第X款 in the 罚则 of laws and regulations in force.

    A few references are genuinely dead in the sources (a law citing a repealed 条例, a 款 that a later
    amendment removed), so the bar is 98 %, and every failure must carry one of the precise statuses.
    """
    counts: Counter[str] = Counter()
    for p in store.iter_provisions(as_of=TODAY, levels=("article",)):
        if not p.liability or p.level not in ("法律", "行政法规", "部门规章", "地方性法规"):
            continue
        ctx = Context(law=p.title, article=p.article, article_sub=p.sub)
        for r in resolver.verify_text(p.text, TODAY, ctx):
            counts[r.status] += 1
    total = sum(counts.values())
    assert total >= 2000, counts
    assert counts["verified"] / total >= 0.98, counts


def _forms(title: str, short: str, art: int, par: int | None, item: int) -> list[str]:
    a_cn, i_cn = int_to_cn(art), int_to_cn(item)
    p_cn = f"第{int_to_cn(par)}款" if par else ""
    p_ar = f"第{par}款" if par else ""
    full = "０１２３４５６７８９"
    fw = lambda n: str(n).translate(str.maketrans("0123456789", full))  # noqa: E731
    return [
        f"《{title}》第{a_cn}条{p_cn}第（{i_cn}）项",
        f"《{short}》第{a_cn}条{p_cn}第{i_cn}项",
        f"《{short}》第{a_cn}条{p_cn}第({i_cn})项",
        f"《{short}》第{art}条{p_ar}第{item}项",
        f"《{short}》第{fw(art)}条{'第' + fw(par) + '款' if par else ''}第{fw(item)}项",
        f"依据《{short}》 第 {a_cn} 条 {p_cn} 第（{i_cn}）项之规定",
    ]


@pytest.fixture(scope="module")
def items_by_level(store) -> dict:
    out: dict = {}
    for p in store.iter_provisions(as_of=TODAY, levels=("item",)):
        out.setdefault(p.level, []).append(p)
    return out


@pytest.mark.parametrize("level", ["法律", "行政法规", "部门规章", "地方性法规"])
def test_written_forms_of_real_items_normalise_and_verify(store, resolver, items_by_level, level: str) -> None:
    """Sample real 项 of each level; six ways of writing each must give one canonical citation."""
    units = items_by_level[level]
    rng = random.Random(20261122)
    sample = rng.sample(units, min(15, len(units)))
    checked = 0
    for p in sample:
        inst = store.instruments_by_key(normalize_title(p.title))
        if len(inst) != 1:
            continue
        short = normalize_title(p.title) if p.title.startswith("中华人民共和国") else p.title
        art = store.article(p.version_id, p.article, p.sub)
        if p.sub or len(art.paragraphs_with_items()) > 1:
            continue
        canonical = None
        for form in _forms(p.title, short, p.article, p.paragraph if len(art.paragraphs) > 1 else None, p.item):
            (r,) = resolver.verify_text(form, TODAY)
            assert r.status == "verified", (form, r.status, r.reason)
            assert (r.law, r.article, r.paragraph, r.item) == (p.title, p.article, p.paragraph, p.item), form
            canonical = canonical or r.normalized
            assert r.normalized == canonical
            assert r.text.split("\n")[0] == p.text.split("\n")[0]
            checked += 1
    assert checked >= 48  # ≥ 8 provisions × 6 forms per level; 4 levels ≥ 200 forms in all
