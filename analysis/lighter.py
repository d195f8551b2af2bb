"""从旧兼从轻 made concrete (处罚法 第三十七条): the 罚则 on the violation date against the one on the decision date.

The law in force when the violation happened applies, unless the law in force at the decision is lighter. When the
two dates fall in different versions of the 罚则's instrument, both provisions are shown and their fines compared;
when the instrument was repealed in between, its successor is named and the comparison is left to the reviewer with
both texts, since the successor's article is a legal judgement the store cannot make.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from analysis.fines import choose_range
from nlp.money import FineRange


def _bounds(fr: FineRange | None) -> tuple[float | None, float | None] | None:
    if fr is None or fr.kind != "amount":
        return None
    return (fr.min_fen or 0) / 100, (None if fr.max_fen is None else fr.max_fen / 100)


def _verdict(old: FineRange | None, new: FineRange | None) -> tuple[str, str]:
    """``(lighter, reason)`` with lighter ``old``, ``new``, ``same`` or ``unknown``."""
    if old is None or new is None:
        return "unknown", "至少一个版本的罚则未规定可比较的罚款幅度：请人工比较处罚种类和幅度"
    if old.kind != new.kind or old.base != new.base:
        return "unknown", f"两版罚款计算方式不同（{old.raw} / {new.raw}）：请按案件金额比较"
    # Multipliers are exact fractions, amounts whole fen; both compare with each other and with 0.
    lo: tuple[Fraction | int, Fraction | int]
    hi: tuple[Fraction | int | None, Fraction | int | None]
    if old.kind != "amount":
        lo = (old.min_multiplier or 0, new.min_multiplier or 0)
        hi = (old.max_multiplier, new.max_multiplier)
        unit = "倍"
    else:
        lo = (old.min_fen or 0, new.min_fen or 0)
        hi = (old.max_fen, new.max_fen)
        unit = "元"
    if lo == (lo[0], lo[0]) and hi[0] == hi[1]:
        return "same", f"两版罚款幅度相同（{old.raw}）"
    if hi[0] is not None and hi[1] is not None:
        if lo[1] <= lo[0] and hi[1] <= hi[0]:
            return "new", f"新法幅度（{new.raw}）上下限均不高于旧法（{old.raw}）：适用新法（从轻）"
        if lo[0] <= lo[1] and hi[0] <= hi[1]:
            return "old", f"旧法幅度（{old.raw}）上下限均不高于新法（{new.raw}）：适用旧法"
    return "unknown", f"两版幅度交叉（{old.raw} / {new.raw}，单位{unit}）：以拟处罚款额比较，取较轻者"


def compare_versions(resolver: Any, citation: str, violation: date, decision: date,
                     party: str | None = None) -> dict[str, Any] | None:
    """Both versions of a 罚则 and which is lighter, when the violation and decision dates fall in different ones.

    Args:
        resolver: A :class:`corpus.resolver.Resolver`.
        citation: The 罚则 as cited on the violation date.
        violation: The violation date (``as_of``).
        decision: The decision date.
        party: ``individual`` / ``organization`` / None, to pick the party's range.

    Returns:
        None when one version covers both dates; else ``{"violation_version", "decision_version", "lighter",
        "reason", "rule"}`` (each version with citation, status, dates and text).
    """
    old = resolver.lookup(citation, violation)
    new = resolver.lookup(citation, decision)
    old_v, new_v = old.as_of_version or {}, new.as_of_version or {}
    if old.status != "verified" or (new.status == "verified" and old_v.get("id") == new_v.get("id")):
        return None

    def side(r: Any, v: dict[str, Any]) -> dict[str, Any]:
        return {"citation": r.normalized, "status": r.status, "reason": r.reason, "text": r.text,
                "effective_from": v.get("effective_from"), "effective_to": v.get("effective_to"),
                "version_date": v.get("version_date")}

    out: dict[str, Any] = {"violation_version": side(old, old_v), "decision_version": side(new, new_v),
                           "rule": "处罚法 第三十七条（从旧兼从轻）"}
    if new.status != "verified":
        successor = (old_v.get("repealed_by") or (old.later_change or {}).get("by")) if old.later_change else None
        out["lighter"] = "unknown"
        out["reason"] = ("该条文在决定日已不在有效版本中" + (f"（被《{successor}》废止）" if successor else "")
                         + "：请查明继受规定的对应罚则并比较轻重；未查明前适用违法行为发生时的规定")
        out["successor"] = successor
        return out
    lighter, reason = _verdict(choose_range(old.text or "", party), choose_range(new.text or "", party))
    out["lighter"], out["reason"] = lighter, reason
    return out
