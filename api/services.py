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
from api.errors import AppError
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
        except StoreMissing as exc:
            raise AppError("store_missing", str(exc), status=503) from None

    @cached_property
    def resolver(self) -> Resolver:
        return Resolver(self.store)

    @cached_property
    def benchmarks(self) -> BenchmarkStore:
        """Discretion benchmarks (seeded by ``enforcement-helper build``)."""
        if not self.settings.benchmarks_path.exists():
            raise AppError("benchmarks_missing", f"no benchmark store at {self.settings.benchmarks_path}: "
                           "run `enforcement-helper build`", status=503)
        return BenchmarkStore.open(self.settings.benchmarks_path, create=False)

    def load_benchmark(self, path: Path, name: str | None = None) -> dict[str, Any]:
        """Load an agency's table (YAML/CSV/XLSX); the report says what was parsed and what was not."""
        if not path.exists():
            raise AppError("file_not_found", f"{path} does not exist", "path", 422)
        store = BenchmarkStore.open(self.settings.benchmarks_path)
        try:
            report = store.load(path, resolver=self.resolver, name=name)
        except BenchmarkError as exc:
            raise AppError(getattr(exc, "code", "bad_benchmark"), str(exc), "path", 422) from None
        return {"ok": report.ok, "summary": report.summary(), "report": json.loads(report.model_dump_json())}

    @cached_property
    def db(self) -> Database:
        """Keys and audit (SQLite by default, PostgreSQL through EH_DATABASE_URL)."""
        return Database(self.settings.db_url)

    def warm_up(self) -> None:
        """Load everything heavy before the service reports ready; ``not_ready`` lists what is missing."""
        self.not_ready: list[str] = []
        _ = self.db
        try:
            _ = self.resolver
        except AppError as exc:
            self.not_ready.append(exc.message)
        if not self.settings.index_dir.exists():
            self.not_ready.append(f"no retrieval index at {self.settings.index_dir}: run `enforcement-helper build`")
        elif not self.not_ready:
            _ = self.searcher, self.tier_model

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
        from nlp.encoders import make_encoder

        threads = self.settings.encoder_threads
        kwargs = {"threads": threads} if threads and not self.settings.encoder.startswith("hash") else {}
        return make_encoder(self.settings.encoder, self.settings.model_dir, **kwargs)

    @cached_property
    def searcher(self) -> Any:
        """The index for the current store: loaded when current, else built (``enforcement-helper build``)."""
        from index.search import Searcher

        searcher = Searcher.from_store(self.store, self.encoder, self.settings.index_dir, quiet=True)
        searcher.attach_items(self.item_index(searcher))
        return searcher

    def item_index(self, searcher: Any) -> Any:
        """Titles of every loaded benchmark item, pointing retrieval at the provisions they cite (index.items)."""
        from index.items import ItemIndex, item_records

        if not self.settings.benchmarks_path.exists():
            return None
        return ItemIndex.build(item_records(self.benchmarks), searcher.index, self.encoder,
                               self.settings.index_dir / "item_cache")

    def search(self, query: str, as_of: date | None = None, top_k: int = 10) -> dict[str, Any]:
        """Applicable provisions with their 违则/罚则 pairs, for the version in force on ``as_of``."""
        from index.search import SearchError

        self._check_text(query, "query")
        try:
            return self.searcher.search(query, as_of, top_k).to_dict()
        except SearchError as exc:
            raise AppError(exc.code, str(exc), "query", 422) from None

    # ---- analysis ---------------------------------------------------------------------------
    @cached_property
    def tier_model(self) -> Any:
        """Tier classifier trained once on the 江门 table's conditions (saved in the data dir)."""
        from nlp.tiers import load_or_train

        items = list(self.benchmarks.items(benchmark="jiangmen-eco-2020"))
        text = self.settings.tier_text
        return load_or_train(self.settings.tier_model_path, items, self.encoder if text in ("e5", "hybrid") else None,
                             text=text)

    def analyze(self, description: str, as_of: date | None = None, party_type: str | None = None,
                discovery_date: date | None = None) -> dict[str, Any]:
        """Provisions, matched benchmark items, tier, fine and reminders for a violation description.

        Retrieval sees the description without its circumstance cues (「已及时改正」 …, ``nlp.facts.conduct_text``);
        facts and tier use the full text. ``discovery_date`` (R2.5) defaults to the decision date, said so.
        """
        from nlp.facts import conduct_text, extract_facts
        from nlp.tiers import no_penalty_list_reminders, suggest_tier

        if party_type not in (None, "individual", "individual_business", "organization"):
            raise AppError("bad_party_type", "party_type must be individual, individual_business or organization",
                           "party_type", 422)
        self._check_text(description, "description")
        facts = extract_facts(description)
        query = conduct_text(facts)
        found = self.search(query, as_of, top_k=5)
        decision = date.today()
        party = "individual" if party_type == "individual_business" else party_type
        matches = self._match_items(found["results"], decision, as_of, query, facts, party)
        if not any(not m["summary"]["no_penalty_list"] and not m["summary"]["citation_conflict"] for m in matches):
            matches = self._match_by_title(query, facts, decision, as_of, party) + matches
        lists = [m for m in matches if m["summary"]["no_penalty_list"]]
        answer: dict[str, Any] = {
            "description": description, "retrieval_text": query, "as_of": found["as_of"],
            "decision_date": decision.isoformat(), "discovery_date": (discovery_date or decision).isoformat(),
            "no_match": found["no_match"], "confidence": found["confidence"],
            "provisions": found["results"], "matches": [m["summary"] for m in matches],
            "tier": None, "fine": None, "factors": [], "reminders": [],
        }
        # R5.7: matched 不予处罚 list items are checked against the facts (reminders only, never the tier source)
        list_reminders = [asdict(r) for r in no_penalty_list_reminders(facts, [m["item"] for m in lists[:3]])]
        penal = [m for m in matches if not m["summary"]["no_penalty_list"]]
        if not penal:
            answer["reminders"] = [{"code": "no_benchmark", "message": "未匹配到裁量基准事项：请按罚则的法定幅度裁量",
                                    "rule": "R3.2", "blocking": False}] + list_reminders
            return answer
        best = penal[0]
        emb = self._tier_embedding(description)
        tier = suggest_tier(facts, best["item"], self.tier_model, decision_date=decision, violation_date=as_of,
                            discovery_date=discovery_date or decision, party_type=party, embedding=emb).to_dict()
        tier_info = tier.get("tier") or {}
        answer.update({
            "item": best["summary"],
            "tier": {"label": tier_info.get("label"), "rank": tier_info.get("rank"),
                     "probability": tier_info.get("probability"), **tier_info},
            "fine": tier.get("fine"), "factors": tier.get("factors", []),
            "reminders": tier.get("reminders", []) + list_reminders,
            "adjustment": tier.get("adjustment"), "method": tier.get("method"),
            "probabilities": tier.get("probabilities"),
        })
        self._analysis_reminders(answer, best, penal, party, as_of, discovery_date)
        return answer

    def _tier_embedding(self, text: str) -> Any:
        """The description's e5 query vector, computed once here for the tier model (None when it uses none)."""
        model = self.tier_model
        if getattr(model, "kind", None) not in ("e5", "hybrid") or model.encoder is None:
            return None
        return model.encoder.encode_queries([text])[0]

    def _analysis_reminders(self, answer: dict[str, Any], best: dict[str, Any], penal: list[dict[str, Any]],
                            party: str | None, as_of: date | None, discovery_date: date | None) -> None:
        """What the officer must know about how the item was chosen (party, title match, validity, dates)."""
        rem = answer["reminders"]
        item, summary = best["item"], best["summary"]
        if party is None and item.party != "any":
            who = "单位" if item.party == "organization" else "个人"
            others = sorted({m["item"].party for m in penal[1:] if m["item"].party not in ("any", item.party)})
            also = "（另有个人/单位分款的事项，请指明当事人类型）" if others else ""
            rem.append({"code": "party_unknown", "blocking": False, "rule": "DOMAIN.md pitfall (c)",
                        "message": f"当事人类型未知：按{who}事项“{item.title}”建议{also}，请核对罚则的款"})
        if summary.get("citation_conflict"):
            rem.append({"code": "item_cites_other_provision", "blocking": False, "rule": "R3.2",
                        "message": f"所匹配事项引用{summary['matched_citation']}，与检索到的条文的款/项不同：请核对是否同一违法行为"})
        if summary.get("via") == "title":
            rem.append({"code": "matched_by_title", "blocking": False, "rule": "R3.2",
                        "message": "检索到的条文均未对应裁量基准事项：按事项名称相似度匹配，请核对违则/罚则"})
        if not summary["benchmark_valid_on_decision_date"]:
            fine = answer.get("fine") or {}
            stat = [f for f in item.statutory_fines if f.kind == "amount" and f.target != "直接责任人员"
                    and (not party or f.target in (None, "个人" if party == "individual" else "单位"))]
            answer["fine"] = {**{k: fine.get(k) for k in ("unit", "statutory", "clause")}, "suggested": None,
                              "min": stat[0].min if stat else None, "max": stat[0].max if stat else None,
                              "arithmetic": [f"法定幅度：{stat[0].describe()}"] if stat else [],
                              "benchmark_band": fine,
                              "note": "裁量基准在决定日不在有效期内：不据其给出建议金额，按罚则的法定幅度裁量"}
            # 听证/当场 reminders were computed on the benchmark's amount, which is no longer suggested
            rem[:] = [r for r in rem if r.get("code") not in ("hearing", "on_the_spot")]
            rem.append({"code": "benchmark_not_valid_statutory_range", "blocking": False, "rule": "R2.9；R3.2；R4.2；R4.4",
                        "message": "所匹配事项的裁量基准在决定日已失效，且没有有效基准的事项：仅给出法定幅度，阶次仅供参考；"
                                   "确定金额后再核对听证与当场处罚条件"})
        if as_of is not None and discovery_date is None:
            rem.append({"code": "discovery_date_assumed", "blocking": False, "rule": "处罚法 第三十六条；R2.5",
                        "message": f"未提供发现日期：追责时效按决定日 {answer['decision_date']} 作为发现日计算，请核实"})

    def _provision(self, cite: str, as_of: date | None) -> dict[str, Any]:
        """A benchmark's citation checked against the store on the violation date, with its text (memoised: the
        store is read-only while the process serves)."""
        cache = self.__dict__.setdefault("_provision_cache", {})
        key = (cite, as_of or date.today())
        if key not in cache:
            if len(cache) > 4096:
                cache.clear()
            cache[key] = self._provision_uncached(cite, as_of)
        return dict(cache[key])

    def _bench_cache(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """Benchmark infos and a per-article item cache, reset whenever a benchmark is (re)loaded."""
        sig = self.benchmarks.signature()
        if self.__dict__.get("_bench_sig") != sig:
            infos = {b.name: b for b in self.benchmarks.list()}
            self.__dict__.update(_bench_sig=sig, _bench_infos=infos, _article_cache={})
            self.__dict__.pop("_all_items", None)
        return self.__dict__["_bench_infos"], self.__dict__["_article_cache"]

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
                if art not in by_article:
                    by_article[art] = self.benchmarks.by_article(art)
                for bench, cite, item in by_article[art]:
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
        from api.documents.cli import default_counter
        from api.documents.errors import DocumentError
        from api.documents.render import render

        try:
            return render(kind, case, fmt, self.settings.template_dir, draft, verify=self.resolver.lookup,
                          counter=None if draft else default_counter())
        except DocumentError as exc:
            status = {"verifier_unavailable": 503, "bad_template": 500, "template_not_found": 500}.get(exc.code, 422)
            err = AppError(exc.code, exc.message, exc.field, status)
            err.details = exc.details  # type: ignore[attr-defined]
            raise err from None

    def _check_text(self, text: str, field: str) -> None:
        if not isinstance(text, str) or not text.strip():
            raise AppError("empty_input", f"{field} is empty", field, 422)
        if len(text) > self.settings.max_text_chars:
            raise AppError("input_too_large", f"{field} has {len(text)} characters; the limit is "
                           f"{self.settings.max_text_chars}", field, 413)


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
    from nlp.tiers import facts_to_fields

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
