"""The one pipeline both the CLI and HTTP call: loaded once per process, shared by requests."""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import asdict
from datetime import date
from pathlib import Path
from functools import cached_property
from typing import Any

from api.core.settings import Settings, get_settings
from api.db.database import Database
from api.errors import AppError, NotBuilt
from corpus.benchmarks import BenchmarkError, BenchmarkStore
from corpus.resolver import Resolver
from corpus.store import Store, StoreMissing
from nlp.citations import CitationError

# Fields every verify answer carries (the case-system contract, issue #2); the rest are extras.
CITATION_FIELDS = ("raw", "normalized", "law", "article", "paragraph", "item", "status", "as_of_version", "text",
                   "article_sub")


class Services:
    """Heavy objects (store, resolver, index) loaded lazily, once."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or get_settings()

    @cached_property
    def store(self) -> Store:
        try:
            return Store.open(self.settings.store_path)
        except StoreMissing:
            raise NotBuilt("法规库尚未建立") from None

    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.store)

    @cached_property
    def benchmarks(self) -> BenchmarkStore:
        """Discretion benchmarks (seeded by ``enforcement-helper build``)."""
        if not self.settings.benchmarks_path.exists():
            raise NotBuilt("裁量基准库尚未建立")
        return BenchmarkStore.open(self.settings.benchmarks_path, create=False)

    def load_benchmark(self, path: Path, name: str | None = None) -> dict[str, Any]:
        """Load an agency's table (YAML/CSV/XLSX); the report says what was parsed and what was not."""
        if not path.exists():
            raise AppError("file_not_found", f"文件不存在：{path}", "path", 422)
        store = BenchmarkStore.open(self.settings.benchmarks_path)
        try:
            report = store.load(path, resolver=self.resolver, name=name)
        except BenchmarkError as exc:
            raise AppError(getattr(exc, "code", "bad_benchmark"), str(exc), "path", 422) from None
        return {"ok": report.ok, "summary": report.summary(), "report": json.loads(report.model_dump_json())}

    @cached_property
    def db(self) -> Database:
        """Keys and audit (SQLite by default, PostgreSQL through EH_DATABASE_URL)."""
        s = self.settings
        return Database(s.db_url, secret_path=s.audit_secret_path, synchronous=s.sqlite_synchronous)

    def warm_up(self) -> None:
        """Load everything heavy before the service reports ready; ``not_ready`` lists what is missing or stale.

        Nothing is built here: a missing or stale artefact is only reported (``enforcement-helper build`` makes it).
        """
        self.not_ready: list[str] = []
        _ = self.db
        for name in ("resolver", "benchmarks", "encoder", "searcher", "tier_model"):
            try:
                getattr(self, name)
            except NotBuilt as exc:
                if exc.message not in self.not_ready:
                    self.not_ready.append(exc.message)
        if not self.not_ready:
            # The first call of each path loads jieba's dictionary, the spaCy pipeline and the benchmark items
            # (seconds): paid here, not by the first officer (nor counted against a request's deadline).
            sample = "当事人张三于2025年3月5日在其经营场所销售超过保质期的食品，违法所得1000元。"
            self.extract(sample)
            self.analyze(sample)

    def corpus_version(self) -> str:
        """Version of the statute store answers were computed from."""
        try:
            return self.store.corpus_version()
        except AppError:
            return "none"

    def index_version(self) -> str:
        """Version of the retrieval index, if one is loaded."""
        if "searcher" not in self.__dict__:
            return "none"
        m = self.searcher.index.manifest
        return f"{m.get('corpus_version', '?')}:{m.get('encoder', '?')}:{m.get('built_at', m.get('build_time', '?'))}"

    # ---- retrieval --------------------------------------------------------------------------
    @cached_property
    def encoder(self) -> Any:
        """The configured encoder (e5 int8 ONNX by default), loaded once."""
        from nlp.encoders import EncoderNotBuilt, make_encoder

        threads = self.settings.encoder_threads
        kwargs = {"threads": threads} if threads and not self.settings.encoder.startswith("hash") else {}
        try:
            return make_encoder(self.settings.encoder, self.settings.model_dir, **kwargs)
        except EncoderNotBuilt as exc:
            raise NotBuilt(str(exc)) from None

    @cached_property
    def searcher(self) -> Any:
        """The saved index of the current store; never built here (``enforcement-helper build`` does)."""
        from index.engine import IndexError_, PassageIndex
        from index.search import INDEX_MISSING, Searcher

        if PassageIndex.read_manifest(self.settings.index_dir) is None:  # said even when the model is missing too
            raise NotBuilt(INDEX_MISSING)
        try:
            searcher = Searcher.load_current(self.store, self.encoder, self.settings.index_dir)
        except IndexError_ as exc:
            raise NotBuilt(str(exc)) from None
        searcher.attach_items(self.item_index(searcher))
        if self.settings.rerank:
            from index.rerank import Reranker, RerankError

            try:
                ranker = Reranker.load(self.settings.index_dir, searcher.priors(), searcher.index.manifest)
            except RerankError as exc:
                raise NotBuilt(str(exc)) from None
            if ranker is None:
                raise NotBuilt("排序模型缺失：请运行 enforcement-helper build")
            searcher.attach_reranker(ranker)
        return searcher

    def item_index(self, searcher: Any) -> Any:
        """Titles of every loaded benchmark item, pointing retrieval at the provisions they cite (index.items)."""
        from index.items import ItemIndex, item_records

        if not self.settings.benchmarks_path.exists():
            return None
        return ItemIndex.build(item_records(self.benchmarks), searcher.index, self.encoder,
                               self.settings.index_dir / "item_cache")

    def region(self, region: str | None) -> str | None:
        """The province a request's ``region`` names (the configured default when it names none)."""
        from nlp.regions import RegionError, normalize_region

        try:
            return normalize_region(region if region is not None else self.settings.region)
        except RegionError as exc:
            raise AppError(exc.code, str(exc), "region", 422) from None

    def search(self, query: str, as_of: date | None = None, top_k: int = 10,
               region: str | None = None) -> dict[str, Any]:
        """Applicable provisions with their 违则/罚则 pairs, for the version in force on ``as_of``.

        Local regulations are those of ``region`` (default: the configured one); other provinces' never bind.
        """
        from index.search import SearchError

        self._check_text(query, "query")
        province = self.region(region)
        try:
            out = self.searcher.search(query, as_of, top_k, region=province).to_dict()
        except SearchError as exc:
            raise AppError(exc.code, str(exc), "query", 422) from None
        out["region"] = province or "全国"
        return out

    # ---- analysis ---------------------------------------------------------------------------
    @cached_property
    def tier_model(self) -> Any:
        """The tier classifier saved by ``enforcement-helper build``; never trained here."""
        from analysis.tiers import TierModelNotBuilt, load_tier_model

        text = self.settings.tier_text
        try:
            return load_tier_model(self.settings.tier_model_path, self._tier_encoder(), text)
        except TierModelNotBuilt as exc:
            raise NotBuilt(str(exc)) from None

    def build_tier_model(self) -> None:
        """Train the tier classifier on the 江门 table's conditions and save it, unless a current one is saved
        (``enforcement-helper build`` only)."""
        from analysis.tiers import load_or_train

        items = list(self.benchmarks.items(benchmark="jiangmen-eco-2020"))
        self.__dict__["tier_model"] = load_or_train(self.settings.tier_model_path, items, self._tier_encoder(),
                                                    text=self.settings.tier_text)

    def _tier_encoder(self) -> Any:
        return self.encoder if self.settings.tier_text in ("e5", "hybrid") else None

    def analyze(self, description: str, as_of: date | None = None, party_type: str | None = None,
                discovery_date: date | None = None, region: str | None = None,
                decision_date: date | None = None) -> dict[str, Any]:
        """Provisions, matched benchmark items, tier, fine and reminders for a violation description.

        Retrieval sees the description without its circumstance cues (「已及时改正」 …, ``nlp.facts.conduct_text``);
        facts and tier use the full text. ``discovery_date`` (R2.5) defaults to the decision date, said so.
        """
        from analysis.compliance import check_compliance
        from nlp.facts import conduct_text, extract_facts
        from analysis.tiers import no_penalty_list_reminders, suggest_tier

        if party_type not in (None, "individual", "individual_business", "organization"):
            raise AppError("bad_party_type", "当事人类型（party_type）须为 individual（个人）、individual_business"
                           "（个体工商户）或 organization（单位）", "party_type", 422)
        self._check_text(description, "description")
        facts = extract_facts(description)
        query = conduct_text(facts)
        found = self.search(query, as_of, top_k=5, region=region)
        decision = decision_date or date.today()
        party = "individual" if party_type == "individual_business" else party_type
        matches = self._match_items(found["results"], decision, as_of, query, facts, party)
        if not any(not m["summary"]["no_penalty_list"] and not m["summary"]["citation_conflict"] for m in matches):
            matches = self._match_by_title(query, facts, decision, as_of, party) + matches
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
                          provisions=[{**h, "context_only": True, "label": "已核查（未认定违法）"} for h in found["results"]])
            answer["reminders"].append({"code": "no_violation", "blocking": False, "rule": "处罚法 第四十条",
                                        "message": "描述载明检查合格或未发现违法行为：不认定违法，不建议阶次和罚款；"
                                                   "所列条文仅为已核查的规定"})
            return answer
        # R5.7: matched 不予处罚 list items are checked against the facts (reminders only, never the tier source)
        list_reminders = [asdict(r) for r in no_penalty_list_reminders(facts, [m["item"] for m in lists[:3]])]
        penal = [m for m in matches if not m["summary"]["no_penalty_list"]]
        # An item decides the tier only when its citation agrees with the retrieved pair; one found by title
        # similarity, or citing another 款/项, is shown for reference and never decides.
        agreeing = [m for m in penal if m["summary"].get("via") != "title" and not m["summary"].get("citation_conflict")]
        answer["similar_items"] = [{**m["summary"], "label": "相似事项（仅供参考）"}
                                   for m in penal if m not in agreeing][:3]
        if not agreeing:
            self._statutory_fine(answer, facts, party, as_of)
            self._lawful_range(answer, facts, party, as_of)
            answer["reminders"] += list_reminders
            self._limitation_reminder(answer, None, as_of, discovery_date)
            return answer
        penal = agreeing
        best = penal[0]
        emb = self._tier_embedding(description)
        tier = suggest_tier(facts, best["item"], self.tier_model, decision_date=decision, violation_date=as_of,
                            discovery_date=discovery_date, party_type=party, embedding=emb).to_dict()
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
        self._analysis_reminders(answer, best, penal, party, as_of, discovery_date, facts)
        self._lawful_range(answer, facts, party, as_of)
        return answer

    def _lighter_law(self, hits: list[dict[str, Any]], as_of: date | None, decision: date,
                     party: str | None) -> dict[str, Any] | None:
        """从旧兼从轻 for the top pair's 罚则 when the violation and decision dates fall in different versions."""
        from analysis.lighter import compare_versions

        found = self._penalty_text(hits, as_of)
        if found is None or as_of is None or as_of >= decision:
            return None
        return compare_versions(self.resolver, found[0], as_of, decision, party)

    def _lawful_range(self, answer: dict[str, Any], facts: Any, party: str | None, as_of: date | None) -> None:
        """The statutory range of the top pair's 罚则 on the fine, beside a benchmark band: what any lawful fine lies in."""
        from analysis.fines import statutory_fine
        from analysis.tiers import facts_to_fields

        fine = answer.get("fine")
        found = self._penalty_text(answer["provisions"], as_of)
        if not fine or found is None:
            return
        cite, text, item_no = found
        vals, _ = facts_to_fields(facts)
        amounts = {k: float(v) for k, v in vals.items() if k in ("违法所得", "货值金额", "销售额", "工程造价", "总投资额")
                   and isinstance(v, (int, float))}
        st = statutory_fine(text, cite, party, amounts, item=item_no)
        if st is not None:
            fine["lawful_range"] = {"min": st["min"], "max": st["max"], "statutory": st["statutory"], "citation": cite,
                                    "clause": st["clause"]}

    def _penalty_text(self, hits: list[dict[str, Any]], as_of: date | None) -> tuple[str, str, int | None] | None:
        """The top pair's 罚则: its citation (款 level), the text that names its fine, and the cited 项.

        The 款 is the text when it names a fine; else the whole article, where a later 款 may range each 项
        (水污染防治法 第八十五条第二款).
        """
        from analysis.fines import choose_range
        from nlp.citations import format_citation

        top = next(iter(hits), None)
        basis = (top if top.get("is_liability") else top.get("basis")) if top else None
        if not basis:
            return None
        law, art, sub = basis["law"], basis["article"], basis.get("article_sub") or 0
        cite = format_citation(law, art, sub, basis.get("paragraph"))
        text = self._provision(cite, as_of).get("text") or basis.get("text") or ""
        if basis.get("paragraph") and choose_range(text, None) is None:
            text = self._provision(format_citation(law, art, sub), as_of).get("text") or text
        return cite, text, basis.get("item")

    def _statutory_fine(self, answer: dict[str, Any], facts: Any, party: str | None, as_of: date | None,
                        announce: bool = True) -> None:
        """Tier and fine from the top pair's 罚则 and a general split of its range, when no benchmark item applies
        (``announce``: say so in a reminder)."""
        from analysis.fines import statutory_fine
        from analysis.tiers import facts_to_fields, statutory_tier

        rem = answer["reminders"]
        found = self._penalty_text(answer["provisions"], as_of)
        if found is None:
            rem.append({"code": "no_penalty_provision", "blocking": False, "rule": "R3.2",
                        "message": "未检索到可适用的罚则：无法给出罚款幅度，请查明罚则"})
            return
        cite, text, item_no = found
        vals, _ = facts_to_fields(facts)
        amounts = {k: float(v) for k, v in vals.items() if k in ("违法所得", "货值金额", "销售额", "工程造价", "总投资额")
                   and isinstance(v, (int, float))}
        label, grounds = statutory_tier(facts)
        fine = statutory_fine(text, cite, party, amounts, label, serious=facts.polarity("serious_circumstances") == 1,
                              item=item_no)
        if fine is None:
            rem.append({"code": "no_fine_in_penalty_provision", "blocking": False, "rule": "R3.2",
                        "message": f"{cite} 未规定罚款幅度（可能仅警告、没收、责令停产停业等）：请按罚则确定处罚种类"})
            return
        answer["fine"] = fine
        answer["tier"] = {"label": label, "rank": None, "probability": None, "source": "statutory_split",
                          "grounds": grounds, "rule": fine["rule"]}
        answer["factors"] = grounds
        if announce:
            rem.append({"code": "no_benchmark", "blocking": False, "rule": "R3.2；R5.10",
                        "message": f"未匹配到与所检索罚则一致的裁量基准事项：阶次和罚款按 {cite} 的法定幅度与通行划分规则建议，"
                                   "请依本机关裁量基准核对"})

    def _tier_embedding(self, text: str) -> Any:
        """The description's e5 query vector, computed once here for the tier model (None when it uses none)."""
        model = self.tier_model
        if getattr(model, "kind", None) not in ("e5", "hybrid") or model.encoder is None:
            return None
        return model.encoder.encode_queries([text])[0]

    def _analysis_reminders(self, answer: dict[str, Any], best: dict[str, Any], penal: list[dict[str, Any]],
                            party: str | None, as_of: date | None, discovery_date: date | None, facts: Any) -> None:
        """What the officer must know about how the item was chosen (party, title match, validity, dates)."""

        rem = answer["reminders"]
        item, summary = best["item"], best["summary"]
        if party is None and item.party != "any":
            who = "单位" if item.party == "organization" else "个人"
            others = sorted({m["item"].party for m in penal[1:] if m["item"].party not in ("any", item.party)})
            also = "（另有个人/单位分款的事项，请指明当事人类型）" if others else ""
            rem.append({"code": "party_unknown", "blocking": False, "rule": "单位/个人分款（陷阱(c)）",
                        "message": f"当事人类型未知：按{who}事项“{item.title}”建议{also}，请核对罚则的款"})
        if summary.get("citation_conflict"):
            rem.append({"code": "item_cites_other_provision", "blocking": False, "rule": "R3.2",
                        "message": f"所匹配事项引用{summary['matched_citation']}，与检索到的条文的款/项不同：请核对是否同一违法行为"})
        if summary.get("via") == "title":
            rem.append({"code": "matched_by_title", "blocking": False, "rule": "R3.2",
                        "message": "检索到的条文均未对应裁量基准事项：按事项名称相似度匹配，请核对违则/罚则"})
        if not summary["benchmark_valid_on_decision_date"]:
            band, item_tier = answer.get("fine") or {}, answer.get("tier")
            answer["fine"] = answer["tier"] = None
            self._statutory_fine(answer, facts, party, as_of, announce=False)
            if answer["fine"] is not None:
                answer["fine"].update(benchmark_band=band, benchmark_tier=item_tier,
                                      note="裁量基准在决定日不在有效期内：不据其建议，按罚则的法定幅度与通行划分规则裁量")
            # 听证/当场 reminders were computed on the benchmark's amount, which is no longer suggested
            rem[:] = [r for r in rem if r.get("code") not in ("hearing", "on_the_spot")]
            rem.append({"code": "benchmark_not_valid_statutory_range", "blocking": False, "rule": "R2.9；R3.2；R4.2；R4.4",
                        "message": "所匹配事项的裁量基准在决定日已失效，且没有有效基准的事项：仅给出法定幅度，阶次仅供参考；"
                                   "确定金额后再核对听证与当场处罚条件"})
        self._limitation_reminder(answer, item, as_of, discovery_date)

    @staticmethod
    def _limitation_reminder(answer: dict[str, Any], item: Any, as_of: date | None, discovery_date: date | None) -> None:
        """不予处罚 for limitation needs the discovery date: an assumed one (today) would turn every old case into
        不予处罚. Without it the tier and fine stay computed as if within limitation and the officer is asked for it."""
        from analysis.tiers import limitation_period

        if as_of is None:
            return
        period, rule = limitation_period(item)
        rem = answer["reminders"]
        if discovery_date is None:
            if date.fromisoformat(answer["decision_date"]) - as_of > period:
                rem.append({"code": "discovery_date_needed", "blocking": True, "rule": f"处罚法 第三十六条；{rule}",
                            "message": f"违法行为发生于 {as_of.isoformat()}，距今已超过追责时效（{rule}）：请填写发现日期"
                                       "（discovery_date）后再判断是否不予处罚；以下阶次和罚款按未过时效计算"})
        elif item is None and discovery_date - as_of > period:
            # with an item, suggest_tier has already applied the limitation
            answer["adjustment"] = "不予处罚"
            rem.append({"code": "limitation_expired", "blocking": True, "rule": f"处罚法 第三十六条；{rule}",
                        "message": "追责时效已过：不再给予行政处罚（不予处罚决定）"})

    def _provision(self, cite: str, as_of: date | None) -> dict[str, Any]:
        """A benchmark's citation checked against the store on the violation date, with its text (memoised: the
        store is read-only while the process serves)."""
        cache = self.__dict__.setdefault("_provision_cache", {})
        key = (cite, as_of or date.today())
        # One read into a local: another request thread may clear the cache between a check and a second read.
        hit = cache.get(key)
        if hit is None:
            hit = self._provision_uncached(cite, as_of)
            if len(cache) > 4096:
                cache.clear()
            cache[key] = hit
        return dict(hit)

    def _bench_cache(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Benchmark infos and a per-article item cache, reset whenever a benchmark is (re)loaded."""
        sig = self.benchmarks.signature()
        # One tuple, read and replaced whole: concurrent requests never pair one load's infos with another's cache.
        cached = self.__dict__.get("_bench")
        if cached is None or cached[0] != sig:
            cached = (sig, {b.name: b for b in self.benchmarks.list()}, {})
            self.__dict__["_bench"] = cached
            self.__dict__.pop("_all_items", None)
        return cached[1], cached[2]

    def _provision_uncached(self, cite: str, as_of: date | None) -> dict[str, Any]:
        try:
            r = self.resolver.lookup(cite, as_of or date.today())
        except ValueError:
            return {"citation": cite, "status": "unparsed", "text": None}
        return {"citation": r.normalized or cite, "status": r.status, "reason": r.reason, "text": r.text,
                "as_of_version": r.as_of_version, "later_change": r.later_change}

    def _match_items(self, hits: list[dict[str, Any]], decision: date, as_of: date | None, text: str = "",
                     facts: Any = None, party: str | None = None, similarity_margin: float = 0.3) -> list[dict[str, Any]]:
        """Benchmark items citing the retrieved 罚则/违则, best first.

        Order: the hit's rank; an item reached through the 罚则; an item for the party's type (item.party:
        单位/个人 are in different 款, pitfall (c)); an item whose citation agrees with the hit's 款/项 (exact, then
        compatible, then another 款/项 of the same article); a benchmark valid on the decision date (R2.9); the
        item most similar to the description (title and tier conditions, character bigrams, plus the facts'
        fields its tier predicates use, plus the e5 title match the search reports in ``hit["items"]``); real agency tables before the project's sample. An item of a lower hit
        whose similarity beats the first item's by ``similarity_margin`` is moved first. 不予处罚 lists are
        kept as matches but never chosen as the tier source, since they only say when not to punish.
        """
        from nlp.citations import format_citation

        infos, by_article = self._bench_cache()
        fields = _fact_fields(facts)
        # e5 similarity of the query to item titles, when the search reports it (its query vector, reused)
        e5: dict[tuple[str, str], float] = {}
        for hit in hits:
            for m in hit.get("items") or []:
                k = (m.get("benchmark"), m.get("item_id"))
                e5[k] = max(e5.get(k, 0.0), float(m.get("match") or 0.0))
        scored: list[tuple[tuple, dict[str, Any]]] = []
        seen: set[tuple[str, str]] = set()
        for rank, hit in enumerate(hits):
            refs = [(hit.get("basis"), "basis"), (hit.get("violated"), "violated"), (hit, "hit")]
            for ref, role in refs:
                if not ref or not ref.get("law") or not ref.get("article"):
                    continue
                art = format_citation(ref["law"], ref["article"], ref.get("article_sub") or 0)
                entries = by_article.get(art)
                if entries is None:
                    entries = by_article[art] = self.benchmarks.by_article(art)
                for bench, cite, item in entries:
                    if (bench, item.id) in seen:
                        continue
                    seen.add((bench, item.id))
                    info = infos.get(bench)
                    valid = info.valid_on(decision) if info else False
                    no_penalty = bool(item.tiers) and all(t.level == "不予处罚" for t in item.tiers)
                    agree = _cite_agreement(cite, ref.get("citation") or "")
                    if hit.get("citation", "").startswith(art):  # the hit's own 款/项 counts too
                        agree = max(agree, _cite_agreement(cite, hit["citation"]))
                    wrong_party = bool(party) and item.party not in ("any", party)
                    # another 款/项 is another violation, unless it is the party's own 款 (单位/个人, pitfall (c))
                    conflict = agree == 2 and not (party and item.party == party)
                    sim = _item_similarity(item, text, fields) + e5.get((bench, item.id), 0.0)
                    key = (no_penalty, conflict, rank, role != "basis", wrong_party, agree, not valid, -sim,
                           bool(info and info.sample))
                    summary = self._item_summary(
                        bench, item, info, valid, as_of, wrong_party, sim, matched_citation=cite, via=role,
                        retrieved={"violated": hit.get("violated"), "basis": hit.get("basis")},
                        no_penalty_list=no_penalty, citation_agreement=("exact", "compatible", "other")[agree],
                        citation_conflict=conflict)
                    scored.append((key, {"summary": summary, "item": item}))
        scored.sort(key=lambda x: x[0])
        penal = [m for k, m in scored if not k[0]]
        # a lower hit's item that fits the description far better than the top hit's items goes first
        if penal and not penal[0]["summary"]["party_mismatch"]:
            top = penal[0]["summary"]["similarity"]
            better = [m for m in penal[1:] if not m["summary"]["party_mismatch"] and not m["summary"]["citation_conflict"]
                      and m["summary"]["similarity"] >= top + similarity_margin]
            if better:
                pick = max(better, key=lambda m: m["summary"]["similarity"])
                pick["summary"]["promoted_by_similarity"] = True
                penal = [pick] + [m for m in penal if m is not pick]
        return penal + [m for k, m in scored if k[0]]

    @cached_property
    def _all_items(self) -> list[tuple[str, Any]]:
        """(benchmark, item) for every stored item, read once (the title fallback scans them)."""
        return [(b.name, it) for b in self.benchmarks.list() for it in self.benchmarks.items(benchmark=b.name)]

    def _match_by_title(self, text: str, facts: Any, decision: date, as_of: date | None, party: str | None,
                        limit: int = 3, threshold: float = 0.3) -> list[dict[str, Any]]:
        """Fallback when no retrieved provision maps to an item: items whose title and conditions resemble the
        description (character bigrams), the party's own items and valid benchmarks first."""
        fields = _fact_fields(facts)
        infos, _ = self._bench_cache()
        scored = []
        for bench, item in self._all_items:
            if item.tiers and all(t.level == "不予处罚" for t in item.tiers):
                continue
            sim = _item_similarity(item, text, fields)
            if sim >= threshold:
                scored.append((sim, bench, item))
        out = []
        for sim, bench, item in sorted(scored, key=lambda x: -x[0])[: limit * 4]:
            info = infos.get(bench)
            valid = info.valid_on(decision) if info else item.window.contains(decision)
            wrong_party = bool(party) and item.party not in ("any", party)
            summary = self._item_summary(bench, item, info, valid, as_of, wrong_party, sim, matched_citation=None,
                                         via="title", retrieved=None, no_penalty_list=False, citation_agreement=None,
                                         citation_conflict=False)
            out.append(((wrong_party, not valid, -sim), {"summary": summary, "item": item}))
        out.sort(key=lambda x: x[0])
        return [m for _, m in out[:limit]]

    def _item_summary(self, bench: str, item: Any, info: Any, valid: bool, as_of: date | None, wrong_party: bool,
                      sim: float, **how: Any) -> dict[str, Any]:
        """One match as answered: the item, its citations re-verified on the violation date, how it was matched."""
        return {"benchmark": bench, "item_id": item.id, "title": item.title, "domain": item.domain,
                "benchmark_valid_on_decision_date": valid, "sample": bool(info and info.sample),
                "violated": [self._provision(c, as_of) for c in item.violated],
                "basis": [self._provision(c, as_of) for c in item.basis],
                "party": item.party, "party_mismatch": wrong_party, "similarity": round(sim, 4), **how}

    # ---- citations --------------------------------------------------------------------------
    def verify(self, text: str, as_of: date | None = None) -> list[dict[str, Any]]:
        """Check every citation in ``text``."""
        self._check_text(text, "text")
        return [_citation_dict(c.to_dict()) for c in self.resolver.verify_text(text, as_of)]

    def show(self, cite: str, as_of: date | None = None) -> dict[str, Any]:
        """Look up one provision by citation and date."""
        self._check_text(cite, "cite")
        try:
            return _citation_dict(self.resolver.lookup(cite, as_of).to_dict())
        except CitationError as exc:
            raise AppError(exc.code, str(exc), "cite", 422) from None

    def corpus_listing(self) -> list[dict[str, Any]]:
        """One entry per instrument with its versions."""
        out = []
        for inst in self.store.instruments():
            versions = [v.to_dict() for v in self.store.versions(inst.id)]
            out.append({"law": inst.title, "level": inst.level, "issuer": inst.issuer, "region": inst.region,
                        "versions": versions})
        return out

    # ---- entities ---------------------------------------------------------------------------
    def extract(self, text: str, reference: date | None = None) -> list[dict[str, Any]]:
        """Entities of a description (party, IDs validated, addresses, plate, dates, money …) with spans."""
        from nlp.entities import extract_entities

        self._check_text(text, "text")
        return [e.to_dict() for e in extract_entities(text, reference=reference)]

    # ---- documents --------------------------------------------------------------------------
    def document(self, kind: str, case: dict[str, Any], fmt: str = "docx", draft: bool = False) -> bytes | str:
        """Render a penalty document (or the 三书同达 bundle) for a case; citations verified first."""
        from api.documents.errors import DocumentError
        from api.documents.render import render

        try:
            return render(kind, case, fmt, self.settings.template_dir, draft, verify=self.resolver.lookup,
                          counter=None if draft else self.doc_counter(), agency=self.agency)
        except DocumentError as exc:
            status = {"verifier_unavailable": 503, "bad_template": 500, "template_not_found": 500,
                      "doc_number_taken": 409}.get(exc.code, 422)
            err = AppError(exc.code, exc.message, exc.field, status)
            err.details = exc.details  # type: ignore[attr-defined]
            raise err from None

    def doc_counter(self) -> Any:
        """The 文号 counter in this service's database (an earlier ``<data_dir>/doc_numbers.sqlite`` merged once)."""
        from api.documents.cli import default_counter

        return default_counter(self.db, self.settings.data_dir)

    @cached_property
    def agency(self) -> Any:
        """The agency profile of the settings (``agency_file``), or None."""
        from api.documents.render import agency_profile

        return agency_profile(self.settings.agency_file)

    def _check_text(self, text: str, field: str) -> None:
        if not isinstance(text, str) or not text.strip():
            raise AppError("empty_input", f"{_FIELD_LABELS.get(field, field)}为空：请先填写内容", field, 422)
        if len(text) > self.settings.max_text_chars:
            raise AppError("input_too_large", f"{_FIELD_LABELS.get(field, field)}共 {len(text)} 个字符，超过上限 "
                           f"{self.settings.max_text_chars} 个字符：请删减后重试", field, 413)


