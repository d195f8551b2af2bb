"""Fine ranges for benchmarks, from ``nlp.money.find_fine_ranges`` (the one fine-range parser; R5.9).

This module only converts the money helper's ranges (fen and exact fractions) into the benchmark schema
(yuan, multiples, percent) so that items can be stored as JSON and compared with a statute.
"""

from __future__ import annotations

from fractions import Fraction

from corpus.benchmarks.schema import FineRange
from nlp.money import FineRange as MoneyRange, find_fine_ranges


def _yuan(fen: int | None) -> float | None:
    return None if fen is None else fen / 100


def _num(f: Fraction | None, scale: int = 1) -> float | None:
    return None if f is None else float(f * scale)


def convert(r: MoneyRange) -> FineRange:
    """One ``nlp.money.FineRange`` in the benchmark schema (percent as 0–100, multiples as factors)."""
    if r.kind == "amount":
        lo, hi = _yuan(r.min_fen), _yuan(r.max_fen)
    elif r.kind == "percent":
        lo, hi = _num(r.min_multiplier, 100), _num(r.max_multiplier, 100)
    else:
        lo, hi = _num(r.min_multiplier), _num(r.max_multiplier)
    return FineRange(
        kind=r.kind,  # type: ignore[arg-type]
        min=lo,
        max=hi,
        base=r.base,
        text=r.raw,
        min_inclusive=r.min_inclusive,
        max_inclusive=r.max_inclusive,
        target=r.target,
        condition=r.condition.text if r.condition else None,
        alternatives=list(r.alternatives),
        per=r.per,
    )


def fine_ranges(text: str, below_inclusive: bool = True) -> list[FineRange]:
    """Every fine range written in ``text`` (a statute provision or a table's 裁量标准 cell)."""
    if not text:
        return []
    return [convert(r) for r in find_fine_ranges(text, below_inclusive=below_inclusive)]
