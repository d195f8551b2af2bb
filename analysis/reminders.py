"""Reminders on how an answer was reached: the matched item (party, citation, title match) and the limitation."""

from __future__ import annotations

from datetime import date
from typing import Any

from analysis.tiers import limitation_period

__all__ = ["item_reminders", "limitation_reminder"]


def item_reminders(answer: dict[str, Any], best: dict[str, Any], penal: list[dict[str, Any]],
                   party: str | None) -> None:
    """What the officer must know about how the item was chosen: the party's 款, another 款/项, a title match."""
    rem = answer["reminders"]
    item, summary = best["item"], best["summary"]
    if party is None and item.party != "any":
        who = "单位" if item.party == "organization" else "个人"
        others = sorted({m["item"].party for m in penal[1:] if m["item"].party not in ("any", item.party)})
        also = "（另有个人/单位分款的事项，请指明当事人类型）" if others else ""
        rem.append({"code": "party_unknown", "blocking": False, "rule": "单位/个人分款（陷阱(c)）",
                    "message": f"当事人类型未知：按{who}事项“{item.title}”建议{also}，请核对罚则的款"})
    if summary.get("citation_conflict"):
        rem.append({"code": "item_cites_other_provision", "blocking": False, "rule": "R3.2",
                    "message": f"所匹配事项引用{summary['matched_citation']}，与检索到的条文的款/项不同：请核对是否同一违法行为"})
    if summary.get("via") == "title":
        rem.append({"code": "matched_by_title", "blocking": False, "rule": "R3.2",
                    "message": "检索到的条文均未对应裁量基准事项：按事项名称相似度匹配，请核对违则/罚则"})


def limitation_reminder(answer: dict[str, Any], item: Any, as_of: date | None, discovery_date: date | None) -> None:
    """不予处罚 for limitation needs the discovery date: an assumed one (today) would turn every old case into
    不予处罚. Without it the tier and fine stay computed as if within limitation and the officer is asked for it."""
    if as_of is None:
        return
    period, rule = limitation_period(item)
    rem = answer["reminders"]
    if discovery_date is None:
        if date.fromisoformat(answer["decision_date"]) - as_of > period:
            rem.append({"code": "discovery_date_needed", "blocking": True, "rule": f"处罚法 第三十六条；{rule}",
                        "message": f"违法行为发生于 {as_of.isoformat()}，距今已超过追责时效（{rule}）：请填写发现日期"
                                   "（discovery_date）后再判断是否不予处罚；以下阶次和罚款按未过时效计算"})
    elif item is None and discovery_date - as_of > period:
        # with an item, suggest_tier has already applied the limitation
        answer["adjustment"] = "不予处罚"
        rem.append({"code": "limitation_expired", "blocking": True, "rule": f"处罚法 第三十六条；{rule}",
                    "message": "追责时效已过：不再给予行政处罚（不予处罚决定）"})
