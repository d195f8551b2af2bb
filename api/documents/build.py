"""Build the content of each document from a case (DOMAIN.md R6.1–R6.7, R4.9).

A builder turns a :class:`~api.documents.model.Case` into a *context*: named pieces of
:class:`~api.documents.text.Text` that the .docx and HTML templates place, plus the record of what
was missing, suggested, verified and allocated. It never invents: a required field that is absent is
collected (and raised as ``missing_fields``) or, in draft mode, becomes a visible blank (R6.10).

Every citation printed — 违则, 罚则 and the procedural provisions (payment, surcharge, hearing,
复议前置 …) — goes through the ``verify`` callable (``corpus.resolver.Resolver.lookup``) and is
printed in the form that call returns, which the citation module formats (R1.4). Payment and remedy
periods are printed as rules that run from receipt, never as calendar dates (R6.9).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from api.documents.errors import CitationNotVerified, InvalidIdentifier, MissingFields, NotApplicable
from api.documents.model import (
    PENALTY_LABELS,
    TITLES,
    Case,
    Domain,
    Kind,
    NoPenaltyGround,
    PartyKind,
    Passage,
    PenaltyType,
)
from api.documents.procedure import (
    ON_THE_SPOT,
    ON_THE_SPOT_GENERAL,
    ProcedurePlan,
    hearing_check,
    select_documents,
)
from api.documents.text import Span, Text
from nlp.identifiers import validate_id_card, validate_uscc
from nlp.money import format_money
from nlp.numerals import int_to_cn


class CheckLike(Protocol):
    """What the builder reads from a verification result (``corpus.resolver.CitationCheck``).

    Optional attributes read when present: ``message``, ``reason``, ``warnings``, ``later_change``,
    ``to_dict()``.
    """

    status: str
    normalized: str | None


# ``Resolver(store).lookup``: (citation, as_of) -> CitationCheck; raises ValueError for a non-citation.
Verifier = Callable[[str, date | None], CheckLike]

# Procedural provisions printed in the documents. They are verified like any other citation, as of
# the document's date (current procedure applies whatever the violation date: R2.4).
LAW = "《中华人民共和国行政处罚法》"
CITES = {
    "payment": f"{LAW}第六十七条第三款",
    "surcharge": f"{LAW}第七十二条第一款第（一）项",
    "collect_on_spot": f"{LAW}第六十八条",
    "statements": f"{LAW}第四十四条",
    "no_heavier": f"{LAW}第四十五条第二款",
    "hearing_right": f"{LAW}第六十三条",
    "hearing_procedure": f"{LAW}第六十四条",
    "correction": f"{LAW}第二十八条第一款",
    "education": f"{LAW}第三十三条第三款",
    "review_first": "《中华人民共和国行政复议法》第二十三条第一款第（一）项",
    "review_via_agency": "《中华人民共和国行政复议法》第三十二条第一款",
    "market_publication": "《市场监督管理行政处罚信息公示规定》第八条",
    "market_period": "《市场监督管理行政处罚信息公示规定》第十三条第一款",
    "market_early_end": "《市场监督管理行政处罚信息公示规定》第十四条第一款",
    "market_no_early_end": "《市场监督管理行政处罚信息公示规定》第十四条第三款",
    "general_publication": f"{LAW}第四十八条第一款",
    "lighter": f"{LAW}第三十二条",
}

NO_PENALTY: dict[NoPenaltyGround, tuple[str, str]] = {
    NoPenaltyGround.under_14: (f"{LAW}第三十条", "当事人有违法行为时不满十四周岁"),
    NoPenaltyGround.mental_incapacity: (f"{LAW}第三十一条", "当事人在不能辨认或者不能控制自己行为时有违法行为"),
    NoPenaltyGround.minor_corrected: (f"{LAW}第三十三条第一款", "当事人违法行为轻微并及时改正，没有造成危害后果"),
    NoPenaltyGround.first_violation: (f"{LAW}第三十三条第一款", "当事人初次违法且危害后果轻微并及时改正"),
    NoPenaltyGround.no_fault: (f"{LAW}第三十三条第二款", "当事人有证据足以证明没有主观过错"),
    NoPenaltyGround.time_barred: (f"{LAW}第三十六条第一款", "当事人的违法行为在法定期限内未被发现"),
    NoPenaltyGround.facts_not_established: (f"{LAW}第五十七条第一款第（三）项", "当事人的违法事实不能成立"),
}

# 市监公示规定 第十四条第三款: penalties after which publication never ends early.
NO_EARLY_END = {
    PenaltyType.suspend_business,
    PenaltyType.restrict_business,
    PenaltyType.restrict_practice,
    PenaltyType.lower_qualification,
    PenaltyType.revoke_licence,
}
MARKET_PLATFORM = "国家企业信用信息公示系统"
SEAL = "（印章）"


def cn_date(d: date) -> str:
    """Date as printed in documents: ``2026年11月20日``."""
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass
class Built:
    """The result of building one document."""

    kind: Kind
    title: str
    context: dict[str, Any]
    plan: ProcedurePlan
    missing: list[tuple[str, str]] = field(default_factory=list)
    citations: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    number_request: tuple[str, int] | None = None  # (prefix, year) to allocate once the content is complete


class Builder:
    """Builds the context for one kind; collects blanks, marks and citation checks."""

    def __init__(
        self, kind: Kind, case: Case, verify: Verifier, draft: bool, plan: ProcedurePlan | None = None
    ) -> None:
        self.kind, self.case, self.verify, self.draft = kind, case, verify, draft
        self.plan = plan or select_documents(case)
        self.missing: list[tuple[str, str]] = []
        self.citations: list[dict] = []
        self.failed: list[dict] = []
        self.invalid: list[str] = []
        self.warnings: list[str] = list(self.plan.warnings)
        self.doc_day = self._doc_day()
        self.violation_days = [d for d in dict.fromkeys([case.violation_start, case.violation_end]) if d] or [
            self.doc_day
        ]

    # ---- small helpers -----------------------------------------------------------------------
    def _doc_day(self) -> date:
        c = self.case
        if self.kind in (Kind.prior_notice, Kind.hearing_notice):
            return (c.prior_notice and c.prior_notice.issued_on) or date.today()
        return c.decision_date or date.today()

    def need(self, value: Any, path: str, label: str) -> Text:
        """The value as text, or a recorded blank (R6.10)."""
        if value is None or value == "" or value == []:
            self.missing.append((path, label))
            return Text.blank(label)
        if isinstance(value, Text):
            return value
        if isinstance(value, Passage):
            return self.passage(value)
        if isinstance(value, date):
            return Text(cn_date(value))
        return Text(str(value))

    @staticmethod
    def passage(p: Passage) -> Text:
        """A passage, visibly marked when the system suggested it."""
        return Text.suggested(p.text) if p.suggested else Text(p.text)

    def money(self, fen: int | None, path: str, label: str) -> Text:
        """Both forms, ``人民币叁仟元整（¥3,000.00）`` (R6.8), via nlp.money."""
        if fen is None:
            return self.need(None, path, label)
        return Text(format_money(fen))

    def cite(self, raw: str, days: list[date] | None = None, role: str = "procedure") -> Text:
        """Verify ``raw`` as of each day and return the citation module's canonical form.

        Statute citations (违则/罚则) are checked as of the violation dates (R2.1, R2.2);
        procedural ones as of the document date (R2.4).
        """
        days = days or [self.doc_day]
        shown: str | None = None
        for day in days:
            try:
                check = self.verify(raw, day)
            except ValueError as e:  # CitationError: not a citation at all
                self.failed.append({"raw": raw, "as_of": day.isoformat(), "status": "bad_citation", "message": str(e)})
                return Text(Span(raw, "unverified", "无法解析"))
            record = check.to_dict() if hasattr(check, "to_dict") else dict(vars(check))
            record["role"] = role
            self.citations.append(record)
            for w in getattr(check, "warnings", None) or []:
                self.warnings.append(f"{check.normalized or raw}：{w}")
            if getattr(check, "later_change", None):
                self.warnings.append(
                    f"{check.normalized or raw}：{check.later_change.get('note', '此后有变化')}（R2.2）"
                )
            if check.status != "verified":
                self.failed.append(
                    {
                        "raw": raw,
                        "as_of": day.isoformat(),
                        "status": check.status,
                        "message": getattr(check, "message", None) or getattr(check, "reason", None),
                    }
                )
                return Text(Span(raw, "unverified", check.status))
            shown = shown or check.normalized
        return Text(shown or raw)

    def cites(self, raws: list[str], path: str, label: str, role: str) -> Text:
        """Several statute citations joined with 、 (违则 or 罚则), checked as of the violation."""
        if not raws:
            return self.need(None, path, label)
        return self.cite_list(raws, self.violation_days, role)

    def cite_list(self, raws: list[str], days: list[date] | None = None, role: str = "procedure") -> Text:
        """Citations joined with 、 (see :meth:`join_cited`)."""
        return self.join_cited([self.cite(r, days, role) for r in raws])

    @staticmethod
    def join_cited(cited: list[Text]) -> Text:
        """Join verified citations with 、, printing a title only where it changes (《…》第九十条、第一百零七条)."""
        parts: list[Text] = []
        previous = None
        for t in cited:
            printed = t.plain()
            title = (
                printed[: printed.index("》") + 1]
                if printed.startswith("《") and "》" in printed and not t.marks()
                else None
            )
            parts.append(Text(printed[len(title) :]) if title and title == previous else t)
            previous = title
        return Text.join("、", parts)

    def _basis_list(self) -> list[Text]:
        """Each 罚则 citation, checked as of the violation; a blank when none is given."""
        if not self.case.basis:
            return [self.need(None, "basis", "处罚依据（罚则）")]
        return [self.cite(r, self.violation_days, "basis") for r in self.case.basis]

    def number(self, kind: Kind, required: bool = True) -> tuple[Text, tuple[str, int] | None]:
        """The document's 文号: officer-given, else to be allocated from the counter (R6.7)."""
        given = self.case.numbers.get(kind)
        if given:
            return Text(given), None
        prefix = self.case.agency.number_prefixes.get(kind)
        if prefix and not self.draft:
            return Text(), (prefix, self.doc_day.year)
        if required:
            return self.need(None, f"numbers.{kind.value}", "文号"), None
        return Text(), None

    # ---- shared sections ---------------------------------------------------------------------
    def party_lines(self, full: bool = True, require_address: bool = True) -> list[Text]:
        """当事人 block (R7.1): what 第五十九条 requires, plus whatever particulars are given."""
        p, domain = self.case.party, self.case.agency.domain
        strict_person = domain in (Domain.public_order, Domain.public_security)  # R6.1 #12
        lines: list[Text] = []
        name_label = "当事人姓名" if p.kind is PartyKind.individual else "当事人名称"
        lines.append("当事人：" + self.need(p.name, "party.name", name_label))
        if p.credit_code:
            lines.append("统一社会信用代码：" + self._identifier(p.credit_code, "uscc"))
        if p.kind is PartyKind.organization:
            if p.legal_representative:
                lines.append(Text("法定代表人：" + p.legal_representative))
            elif p.responsible_person:
                lines.append(Text("负责人：" + p.responsible_person))
            elif strict_person:
                lines.append("法定代表人：" + self.need(None, "party.legal_representative", "法定代表人（负责人）"))
        if p.kind is PartyKind.individual_business:
            lines.append("经营者：" + self.need(p.operator, "party.operator", "经营者姓名"))
        if p.kind is not PartyKind.organization and full:
            # For a 个体工商户 the identity particulars are the 经营者's (R7.1).
            whose = "经营者" if p.kind is PartyKind.individual_business else ""
            bits = [
                x
                for x in (
                    f"性别：{p.sex}" if p.sex else "",
                    f"出生日期：{cn_date(p.birth_date)}" if p.birth_date else "",
                )
                if x
            ]
            if bits and not whose:
                lines.append(Text("　".join(bits)))
            if p.id_number:
                lines.append(f"{whose}{p.id_type}号码：" + self._identifier(p.id_number, "id_card"))
            elif strict_person and p.kind is PartyKind.individual:
                lines.append(f"{p.id_type}号码：" + self.need(None, "party.id_number", "身份证件号码"))
            if p.household_registration:
                lines.append(Text("户籍所在地：" + p.household_registration))
        address_label = "现住址" if p.kind is PartyKind.individual else "住所"
        if (full and require_address) or p.address:
            lines.append(f"{address_label}：" + self.need(p.address, "party.address", f"当事人{address_label}"))
        if p.business_address and full:
            lines.append(Text("经营场所：" + p.business_address))
        if p.employer and full:
            lines.append(Text("工作单位：" + p.employer))
        if p.phone and full:
            lines.append(Text("联系电话：" + p.phone))
        return lines

    def _identifier(self, raw: str, kind: str) -> Text:
        check = validate_uscc(raw) if kind == "uscc" else None
        if kind == "id_card":
            if self.case.party.id_type != "居民身份证":
                return Text(raw)  # other documents follow other rules (R7.3: verify)
            check = validate_id_card(raw, stated_sex=self.case.party.sex)
        assert check is not None
        if check.valid:
            return Text(check.normalized)
        if self.case.party.identifier_override:
            self.warnings.append(
                f"证件号码 {raw} 未通过校验（{check.message}）；执法人员已确认采用："
                f"{self.case.party.identifier_override}"
            )
            return Text(raw)
        self.invalid.append(f"{raw}: {check.message}")
        return Text(Span(raw, "invalid", check.message))

    def facts(self) -> list[Text]:
        """违法事实 paragraphs."""
        if not self.case.facts:
            return [self.need(None, "facts", "违法事实")]
        return [self.passage(p) for p in self.case.facts]

    def evidence(self) -> list[Text]:
        """Numbered evidence list (处罚法 第五十九条第一款（二）)."""
        if not self.case.evidence:
            return [self.need(None, "evidence", "证据")]
        out = []
        for i, e in enumerate(self.case.evidence, 1):
            body = e.name + (f"，证明{e.proves}" if e.proves else "")
            out.append(
                Text(
                    f"{i}．",
                    Text.suggested(body) if e.suggested else Text(body),
                    "；" if i < len(self.case.evidence) else "。",
                )
            )
        return out

    def intro(self) -> list[Text]:
        """Case opening sentence, only from what the case states."""
        c = self.case
        if c.case_cause and c.filed_on:
            return [Text(f"本机关于{cn_date(c.filed_on)}对当事人涉嫌{c.case_cause}一案立案调查。")]
        if c.case_cause:
            return [Text(f"本机关对当事人涉嫌{c.case_cause}一案进行了调查。")]
        return []

    def conclusion(self) -> Text:
        """当事人的上述行为违反了《…》第…条的规定 (违则)."""
        violated = self.cites(self.case.violated, "violated", "违反的法律条款（违则）", "violated")
        tail = f"，构成{self.case.case_cause}的违法行为" if self.case.case_cause else ""
        return Text("当事人的上述行为违反了", violated, f"的规定{tail}。")

    def penalty_lines(self) -> list[Text]:
        """Penalty types and amounts, numbered (R3.1, R6.8)."""
        pen = self.case.penalty
        if pen is None or not pen.types:
            return [self.need(None, "penalty.types", "处罚种类")]
        out: list[Text] = []
        for t in sorted(set(pen.types), key=list(PenaltyType).index):
            label = PENALTY_LABELS[t]
            if t is PenaltyType.fine:
                out.append(label + self.money(pen.fine_fen, "penalty.fine_fen", "罚款金额"))
            elif t is PenaltyType.confiscate_gains:
                out.append(
                    label + self.money(pen.confiscated_gains_fen, "penalty.confiscated_gains_fen", "违法所得金额")
                )
            elif t is PenaltyType.confiscate_property:
                items = [i.name + (i.quantity or "") for i in pen.confiscated_items]
                out.append(
                    label
                    + "："
                    + self.need("、".join(items) if items else None, "penalty.confiscated_items", "没收物品清单")
                )
            elif t in (PenaltyType.warning, PenaltyType.criticism):
                out.append(Text(label))
            else:
                out.append(label + "：" + self.need(pen.other, "penalty.other", f"{label}的具体内容"))
        n = len(out)
        return (
            [Text(f"{i}．", line, "；" if i < n else "。") for i, line in enumerate(out, 1)]
            if n > 1
            else [out[0] + "。"]
        )

    def amount_due(self) -> int:
        """Fine plus confiscated gains, in fen (what the party pays)."""
        pen = self.case.penalty
        if pen is None:
            return 0
        fine = (pen.fine_fen or 0) if PenaltyType.fine in pen.types else 0
        gains = (pen.confiscated_gains_fen or 0) if PenaltyType.confiscate_gains in pen.types else 0
        return fine + gains

    def amount_due_text(self) -> Text:
        """The total in both forms, or a blank when a part is missing (never a made-up 零元)."""
        pen = self.case.penalty
        unknown = pen is not None and (
            (PenaltyType.fine in pen.types and pen.fine_fen is None)
            or (PenaltyType.confiscate_gains in pen.types and pen.confiscated_gains_fen is None)
        )
        # The missing part is already listed by penalty_lines; this blank is derived, not recorded again.
        return Text.blank("罚没款金额") if unknown else Text(format_money(self.amount_due()))

    def has_fine(self) -> bool:
        pen = self.case.penalty
        return bool(pen and PenaltyType.fine in pen.types)

    def payment(self, document: str) -> list[Text]:
        """How and by when to pay (处罚法 第六十七条第三款; 罚缴分离办法 第七条; R6.9 from receipt)."""
        pen = self.case.penalty
        if not pen or not ({PenaltyType.fine, PenaltyType.confiscate_gains} & set(pen.types)):
            return []
        pay = self.case.agency.payment
        bank = self.need(pay.bank_name if pay else None, "agency.payment.bank_name", "代收机构名称")
        addr = self.need(pay.bank_address if pay else None, "agency.payment.bank_address", "代收机构地址")
        account = ""
        if pay and pay.account_name:
            account += f"；户名：{pay.account_name}"
        if pay and pay.account_number:
            account += f"；账号：{pay.account_number}"
        electronic = f"或者通过{pay.electronic}" if pay and pay.electronic else ""  # no channel configured: none printed
        return [
            Text(
                "根据",
                self.cite(CITES["payment"]),
                f"的规定，当事人应当自收到本{document}之日起十五日内，到",
                bank,
                "（地址：",
                addr,
                account,
                f"）{electronic}缴纳罚没款",
                self.amount_due_text(),
                "。",
            )
        ]

    def surcharge(self) -> list[Text]:
        """Late-payment surcharge: applies, 3% a day, capped at the fine (R6.1 #8, #9)."""
        if not self.has_fine():
            return []
        return [
            Text(
                "到期不缴纳罚款的，本机关可以根据",
                self.cite(CITES["surcharge"]),
                "的规定，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额，并可以依法申请人民法院强制执行。",
            )
        ]

    def correction(self) -> list[Text]:
        """责令改正 (处罚法 第二十八条第一款)."""
        order = self.case.penalty.correction_order if self.case.penalty else None
        return [
            Text(
                "根据",
                self.cite(CITES["correction"]),
                "的规定，责令当事人",
                self.need(order, "penalty.correction_order", "责令改正的内容"),
                "。" if not order or not order.text.endswith("。") else "",
            )
        ]

    def discretion(self, required: bool) -> list[Text]:
        """How the discretion benchmark was applied (R5.11, R6.1 #11)."""
        tier = self.case.tier
        out: list[Text] = []
        if tier and (tier.label or tier.source):
            src = f"依据{tier.source}，" if tier.source else ""
            lab = f"本案属于“{tier.label}”情形" if tier.label else ""
            ground: Text | str = ""
            if tier.label and ("从轻" in tier.label or "减轻" in tier.label):
                # the statutory ground is the system's reading of the label: the officer confirms (R6.10)
                ground = Text(Text.suggested(""), "根据", self.cite(CITES["lighter"]), "的规定，")
            if tier.label and not tier.source:
                self.warnings.append("未填写 tier.source：未写明所适用的裁量基准事项（R5.11）")
            out.append(Text(ground, src, lab, "。" if lab else ""))
        reasons = [self.passage(p) for p in tier.reasons] if tier else []
        if not reasons and required:
            reasons = [self.need(None, "tier.reasons", "裁量理由")]
        return out + reasons

    def remedy(self, on_the_spot: bool = False, document: str = "决定书", penalty: bool = True) -> list[Text]:
        """复议 and 诉讼 routes and time limits (R4.9), as rules from receipt (R6.9).

        ``penalty=False`` (不予处罚) leaves out 本决定不停止执行: there is nothing to execute.
        """
        a = self.case.agency
        body = self.need(a.reconsideration_body, "agency.reconsideration_body", "行政复议机关")
        court = self.need(a.court, "agency.court", "人民法院")
        if on_the_spot:
            return [
                Text(
                    "当事人对本决定不服的，应当先依法申请行政复议（",
                    self.cite(CITES["review_first"]),
                    f"）：可以自收到本{document}之日起六十日内向",
                    body,
                    "申请行政复议，也可以通过本机关提交行政复议申请（",
                    self.cite(CITES["review_via_agency"]),
                    "）；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内向",
                    court,
                    "提起行政诉讼。",
                ),
            ]
        return [
            Text(
                f"当事人如不服本决定，可以自收到本{document}之日起六十日内向",
                body,
                f"申请行政复议，也可以自收到本{document}之日起六个月内直接向",
                court,
                "提起行政诉讼。"
                + ("申请行政复议或者提起行政诉讼期间，本决定不停止执行，法律另有规定的除外。" if penalty else ""),
            ),
        ]

    def signature(self) -> dict[str, Text]:
        """Agency name, date and seal (处罚法 第五十九条第一款（六）、第二款)."""
        return {
            "agency_name": self.need(self.case.agency.name, "agency.name", "行政机关名称"),
            "date": self.need(
                self.case.decision_date
                if self.kind not in (Kind.prior_notice, Kind.hearing_notice)
                else (self.case.prior_notice.issued_on if self.case.prior_notice else None),
                "decision_date"
                if self.kind not in (Kind.prior_notice, Kind.hearing_notice)
                else "prior_notice.issued_on",
                "文书日期",
            ),
            "seal": Text(SEAL),
        }

    def contact(self) -> list[Text]:
        """Agency contact lines, when configured."""
        c = self.case.agency.contact
        if not c:
            return []
        bits = [
            f"联系人：{c.person}" if c.person else "",
            f"联系电话：{c.phone}" if c.phone else "",
            f"联系地址：{c.address}" if c.address else "",
        ]
        return [Text("　".join(b for b in bits if b))] if any(bits) else []

    # ---- per kind ----------------------------------------------------------------------------
    def build(self) -> Built:
        """Build the context for ``self.kind``."""
        method = getattr(self, f"_{self.kind.value}")
        context = method()
        number, request = self.number(
            self.kind, required=self.kind not in (Kind.credit_repair_notice, Kind.compliance_advice)
        )
        context["doc"] = {"title": Text(TITLES[self.kind]), "number": number, **self.signature()}
        if self.failed and not self.draft:
            listed = "；".join(
                f"{f['raw']}（{f['as_of']}，{f['status']}）" + (f"：{f['message']}" if f.get("message") else "")
                for f in self.failed
            )
            raise CitationNotVerified(f"法律条文引用未通过核验：{listed}", {"citations": self.failed})
        if self.invalid and not self.draft:
            raise InvalidIdentifier(
                "证件号码未通过校验："
                + "；".join(self.invalid)
                + "（请更正，或在 party.identifier_override 中记录核实情况）",
                {"identifiers": self.invalid},
            )
        missing = list(dict.fromkeys(self.missing))
        if missing and not self.draft:
            raise MissingFields(self.kind.value, missing)
        return Built(
            self.kind,
            TITLES[self.kind],
            context,
            self.plan,
            missing,
            self.citations,
            sorted(set(self.warnings)),
            request,
        )

    def _penalty_decision(self) -> dict[str, Any]:
        if self.case.no_penalty is not None:
            raise NotApplicable("本案有不予处罚情形：应制作不予行政处罚决定书（no_penalty_decision）（R4.1）")
        c = self.case
        prior = c.prior_notice
        notices = "《行政处罚事先告知书》"
        if c.numbers.get(Kind.prior_notice):
            notices += f"（{c.numbers[Kind.prior_notice]}）"
        if self.plan.hearing_required:
            notices += "、《行政处罚听证告知书》" + (
                f"（{c.numbers[Kind.hearing_notice]}）" if c.numbers.get(Kind.hearing_notice) else ""
            )
        rights: str | Text = "陈述、申辩和要求听证" if self.plan.hearing_required else "陈述、申辩"
        if self.plan.hearing_suggested:  # 较大数额 not configured: the right is included by default (R4.4)
            rights = Text("陈述、申辩和", Text.suggested("要求听证"))
        procedure = [
            Text(
                "本机关于",
                self.need(prior.served_on if prior else None, "prior_notice.served_on", "事先告知书送达日期"),
                f"向当事人送达了{notices}，告知当事人拟作出行政处罚的内容及事实、理由、依据，以及当事人依法享有的",
                rights,
                "等权利。",
            ),
            self.need(c.statements, "statements", "陈述、申辩（听证）情况及采纳理由"),
        ]
        publication = []
        if self.plan.publication and c.agency.domain is Domain.market_supervision:
            platform = c.agency.publication_platform or MARKET_PLATFORM
            publication = [
                Text(
                    "根据",
                    self.cite(CITES["market_publication"]),
                    f"的规定，本行政处罚决定信息将通过{platform}向社会公示。",
                )
            ]
        return {
            "party_lines": self.party_lines(),
            "intro": self.intro(),
            "facts": self.facts(),
            "evidence": self.evidence(),
            "procedure": procedure,
            "conclusion": self.conclusion(),
            "discretion": self.discretion(required=True),
            "basis": Text(
                "依据",
                self.cites(c.basis, "basis", "处罚依据（罚则）", "basis"),
                "的规定，本机关决定对当事人作出如下行政处罚：",
            ),
            "penalties": self.penalty_lines(),
            "correction": self.correction(),
            "payment": self.payment("决定书"),
            "surcharge": self.surcharge(),
            "publication": publication,
            "remedy": self.remedy(),
        }

    def _on_the_spot_decision(self) -> dict[str, Any]:
        c = self.case
        if self.plan.procedure != "simple":
            if not self.plan.on_the_spot_allowed:
                raise NotApplicable("该处罚不适用简易程序：" + "；".join(self.plan.reasons))
            if c.procedure != "simple":
                self.warnings.append(
                    "已按简易程序起草，但案件未记录执法人员选择简易程序（procedure=simple）"
                )
        citizen, org, authority = ON_THE_SPOT.get(c.agency.domain, ON_THE_SPOT_GENERAL)
        when = Text(
            self.need(c.violation_end or c.violation_start, "violation_start", "违法时间"), c.violation_time or ""
        )
        collect = bool(c.penalty and c.penalty.collect_on_spot and self.has_fine())
        payment = [] if collect else self.payment("决定书")
        if collect:
            if self.amount_due() > 10000:
                self.warnings.append(
                    "当场收缴100元以上罚款：仅限不当场收缴事后难以执行的情形"
                    "（处罚法 第六十八条第（二）项；治安案件：治安法 第一百二十三条），请执法人员确认"
                )
            payment = [
                Text(
                    "根据",
                    self.cite(CITES["collect_on_spot"]),
                    "的规定，执法人员当场收缴罚款",
                    self.amount_due_text(),
                    "，并向当事人出具专用票据。",
                )
            ]
        officers = [
            Text(f"执法人员：{o.name}" + (f"　执法证号：{o.certificate_no}" if o.certificate_no else ""))
            for o in c.officers
        ]
        if not officers:
            officers = [Text("执法人员：", self.need(None, "officers", "执法人员姓名及执法证号"))]
        officers.append(Text("执法人员签名：＿＿＿＿＿＿　　年　　月　　日"))  # signed on the spot (处罚法 第五十二条)
        vehicle: list[Text] = []
        if c.agency.domain is Domain.traffic:
            v = c.vehicle
            vehicle = [
                Text(
                    "机动车号牌：",
                    self.need(v.plate if v else None, "vehicle.plate", "机动车号牌号码"),
                    "　车辆类型：",
                    self.need(v.type if v else None, "vehicle.type", "车辆类型"),
                )
            ]
        return {
            "party_lines": self.party_lines(require_address=False),
            "vehicle": vehicle,
            "when": when,
            "place": self.need(c.violation_place, "violation_place", "违法地点"),
            "facts": self.facts(),
            "conclusion": self.conclusion(),
            "basis": Text(
                "依据", self.join_cited([*self._basis_list(), self.cite(authority)]), "的规定，当场作出如下行政处罚："
            ),
            "penalties": self.penalty_lines(),
            "correction": self.correction(),
            "payment": payment,
            "surcharge": self.surcharge(),
            "remedy": self.remedy(on_the_spot=True),
            "officers": officers,
            "receipt": [
                Text("当事人签收：＿＿＿＿＿＿　　年　　月　　日"),
                Text("（当事人拒绝签收的，由执法人员在此注明：＿＿＿＿＿＿）"),
            ],
        }

    def _prior_notice(self) -> dict[str, Any]:
        c = self.case
        days = c.agency.statement_days
        rights = [
            Text(
                "根据",
                self.cite(CITES["statements"]),
                f"的规定，当事人享有陈述、申辩的权利。当事人可以自收到本告知书之日起{int_to_cn(days)}个工作日内"
                "向本机关提出陈述、申辩意见，逾期未提出的，视为放弃此权利。本机关将对当事人提出的事实、理由和证据进行复核；"
                "根据",
                self.cite(CITES["no_heavier"]),
                "的规定，本机关不会因当事人陈述、申辩而给予更重的处罚。",
            )
        ]
        if self.plan.hearing_required:
            rights.append(
                Text(
                    Text.suggested("") if self.plan.hearing_suggested else "",
                    "根据",
                    self.cite_list([CITES["hearing_right"], CITES["hearing_procedure"]]),
                    "的规定，当事人有权要求举行听证；要求听证的，应当自收到本告知书之日起五个工作日内向本机关提出（详见《行政处罚听证告知书》）。",
                )
            )
        return {
            "party_lines": self.party_lines(),
            "facts": self.facts(),
            "evidence": self.evidence(),
            "conclusion": self.conclusion(),
            "discretion": self.discretion(required=True),
            "basis": Text(
                "依据",
                self.cites(c.basis, "basis", "处罚依据（罚则）", "basis"),
                "的规定，本机关拟对当事人作出如下行政处罚：",
            ),
            "penalties": self.penalty_lines(),
            "rights": rights,
            "contact": self.contact(),
        }

    def _hearing_notice(self) -> dict[str, Any]:
        grounds, _ = hearing_check(self.case)
        if not grounds:
            raise NotApplicable("本案不具有听证情形（R4.4），无需制作听证告知书")
        ground_text = Text(
            "上述拟作出的行政处罚属于",
            Text.join("、", [Text(Text.suggested("") if g.suggested else "", self.cite(g.citation),
                                  f"规定的“{g.label}”") for g in grounds]),
            "情形。",
        )
        c = self.case
        return {
            "party_lines": self.party_lines(full=False),
            "basis": Text(
                "本机关拟依据",
                self.cites(c.basis, "basis", "处罚依据（罚则）", "basis"),
                "的规定，对当事人作出如下行政处罚：",
            ),
            "penalties": self.penalty_lines(),
            "grounds": ground_text,
            "rights": [
                Text(
                    "根据",
                    self.cite_list([CITES["hearing_right"], CITES["hearing_procedure"]]),
                    "的规定，当事人有权要求举行听证。",
                ),
                Text(
                    "当事人要求听证的，应当自收到本告知书之日起五个工作日内向本机关提出；逾期未提出的，视为放弃听证权利。"
                ),
                Text("本机关将在举行听证的七个工作日前，通知当事人及有关人员听证的时间、地点。"),
                Text("除涉及国家秘密、商业秘密或者个人隐私依法予以保密外，听证公开举行。"),
                Text("听证由本机关指定的非本案调查人员主持；当事人认为主持人与本案有直接利害关系的，有权申请回避。"),
                Text("当事人可以亲自参加听证，也可以委托一至二人代理。"),
                Text("当事人不承担本机关组织听证的费用。"),
            ],
            "contact": self.contact(),
        }

    def _no_penalty_decision(self) -> dict[str, Any]:
        c = self.case
        if c.no_penalty is None:
            raise NotApplicable("案件未记录不予处罚情形（case.no_penalty），不能制作不予行政处罚决定书（R3.9）")
        np = c.no_penalty
        cite, wording = NO_PENALTY[np.ground]
        established = np.ground is not NoPenaltyGround.facts_not_established
        listed = f"，符合{np.list_item}的情形" if np.list_item else ""
        decision = Text("鉴于", wording, listed, "，依据", self.cite(cite), "的规定，本机关决定对当事人不予行政处罚。")
        after: list[Text] = []
        if established:
            after += self.correction()
            after.append(
                Text(
                    "根据",
                    self.cite(CITES["education"]),
                    "的规定，本机关已对当事人进行教育：",
                    self.need(np.education, "no_penalty.education", "对当事人的教育情况"),
                )
            )
        return {
            "party_lines": self.party_lines(),
            "intro": self.intro(),
            "facts": self.facts(),
            "evidence": self.evidence(),
            "conclusion": self.conclusion() if established else Text(),
            "reasons": [self.passage(p) for p in np.reasons],
            "decision": decision,
            "after": after,
            "remedy": self.remedy(penalty=False),
        }

    def _credit_repair_notice(self) -> dict[str, Any]:
        c = self.case
        if self.plan.procedure != "ordinary" or not self.plan.publication:
            raise NotApplicable(
                "仅公示的普通程序处罚决定附信用修复告知书"
                "（市场监督管理行政处罚信息公示规定 第二条；R6.6）"
            )
        decision_no = self.need(c.numbers.get(Kind.penalty_decision), "numbers.penalty_decision", "行政处罚决定书文号")
        intro = Text(
            "本机关于",
            self.need(c.decision_date, "decision_date", "处罚决定日期"),
            "对当事人作出《行政处罚决定书》（",
            decision_no,
            "）。",
        )
        types = set(c.penalty.types) if c.penalty else set()
        body: list[Text] = []
        if c.agency.domain is Domain.market_supervision:
            platform = c.agency.publication_platform or MARKET_PLATFORM
            body.append(
                Text(
                    "根据",
                    self.cite(CITES["market_publication"]),
                    f"的规定，现告知当事人：该行政处罚信息将通过{platform}向社会公示。",
                )
            )
            body.append(Text("根据", self.cite(CITES["market_period"]), "的规定，", self._period(types), "。"))
            if types & NO_EARLY_END:
                body.append(
                    Text(
                        "当事人受到的行政处罚属于",
                        self.cite(CITES["market_no_early_end"]),
                        "规定的较为严重的行政处罚，不得申请提前停止公示。",
                    )
                )
            else:
                body.append(
                    Text(
                        "公示达到规定时限要求，且同时符合下列条件的，当事人可以依照",
                        self.cite(CITES["market_early_end"]),
                        "的规定，向本机关申请提前停止公示（信用修复）：",
                    )
                )
                body += [
                    Text("（一）已经自觉履行行政处罚决定中规定的义务；"),
                    Text("（二）已经主动消除危害后果和不良影响；"),
                    Text("（三）未因同一类违法行为再次受到市场监督管理部门行政处罚；"),
                    Text("（四）未在经营异常名录和严重违法失信名单中。"),
                ]
        else:
            platform = self.need(c.agency.publication_platform, "agency.publication_platform", "行政处罚信息公示平台")
            body.append(
                Text(
                    "根据",
                    self.cite(CITES["general_publication"]),
                    "的规定，现告知当事人：该行政处罚信息将通过",
                    platform,
                    "依法公开。",
                )
            )
            rules = c.agency.credit_repair_rules
            body += (
                [self.passage(p) for p in rules]
                if rules
                else [self.need(None, "agency.credit_repair_rules", "公示期限及信用修复条件")]
            )
        return {"party_lines": self.party_lines(full=False), "intro": intro, "body": body, "contact": self.contact()}

    def _period(self, types: set[PenaltyType]) -> Text:
        """3 months for 通报批评 or a low fine only, else 3 years (市监公示规定 第十三条)."""
        pen = self.case.penalty
        light = types <= {PenaltyType.criticism, PenaltyType.fine}
        if light and PenaltyType.fine in types:
            ceiling = self.case.agency.low_fine_max_fen
            if ceiling is None:
                return Text(
                    "公示期限为", self.need(None, "agency.low_fine_max_fen", "较低数额罚款标准（省级市场监管部门规定）")
                )
            light = (pen.fine_fen or 0) <= ceiling if pen else False
        return Text(
            "该行政处罚信息自公示之日起届满三个月的，停止公示"
            if light
            else "该行政处罚信息自公示之日起届满三年的，停止公示"
        )

    def _compliance_advice(self) -> dict[str, Any]:
        c = self.case
        if self.plan.procedure == "simple":
            raise NotApplicable("合规建议书随普通程序处罚决定一并送达，简易程序不适用（R6.6）")
        comp = c.compliance
        finding = Text(
            "本机关在办理当事人",
            self.need(c.case_cause, "case_cause", "案由"),
            "一案中发现，当事人的行为不符合",
            self.cites(c.violated, "violated", "违反的法律条款（违则）", "violated"),
            "的规定。",
        )
        steps: list[Text] = []
        for i, s in enumerate(comp.steps if comp else [], 1):
            body = Text.suggested(s.text) if s.suggested else Text(s.text)
            ref = (
                Text("（对应", self.cite(s.citation, self.violation_days, "compliance"), "）") if s.citation else Text()
            )
            steps.append(Text(f"{i}．", body, ref, "；" if i < len(comp.steps) else "。"))
        if not steps:
            steps = [self.need(None, "compliance.steps", "合规整改建议")]
        return {
            "party_lines": self.party_lines(full=False),
            "finding": finding,
            "causes": [self.passage(p) for p in comp.causes] if comp else [],
            "steps": steps,
            "controls": [self.passage(p) for p in comp.controls] if comp else [],
            "disclaimer": Text(
                "本建议书属于行政指导，供当事人参考，不具有强制力，不增加当事人在行政处罚决定之外的义务。"
            ),
            "contact": self.contact(),
        }
