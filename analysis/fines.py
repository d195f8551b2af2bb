"""The lawful fine range of a 罚则 when no benchmark item applies: the statute's range, split into tiers.

Every answer whose top pair has a 罚则 carries a fine. Without an item whose citation agrees with the retrieved
pair, the range comes from the 罚则's own words (``nlp.money.find_fine_ranges``) and the tier from a general split
of it (从轻 the lower part, 从重 the upper part, 一般 between), configurable per agency. Each figure shows its
arithmetic; a multiple of an amount the description does not give is said, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any, NamedTuple

from nlp.citations import Context, parse_citations
from nlp.money import FineRange, find_fine_ranges
from nlp.numerals import int_to_cn

# Who a range is for. Ranges for the persons in charge (双罚制) are never the party's fine.
_PERSONS_IN_CHARGE = ("直接负责的主管人员", "其他直接责任人员", "直接责任人员", "主管人员", "责任人员")
_ORG = ("单位", "企业", "法人", "其他组织", "经营者", "生产经营单位", "公司")
_INDIVIDUAL = ("个人", "自然人", "公民")
_SERIOUS = ("情节严重", "情节特别严重", "造成严重", "后果严重")
_TIERS = ("从轻", "一般", "从重")


@dataclass(frozen=True)
class Split:
    """How a statutory range divides into 从轻 / 一般 / 从重 (shares of the range, from the bottom and the top)."""

    lower: float = 0.3
    upper: float = 0.3
    rule: str = ("通行规则：法定罚款幅度内，下限起30%为从轻、上限以下30%为从重、中间40%为一般"
                 "（多数省级行政处罚裁量基准适用规则的做法；可由机关配置 EH_AGENCY_FILE 覆盖）")


DEFAULT_SPLIT = Split()


def _for_party(fr: FineRange, party: str | None) -> bool:
    target = fr.target or ""
    if any(p in target for p in _PERSONS_IN_CHARGE):
        return False
    if party == "organization" and any(w in target for w in _INDIVIDUAL):
        return False
    return not (party == "individual" and any(w in target for w in _ORG))


def _item_ranges(text: str, ranges: list[FineRange], item: int) -> list[FineRange]:
    """The ranges whose sentence names 项 ``item`` (「有前款第三项、第四项…行为之一的，处…」, 「第(二)项」), when any
    sentence names 项."""
    mark = re.compile(rf"第[（(]?(?:{int_to_cn(item)}|{item})[）)]?项")
    named, ours = False, []
    for r in ranges:
        start = max(text.rfind(p, 0, r.span[0]) for p in "。；\n") + 1
        clause = text[start : r.span[0]]
        if "项" in clause and "第" in clause:
            named = True
            if mark.search(clause):
                ours.append(r)
    return ours if named and ours else ranges


@dataclass(frozen=True)
class Referral:
    """Where a 罚则 that names no penalty of its own sends the reader (「依照第一款规定给予处罚」).

    ``article``/``paragraph`` for a provision of the same instrument (resolved against the 罚则's own place), or
    ``law`` alone for another instrument (「依照《中华人民共和国环境影响评价法》的规定处罚」).
    """

    raw: str
    law: str
    article: int | None = None
    article_sub: int = 0
    paragraph: int | None = None


class PenaltyText(NamedTuple):
    """The 罚则 whose words give the fine: its citation, its text and the cited 项.

    ``via`` says how it was reached when the retrieved 罚则 referred to it; ``referred_law`` names the instrument a
    罚则 refers to when no provision of it could be followed.
    """

    cite: str
    text: str
    item: int | None
    via: str | None = None
    referred_law: str | None = None
    stand_in: str | None = None  # the text is a stand-in for a version missing from the store (said to the officer)


_LAWFUL_PENALTY_RE = re.compile(r"依法(?:给予|予以)?(?:行政)?(?:处罚|处理|查处)|依照有关(?:法律|法规|规定)")
_REFERRAL_TAIL = re.compile(r"^[的之]?(?:有关)?规定(?:给予|予以|进行)?(?:行政)?(?:处罚|处理|查处)")
_REFERRAL_HEAD = ("依照", "按照", "依据", "根据")
_OTHER_LAW_REFERRAL = re.compile(r"(?:依照|按照|依据|根据)《([^《》]{2,60})》(?:的)?(?:有关)?规定(?:给予|予以)?(?:行政)?(?:处罚|处理|追究)")


def find_referral(text: str, law: str, article: int, article_sub: int = 0,
                  paragraph: int | None = None) -> Referral | None:
    """The provision a 罚则 refers its penalty to, or None when it states its own (or none at all).

    Relative references (第一款, 前款, 本法第X条) are resolved by the citation grammar against the 罚则's own place.
    """
    ctx = Context(law=law, article=article, article_sub=article_sub, paragraph=paragraph)
    for c in parse_citations(text, context=ctx):
        if c.article is None or not _REFERRAL_TAIL.match(text[c.end : c.end + 16]):
            continue
        if not any(h in text[max(0, c.start - 6) : c.start] for h in _REFERRAL_HEAD):
            continue
        same = c.law_ref in ("context", "this_law") or c.law == law
        if same and (c.article, c.article_sub, c.paragraph) == (article, article_sub, paragraph):
            continue  # refers to itself: nothing to follow
        return Referral(c.raw, c.law or law, c.article, c.article_sub, c.paragraph)
    m = _OTHER_LAW_REFERRAL.search(text)
    if m:
        return Referral(m.group(0), m.group(1))
    return None


@lru_cache(maxsize=4096)
def _statute_ranges(text: str) -> tuple[FineRange, ...]:
    """The fine ranges of a statute text, parsed once: the same 罚则 comes back in request after request."""
    return tuple(find_fine_ranges(text))


def choose_range(text: str, party: str | None, amounts: dict[str, float] | None = None,
                 serious: bool = False, item: int | None = None) -> FineRange | None:
    """The range of a 罚则 text that fits the party and the facts, or None when it names no fine.

    Where the article gives each 项 its own range (水污染防治法 第八十五条第二款), the range for ``item`` is taken. A
    range whose amount test the facts meet (货值金额不足一万元的 …) comes first; then the 情节严重 range when the facts
    state it; else the basic range (no condition), and only failing that a conditioned one.
    """
    ranges = [r for r in _statute_ranges(text) if r.kind in ("amount", "multiple", "percent") and _for_party(r, party)]
    if not ranges:
        return None
    if item is not None:
        ranges = _item_ranges(text, ranges, item)
    amounts = amounts or {}
    for r in ranges:
        c = r.condition
        if c is not None and c.base in amounts and c.holds(round(amounts[c.base] * 100)):
            return r
    plain = [r for r in ranges if r.condition is None]
    grave = [r for r in ranges if r.condition is not None and any(w in r.condition.text for w in _SERIOUS)]
    if serious and grave:
        return grave[0]
    return plain[0] if plain else ranges[0]


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100


def _round(x: Decimal, lo: Decimal, hi: Decimal) -> Decimal:
    unit = Decimal(100) if hi - lo >= 1000 else Decimal(10) if hi - lo >= 100 else Decimal(1)
    r = (x / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit
    return min(max(r, lo), hi)


def statutory_fine(text: str, citation: str, party: str | None, amounts: dict[str, float], tier: str = "一般",
                   serious: bool = False, split: Split = DEFAULT_SPLIT, item: int | None = None) -> dict[str, Any] | None:
    """The fine for ``tier`` within the 罚则's statutory range, with its arithmetic.

    Args:
        text: The 罚则's text (the 款 with its lead-in, or the article).
        citation: The 罚则's citation, named in the arithmetic.
        party: ``individual``, ``organization`` or None.
        amounts: Amounts found in the description by kind (违法所得, 货值金额 …), in yuan.
        tier: ``从轻``, ``一般`` or ``从重``.
        serious: The description states 情节严重.
        split: The agency's split of a range into tiers.
        item: The 项 the 罚则 was cited at, to pick that 项's range in an article that ranges each 项.

    Returns:
        ``{"source": "statutory_split", "min", "max", "suggested", "tier", "statutory", "arithmetic", "note", …}``
        in yuan, or None when the text names no fine.
    """
    fr = choose_range(text, party, amounts, serious, item)
    if fr is None:
        return None
    tier = tier if tier in _TIERS else "一般"
    out: dict[str, Any] = {"source": "statutory_split", "tier": tier, "unit": "元", "statutory": fr.raw,
                           "clause": fr.condition.text if fr.condition else None, "citation": citation,
                           "min": None, "max": None, "suggested": None, "rule": split.rule, "assumptions": [],
                           "arithmetic": [f"法定幅度（{citation}）：{fr.raw}"], "note": None}
    steps = out["arithmetic"]
    cond = fr.condition
    if cond is not None and not (cond.base in amounts or (serious and any(w in cond.text for w in _SERIOUS))):
        out["assumptions"].append(f"描述未写明条款条件所需的事实：按「{cond.text}」计算，请核实")
    if fr.kind == "amount":
        lo, hi = _yuan(fr.min_fen) or Decimal(0), _yuan(fr.max_fen)
        if fr.min_fen is None:
            steps.append("罚则只规定上限（“以下”）：下限按 0 元计")
    else:
        base_name = fr.base or "计算基数"
        base = amounts.get(base_name)
        if base is None:
            out["base_needed"] = base_name
            out["note"] = f"罚款按{base_name}的倍数计算，描述中没有{base_name}金额：请核定基数后计算（不作假设）"
            out["multiplier"] = {"min": str(fr.min_multiplier) if fr.min_multiplier is not None else None,
                                 "max": str(fr.max_multiplier) if fr.max_multiplier is not None else None}
            return out
        b = Decimal(str(base))
        # Multipliers are exact fractions for multiples and percentages alike (百分之五 → 1/20).
        lo_f, hi_f = fr.min_multiplier, fr.max_multiplier
        lo = b * Decimal(lo_f.numerator) / Decimal(lo_f.denominator) if lo_f is not None else Decimal(0)
        hi = b * Decimal(hi_f.numerator) / Decimal(hi_f.denominator) if hi_f is not None else None
        steps.append(f"{base_name} {b:,.2f} 元 × 幅度 → {lo:,.2f}–" + (f"{hi:,.2f} 元" if hi is not None else "（无上限）"))
    if hi is None:
        out["min"] = float(lo)
        out["note"] = "法定幅度只有下限：无法按比例划分阶次，请依裁量基准确定"
        return out
    width = hi - lo
    cuts = {"从轻": (lo, lo + width * Decimal(str(split.lower))),
            "一般": (lo + width * Decimal(str(split.lower)), hi - width * Decimal(str(split.upper))),
            "从重": (hi - width * Decimal(str(split.upper)), hi)}
    band_lo, band_hi = cuts[tier]
    steps.append(f"阶次划分（{split.rule.split('：')[0]}）：从轻 {cuts['从轻'][0]:,.2f}–{cuts['从轻'][1]:,.2f} 元；"
                 f"一般 {cuts['一般'][0]:,.2f}–{cuts['一般'][1]:,.2f} 元；从重 {cuts['从重'][0]:,.2f}–{cuts['从重'][1]:,.2f} 元")
    mid = (band_lo + band_hi) / 2
    sug = _round(mid, band_lo, band_hi)
    steps.append(f"{tier}：区间 {band_lo:,.2f}–{band_hi:,.2f} 元的中点 {mid:,.2f} 元" + (f"，取整 {sug:,.2f} 元" if sug != mid else ""))
    out.update(min=float(lo), max=float(hi), band_min=float(band_lo), band_max=float(band_hi), suggested=float(sug))
    return out


def unpriced_fine(found: PenaltyText, tier: str) -> dict[str, Any]:
    """The fine of a 罚则 that states no range: what the statute does say, never an invented figure.

    Three cases: it refers the penalty to another instrument (``referral``); it allows 罚款 without an amount, left to
    implementing rules and local benchmarks (``unspecified``); or it provides no 罚款 at all (``no_fine``: a fine
    would have no legal basis, 处罚法 第四条).
    """
    out: dict[str, Any] = {"source": "statutory_split", "tier": tier if tier in _TIERS else "一般", "unit": "元",
                           "citation": found.cite, "min": None, "max": None, "suggested": None, "clause": None,
                           "rule": None, "assumptions": []}
    if found.referred_law:
        out.update(kind="referral", statutory=f"依照《{found.referred_law}》的规定处罚",
                   note=f"{found.cite} 未规定自身的罚款幅度，规定依照《{found.referred_law}》处罚：请按该法相应罚则确定罚款")
    elif "罚款" in found.text:
        out.update(kind="unspecified", statutory="罚款（罚则未规定数额）",
                   note=f"{found.cite} 规定可以处罚款，但未规定数额：数额依实施细则、地方性法规或本机关裁量基准确定")
    elif _LAWFUL_PENALTY_RE.search(found.text):
        out.update(kind="unspecified", statutory="依法给予处罚（罚则未规定种类和数额）",
                   note=f"{found.cite} 规定依法给予处罚，未规定罚款数额：请按有关法律、法规的罚则确定")
    else:
        out.update(kind="no_fine", min=0.0, max=0.0, statutory="罚则未规定罚款",
                   note=f"{found.cite} 未规定罚款（可能仅警告、没收、责令停产停业等）：不得处以罚款，请按罚则确定处罚种类")
    out["arithmetic"] = [out["note"]]
    return out