# Input fields as an officer knows them, for the messages of empty or oversized input.
_FIELD_LABELS = {"description": "违法行为描述", "text": "文本", "query": "检索内容", "cite": "引用"}


def _bigrams(text: str) -> frozenset[str]:
    t = re.sub(r"[\W\d_a-zA-Z]+", "", text or "")
    return frozenset(t[i:i + 2] for i in range(len(t) - 1))


# The title fallback compares one description with every stored item: item-side sets are memoised (bounded by the
# stored items), the description's only for the last few texts (a description may be 20,000 characters).
_item_bigrams = functools.lru_cache(maxsize=32768)(_bigrams)
_text_bigrams = functools.lru_cache(maxsize=8)(_bigrams)


@functools.lru_cache(maxsize=32768)
def _condition_bigrams(conditions: tuple[str, ...]) -> frozenset[str]:
    return _bigrams(" ".join(conditions))


def _cite_agreement(item_cite: str, ref_cite: str) -> int:
    """0: the item cites exactly the retrieved 款/项; 1: one is the other's article/款 (compatible); 2: another 款/项."""
    if item_cite == ref_cite:
        return 0
    if not ref_cite or item_cite.startswith(ref_cite) or ref_cite.startswith(item_cite):
        return 1
    return 2


def _fact_fields(facts: Any) -> set[str]:
    """Predicate fields the description states a number for (超标倍数, 违法所得 …), to rank items whose tiers use them."""
    if facts is None:
        return set()
    from analysis.tiers import facts_to_fields

    vals, src = facts_to_fields(facts)
    return {k for k in src if not isinstance(vals.get(k), bool) and k != "违法次数"}


def _item_similarity(item: Any, text: str, fields: set[str]) -> float:
    """How well an item fits the description: bigram cosine with the title, share of the description's bigrams in
    the tier conditions (half weight), share of the stated numeric fields the tier predicates use (half weight)."""
    d = _text_bigrams(text)
    if not d:
        return 0.0
    t = _item_bigrams(item.title)
    title = len(d & t) / math.sqrt(len(d) * len(t)) if t else 0.0
    c = _condition_bigrams(tuple(tr.condition or "" for tr in item.tiers))
    cond = len(d & c) / len(d)
    used = {p.field for tr in item.tiers for p in tr.predicates}
    fit = len(fields & used) / len(fields) if fields else 0.0
    return title + 0.5 * cond + 0.5 * fit


def _citation_dict(d: dict[str, Any]) -> dict[str, Any]:
    """Contract fields first, extras after (stable key order for case systems)."""
    return {**{k: d.get(k) for k in CITATION_FIELDS}, **{k: v for k, v in d.items() if k not in CITATION_FIELDS}}
