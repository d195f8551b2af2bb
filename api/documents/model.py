"""The case model: everything a penalty document is drafted from (R6.1–R6.6, R7.1).

Fields the law requires in a document are *optional in the schema* on purpose: whether they are
required depends on which document is drafted, and a draft must be able to show a visible blank
instead of failing (R6.10). The renderer checks completeness per document kind.

Money is held in integer fen (R7.6). Citations are strings in any form the citation module parses;
the renderer verifies and reformats them. Wording proposed by the system carries ``suggested: true``
and is printed with a visible mark for the officer to confirm.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from api.documents.docnumber import normalize_doc_number
from api.documents.errors import InvalidCase

Fen = Annotated[int, Field(ge=0, description="Amount in fen (1 yuan = 100 fen); never a float (R7.6).")]
NonEmpty = Annotated[str, Field(min_length=1)]


class Kind(StrEnum):
    """Document kinds (issue 5). ``bundle`` is the Chongqing 三书同达 set (R6.6)."""

    penalty_decision = "penalty_decision"
    on_the_spot_decision = "on_the_spot_decision"
    prior_notice = "prior_notice"
    hearing_notice = "hearing_notice"
    no_penalty_decision = "no_penalty_decision"
    credit_repair_notice = "credit_repair_notice"
    compliance_advice = "compliance_advice"
    bundle = "bundle"


DOCUMENT_KINDS = tuple(k for k in Kind if k is not Kind.bundle)

TITLES: dict[Kind, str] = {
    Kind.penalty_decision: "行政处罚决定书",
    Kind.on_the_spot_decision: "当场行政处罚决定书",
    Kind.prior_notice: "行政处罚事先告知书",
    Kind.hearing_notice: "行政处罚听证告知书",
    Kind.no_penalty_decision: "不予行政处罚决定书",
    Kind.credit_repair_notice: "行政处罚信息信用修复告知书",
    Kind.compliance_advice: "行政合规建议书",
}


class Domain(StrEnum):
    """Enforcement field: decides the 当场 limits (R4.2), hearing thresholds (R4.4) and extra contents (R6.1)."""

    general = "general"
    market_supervision = "market_supervision"
    traffic = "traffic"
    public_order = "public_order"  # 治安管理
    public_security = "public_security"  # other public-security cases
    environment = "environment"


class PartyKind(StrEnum):
    """个人 / 个体工商户 / 单位 (R7.1). A 个体工商户 is a natural person (民法典 第五十四条)."""

    individual = "individual"
    individual_business = "individual_business"
    organization = "organization"


class PenaltyType(StrEnum):
    """Penalty types of 处罚法 第九条 (R3.1)."""

    warning = "warning"
    criticism = "criticism"
    fine = "fine"
    confiscate_gains = "confiscate_gains"
    confiscate_property = "confiscate_property"
    suspend_licence = "suspend_licence"
    lower_qualification = "lower_qualification"
    revoke_licence = "revoke_licence"
    restrict_business = "restrict_business"
    suspend_business = "suspend_business"
    order_closure = "order_closure"
    restrict_practice = "restrict_practice"
    detention = "detention"
    other = "other"


PENALTY_LABELS: dict[PenaltyType, str] = {
    PenaltyType.warning: "警告",
    PenaltyType.criticism: "通报批评",
    PenaltyType.fine: "罚款",
    PenaltyType.confiscate_gains: "没收违法所得",
    PenaltyType.confiscate_property: "没收非法财物",
    PenaltyType.suspend_licence: "暂扣许可证件",
    PenaltyType.lower_qualification: "降低资质等级",
    PenaltyType.revoke_licence: "吊销许可证件",
    PenaltyType.restrict_business: "限制开展生产经营活动",
    PenaltyType.suspend_business: "责令停产停业",
    PenaltyType.order_closure: "责令关闭",
    PenaltyType.restrict_practice: "限制从业",
    PenaltyType.detention: "行政拘留",
    PenaltyType.other: "其他行政处罚",
}


class NoPenaltyGround(StrEnum):
    """Statutory grounds for 不予处罚 (R3.9, R6.5)."""

    under_14 = "under_14"  # 处罚法 第三十条
    mental_incapacity = "mental_incapacity"  # 第三十一条
    minor_corrected = "minor_corrected"  # 第三十三条第一款 first sentence
    first_violation = "first_violation"  # 第三十三条第一款 second sentence (首违不罚, 可以)
    no_fault = "no_fault"  # 第三十三条第二款
    time_barred = "time_barred"  # 第三十六条
    facts_not_established = "facts_not_established"  # 第五十七条第一款第（三）项


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=False)


class Passage(_Model):
    """A piece of wording. ``suggested`` marks text the system proposed (R6.10)."""

    text: NonEmpty
    suggested: bool = Field(False, description="Proposed by the system; printed with 【系统建议，请核实】.")
    source: str | None = Field(None, description="Where a suggestion came from (benchmark row, model), for the record.")


class Party(_Model):
    """当事人 (R7.1). 处罚法 第五十九条 needs only name and address; the rest is printed when given."""

    kind: PartyKind
    name: str | None = Field(None, description="姓名或者名称 (个体工商户: 字号名称; without one, the 经营者's name).")
    address: str | None = Field(None, description="住所 / 地址 (individuals: 现住址).")
    business_address: str | None = Field(None, description="经营场所, if different from the 住所.")
    credit_code: str | None = Field(None, description="统一社会信用代码 (GB 32100, checked: R7.2).")
    legal_representative: str | None = Field(None, description="法定代表人 (organisations).")
    responsible_person: str | None = Field(None, description="负责人 (branches and other organisations).")
    operator: str | None = Field(None, description="经营者 (个体工商户).")
    sex: Literal["男", "女"] | None = None
    birth_date: date | None = None
    id_type: str = Field("居民身份证", description="Type of identity document of the person (or the 经营者).")
    id_number: str | None = Field(None, description="Identity document number (居民身份证号 checked: R7.3).")
    household_registration: str | None = Field(None, description="户籍所在地.")
    employer: str | None = Field(None, description="工作单位.")
    phone: str | None = None
    identifier_override: str | None = Field(
        None, description="Officer's recorded reason to accept an identifier that fails its check (R7.2)."
    )


class PaymentInfo(_Model):
    """Where fines are paid (罚缴分离办法 第七条: 代收机构的名称、地址)."""

    bank_name: str | None = Field(None, description="代收机构名称.")
    bank_address: str | None = Field(None, description="代收机构地址.")
    account_name: str | None = None
    account_number: str | None = None
    electronic: str | None = Field(None, description="Electronic payment channel, e.g. a 非税收入 payment platform.")


class HearingThreshold(_Model):
    """One row of the 较大数额 table (R4.4): a fine or confiscation at or above the amount gives a hearing."""

    domain: Domain
    party: Literal["citizen", "organization", "any"] = "any"
    fine_min_fen: Fen | None = None
    confiscation_min_fen: Fen | None = None
    source: NonEmpty
    verified: bool = Field(False, description="False when the source is not in the bundled corpus (verify).")


class Contact(_Model):
    """Agency contact printed on notices."""

    person: str | None = None
    phone: str | None = None
    address: str | None = None


class Agency(_Model):
    """The deciding agency; defaults can come from an agency profile file (settings)."""

    name: str | None = Field(None, description="作出决定的行政机关全称.")
    domain: Domain = Domain.general
    region: str | None = Field(
        None, description="e.g. 重庆市; 重庆 agencies get the 三书同达 bundle by default (R6.6)."
    )
    number_prefixes: dict[Kind, str] = Field(
        default_factory=dict, description="机关代字 per document kind, e.g. penalty_decision → 渝北市监处罚 (R6.7)."
    )
    reconsideration_body: str | None = Field(None, description="行政复议机关 (R4.9; configured, never guessed).")
    court: str | None = Field(None, description="人民法院 for a lawsuit (R4.9; configured, never guessed).")
    contact: Contact | None = None
    payment: PaymentInfo | None = None
    statement_days: int = Field(
        5,
        ge=1,
        le=30,
        description="Working days for 陈述申辩 in the 事先告知书 (处罚法 sets none; project design, R6.3).",
    )
    hearing_thresholds: list[HearingThreshold] | None = Field(
        None, description="Replaces the built-in 较大数额 rows for this agency's domain (R4.4)."
    )
    bundle: list[Kind] | None = Field(
        None, description="The 三书同达 set; default for 重庆: decision + credit repair + compliance advice (R6.6)."
    )
    publication_platform: str | None = Field(
        None, description="Where decisions are published (market supervision default: 国家企业信用信息公示系统)."
    )
    credit_repair_rules: list[Passage] | None = Field(
        None,
        description="Non-market agencies: own publication period and early-end rules (not in the bundled corpus; R6.6).",
    )
    low_fine_max_fen: Fen | None = Field(
        None,
        description="较低数额罚款 ceiling set by the province (市监公示规定 第十三条第二款): 3 months or 3 years.",
    )


class Evidence(_Model):
    """One piece of evidence: what it is and what it proves."""

    name: NonEmpty
    proves: str | None = Field(None, description="What the evidence proves (证明…).")
    suggested: bool = False


class ConfiscatedItem(_Model):
    """A confiscated object (没收非法财物)."""

    name: NonEmpty
    quantity: str | None = None
    value_fen: Fen | None = None


class Penalty(_Model):
    """The penalty decided or intended (R3.1)."""

    types: list[PenaltyType] = Field(default_factory=list)
    fine_fen: Fen | None = None
    confiscated_gains_fen: Fen | None = None
    confiscated_items: list[ConfiscatedItem] = Field(default_factory=list)
    other: str | None = Field(None, description="Wording for licence, business or other penalties (e.g. 吊销…许可证).")
    correction_order: Passage | None = Field(None, description="责令改正 wording (处罚法 第二十八条第一款).")
    collect_on_spot: bool = Field(False, description="Fine collected on the spot (处罚法 第六十八条).")


class Tier(_Model):
    """The discretion band chosen and why (R5.1, R5.11, R6.1 #11)."""

    label: str | None = None
    source: str | None = Field(None, description="Benchmark title, 文号 and row label.")
    reasons: list[Passage] = Field(default_factory=list)


class NoPenalty(_Model):
    """A 不予处罚 outcome (R3.9, R6.5)."""

    ground: NoPenaltyGround
    list_item: str | None = Field(None, description="Item of a local no-penalty list, if any (R5.7).")
    reasons: list[Passage] = Field(default_factory=list)
    education: Passage | None = Field(None, description="How the party was educated (处罚法 第三十三条第三款).")


class PriorNotice(_Model):
    """The 事先告知书 (and 听证告知书, served with it): when it was issued and served (R6.3, R6.4).

    Its 文号 is ``numbers.prior_notice`` (and ``numbers.hearing_notice``).
    """

    issued_on: date | None = Field(None, description="Date printed on the 告知书.")
    served_on: date | None = Field(None, description="Date the party received it (cited in the decision).")


class Officer(_Model):
    """执法人员 (当场 decisions are signed by the officer: 处罚法 第五十二条)."""

    name: NonEmpty
    certificate_no: str | None = Field(None, description="执法证号.")


class Vehicle(_Model):
    """Traffic cases: plate and vehicle type (R6.1 #13, R6.2)."""

    plate: str | None = None
    type: str | None = None


class ComplianceStep(_Model):
    """One concrete compliance step, tied to the provision it implements (R6.6)."""

    text: NonEmpty
    citation: str | None = None
    suggested: bool = False


class Compliance(_Model):
    """Content of the 行政合规建议书 (guidance, not an order: R6.6)."""

    causes: list[Passage] = Field(default_factory=list)
    steps: list[ComplianceStep] = Field(default_factory=list)
    controls: list[Passage] = Field(default_factory=list)


class Case(_Model):
    """One enforcement case, as a case system or the analysis pipeline hands it over."""

    agency: Agency = Field(default_factory=Agency)
    party: Party
    case_cause: str | None = Field(None, description="案由, e.g. 未取得食品经营许可从事食品经营活动.")
    filed_on: date | None = Field(None, description="立案日期.")
    violation_start: date | None = None
    violation_end: date | None = Field(
        None, description="End of a continuing act (R2.3); citations are checked as of it."
    )
    violation_time: str | None = Field(None, description="Time of day, e.g. 14时30分 (当场 decisions).")
    violation_place: str | None = Field(None, description="违法行为发生地 (R3.4, R7.1).")
    facts: list[Passage] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    violated: list[str] = Field(default_factory=list, description="违则 citations.")
    basis: list[str] = Field(default_factory=list, description="罚则 citations (处罚依据).")
    penalty: Penalty | None = None
    tier: Tier | None = None
    no_penalty: NoPenalty | None = None
    procedure: Literal["auto", "simple", "ordinary"] = Field(
        "auto", description="simple = the officer chooses 简易程序 (R4.1); auto = ordinary, 当场 offered when allowed."
    )
    hearing: Literal["auto", "required", "not_required"] = Field(
        "auto", description="auto applies the R4.4 table; required covers 处罚法 第六十三条第一款（五）（六）."
    )
    prior_notice: PriorNotice | None = None
    statements: Passage | None = Field(None, description="陈述、申辩（听证）情况及采纳理由.")
    decision_date: date | None = None
    numbers: dict[Kind, str] = Field(default_factory=dict, description="文号 per document (officer override; R6.7).")
    officers: list[Officer] = Field(default_factory=list)
    vehicle: Vehicle | None = None
    compliance: Compliance | None = None

    @field_validator("numbers")
    @classmethod
    def _normalize_numbers(cls, v: dict[Kind, str]) -> dict[Kind, str]:
        return {k: normalize_doc_number(n) for k, n in v.items()}


def load_case(source: str | Path | dict) -> Case:
    """Validate a case from a dict, a JSON string or a JSON file.

    Raises:
        InvalidCase: on unreadable JSON or data that does not match the schema (errors listed).
    """
    try:
        if isinstance(source, Path):
            data = json.loads(source.read_text(encoding="utf-8"))
        elif isinstance(source, str):
            data = json.loads(source)
        else:
            data = source
        return Case.model_validate(data)
    except json.JSONDecodeError as e:
        raise InvalidCase(f"案件数据不是有效的 JSON：{e}") from None
    except OSError as e:
        raise InvalidCase(f"无法读取案件文件：{e}") from None
    except ValidationError as e:
        from api.errors import validation_message  # the one Chinese wording of pydantic's errors

        errors = [
            {"loc": ".".join(str(p) for p in err["loc"]), "msg": validation_message(err), "type": err["type"]}
            for err in e.errors(include_url=False, include_input=False)
        ]
        listed = "；".join(f"{x['loc']}：{x['msg']}" for x in errors[:10])
        raise InvalidCase(
            f"案件数据不符合要求（{len(errors)} 处错误）：{listed}", {"errors": errors}
        ) from None


def case_json_schema() -> dict:
    """JSON Schema of the case file (committed as ``case.schema.json``)."""
    schema = Case.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "执法助手 case file (enforcement helper)"
    return schema


def load_agency_profile(path: Path) -> Agency:
    """An agency profile (JSON or YAML with the :class:`Agency` fields), e.g. from ``EH_AGENCY_FILE``.

    Raises:
        InvalidCase: if the file cannot be read or does not match the Agency schema.
    """
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))  # YAML is a superset of JSON
        return Agency.model_validate(data)
    except (OSError, yaml.YAMLError) as e:
        raise InvalidCase(f"cannot read agency profile {path}: {e}", field="agency") from None
    except ValidationError as e:
        raise InvalidCase(
            f"agency profile {path} does not match the schema: {e.error_count()} error(s): "
            + "; ".join(f"{'.'.join(map(str, x['loc']))}: {x['msg']}" for x in e.errors()[:10]),
            field="agency",
        ) from None


def apply_agency_profile(case: Case, profile: Agency) -> Case:
    """Fill the agency fields the case does not set from the agency's profile (the case wins)."""
    explicit = case.agency.model_dump(include=case.agency.model_fields_set)
    merged = Agency.model_validate({**profile.model_dump(), **explicit})
    return case.model_copy(update={"agency": merged})
