"""Province names: the jurisdiction whose local regulations (地方性法规) apply to a case."""

from __future__ import annotations

from nlp.errors import EHError

PROVINCES: tuple[str, ...] = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西",
    "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾", "内蒙古",
    "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)  # fmt: skip
# A region that lifts the filter: every province's local regulations are candidates.
ALL_REGIONS = ("全国", "all", "*")


class RegionError(EHError):
    """A region that names no province."""

    code = "bad_region"


def normalize_region(text: str | None) -> str | None:
    """The province a place name lies in: ``浙江省杭州市`` → ``浙江``, ``重庆市`` → ``重庆``.

    Returns None for a value of :data:`ALL_REGIONS` (no filter).

    Raises:
        RegionError: when the text starts with no province name.
    """
    if text is None:
        return None
    t = text.strip()
    if t in ALL_REGIONS:
        return None
    for p in PROVINCES:
        if t.startswith(p):
            return p
    raise RegionError(f"地区「{t[:20]}」不是省级行政区名称（例如 重庆、浙江、广东；「全国」表示不限地区）")
