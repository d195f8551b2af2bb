"""Penalty types (R3.1) and non-penalty measures (责令改正 …) named in a penalty text."""

from __future__ import annotations

import re

# Order matters only for readability of the output; every pattern is tried.
_TYPES: list[tuple[str, re.Pattern[str]]] = [
    ("警告", re.compile(r"警告")),
    ("通报批评", re.compile(r"通报批评")),
    ("罚款", re.compile(r"罚款|罚金(?!额)")),
    ("没收违法所得", re.compile(r"没收(?:其)?违法所得")),
    ("没收非法财物", re.compile(r"没收[^，。；]{0,40}?(?:物品|工具|设备|财物|产品|食品|商品|器材|车辆|烟花爆竹|原料|发票|材料|赌具|赌资|药品|实物|设施)")),
    ("暂扣许可证件", re.compile(r"暂扣[^，。；]{0,12}(?:证|执照|许可)")),
    ("降低资质等级", re.compile(r"降低资质等级")),
    ("吊销许可证件", re.compile(r"吊销[^，。；]{0,16}(?:证|执照|许可|资质)")),
    ("限制开展生产经营活动", re.compile(r"限制生产|限制开展生产经营活动|限产")),
    ("责令停产停业", re.compile(r"停产停业|停产整治|停业整顿|责令停止(?:生产|经营|营业|施工|使用)|停止使用|停产整顿|停业")),
    ("责令关闭", re.compile(r"责令关闭|关闭")),
    ("限制从业", re.compile(r"限制从业|(?:年|终身)内?不得(?:从事|担任)")),
    ("行政拘留", re.compile(r"拘留")),
]

_MEASURES: list[tuple[str, re.Pattern[str]]] = [
    ("责令改正", re.compile(r"责令(?:限期)?改正|责令(?:限期)?整改|责令纠正")),
    ("责令停止违法行为", re.compile(r"责令停止违法行为|责令停止建设|责令停止(?:排放|开采|施工)")),
    ("责令恢复原状", re.compile(r"恢复原状")),
    ("责令限期采取治理措施", re.compile(r"限期采取治理措施|消除污染|限期治理")),
    ("责令拆除", re.compile(r"拆除")),
    ("代为履行", re.compile(r"代为(?:治理|处置|履行|清除)")),
]


def penalty_types(text: str) -> list[str]:
    """Penalty types of 处罚法 第九条 (R3.1) named in ``text``.

    ``责令停止建设`` is an order, not 停产停业; ``没收违法所得`` is kept apart from other confiscation.
    """
    if not text:
        return []
    out = [name for name, rx in _TYPES if rx.search(text)]
    # 责令停止建设 / 停止违法行为 are orders to stop the violation, not the 停产停业 penalty.
    if "责令停产停业" in out and not re.search(r"停产|停业|停止(?:生产|经营|营业|使用)", text):
        out.remove("责令停产停业")
    return out


def measures(text: str) -> list[str]:
    """Measures that are not penalties (责令改正 is never a penalty, 处罚法 第二十八条第一款)."""
    if not text:
        return []
    return [name for name, rx in _MEASURES if rx.search(text)]
