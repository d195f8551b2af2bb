"""Which procedure a case takes and so which documents it needs (DOMAIN.md R4.1).

```
不予处罚 ground (R3.9)? ──yes──► 不予行政处罚决定书 (R6.5)
  │no
  ├─► within 当场 limits (R4.2) and the officer chooses 简易程序 ─► 当场行政处罚决定书 (R6.2)
  └─► 普通程序: 事先告知书 (R6.3) [+ 听证告知书 if R4.4] ─► 行政处罚决定书 (R6.1)
        [重庆: 三书同达 companions with the decision (R6.6)]
```

The plan is advice with reasons: it never picks 简易程序 on its own (the officer chooses it), and it
says so when no 较大数额 threshold is configured instead of guessing one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import lru_cache

from analysis.procedure_limits import ON_THE_SPOT, ON_THE_SPOT_GENERAL, hearing_threshold_rows
from api.documents.errors import NotApplicable
from api.documents.model import TITLES, Case, Domain, HearingThreshold, Kind, PartyKind, PenaltyType

# 当场 limits (R4.2) live in analysis.procedure_limits (the archive audit checks them too); keyed by domain.
ON_THE_SPOT_TYPES = {PenaltyType.warning, PenaltyType.fine}

# Penalty types that always carry the right to a hearing: item of 处罚法 第六十三条第一款 and label.
HEARING_TYPES: dict[PenaltyType, tuple[int, str]] = {
    PenaltyType.lower_qualification: (3, "降低资质等级"),
    PenaltyType.revoke_licence: (3, "吊销许可证件"),
    PenaltyType.suspend_business: (4, "责令停产停业"),
    PenaltyType.order_closure: (4, "责令关闭"),
    PenaltyType.restrict_practice: (4, "限制从业"),
}
HEARING_LAW = "《中华人民共和国行政处罚法》第六十三条第一款第（{item}）项"
# 治安 has its own list (治安法 第一百一十七条第一款): 吊销许可证件, 四千元以上罚款, 责令停业整顿.
PUBLIC_ORDER_HEARING = "《中华人民共和国治安管理处罚法》第一百一十七条第一款"
PUBLIC_ORDER_HEARING_TYPES = {PenaltyType.revoke_licence: "吊销许可证件", PenaltyType.suspend_business: "责令停业整顿"}


@dataclass(frozen=True)
class HearingGround:
    """Why the party must be told of a hearing: the provision, a printed label, and the arithmetic."""

    citation: str
    label: str
    detail: str = ""
    suggested: bool = False  # included by default because 较大数额 is not configured: the officer confirms


DEFAULT_BUNDLE = [Kind.penalty_decision, Kind.credit_repair_notice, Kind.compliance_advice]
PUBLICATION_EXEMPT_TYPES = {PenaltyType.warning}  # 市监公示规定 第二条第二款: 仅受到警告的不予公示


@lru_cache(maxsize=1)
def builtin_thresholds() -> tuple[HearingThreshold, ...]:
    """The built-in 较大数额 rows (``analysis/hearing_thresholds.yaml``, each with its source)."""
    return tuple(HearingThreshold.model_validate(r) for r in hearing_threshold_rows())


def party_class(kind: PartyKind) -> str:
    """公民 or 法人/其他组织. A 个体工商户 is a natural person (民法典 第五十四条; R7.1), so a 公民."""
    return "organization" if kind is PartyKind.organization else "citizen"


@dataclass
class ProcedurePlan:
    """The documents a case needs, and why."""

    procedure: str  # no_penalty | simple | ordinary
    documents: list[str]
    bundle: list[str]
    on_the_spot_allowed: bool
    on_the_spot_limit_fen: int | None = None
    on_the_spot_source: str | None = None
    hearing_required: bool = False
    hearing_suggested: bool = False  # the right rests only on the default for an unconfigured 较大数额
    hearing_grounds: list[str] = field(default_factory=list)
    publication: bool = False
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """JSON-friendly dict."""
        return asdict(self)


def _fine(case: Case) -> int:
    return (case.penalty.fine_fen or 0) if case.penalty else 0


def _confiscation(case: Case) -> int:
    if not case.penalty:
        return 0
    items = sum(i.value_fen or 0 for i in case.penalty.confiscated_items)
    return (case.penalty.confiscated_gains_fen or 0) + items


def on_the_spot_check(case: Case) -> tuple[bool, int, str, str]:
    """Whether the penalty fits 简易程序 (R4.2): (allowed, limit in fen, source, reason)."""
    citizen, org, source = ON_THE_SPOT.get(case.agency.domain, ON_THE_SPOT_GENERAL)
    limit = org if party_class(case.party.kind) == "organization" else citizen
    types = set(case.penalty.types) if case.penalty else set()
    if not types:
        return False, limit, source, "未填写处罚种类"
    if not types <= ON_THE_SPOT_TYPES:
        return False, limit, source, "简易程序仅适用于警告或者罚款（R4.2）"
    if PenaltyType.fine in types and _fine(case) > limit:
        return (
            False,
            limit,
            source,
            f"罚款 {_fine(case) / 100:.2f} 元超过当场处罚限额 {limit / 100:.0f} 元（R4.2）",
        )
    return True, limit, source, f"警告或者罚款在当场处罚限额 {limit / 100:.0f} 元以内（{source}；R4.2）"


def hearing_check(case: Case) -> tuple[list[HearingGround], list[str]]:
    """Grounds for the hearing right (R4.4) and warnings; no grounds means no 听证告知书."""
    if case.hearing == "not_required":
        return [], ["执法人员已关闭听证评估（case.hearing = not_required）"]
    domain, pclass = case.agency.domain, party_class(case.party.kind)
    public_order = domain is Domain.public_order
    grounds: list[HearingGround] = []
    warnings: list[str] = []
    if case.hearing == "required":
        grounds.append(HearingGround(HEARING_LAW.format(item="五"), "其他较重的行政处罚", "执法人员评估"))
    types = set(case.penalty.types) if case.penalty else set()
    for t in types:
        if public_order and t in PUBLIC_ORDER_HEARING_TYPES:
            grounds.append(HearingGround(PUBLIC_ORDER_HEARING, PUBLIC_ORDER_HEARING_TYPES[t]))
        elif not public_order and t in HEARING_TYPES:
            item, label = HEARING_TYPES[t]
            grounds.append(HearingGround(HEARING_LAW.format(item="三四"[item - 3]), label))
    rows = case.agency.hearing_thresholds
    if rows is None:
        rows = [r for r in builtin_thresholds() if r.domain is domain]
    rows = [r for r in rows if r.domain is domain and r.party in (pclass, "any")]
    fine, conf = _fine(case), _confiscation(case)
    if not rows and (fine or conf):
        # 较大数额 unknown: never drop the right silently; tell the party of it and mark it (处罚法 第六十三条; R6.10).
        warnings.append(
            f"领域 {domain.value} 未配置“较大数额”标准：默认告知听证权利并标注【系统建议，请核实】"
            "（请配置 agency.hearing_thresholds；R4.4）"
        )
        item, label = ("一", "较大数额罚款") if fine else ("二", "没收较大数额违法所得、没收较大价值非法财物")
        cite = PUBLIC_ORDER_HEARING if public_order else HEARING_LAW.format(item=item)
        grounds.append(HearingGround(cite, label, f"领域 {domain.value} 未配置较大数额标准，默认列入",
                                     suggested=True))
    for r in rows:
        if r.fine_min_fen is not None and PenaltyType.fine in types and fine >= r.fine_min_fen:
            cite = PUBLIC_ORDER_HEARING if public_order else HEARING_LAW.format(item="一")
            label = "处四千元以上罚款" if public_order else "较大数额罚款"
            grounds.append(
                HearingGround(cite, label, f"罚款 {fine / 100:.2f} 元 ≥ {r.fine_min_fen / 100:.2f} 元：{r.source}")
            )
        if r.confiscation_min_fen is not None and conf >= r.confiscation_min_fen and not public_order:
            grounds.append(
                HearingGround(
                    HEARING_LAW.format(item="二"),
                    "没收较大数额违法所得、没收较大价值非法财物",
                    f"没收 {conf / 100:.2f} 元 ≥ {r.confiscation_min_fen / 100:.2f} 元：{r.source}",
                )
            )
        if not r.verified and (fine or conf):
            warnings.append(f"听证标准的出处不在本系统法规库中，请核实：{r.source}")
    # One line per provision and label, in a stable order.
    unique = sorted(set(grounds), key=lambda g: (g.citation, g.label))
    return unique, sorted(set(warnings))


def default_bundle(case: Case) -> list[Kind]:
    """The 三书同达 set for this agency (R6.6): configured, else the 重庆 default, else the decision alone."""
    if case.agency.bundle is not None:
        return list(case.agency.bundle)
    if case.agency.region and case.agency.region.startswith("重庆"):
        return list(DEFAULT_BUNDLE)
    return [Kind.penalty_decision]


def select_documents(case: Case) -> ProcedurePlan:
    """The procedure and documents for ``case`` (R4.1).

    Raises:
        NotApplicable: if the officer chose 简易程序 for a penalty outside the 当场 limits.
    """
    if case.no_penalty is not None:
        return ProcedurePlan(
            procedure="no_penalty",
            documents=[Kind.no_penalty_decision.value],
            bundle=[],
            on_the_spot_allowed=False,
            reasons=[f"不予处罚情形 {case.no_penalty.ground.value}（R3.9）→ 不予行政处罚决定书（R6.5）"],
        )
    allowed, limit, source, why = on_the_spot_check(case)
    grounds, warnings = hearing_check(case)
    hearing = bool(grounds)
    reasons = [why]
    types = set(case.penalty.types) if case.penalty else set()
    if case.procedure == "simple":
        if not allowed:
            raise NotApplicable(f"已选择简易程序，但本案不适用简易程序：{why}", {"limit_fen": limit, "source": source})
        return ProcedurePlan(
            procedure="simple",
            documents=[Kind.on_the_spot_decision.value],
            bundle=[],
            on_the_spot_allowed=True,
            on_the_spot_limit_fen=limit,
            on_the_spot_source=source,
            reasons=reasons + ["执法人员选择简易程序 → 当场行政处罚决定书（R6.2）；不公示，不适用三书同达（R6.6）"],
        )
    docs = [Kind.prior_notice]
    if hearing:
        docs.append(Kind.hearing_notice)
        reasons.append("当事人享有听证权利（R4.4）→ 听证告知书（R6.4）")
    docs.append(Kind.penalty_decision)
    warning_only = bool(types) and types <= PUBLICATION_EXEMPT_TYPES
    bundle = default_bundle(case)
    if warning_only:
        bundle = [k for k in bundle if k is Kind.penalty_decision]
        reasons.append(
            "仅给予警告：不公示（市场监督管理行政处罚信息公示规定 第二条第二款），不附信用修复告知书"
        )
    elif len(bundle) > 1:
        reasons.append("三书同达：" + "＋".join(bundle_titles(bundle)) + "（R6.6）")
    for k in bundle:
        if k not in docs:
            docs.append(k)
    if allowed:
        reasons.append("本案可以适用简易程序：执法人员可改为制作当场行政处罚决定书（R4.1）")
    return ProcedurePlan(
        procedure="ordinary",
        documents=[k.value for k in docs],
        bundle=[k.value for k in bundle],
        on_the_spot_allowed=allowed,
        on_the_spot_limit_fen=limit,
        on_the_spot_source=source,
        hearing_required=hearing,
        hearing_suggested=hearing and all(g.suggested for g in grounds),
        hearing_grounds=[f"{g.citation} {g.label}" + (f" ({g.detail})" if g.detail else "") for g in grounds],
        publication=not warning_only,
        reasons=reasons,
        warnings=warnings,
    )


def bundle_titles(kinds: list[Kind]) -> list[str]:
    """Chinese titles of the bundle's documents."""
    return [TITLES[k] for k in kinds]
