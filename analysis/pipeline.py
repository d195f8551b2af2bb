"""The analysis of one violation description: provisions, benchmark item, tier, fine and reminders.

``Analyzer.analyze`` extracts the facts once and then retrieves (through the search it is given), matches benchmark
items (``analysis.items``), checks for a statement of compliance (``analysis.compliance``), suggests the tier and
fine from the item (``analysis.tiers``) or from the statutory range of the 罚则 (``analysis.fines``), compares the
versions for 从旧兼从轻 (``analysis.lighter``) and adds the reminders (``analysis.reminders``).

Everything comes in as arguments: the search, and the resolver, benchmark store and tier model as zero-argument
callables. They are called only on the path that needs them, so an answer from the statutory range never needs a
tier model, and a missing artefact is reported by the step that uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from typing import Any

from analysis.compliance import check_compliance
from analysis.fines import PenaltyText, choose_range, find_referral, statutory_fine, unpriced_fine
from analysis.items import ItemMatcher
from analysis.lighter import compare_versions
from analysis.provisions import ProvisionCache
from analysis.reminders import item_reminders, limitation_reminder
from analysis.tiers import (
    facts_to_fields,
    no_penalty_list_reminders,
    statutory_tier,
    suggest_tier,
)
from corpus.benchmarks import BenchmarkStore
from corpus.resolver import Resolver
from index.applicability import context_only
from nlp.citations import format_citation, normalize_title
from nlp.facts import conduct_text, extract_facts

__all__ = ["Analyzer", "Search"]

# ``(query, as_of, top_k, region) -> {"results", "as_of", "region", "no_match", "confidence", …}``: the caller's
# search, which checks the query and the region and answers with the hits as dicts.
Search = Callable[[str, date | None, int, str | None], dict[str, Any]]

# Search statuses of a version that stands in for one missing from the store (index.search).
_STAND_IN = ("nearest_later", "nearest_earlier")

# Amounts a 罚则 may take a multiple of, as the facts name them.
_AMOUNT_FIELDS = ("违法所得", "货值金额", "销售额", "工程造价", "总投资额")


class Analyzer:
    """One analysis pipeline over loaded artefacts; built once and shared by concurrent requests."""

    def __init__(self, search: Search, resolver: Callable[[], Resolver], benchmarks: Callable[[], BenchmarkStore],
                 tier_model: Callable[[], Any]) -> None:
        self._search = search
        self._resolver = resolver
        self._tier_model = tier_model
        self.provision = ProvisionCache(resolver)
        self.items = ItemMatcher(benchmarks, self.provision)

    def analyze(self, description: str, as_of: date | None = None, party_type: str | None = None,
                discovery_date: date | None = None, region: str | None = None,
                decision_date: date | None = None) -> dict[str, Any]:
        """Provisions, matched benchmark items, tier, fine and reminders for a violation description.

        Retrieval sees the description without its circumstance cues (「已及时改正」 …, ``nlp.facts.conduct_text``);
        facts and tier use the full text. ``discovery_date`` (R2.5) defaults to the decision date, said so.
        ``party_type`` is one of None, individual, individual_business, organization (checked by the caller).
        """
        facts = extract_facts(description)
        query = conduct_text(facts)
        found = self._search(query, as_of, 5, region)
        decision = decision_date or date.today()
        party = "individual" if party_type == "individual_business" else party_type
        matches = self.items.match(found["results"], decision, as_of, query, facts, party)
        if not any(not m["summary"]["no_penalty_list"] and not m["summary"]["citation_conflict"] for m in matches):
            matches = self.items.by_title(query, facts, decision, as_of, party) + matches
        lists = [m for m in matches if m["summary"]["no_penalty_list"]]
        answer: dict[str, Any] = {
            "description": description, "retrieval_text": query, "as_of": found["as_of"], "region": found["region"],
            "decision_date": decision.isoformat(),
            "discovery_date": discovery_date.isoformat() if discovery_date else None,
            "no_match": found["no_match"], "confidence": found["confidence"],
            "provisions": found["results"], "matches": [m["summary"] for m in matches],
            "tier": None, "fine": None, "factors": [], "reminders": [], "no_violation": False,
        }
        answer["from_old_from_light"] = self._lighter_law(found["results"], as_of, decision, party)

        lawful = check_compliance(description)
        if lawful.no_violation:
            # A statement of compliance or of no finding: nothing is cited as violated; the provisions are only the
            # rules that were checked.
            answer.update(no_violation=True, no_match=True, confidence=0.0, matches=[], similar_items=[],
                          no_violation_evidence=[{"text": t, "span": list(sp)} for t, sp in
                                                 zip(lawful.evidence, lawful.spans, strict=True)],
                          provisions=[{**h, "context_only": True, "label": "已核查（未认定违法）",
                                      "applicability": context_only(h.get("applicability"))} for h in found["results"]])
            answer["reminders"].append({"code": "no_violation", "blocking": False, "rule": "处罚法 第四十条",
                                        "message": "描述载明检查合格或未发现违法行为：不认定违法，不建议阶次和罚款；"
                                                   "所列条文仅为已核查的规定"})
            return answer
        # R5.7: matched 不予处罚 list items are checked against the facts (reminders only, never the tier source)
        list_reminders = [asdict(r) for r in no_penalty_list_reminders(facts, [m["item"] for m in lists[:3]])]
        penal = [m for m in matches if not m["summary"]["no_penalty_list"]]
        # An item decides the tier only when its citation agrees with the first retrieved pair, the one an officer
        # copies; one found by title similarity, citing another 款/项, or citing a lower-ranked pair (another
        # violation) is shown for reference and never decides.
        agreeing = [m for m in penal if m["summary"].get("via") != "title" and not m["summary"].get("citation_conflict")
                    and m["summary"].get("hit_rank") == 0]
        answer["similar_items"] = [{**m["summary"], "label": "相似事项（仅供参考）"}
                                   for m in penal if m not in agreeing][:3]
        if not agreeing:
            self._statutory_fine(answer, facts, party, as_of)
            self._lawful_range(answer, facts, party, as_of)
            answer["reminders"] += list_reminders
            limitation_reminder(answer, None, as_of, discovery_date)
            _version_gap_reminder(answer)
            return answer
        penal = agreeing
        best = penal[0]
        model = self._tier_model()
        tier = suggest_tier(facts, best["item"], model, decision_date=decision, violation_date=as_of,
                            discovery_date=discovery_date, party_type=party,
                            embedding=self._tier_embedding(model, description)).to_dict()
        tier_info = tier.get("tier") or {}
        answer.update({
            "item": best["summary"],
            "tier": {"label": tier_info.get("label"), "rank": tier_info.get("rank"),
                     "probability": tier_info.get("probability"), **tier_info, "source": "item"},
            "fine": {**(tier.get("fine") or {}), "source": "item"}, "factors": tier.get("factors", []),
            "reminders": tier.get("reminders", []) + list_reminders,
            "adjustment": tier.get("adjustment"), "method": tier.get("method"),
            "probabilities": tier.get("probabilities"),
        })
        item_reminders(answer, best, penal, party)
        if not best["summary"]["benchmark_valid_on_decision_date"]:
            self._expired_benchmark(answer, facts, party, as_of)
        limitation_reminder(answer, best["item"], as_of, discovery_date)
        self._lawful_range(answer, facts, party, as_of)
        _version_gap_reminder(answer)
        return answer

    # ---- fines from the statute -------------------------------------------------------------------------------
    def _lighter_law(self, hits: list[dict[str, Any]], as_of: date | None, decision: date,
                     party: str | None) -> dict[str, Any] | None:
        """从旧兼从轻 for the top pair's 罚则 when the violation and decision dates fall in different versions."""
        found = self._penalty_text(hits, as_of)
        if found is None or as_of is None or as_of >= decision:
            return None
        return compare_versions(self._resolver(), found.cite, as_of, decision, party)

    def _lawful_range(self, answer: dict[str, Any], facts: Any, party: str | None, as_of: date | None) -> None:
        """The statutory range of the top pair's 罚则 on the fine, beside a benchmark band: what any lawful fine lies in."""
        fine = answer.get("fine")
        found = self._penalty_text(answer["provisions"], as_of)
        if not fine or found is None:
            return
        cite, text, item_no = found.cite, found.text, found.item
        if found.stand_in and found.stand_in not in (fine.get("assumptions") or []):
            fine["assumptions"] = [*(fine.get("assumptions") or []), found.stand_in]
        st = statutory_fine(text, cite, party, _amounts(facts), item=item_no)
        if st is not None:
            fine["lawful_range"] = {"min": st["min"], "max": st["max"], "statutory": st["statutory"], "citation": cite,
                                    "clause": st["clause"]}

    def _penalty_text(self, hits: list[dict[str, Any]], as_of: date | None) -> PenaltyText | None:
        """The top pair's 罚则: its citation (款 level), the text that names its fine, and the cited 项.

        The 款 is the text when it names a fine; else the whole article, where a later 款 may range each 项
        (水污染防治法 第八十五条第二款). A 罚则 that names no fine but refers to another provision for the penalty
        (「依照第一款规定给予处罚」) takes that provision's range and says so; one that refers to another instrument
        takes that instrument's 罚则 among the retrieved pairs, or else names the instrument it refers to.
        """
        top = next(iter(hits), None)
        basis = (top if top.get("is_liability") else top.get("basis")) if top else None
        if not basis:
            return None
        stand_in = None
        if top and top.get("version_status") in _STAND_IN and top.get("effective_from"):
            # No text of the violation date is stored: read the stand-in version's own text, and say so.
            as_of = date.fromisoformat(top["effective_from"])
            stand_in = (f"罚款幅度取自库中最接近的版本（{top['effective_from']} 起施行），不是违法行为发生时有效的文本："
                        "请按当时有效的罚则核实幅度")
        found = self._follow_penalty(basis, hits, as_of)
        return found._replace(stand_in=stand_in) if stand_in else found

    def _follow_penalty(self, basis: dict[str, Any], hits: list[dict[str, Any]], as_of: date | None) -> PenaltyText:
        """:meth:`_penalty_text` for one 罚则 read on ``as_of``, following a referral to where its range is."""
        law, art, sub = basis["law"], basis["article"], basis.get("article_sub") or 0
        cite = format_citation(law, art, sub, basis.get("paragraph"))
        text = self.provision(cite, as_of).get("text") or basis.get("text") or ""
        # The 款's own referral (「依照第一款规定给予处罚」) outranks the ranges of the article's other 款.
        ref = find_referral(text, law, art, sub, basis.get("paragraph")) if choose_range(text, None) is None else None
        if ref is None and basis.get("paragraph") and choose_range(text, None) is None:
            text = self.provision(format_citation(law, art, sub), as_of).get("text") or text
        if choose_range(text, None) is not None:
            return PenaltyText(cite, text, basis.get("item"))
        ref = ref or find_referral(text, law, art, sub, basis.get("paragraph"))
        if ref is None:
            return PenaltyText(cite, text, basis.get("item"))
        if ref.article is not None:
            target = format_citation(ref.law, ref.article, ref.article_sub, ref.paragraph)
            ref_text = self.provision(target, as_of).get("text") or ""
            if choose_range(ref_text, None) is not None:
                return PenaltyText(target, ref_text, None, f"{cite} 规定依照{ref.raw}处罚：罚款幅度取自 {target}")
            return PenaltyText(cite, text, basis.get("item"))
        key = normalize_title(ref.law)
        for h in hits[1:]:
            other = h if h.get("is_liability") else h.get("basis")
            if not other or normalize_title(other["law"]) != key:
                continue
            target = format_citation(other["law"], other["article"], other.get("article_sub") or 0,
                                     other.get("paragraph"))
            ref_text = self.provision(target, as_of).get("text") or other.get("text") or ""
            if choose_range(ref_text, None) is not None:
                return PenaltyText(target, ref_text, other.get("item"),
                                   f"{cite} 规定依照《{ref.law}》处罚：罚款幅度取自检索到的 {target}，请核实该条适用于本案")
        return PenaltyText(cite, text, basis.get("item"), referred_law=ref.law)

    def _statutory_fine(self, answer: dict[str, Any], facts: Any, party: str | None, as_of: date | None,
                        announce: bool = True) -> None:
        """Tier and fine from the top pair's 罚则 and a general split of its range, when no benchmark item applies
        (``announce``: say so in a reminder)."""
        rem = answer["reminders"]
        found = self._penalty_text(answer["provisions"], as_of)
        if found is None:
            rem.append({"code": "no_penalty_provision", "blocking": False, "rule": "R3.2",
                        "message": "未检索到可适用的罚则：无法给出罚款幅度，请查明罚则"})
            return
        cite, text, item_no = found.cite, found.text, found.item
        amounts = _amounts(facts)
        label, grounds = statutory_tier(facts)
        fine = statutory_fine(text, cite, party, amounts, label, serious=facts.polarity("serious_circumstances") == 1,
                              item=item_no)
        if fine is None:
            fine = unpriced_fine(found, label)
            rem.append({"code": "no_fine_in_penalty_provision", "blocking": False, "rule": "R3.2",
                        "message": fine["note"]})
        elif found.via:
            fine["referral"] = found.via
            fine["arithmetic"].insert(0, found.via)
        if found.stand_in:
            fine["assumptions"].append(found.stand_in)
        answer["fine"] = fine
        answer["tier"] = {"label": label, "rank": None, "probability": None, "source": "statutory_split",
                          "grounds": grounds, "rule": fine["rule"]}
        answer["factors"] = grounds
        if announce:
            rem.append({"code": "no_benchmark", "blocking": False, "rule": "R3.2；R5.10",
                        "message": f"未匹配到与所检索罚则一致的裁量基准事项：阶次和罚款按 {cite} 的法定幅度与通行划分规则建议，"
                                   "请依本机关裁量基准核对"})

    def _expired_benchmark(self, answer: dict[str, Any], facts: Any, party: str | None, as_of: date | None) -> None:
        """The item's benchmark is not valid on the decision date (R2.9): the statutory range decides, the item's
        band and tier kept for reference."""
        rem = answer["reminders"]
        band, item_tier = answer.get("fine") or {}, answer.get("tier")
        answer["fine"] = answer["tier"] = None
        self._statutory_fine(answer, facts, party, as_of, announce=False)
        if answer["fine"] is not None:
            expired = "裁量基准在决定日不在有效期内：不据其建议，按罚则的法定幅度与通行划分规则裁量"
            own = answer["fine"].get("note")
            answer["fine"].update(benchmark_band=band, benchmark_tier=item_tier,
                                  note=f"{own}；{expired}" if own else expired)
        # 听证/当场 reminders were computed on the benchmark's amount, which is no longer suggested
        rem[:] = [r for r in rem if r.get("code") not in ("hearing", "on_the_spot")]
        rem.append({"code": "benchmark_not_valid_statutory_range", "blocking": False, "rule": "R2.9；R3.2；R4.2；R4.4",
                    "message": "所匹配事项的裁量基准在决定日已失效，且没有有效基准的事项：仅给出法定幅度，阶次仅供参考；"
                               "确定金额后再核对听证与当场处罚条件"})

    @staticmethod
    def _tier_embedding(model: Any, text: str) -> Any:
        """The description's e5 query vector, computed once here for the tier model (None when it uses none)."""
        if getattr(model, "kind", None) not in ("e5", "hybrid") or model.encoder is None:
            return None
        return model.encoder.encode_queries([text])[0]


def _version_gap_reminder(answer: dict[str, Any]) -> None:
    """First among the reminders, and blocking: the top provision is a stand-in for a text missing from the store."""
    top = next(iter(answer["provisions"]), None)
    if top and top.get("version_status") in _STAND_IN:
        answer["reminders"].insert(0, {
            "code": "version_gap", "blocking": True, "rule": "处罚法 第三十七条；R2.7",
            "message": f"库中没有 {answer['as_of']} 当日有效的《{top['law']}》文本，所列条文取自其最接近的版本"
                       f"（{top.get('effective_from') or '？'} 至 {top.get('effective_to') or '今'}）：不得直接引用，"
                       "请核实违法行为发生时有效的条文及其罚则"})


def _amounts(facts: Any) -> dict[str, float]:
    """The amounts the facts state that a 罚则 may take a multiple of (违法所得, 货值金额 …), in yuan."""
    vals, _ = facts_to_fields(facts)
    return {k: float(v) for k, v in vals.items() if k in _AMOUNT_FIELDS and isinstance(v, (int, float))}
