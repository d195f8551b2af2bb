"""Schema of a discretion benchmark: enforcement items (执法事项) and their tiers.

One model for every source: agency tables (YAML/CSV/XLSX), the 江门 table, the 上海 fire benchmark, the
不予处罚 lists and the project's own sample. A benchmark is a normative document: it supplies the reasons
for a tier (裁量理由), never the 处罚依据 (DOMAIN.md R1.12, R3.2, pitfall (k)). So ``basis`` always holds
statute citations (the 罚则), and the benchmark itself is cited by title, 文号 and label (``SourceDoc``).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nlp.errors import EHError

# DOMAIN.md R3.1 (处罚法 第九条). 责令改正 and its kin are not penalties; they go to ``Tier.measures``.
PENALTY_TYPES: tuple[str, ...] = (
    "警告",
    "通报批评",
    "罚款",
    "没收违法所得",
    "没收非法财物",
    "暂扣许可证件",
    "降低资质等级",
    "吊销许可证件",
    "限制开展生产经营活动",
    "责令停产停业",
    "责令关闭",
    "限制从业",
    "行政拘留",
    "其他",
)

# Project scale for the adjustment axis (R5.1); ranks are fixed and the YAML mapping table must agree.
LEVELS: tuple[str, ...] = ("不予处罚", "减轻", "从轻", "一般", "从重")
Level = Literal["不予处罚", "减轻", "从轻", "一般", "从重"]
PartyType = Literal["any", "individual", "organization"]
Operator = Literal["<", "<=", ">", ">=", "==", "!="]


class BenchmarkError(EHError):
    """A benchmark file or row that cannot be used."""

    code = "bad_benchmark"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)


class Predicate(_Model):
    """One machine-testable condition parsed from a tier's condition text.

    ``field`` names a fact (``超标倍数``, ``违法所得``, ``违法次数``, ``面积``, ``拒不改正`` …); ``value`` is a number
    in ``unit`` or a boolean for a circumstance cue. ``subject`` narrows a quantity (``危险废物`` 0.2吨以下),
    ``window`` a count (``两年内`` 第2次). ``text`` is the span of the condition it came from.
    ``clause``/``alt`` give the logic of the whole condition: every clause must hold (同时满足下列情形); a
    clause holds when all predicates of one of its alternatives hold (…1倍以上，或者超标因子超过一个).
    """

    field: str
    op: Operator
    value: float | bool | str
    unit: str | None = None
    subject: str | None = None
    window: str | None = None
    text: str = ""
    start: int | None = None
    end: int | None = None
    clause: int = 0
    alt: int = 0

    def test(self, actual: float | bool | str | None) -> bool | None:
        """Whether a fact value satisfies the predicate; ``None`` when the fact is unknown."""
        if actual is None:
            return None
        if isinstance(self.value, bool) or isinstance(actual, bool):
            eq = bool(actual) == bool(self.value)
            return eq if self.op == "==" else (not eq if self.op == "!=" else None)
        if isinstance(self.value, str) or isinstance(actual, str):
            eq = str(actual) == str(self.value)
            return eq if self.op == "==" else (not eq if self.op == "!=" else None)
        a, v = float(actual), float(self.value)
        return {
            "<": a < v,
            "<=": a <= v,
            ">": a > v,
            ">=": a >= v,
            "==": a == v,
            "!=": a != v,
        }[self.op]

    def describe(self) -> str:
        """Short human form an officer reads, e.g. ``超标倍数 ≤ 0.5倍``, ``首次违法：是``."""
        val = self.value
        scope = f"[{self.window}]" if self.window else ""
        subj = f"({self.subject})" if self.subject else ""
        if isinstance(val, bool) and self.op in ("==", "!="):
            return f"{self.field}{subj}{scope}：{'是' if val == (self.op == '==') else '否'}"
        if isinstance(val, float):
            val = f"{val:.4g}"
        op = {"<=": "≤", ">=": "≥", "==": "=", "!=": "≠"}.get(self.op, self.op)
        return f"{self.field}{subj}{scope} {op} {val}{self.unit or ''}"


class FineRange(_Model):
    """A fine as the statute or table writes it (R5.9).

    ``kind`` ``amount``: ``min``/``max`` in yuan. ``multiple``: multiples of ``base`` (违法所得, 货值金额, 所收费用 …).
    ``percent``: percent of ``base`` (工程造价, 总投资额). A missing ``min`` means "maximum only"; a missing ``max``
    means "minimum only"; ``min == max`` is a fixed amount. ``target`` is who is fined when the text says so
    (单位, 个人, 直接责任人员); ``condition`` the clause the range depends on (情节严重的, 货值金额不足一万元的);
    ``alternatives`` the penalties offered instead (警告); ``per`` a per-unit wording (日, 平方米).
    """

    kind: Literal["amount", "multiple", "percent"]
    min: float | None = None
    max: float | None = None
    base: str | None = None
    text: str = ""
    min_inclusive: bool = True
    max_inclusive: bool = True
    target: str | None = None
    condition: str | None = None
    alternatives: list[str] = Field(default_factory=list)
    per: str | None = None

    def key(self) -> tuple[str, str | None, float | None, float | None]:
        """What makes two ranges the same statutory range (kind, base, bounds)."""

        def r(x: float | None) -> float | None:
            return None if x is None else round(float(x), 6)

        return (self.kind, self.base or None, r(self.min), r(self.max))

    def contains(self, other: FineRange, tol: float = 1e-9) -> bool:
        """Whether ``other`` lies inside this range (same kind and base)."""
        if other.kind != self.kind or (other.base or None) != (self.base or None):
            return False
        lo_ok = self.min is None or (other.min is not None and other.min >= self.min - tol)
        hi_ok = self.max is None or (other.max is not None and other.max <= self.max + tol)
        return lo_ok and hi_ok

    def describe(self) -> str:
        """Short human form: ``5000–50000元``, ``违法所得1–5倍``, ``工程造价5–10%``."""

        def fmt(x: float | None) -> str:
            if x is None:
                return "…"
            return str(int(x)) if float(x).is_integer() else f"{x:g}"

        if self.kind == "amount":
            return f"{fmt(self.min)}–{fmt(self.max)}元"
        unit = "倍" if self.kind == "multiple" else "%"
        return f"{self.base or ''}{fmt(self.min)}–{fmt(self.max)}{unit}"


class SourceDoc(_Model):
    """The normative document an item comes from, cited by title, 文号 and the part label (R1.12)."""

    title: str
    doc_no: str | None = None
    issuer: str | None = None
    path: str | None = None
    label: str | None = None
    published: date | None = None


class Window(_Model):
    """Effective window of the benchmark (R2.9); ``None`` ends are open."""

    valid_from: date | None = None
    valid_to: date | None = None
    note: str | None = None

    def contains(self, d: date) -> bool:
        """Whether ``d`` is inside the window (both ends inclusive)."""
        return (self.valid_from is None or d >= self.valid_from) and (self.valid_to is None or d <= self.valid_to)


class Tier(_Model):
    """One tier (裁量阶次) of an item: a condition and the penalty band it leads to.

    ``source_label``/``source_rank`` are kept exactly as the source prints them. ``severity`` (1–5) is the
    band for display only and is never compared across sources (R5.1). ``level``/``level_rank`` put the tier
    on the project scale through the explicit mapping table ``corpus/data/tier_mapping.yaml``.
    """

    source_label: str
    source_rank: int | None = None
    severity: int | None = Field(default=None, ge=1, le=5)
    level: Level
    level_rank: int = Field(ge=0, le=4)
    condition: str = ""
    predicates: list[Predicate] = Field(default_factory=list)
    unparsed: list[str] = Field(default_factory=list)
    penalty_text: str = ""
    penalty_types: list[str] = Field(default_factory=list)
    measures: list[str] = Field(default_factory=list)
    fines: list[FineRange] = Field(default_factory=list)
    statutory_ground: str | None = None
    remark: str | None = None

    @field_validator("penalty_types")
    @classmethod
    def _known_types(cls, v: list[str]) -> list[str]:
        bad = [t for t in v if t not in PENALTY_TYPES]
        if bad:
            raise ValueError(f"unknown penalty type(s) {bad}; allowed: {', '.join(PENALTY_TYPES)} (R3.1)")
        return v

    @property
    def fine(self) -> FineRange | None:
        """The main fine range of the tier (the first one)."""
        return self.fines[0] if self.fines else None


class EnforcementItem(_Model):
    """An enforcement item (执法事项): one violation with its 违则, 罚则 and tiers."""

    id: str
    region: str
    domain: str
    issuer: str | None = None
    source: SourceDoc
    window: Window = Field(default_factory=Window)
    title: str
    violated: list[str] = Field(default_factory=list)
    basis: list[str] = Field(default_factory=list)
    basis_text: str | None = None
    party: PartyType = "any"
    scale: str
    statutory_fines: list[FineRange] = Field(default_factory=list)
    tiers: list[Tier] = Field(default_factory=list)
    remark: str | None = None
    flags: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _id_shape(cls, v: str) -> str:
        v = v.strip()
        if not v or any(c.isspace() for c in v):
            raise ValueError("item id must be non-empty and contain no whitespace")
        return v

    def citations(self) -> list[tuple[str, str]]:
        """``(role, citation)`` pairs, role ``violated`` (违则) or ``basis`` (罚则)."""
        return [("violated", c) for c in self.violated] + [("basis", c) for c in self.basis]

    def tiers_by_rank(self) -> list[Tier]:
        """Tiers ordered from lightest to heaviest (severity, then source rank)."""
        return sorted(self.tiers, key=lambda t: (t.level_rank, t.severity or 0, t.source_rank or 0))


class Benchmark(_Model):
    """A whole table: metadata plus items. This is also the YAML file format."""

    name: str
    region: str | None = None
    issuer: str | None = None
    source: SourceDoc | None = None
    window: Window | None = None
    sample: bool = False
    notice: str | None = None
    items: list[EnforcementItem] = Field(default_factory=list)
