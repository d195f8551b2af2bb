"""Tier scales: map a source's tier label onto severity (1–5) and the project level (R5.1–R5.7).

The mapping is data (``corpus/data/tier_mapping.yaml``), not code, so an agency can read and amend it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from corpus.benchmarks.schema import LEVELS, BenchmarkError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_MAPPING = DATA_DIR / "tier_mapping.yaml"


class UnknownTierLabel(BenchmarkError):
    """A tier label the scale's mapping table does not list."""

    code = "unknown_tier_label"


@dataclass(frozen=True)
class Mapped:
    """A source tier placed on the project scale."""

    severity: int | None
    level: str
    level_rank: int


class TierMapping:
    """The explicit mapping table, loaded once."""

    def __init__(self, data: dict[str, Any]) -> None:
        scale = [row["label"] for row in sorted(data["project_scale"], key=lambda r: r["rank"])]
        if tuple(scale) != LEVELS:
            raise BenchmarkError(f"project_scale in the mapping table must be {LEVELS}, got {tuple(scale)}")
        self.ranks = {row["label"]: int(row["rank"]) for row in data["project_scale"]}
        self.severity_to_level = {int(k): v for k, v in data["severity_to_level"].items()}
        self.scales: dict[str, dict[str, Any]] = data["scales"]

    @classmethod
    def load(cls, path: Path | None = None) -> TierMapping:
        """Read a mapping table (the packaged one by default)."""
        p = path or DEFAULT_MAPPING
        with open(p, encoding="utf-8") as fh:
            return cls(yaml.safe_load(fh))

    def level_for_severity(self, severity: int | None) -> Mapped:
        """Project level of a band severity (the table's ``severity_to_level``)."""
        if severity is None:
            raise BenchmarkError("a tier needs a severity or an explicit level")
        level = self.severity_to_level[severity]
        return Mapped(severity, level, self.ranks[level])

    def map_label(self, scale: str, label: str) -> Mapped:
        """Map a labelled tier (``sh_fire_5``/``较重``, ``project_3``/``从轻`` …).

        Raises:
            UnknownTierLabel: if the scale or the label is not in the table.
        """
        sc = self.scales.get(scale)
        if sc is None:
            raise UnknownTierLabel(f"unknown tier scale {scale!r}; known: {', '.join(self.scales)}")
        if sc.get("kind") != "label":
            raise UnknownTierLabel(f"scale {scale!r} is a class scale; use map_class()")
        row = sc["labels"].get(label.strip())
        if row is None:
            raise UnknownTierLabel(f"tier label {label!r} is not in scale {scale!r}: {', '.join(sc['labels'])}")
        sev = row.get("severity")
        level = row.get("level") or self.severity_to_level[int(sev)]
        return Mapped(int(sev) if sev is not None else None, level, self.ranks[level])

    def map_class(self, scale: str, k: int, n_classes: int) -> Mapped:
        """Map class ``k`` of ``n_classes`` on a class scale (江门: R5.4 formula)."""
        sc = self.scales.get(scale)
        if sc is None or sc.get("kind") != "class":
            raise UnknownTierLabel(f"{scale!r} is not a class scale")
        if not 1 <= k <= n_classes:
            raise UnknownTierLabel(f"class {k} outside 1…{n_classes}")
        if n_classes == 1:
            sev = int(sc.get("single_class_severity", 3))
        else:
            # round half up, not Python's banker's rounding: class 2 of 9 gives 1.5 → 2, never 1
            sev = 1 + math.floor(4 * (k - 1) / (n_classes - 1) + 0.5)
        return self.level_for_severity(sev)

    def labels(self, scale: str) -> list[str]:
        """Labels a labelled scale accepts."""
        return list(self.scales[scale].get("labels", {}))


@lru_cache(maxsize=4)
def default_mapping(path: str | None = None) -> TierMapping:
    """The process-wide mapping table."""
    return TierMapping.load(Path(path) if path else None)


def class_severity(k: int, n_classes: int) -> int:
    """Severity of class ``k`` of ``n_classes`` (R5.4), from the packaged mapping."""
    m = default_mapping().map_class("jiangmen_class", k, n_classes)
    assert m.severity is not None
    return m.severity
