"""The per-decision audit: citations as of the dates, the fine in the statutory range, procedure, limitation, and
whether retrieval agrees with the cited 罚则 (a flag, never a verdict).

Every check reuses the service's own pieces: citations through :class:`corpus.resolver.Resolver` (the one grammar of
``nlp.citations``), ranges and arithmetic through ``analysis.fines``, 从旧兼从轻 through ``analysis.lighter``, facts and
circumstances through ``nlp.facts`` / ``analysis.tiers``, 当场 and 听证 amounts through ``analysis.procedure_limits``,
retrieval through :meth:`index.search.Searcher.search` as ``Services.search`` calls it.

A finding is ``{"rule", "severity", "message", "evidence"}``; severity ``error`` is a defect the texts prove,
``warning`` one a reviewer must look at, ``info`` context (a retrieval disagreement is never more than info).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.archive.readers import Decision
from analysis.fines import choose_range, statutory_fine
from analysis.lighter import compare_versions
from analysis.procedure_limits import hearing_threshold_rows, on_the_spot_limit
from analysis.tiers import facts_to_fields, limitation_period, statutory_tier
from corpus.resolver import CitationCheck, Resolver
from nlp.citations import format_citation, normalize_title
from nlp.facts import Facts, conduct_text, extract_facts
from nlp.money import FineRange
from nlp.regions import RegionError, normalize_region

SEVERITIES = ("error", "warning", "info")
# Stable rule codes and their Chinese names (report headings).
RULES: dict[str, str] = {
    "citation_law_not_found": "引用的法律不存在",
    "citation_law_not_in_store": "引用的法规库中没有（无法核验）",
    "citation_article_not_found": "引用的条不存在",
    "citation_paragraph_not_found": "引用的款不存在",
    "citation_item_not_found": "引用的项不存在",
    "citation_repealed": "引用的条文在违法行为发生时已失效",
    "citation_not_yet_effective": "引用的条文在违法行为发生时尚未施行",
    "citation_version_not_in_store": "违法行为发生时的版本不在库中（无法核验）",
    "citation_ambiguous": "引用有歧义",
    "citation_text_missing": "条文文本缺失（无法核验）",
    "no_penalty_provision": "未引用罚则",
    "discretion_doc_cited": "引用裁量基准等规范性文件",
    "lighter_law_not_applied": "从旧兼从轻：决定时新法较轻",
    "fine_above_max": "罚款超过法定上限",
    "fine_above_basic_range": "罚款超过基本幅度（仅“情节严重”等条款允许）",
    "fine_below_min": "罚款低于法定下限（减轻处罚）",
    "fine_base_needed": "倍数罚款缺少计算基数",
    "fine_not_in_provision": "罚则未规定罚款",
    "hearing_missing": "未告知听证",
    "hearing_not_evidenced": "未见听证告知",
    "on_the_spot_over_limit": "当场处罚超过限额",
    "limitation_expired": "超过追责时效",
    "limitation_check": "时效需核对发现日期",
    "date_inconsistent": "日期矛盾",
    "date_missing": "缺少日期",
    "retrieval_disagrees": "检索结果与所引罚则不一致（仅供参考）",
    "duplicate_doc_no": "文号重复",
    "duplicate_record": "同一决定重复公示",
    "disparate_penalty": "同案不同罚",
}

_PROCEDURAL = {"行政处罚法"}
_DISCRETION_WORDS = re.compile(r"基准|裁量|清单|细化标准|实施标准|指导意见|通知$")
_NATIONAL_LAW = re.compile(r"^(?:中华人民共和国)?[^《》]{1,30}法$")
_VIOLATE_WORDS = re.compile(r"违反")
_BASIS_WORDS = re.compile(r"依据|根据|依照|按照|参照")
_HEARING_TYPES = {"吊销许可证件", "吊销营业执照", "吊销", "降低资质等级", "责令停产停业", "责令停业", "责令关闭", "限制从业",
                  "限制开展生产经营活动"}
_HEARING_WORDS = re.compile(r"听证")
_FIVE_YEAR_FIELDS = re.compile(r"生态|环境|环保|污染|食品|药品|医疗|卫生|疫苗|安全生产|应急管理|消防|特种设备|金融|银行|保险|证券|税")
_ENV_LAWS = re.compile(r"环境|污染|生态|噪声|排污|环评|清洁生产")


@dataclass(frozen=True)
class AuditConfig:
    """Everything a worker needs, as paths and names (never live objects): picklable for pools and Ray."""

    store_path: Path
    index_dir: Path | None = None
    model_dir: Path | None = None
    encoder: str = "e5-onnx-q8"
    benchmarks_path: Path | None = None
    embedding_cache_dir: Path | None = None
    default_region: str | None = None
    retrieval: bool = True
    encoder_threads: int = 1
    top_k: int = 5


def _day(iso: str | None) -> date | None:
    """A (possibly partial) ISO date → a day: the first of the month or year (the reader keeps the precision)."""
    if not iso:
        return None
    parts = iso.split("-")
    y = int(parts[0])
    m = int(parts[1]) if len(parts) > 1 else 1
    d = int(parts[2]) if len(parts) > 2 else 1
    return date(y, m, d)


def _finding(rule: str, severity: str, message: str, **evidence: Any) -> dict[str, Any]:
    return {"rule": rule, "title": RULES[rule], "severity": severity, "message": message, "evidence": evidence}


def domain_of(agency: str | None, laws: list[str]) -> str:
    """The enforcement domain for 当场 limits and 较大数额 rows (``analysis.procedure_limits`` keys)."""
    a = agency or ""
    joined = " ".join(laws)
    if "治安管理处罚法" in joined:
        return "public_order"
    if "道路交通安全法" in joined or "交警" in a:
        return "traffic"
    if re.search(r"生态环境|环境保护|环保", a) or (_ENV_LAWS.search(joined) and not re.search(r"市场|市监", a)):
        return "environment"
    if re.search(r"市场监督|市场监管|市监|工商|食品药品", a):
        return "market_supervision"
    if re.search(r"公安|派出所", a):
        return "public_security"
    return "general"


def region_of(decision: Decision, default: str | None) -> str | None:
    """The province whose local regulations retrieval may return: the decision's region, else its agency's."""
    for text in (decision.region, decision.agency):
        if text:
            try:
                return normalize_region(text)
            except RegionError:
                continue
    return default


class Auditor:
    """Per-decision checks over one store (and one index, for retrieval agreement). One per process."""

    def __init__(self, resolver: Resolver, searcher: Any | None = None, default_region: str | None = None,
                 top_k: int = 5) -> None:
        self.resolver = resolver
        self.searcher = searcher
        self.default_region = default_region
        self.top_k = top_k
        self._lookup = lru_cache(maxsize=65536)(self._lookup_uncached)

    @classmethod
    def from_config(cls, cfg: AuditConfig) -> Auditor:
        """Load the store, and the index with its encoder when retrieval is on (the service's own loading)."""
        from corpus.store import Store

        store = Store.open(cfg.store_path)
        searcher = None
        if cfg.retrieval:
            from index.search import Searcher
            from nlp.encoders import make_encoder

            if cfg.index_dir is None or not (Path(cfg.index_dir) / "manifest.json").exists():
                raise FileNotFoundError(f"no retrieval index at {cfg.index_dir}: run `enforcement-helper build`")
            kwargs: dict[str, Any] = {} if cfg.encoder.startswith("hash") else {"threads": cfg.encoder_threads}
            encoder = PrimedEncoder(make_encoder(cfg.encoder, cfg.model_dir, **kwargs))
            searcher = Searcher.from_store(store, encoder, Path(cfg.index_dir), quiet=True,
                                           cache_dir=cfg.embedding_cache_dir)
            if cfg.benchmarks_path and Path(cfg.benchmarks_path).exists():
                from corpus.benchmarks import BenchmarkStore
                from index.items import ItemIndex, item_records

                bench = BenchmarkStore.open(Path(cfg.benchmarks_path), create=False)
                searcher.attach_items(ItemIndex.build(item_records(bench), searcher.index, encoder,
                                                      Path(cfg.index_dir) / "item_cache"))
        return cls(Resolver(store), searcher, cfg.default_region, cfg.top_k)

    # ---- batch --------------------------------------------------------------------------------------------------
    def audit_batch(self, decisions: list[Decision]) -> list[dict[str, Any]]:
        """Audit several decisions; their retrieval queries are encoded in one batch first."""
        facts = [extract_facts(d.facts) if d.facts else None for d in decisions]
        queries = [conduct_text(f) if f is not None and f.text.strip() else None for f in facts]
        if self.searcher is not None and isinstance(self.searcher.encoder, PrimedEncoder):
            self.searcher.encoder.prime([self._dense_query(q) for q in queries if q])
        out = [self.audit(d, f, q) for d, f, q in zip(decisions, facts, queries, strict=True)]
        if self.searcher is not None and isinstance(self.searcher.encoder, PrimedEncoder):
            self.searcher.encoder.clear()
        return out

    def _dense_query(self, query: str) -> str:
        """The text :meth:`Searcher.search` encodes for ``query`` (same functions, same settings)."""
        from index.query import expand_query, extract_conduct

        assert self.searcher is not None
        cfg = self.searcher.config
        conduct = extract_conduct(query) if cfg.conduct_filter else query.strip()
        return expand_query(conduct) if cfg.expand in ("dense", "both") else conduct

    # ---- one decision -------------------------------------------------------------------------------------------
    def audit(self, d: Decision, facts: Facts | None = None, query: str | None = None) -> dict[str, Any]:
        """Every per-decision check of ``d``: the result record written once to the results file."""
        findings: list[dict[str, Any]] = []
        violation = _day(d.violation_date)
        decision = _day(d.decision_date)
        as_of = violation or decision
        if as_of is None:
            findings.append(_finding("date_missing", "warning", "决定未载明违法行为日期和决定日期：按今日有效的条文核验，"
                                     "版本结论仅供参考"))
        if facts is None and d.facts:
            facts = extract_facts(d.facts)
        cites = self._citations(d, as_of, decision, findings)
        penal = [c for c in cites if c["role"] == "basis"]
        label, grounds = statutory_tier(facts) if facts is not None else ("一般", [])
        cues = sorted({f"{g['code']}" for g in grounds})
        amounts = self._amounts(facts)
        fine_check = self._fine(d, penal, amounts, facts, findings)
        laws = [c["law"] or "" for c in cites]
        domain = domain_of(d.agency, laws)
        self._procedure(d, domain, findings)
        self._limitation(d, violation, decision, domain, laws, findings)
        self._lighter(d, penal, violation, decision, findings)
        retrieval = self._retrieval(d, penal or [c for c in cites if c["role"] == "violated"], query, as_of, facts,
                                    findings)
        keys = sorted({c["group_cite"] for c in penal if c.get("group_cite")})
        articles = sorted({c["article_cite"] for c in penal if c.get("article_cite")})
        sev = min((SEVERITIES.index(f["severity"]) for f in findings), default=None)
        return {
            "id": d.id, "input_hash": d.fingerprint(), "row": d.row, "doc_no": d.doc_no, "agency": d.agency,
            "officer": d.officer, "region": d.region, "party": d.party, "party_type": d.party_type,
            "decision_date": d.decision_date, "decision_date_source": d.decision_date_source,
            "violation_date": d.violation_date, "penalty_types": d.penalty_types, "fine_yuan": d.fine_yuan,
            "confiscated_yuan": d.confiscated_yuan, "domain": domain, "facts_hash": _facts_hash(d.facts),
            "citations": cites, "penalty_key": " + ".join(keys) or None, "penalty_article": " + ".join(articles) or None,
            "circumstances": {"tier": label, "grounds": grounds, "cues": cues,
                              "amounts": {k: v for k, v in amounts.items()}},
            "range": fine_check, "position": fine_check.get("position") if fine_check else None,
            "retrieval": retrieval, "findings": findings,
            "severity": SEVERITIES[sev] if sev is not None else None,
        }

    # ---- citations ----------------------------------------------------------------------------------------------
    def _lookup_uncached(self, cite: str, day: date) -> CitationCheck | None:
        try:
            return self.resolver.lookup(cite, day)
        except ValueError:
            return None

    def _citations(self, d: Decision, as_of: date | None, decision: date | None,
                   findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Every citation of the 违则 and the 依据, verified on the violation date (and the decision date)."""
        out: list[dict[str, Any]] = []
        texts = [(t, "violated") for t in d.violated] + [(t, "basis") for t in d.basis]
        for text, role in texts:
            checks = self.resolver.verify_text(text, as_of)
            if not checks and role == "basis" and _DISCRETION_WORDS.search(text):
                findings.append(_finding("discretion_doc_cited", "info", f"依据中引用了规范性文件「{text[:40]}」：裁量基准只是"
                                         "裁量理由，不是处罚依据（R3.2）", citation=text))
                continue
            for c in checks:
                out.append(self._citation(c, text, role, as_of, decision, findings))
        if d.basis and not any(c["role"] == "basis" for c in out) and not any(
                f["rule"] == "discretion_doc_cited" for f in findings):
            findings.append(_finding("no_penalty_provision", "warning", "处罚依据中未识别出罚则条文（《法律名称》第X条）",
                                     basis=d.basis))
        if not d.basis and "不予处罚" not in d.penalty_types:
            findings.append(_finding("no_penalty_provision", "warning", "决定未载明处罚依据（罚则）"))
        return out

    def _citation(self, c: CitationCheck, text: str, role: str, as_of: date | None, decision: date | None,
                  findings: list[dict[str, Any]]) -> dict[str, Any]:
        law = c.law or ""
        key = normalize_title(law) if law else ""
        if role == "basis":
            before = text[: c.span[0]] if c.span else ""
            v, b = [m.end() for m in _VIOLATE_WORDS.finditer(before)], [m.end() for m in _BASIS_WORDS.finditer(before)]
            if v and (not b or v[-1] > b[-1]):
                role = "violated"  # 「违反了《X》…，依据《Y》…」 in one 处罚依据 cell
            elif key in _PROCEDURAL:
                role = "procedural"
        rec: dict[str, Any] = {"raw": c.raw, "role": role, "normalized": c.normalized, "law": c.law,
                               "article": c.article, "article_sub": c.article_sub, "paragraph": c.paragraph,
                               "item": c.item, "status": c.status, "reason": c.reason,
                               "as_of": c.as_of, "version": (c.as_of_version or {}).get("version_date"),
                               "unverified_version": _unverified(c)}
        if c.law and c.article:
            rec["article_cite"] = format_citation(c.law, c.article, c.article_sub)
            rec["group_cite"] = c.normalized or rec["article_cite"]
        ev = {"citation": c.raw, "normalized": c.normalized, "role": role, "as_of": c.as_of, "status": c.status,
              "reason": c.reason, "resolver_message": c.message}
        where = "违则" if role == "violated" else "罚则" if role == "basis" else "依据"
        if c.status == "verified":
            return rec
        if c.status == "law_not_found":
            if _DISCRETION_WORDS.search(law):
                findings.append(_finding("discretion_doc_cited", "info", f"{where}中引用了规范性文件《{law}》：裁量基准只是"
                                         "裁量理由，不是处罚依据（R3.2）", **ev))
                rec["role"] = "discretion"
            elif _NATIONAL_LAW.match(law) and law.startswith("中华人民共和国"):
                findings.append(_finding("citation_law_not_found", "error",
                                         f"{where}《{law}》不是现行或历史上的全国人大及其常委会制定的法律（法律库中没有此名称）", **ev))
            else:
                findings.append(_finding("citation_law_not_in_store", "warning",
                                         f"{where}《{law}》不在法规库中（外省地方性法规、规章或名称有误），无法核验", **ev))
            return rec
        # A provision missing on the violation date may be the decision date's (从旧兼从轻 allows the lighter new law).
        later = None
        if decision is not None and as_of is not None and decision > as_of and c.normalized:
            later = self._lookup(c.normalized, decision)
        later_ok = later is not None and later.status == "verified"
        if c.status in ("article_not_found", "paragraph_not_found", "item_not_found"):
            if c.reason == "text_not_in_store":
                findings.append(_finding("citation_text_missing", "warning", f"{where}{c.raw}：来源文本缺失该条，请人工核对", **ev))
            elif later_ok:
                findings.append(_finding("citation_not_yet_effective", "warning",
                                         f"{where}{c.raw}在违法行为发生时的版本中不存在，决定时的版本中才有：仅当新规定较轻时"
                                         "可适用（从旧兼从轻，处罚法第三十七条）", **ev,
                                         decision_date=decision.isoformat() if decision else None))
            else:
                rule = {"article_not_found": "citation_article_not_found", "paragraph_not_found":
                        "citation_paragraph_not_found", "item_not_found": "citation_item_not_found"}[c.status]
                unit = {"citation_article_not_found": "条", "citation_paragraph_not_found": "款",
                        "citation_item_not_found": "项"}[rule]
                stale = _unverified(c)
                findings.append(_finding(rule, "warning" if stale else "error",
                                         f"{where}{c.raw}：所引的{unit}在{c.as_of}有效的版本中不存在"
                                         f"（{c.message or ''}）" + (_STALE if stale else ""), **ev))
        elif c.status == "not_in_force":
            if c.reason in ("repealed", "repealed_date_unknown"):
                sev = "error" if c.reason == "repealed" else "warning"
                findings.append(_finding("citation_repealed", sev, f"{where}{c.raw}在违法行为发生日（{c.as_of}）已失效"
                                         f"（{c.message or ''}）：应适用当时有效的规定", **ev))
            elif c.reason == "not_yet_effective":
                sev = "warning" if later_ok else "error"
                findings.append(_finding("citation_not_yet_effective", sev,
                                         f"{where}{c.raw}在违法行为发生日（{c.as_of}）尚未施行"
                                         + ("：仅当新规定较轻时可适用（从旧兼从轻）" if later_ok else ""), **ev))
            else:
                findings.append(_finding("citation_version_not_in_store", "warning",
                                         f"{where}{c.raw}：{c.as_of}有效的版本不在库中，无法核验（请查国家法律法规数据库）", **ev))
        elif c.status == "ambiguous":
            findings.append(_finding("citation_ambiguous", "warning", f"{where}{c.raw}有歧义（{c.message or ''}）",
                                     **ev, candidates=c.candidates))
        return rec

    # ---- fine ---------------------------------------------------------------------------------------------------
    @staticmethod
    def _amounts(facts: Facts | None) -> dict[str, float]:
        if facts is None:
            return {}
        vals, _ = facts_to_fields(facts)
        return {k: float(v) for k, v in vals.items() if k in ("违法所得", "货值金额", "销售额", "工程造价", "总投资额")
                and isinstance(v, (int, float)) and not isinstance(v, bool)}

    def _penalty_text(self, c: dict[str, Any], day: date | None) -> tuple[str, str] | None:
        """The 罚则's citation at 款 level and the text that names its fine (the 款, else the whole article)."""
        if not c.get("law") or not c.get("article") or c["status"] not in ("verified", "not_in_force"):
            return None
        when = day or date.today()
        cite = format_citation(c["law"], c["article"], c.get("article_sub") or 0, c.get("paragraph"))
        hit = self._lookup(cite, when)
        text = (hit.text if hit is not None else None) or ""
        if not text or choose_range(text, None) is None:
            art = self._lookup(format_citation(c["law"], c["article"], c.get("article_sub") or 0), when)
            text = (art.text if art is not None else None) or text
        return (cite, text) if text else None

    def _fine(self, d: Decision, penal: list[dict[str, Any]], amounts: dict[str, float], facts: Facts | None,
              findings: list[dict[str, Any]]) -> dict[str, Any] | None:
        """The fine against the statutory range of the cited 罚则 (several 罚则: separate acts, ranges added)."""
        if not penal or not d.fine_yuan:
            return None
        day = _day(d.violation_date) or _day(d.decision_date)
        serious = facts is not None and facts.polarity("serious_circumstances") == 1
        label = statutory_tier(facts)[0] if facts is not None else "一般"
        ranges: list[dict[str, Any]] = []
        for c in penal:
            found = self._penalty_text(c, day)
            if found is None:
                continue
            cite, text = found
            st = _statutory_fine(text, cite, d.party_type, tuple(sorted(amounts.items())), label, serious,
                                 c.get("item"))
            if st is None:
                findings.append(_finding("fine_not_in_provision", "warning", f"处以罚款，但{cite}的条文中未找到罚款幅度："
                                         "请核对罚则是否规定罚款", citation=cite, fine_yuan=d.fine_yuan))
                continue
            # the widest lawful ceiling: the 情节严重 clause, and either party's range when the party is unknown
            parties = [d.party_type] if d.party_type else ["organization", "individual"]
            ceil: float | None = st.get("max")
            for party in parties:
                for grave in (False, True):
                    fr = _choose_range(text, party, tuple(sorted(amounts.items())), grave, c.get("item"))
                    hi = _max_yuan(fr, amounts)
                    if hi is None:
                        continue
                    ceil = hi if ceil is None else max(ceil, hi)
            ranges.append({"citation": cite, "unverified_version": bool(c.get("unverified_version")),
                           "statutory": st.get("statutory"), "clause": st.get("clause"),
                           "min": st.get("min"), "max": st.get("max"), "ceiling": ceil,
                           "base_needed": st.get("base_needed"), "arithmetic": st.get("arithmetic"),
                           "assumptions": st.get("assumptions")})
        if not ranges:
            return None
        fine = float(d.fine_yuan)
        if any(r["base_needed"] for r in ranges):
            need = next(r for r in ranges if r["base_needed"])
            findings.append(_finding("fine_base_needed", "info", f"{need['citation']}按{need['base_needed']}的倍数罚款，"
                                     f"决定书事实中没有{need['base_needed']}金额：无法核对罚款是否在法定幅度内",
                                     citation=need["citation"], statutory=need["statutory"], fine_yuan=fine))
            return {"ranges": ranges, "min": None, "max": None, "position": None}
        lo = min((r["min"] or 0.0) for r in ranges) if len(ranges) > 1 else (ranges[0]["min"] or 0.0)
        hi_parts = [r["max"] for r in ranges]
        hi = sum(hi_parts) if None not in hi_parts else None
        ceil_parts = [r["ceiling"] for r in ranges]
        ceiling = sum(ceil_parts) if None not in ceil_parts else None
        cites = "、".join(r["citation"] for r in ranges)
        statutory = "；".join(f"{r['citation']}：{r['statutory']}" for r in ranges)
        ev = {"fine_yuan": fine, "min": lo, "max": hi, "ceiling": ceiling, "statutory": statutory,
              "arithmetic": [s for r in ranges for s in (r["arithmetic"] or [])]}
        if ceiling is not None and fine > ceiling + 0.005:
            # a regulation whose in-force status the store cannot vouch for (R2.8) may have a newer, renumbered text
            stale = any(r["unverified_version"] for r in ranges)
            findings.append(_finding("fine_above_max", "warning" if stale else "error",
                                     f"罚款 {fine:,.2f} 元超过{cites}的法定上限 {ceiling:,.2f} 元"
                                     + (_STALE if stale else ""), **ev))
        elif hi is not None and fine > hi + 0.005:
            findings.append(_finding("fine_above_basic_range", "warning",
                                     f"罚款 {fine:,.2f} 元超过{cites}基本幅度的上限 {hi:,.2f} 元：只有“情节严重”等条款或另一当事人"
                                     "类型的幅度允许，请核对决定书是否认定了相应情节", **ev))
        if fine < lo - 0.005:
            findings.append(_finding("fine_below_min", "warning",
                                     f"罚款 {fine:,.2f} 元低于{cites}的法定下限 {lo:,.2f} 元：属减轻处罚，须有法定减轻情形"
                                     "并经集体讨论（处罚法第三十二条；R3.10）", **ev))
        position = None
        if hi is not None and len(ranges) == 1:
            position = round((fine - lo) / (hi - lo), 4) if hi > lo else (0.5 if abs(fine - hi) < 0.005 else None)
        return {"ranges": ranges, "min": lo, "max": hi, "ceiling": ceiling, "position": position}

    # ---- procedure, limitation, 从旧兼从轻 ----------------------------------------------------------------------
    def _procedure(self, d: Decision, domain: str, findings: list[dict[str, Any]]) -> None:
        fine_fen = round((d.fine_yuan or 0) * 100)
        org = d.party_type == "organization"
        if d.procedure == "simple":
            # unknown party: the 单位 limit, the higher one (an error must be certain)
            limit, source = on_the_spot_limit(domain, org or d.party_type is None)
            other = [t for t in d.penalty_types if t not in ("警告", "罚款")]
            if fine_fen > limit or other:
                findings.append(_finding("on_the_spot_over_limit", "error",
                                         f"当场（简易程序）处罚超出限额：{source}只允许警告或{limit / 100:,.0f}元以下罚款"
                                         + (f"，本决定为{'、'.join(other)}" if other else f"，本决定罚款{fine_fen / 100:,.2f}元"),
                                         limit_yuan=limit / 100, source=source, fine_yuan=d.fine_yuan))
            return
        grounds: list[str] = [f"{t}（处罚法第六十三条第一款）" for t in d.penalty_types if t in _HEARING_TYPES]
        verified = bool(grounds)
        if fine_fen:
            classes = ("organization",) if org or d.party_type is None else ("citizen",)
            for r in hearing_threshold_rows():
                if r["domain"] != domain or r.get("party", "any") not in (*classes, "any"):
                    continue
                if r.get("fine_min_fen") is not None and fine_fen >= r["fine_min_fen"]:
                    grounds.append(f"罚款{fine_fen / 100:,.0f}元 ≥ {r['fine_min_fen'] / 100:,.0f}元（{r['source']}）")
                    verified = verified or bool(r.get("verified"))
        if not grounds:
            return
        told = d.hearing_notice
        evidenced = told is True or bool(_HEARING_WORDS.search(f"{d.facts}\n{d.text or ''}"))
        if told is False:
            findings.append(_finding("hearing_missing", "error" if verified else "warning",
                                     "应告知听证权利而未告知：" + "；".join(grounds), grounds=grounds, hearing_notice=False))
        elif not evidenced:
            findings.append(_finding("hearing_not_evidenced", "warning" if verified else "info",
                                     "依处罚种类或金额应告知听证权利，决定书（公示文本）中未见听证告知：" + "；".join(grounds)
                                     + ("" if verified else "（较大数额标准取自未经核实的来源，请按本地标准核对）"),
                                     grounds=grounds))

    def _limitation(self, d: Decision, violation: date | None, decision: date | None, domain: str, laws: list[str],
                    findings: list[dict[str, Any]]) -> None:
        if violation is None or decision is None:
            return
        if decision < violation and (d.decision_date or "")[:len(d.violation_date or "")] != d.violation_date:
            findings.append(_finding("date_inconsistent", "warning", f"决定日期（{d.decision_date}）早于违法行为日期"
                                     f"（{d.violation_date}）", decision_date=d.decision_date,
                                     violation_date=d.violation_date))
            return
        period, rule = limitation_period(None)
        five = bool(_FIVE_YEAR_FIELDS.search(f"{d.agency or ''} {' '.join(laws)}")) or domain == "environment"
        discovery = _day(d.discovery_date)
        ev = {"violation_date": d.violation_date, "decision_date": d.decision_date, "discovery_date": d.discovery_date,
              "period_days": period.days, "limitation_rule": rule}
        if discovery is not None and discovery - violation > period:
            longest = timedelta(days=5 * 365 + 1)
            if not five or discovery - violation > longest:
                findings.append(_finding("limitation_expired", "error", f"违法行为（{d.violation_date}）至发现（{d.discovery_date}）"
                                         f"已超过追责时效（{rule}）：应不予处罚（处罚法第三十六条）", **ev))
            else:
                findings.append(_finding("limitation_check", "warning", "违法行为至发现已超过二年：仅当涉及生命健康安全、金融安全"
                                         "且有危害后果（或生态环境损害）时适用五年时效，请核对", **ev))
        elif discovery is None and decision - violation > period:
            findings.append(_finding("limitation_check", "warning", f"违法行为（{d.violation_date}）至决定（{d.decision_date}）"
                                     f"超过{period.days // 365}年：请核对发现日期是否仍在追责时效内（{rule}）", **ev))

    def _lighter(self, d: Decision, penal: list[dict[str, Any]], violation: date | None, decision: date | None,
                 findings: list[dict[str, Any]]) -> None:
        if violation is None or decision is None or decision <= violation:
            return
        for c in penal:
            if c["status"] != "verified" or not c.get("normalized"):
                continue
            cmp = compare_versions(self.resolver, c["normalized"], violation, decision, d.party_type)
            # the same number in a renumbered text is another provision: compare only texts that are one provision
            if cmp and cmp.get("lighter") == "new" and _same_provision(cmp["violation_version"].get("text"),
                                                                     cmp["decision_version"].get("text")):
                findings.append(_finding("lighter_law_not_applied", "warning", f"{c['normalized']}在决定时已修改，新规定较轻："
                                         f"{cmp['reason']}", citation=c["normalized"], legal_rule=cmp["rule"]))

    # ---- retrieval agreement --------------------------------------------------------------------------------------
    def _retrieval(self, d: Decision, cited: list[dict[str, Any]], query: str | None, as_of: date | None,
                   facts: Facts | None, findings: list[dict[str, Any]]) -> dict[str, Any] | None:
        if self.searcher is None or not cited:
            return None
        if query is None and facts is not None:
            query = conduct_text(facts)
        if not query or not query.strip():
            return None
        from index.search import SearchError

        try:
            res = self.searcher.search(query, as_of, self.top_k, region=region_of(d, self.default_region))
        except SearchError:
            return None
        want = {(normalize_title(c["law"]), c["article"], c.get("article_sub") or 0) for c in cited
                if c.get("law") and c.get("article")}
        role = "basis" if cited[0]["role"] == "basis" else "violated"
        top: list[str] = []
        rank = None
        for i, h in enumerate(res.hits, 1):
            own = {"law": h.law, "article": h.article, "article_sub": h.article_sub, "citation": h.citation}
            ref = (h.basis if role == "basis" else h.violated) or own
            top.append(ref.get("citation") or h.citation)
            keys = {(normalize_title(r["law"]), r["article"], r.get("article_sub") or 0) for r in (ref, own)
                    if r.get("law")}
            if rank is None and keys & want:
                rank = i
        agrees = rank is not None
        out = {"agrees": agrees, "rank": rank, "role": role, "top": top[:3], "no_match": res.no_match}
        if not agrees:
            findings.append(_finding("retrieval_disagrees", "info",
                                     f"按事实检索的前{self.top_k}个{'罚则' if role == 'basis' else '违则'}中没有所引条文"
                                     f"（检索首位：{top[0] if top else '无'}）：仅提示复核，不作结论",
                                     cited=sorted({c.get("article_cite") or c["raw"] for c in cited}), retrieved=top[:3]))
        return out


# An archive cites the same few 罚则 thousands of times: parse each text's ranges once per process.
@lru_cache(maxsize=16384)
def _choose_range(text: str, party: str | None, amounts: tuple[tuple[str, float], ...], serious: bool,
                  item: int | None) -> FineRange | None:
    return choose_range(text, party, dict(amounts), serious, item)


@lru_cache(maxsize=16384)
def _statutory_fine_cached(text: str, cite: str, party: str | None, amounts: tuple[tuple[str, float], ...], tier: str,
                           serious: bool, item: int | None) -> str:
    return json.dumps(statutory_fine(text, cite, party, dict(amounts), tier, serious=serious, item=item),
                      ensure_ascii=False)


def _statutory_fine(text: str, cite: str, party: str | None, amounts: tuple[tuple[str, float], ...], tier: str,
                    serious: bool, item: int | None) -> dict[str, Any] | None:
    """``analysis.fines.statutory_fine``, memoised (a fresh copy each call: callers may change it)."""
    fine: dict[str, Any] | None = json.loads(_statutory_fine_cached(text, cite, party, amounts, tier, serious, item))
    return fine


_STALE = "（库中该法规版本的现行有效状态未经核实，可能已有修订并重新编号：请核对现行文本）"


def _unverified(c: CitationCheck) -> bool:
    """Resolved in a regulation text whose repeal status is not verified (LawRefBook, R2.8)."""
    v = c.as_of_version or c.last_version or {}
    return v.get("source") == "lawrefbook" and v.get("verified_in_force") is None


_AMOUNT_WORDS = re.compile(r"[\d零一二两三四五六七八九十百千万亿元倍%％]")


def _same_provision(old: str | None, new: str | None, threshold: float = 0.6) -> bool:
    """Two versions' texts of one article number say the same thing but for the amounts (character bigrams)."""
    if not old or not new:
        return False

    def grams(t: str) -> set[str]:
        t = _AMOUNT_WORDS.sub("", re.sub(r"\s", "", t))
        return {t[i:i + 2] for i in range(len(t) - 1)}

    a, b = grams(old), grams(new)
    return bool(a and b) and len(a & b) / len(a | b) >= threshold


def _max_yuan(fr: FineRange | None, amounts: dict[str, float]) -> float | None:
    """A range's upper bound in yuan (a multiple computed from the facts' base), or None when open or unknown."""
    if fr is None:
        return None
    if fr.kind == "amount":
        return None if fr.max_fen is None else fr.max_fen / 100
    base = amounts.get(fr.base or "")
    if base is None or fr.max_multiplier is None:
        return None
    return float(base) * fr.max_multiplier.numerator / fr.max_multiplier.denominator


def _facts_hash(text: str) -> str:
    import hashlib

    return hashlib.sha1(re.sub(r"\s+", "", text or "").encode()).hexdigest()[:12]


class PrimedEncoder:
    """The encoder, with the queries of a batch encoded together up front (the search then finds them ready).

    ``Searcher.search`` encodes one query at a time; a batch of short texts costs far less per text on two cores.
    A text not primed is encoded as before, so results never depend on priming.
    """

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name: str = getattr(inner, "name", "") or ""
        self._ready: dict[str, Any] = {}

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.inner, attr)

    def prime(self, texts: list[str], batch: int = 64) -> None:
        """Encode ``texts`` (deduplicated) in batches and keep their vectors until :meth:`clear`."""
        todo = list(dict.fromkeys(t for t in texts if t not in self._ready))
        for i in range(0, len(todo), batch):
            chunk = todo[i:i + batch]
            for t, v in zip(chunk, self.inner.encode_queries(chunk), strict=True):
                self._ready[t] = v

    def clear(self) -> None:
        """Forget the primed vectors."""
        self._ready.clear()

    def encode_queries(self, texts: Any) -> Any:
        import numpy as np

        texts = list(texts)
        if texts and all(t in self._ready for t in texts):
            return np.stack([self._ready[t] for t in texts])
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: Any, show_progress: bool = False) -> Any:
        return self.inner.encode_passages(texts, show_progress=show_progress)


__all__ = ["RULES", "SEVERITIES", "AuditConfig", "Auditor", "PrimedEncoder", "domain_of", "region_of"]
