"""当场 limits (R4.2) and 较大数额 hearing thresholds (R4.4): one table for the documents and the archive audit.

Amounts are in fen; "以下"/"以上" include the amount (R5.8). Keys are the enforcement domains of
``api.documents.model.Domain`` (a ``StrEnum``, so its members look these string keys up directly).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

# Keyed by domain: (citizen limit, organization limit, the provision that sets them).
ON_THE_SPOT: dict[str, tuple[int, int, str]] = {
    "traffic": (20000, 20000, "《中华人民共和国道路交通安全法》第一百零七条第一款"),
    "public_order": (50000, 50000, "《中华人民共和国治安管理处罚法》第一百一十九条"),
}
ON_THE_SPOT_GENERAL: tuple[int, int, str] = (20000, 300000, "《中华人民共和国行政处罚法》第五十一条")


@lru_cache(maxsize=1)
def hearing_threshold_rows() -> tuple[dict[str, Any], ...]:
    """The built-in 较大数额 rows (``analysis/hearing_thresholds.yaml``), each with its source and ``verified``."""
    raw = resources.files("analysis").joinpath("hearing_thresholds.yaml").read_text(encoding="utf-8")
    return tuple(dict(r) for r in yaml.safe_load(raw))


def on_the_spot_limit(domain: str, organization: bool) -> tuple[int, str]:
    """The 当场 fine limit in fen for a domain and party class, with its source."""
    citizen, org, source = ON_THE_SPOT.get(domain, ON_THE_SPOT_GENERAL)
    return (org if organization else citizen), source
