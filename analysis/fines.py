"""The lawful fine range of a 罚则 when no benchmark item applies: the statute's range, split into tiers.

Every answer whose top pair has a 罚则 carries a fine. Without an item whose citation agrees with the retrieved
pair, the range comes from the 罚则's own words (``nlp.money.find_fine_ranges``) and the tier from a general split
of it (从轻 the lower part, 从重 the upper part, 一般 between), configurable per agency. Each figure shows its
arithmetic; a multiple of an amount the description does not give is said, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

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
    """The ranges whose sentence names 项 ``item`` (「有前款第三项、第四项…行为之一的，处…」), when any sentence names 项."""
    mark = f"第{int_to_cn(item)}项"
    named, ours = False, []
    for r in ranges:
        start = max(text.rfind(p, 0, r.span[0]) for p in "。；\n") + 1
        clause = text[start : r.span[0]]
        if "项" in clause and "第" in clause:
            named = True
            if mark in clause:
                ours.append(r)
    return ours if named and ours else ranges


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
