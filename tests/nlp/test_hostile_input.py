"""Hostile input (issue "Hostile input", the text-processing part).

Every public text function of ``nlp`` must return in time linear in its input, up to the API's limit of
20,000 characters, and raise nothing but its documented ``ValueError`` rejections. Three parts:

* the security probe's exact inputs, each run in a forked child: a regression fails at a hard limit instead
  of hanging the run (a regex in C cannot be interrupted);
* maximal (20,000-character) adversarial strings for every function;
* a hypothesis suite feeding every function 10,000 generated strings: runs of one piece, digits, admin
  suffixes, brackets, 第/条/款 soup, amounts, other scripts, control characters and lone surrogates.

The time bound of a call is ``_BASE_S`` plus a per-function budget for 20,000 characters, prorated: each
budget is about ten times the slowest time measured on the maximal strings, so a linear function meets it
with room to spare, while a quadratic one misses it by far.
"""

from __future__ import annotations

import importlib
import inspect
import multiprocessing
import pkgutil
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import nlp
from analysis import compliance, tiers
from api.core.settings import Settings
from corpus.benchmarks import DEFAULT_BENCHMARK, load_yaml
from corpus.benchmarks.schema import EnforcementItem
from index import query, sparse
from nlp import citations, dates, encoders, entities, facts, identifiers, money, numerals, regions

LIMIT = Settings.model_fields["max_text_chars"].default
REFERENCE = date(2025, 3, 5)
TODAY = date(2026, 1, 1)
_BASE_S = 0.25  # fixed allowance per call: interpreter noise and small inputs


# ============================================================================ what is covered


@lru_cache(maxsize=1)
def _items() -> list[EnforcementItem]:
    return load_yaml(DEFAULT_BENCHMARK)[0].items


@lru_cache(maxsize=1)
def _tier_model() -> tiers.TierModel:
    return tiers.load_or_train(None, _items())  # TF-IDF, about a second


@lru_cache(maxsize=1)
def _known_titles() -> citations.KnownTitles:
    return citations.KnownTitles.of([i.title for i in _items()] + ["中华人民共和国食品安全法", "食品安全法", "道交法"])


@lru_cache(maxsize=64)
def _tokens(text: str) -> list[tuple[int, int, str]]:
    """The pipeline's jieba tokens as offsets (jieba itself: spaCy cannot store a lone surrogate)."""
    out: list[tuple[int, int, str]] = []
    for word in entities.get_pipeline().tokenizer.jieba_seg.cut(text, cut_all=False):
        start = out[-1][1] if out else 0
        out.append((start, start + len(word), word))
    return out


@dataclass(frozen=True)
class Target:
    """One way of calling a public text function with a hostile string.

    Attributes:
        covers: qualified name of the function or method.
        call: calls it with the string (other arguments fixed).
        budget_s: seconds allowed for 20,000 characters, prorated (plus ``_BASE_S``).
        rejects: the documented exceptions for input that is not what the function parses.
        heavy: fed shorter strings in the hypothesis suite (spaCy and jieba, the cue table, the tier path).
    """

    covers: str
    call: Callable[[str], object]
    budget_s: float
    rejects: tuple[type[ValueError], ...] = ()
    heavy: bool = False

    @property
    def id(self) -> str:
        """The test id: the qualified name (``nlp.`` dropped)."""
        return self.covers.removeprefix("nlp.")


def _tier_probs(text: str) -> object:
    """The trained model's tier probabilities for ``text`` (the band step of suggest_tier)."""
    item = _items()[0]
    severities = [t.severity for t in item.tiers if t.level != "不予处罚"]
    return _tier_model().tier_probs(text, tiers.predicate_features([]), severities)


TARGETS: tuple[Target, ...] = (
    Target("nlp.numerals.to_halfwidth_digits", numerals.to_halfwidth_digits, 1.5),
    Target("nlp.numerals.cn_to_int", numerals.cn_to_int, 1.5, (numerals.NumeralError,)),
    Target("nlp.numerals.is_number", numerals.is_number, 1.5),
    Target("nlp.identifiers.normalize_identifier", identifiers.normalize_identifier, 1.5),
    Target("nlp.identifiers.normalize_plate", identifiers.normalize_plate, 1.5),
    Target("nlp.identifiers.validate_uscc", identifiers.validate_uscc, 1.5),
    Target("nlp.identifiers.validate_id_card", lambda s: identifiers.validate_id_card(s, TODAY, "男"), 1.5),
    Target("nlp.identifiers.validate_plate", identifiers.validate_plate, 1.5),
    Target("nlp.identifiers.validate", lambda s: [identifiers.validate(k, s) for k in ("uscc", "id_card", "plate")],
           1.5),
    Target("nlp.identifiers.uscc_check_char", identifiers.uscc_check_char, 1.5, (identifiers.IdentifierError,)),
    Target("nlp.identifiers.org_code_check_char", identifiers.org_code_check_char, 1.5,
           (identifiers.IdentifierError,)),
    Target("nlp.identifiers.id_check_char", identifiers.id_check_char, 1.5, (identifiers.IdentifierError,)),
    Target("nlp.citations.normalize_title", citations.normalize_title, 1.5),
    Target("nlp.citations.display_title", citations.display_title, 1.5),
    Target("nlp.citations.format_citation", lambda s: citations.format_citation(s, 1, 1, 2, 3, 4), 1.5),
    Target("nlp.citations.KnownTitles.of", lambda s: citations.KnownTitles.of([s, s[:40]]), 1.5),
    Target("nlp.citations.parse_citations", citations.parse_citations, 3.0),
    Target("nlp.citations.parse_citations",
           lambda s: citations.parse_citations(s, _known_titles(), citations.Context("某法", 3, 0, 2)), 6.0),
    Target("nlp.citations.parse_one", citations.parse_one, 3.0, (citations.CitationError,)),
    Target("nlp.money.parse_number", money.parse_number, 1.5, (money.AmountError,)),
    Target("nlp.money.parse_amount", money.parse_amount, 1.5, (money.AmountError,)),
    Target("nlp.money.find_amounts", money.find_amounts, 3.0),
    Target("nlp.money.find_fine_ranges", money.find_fine_ranges, 6.0, heavy=True),
    Target("nlp.money.find_fine_ranges", lambda s: money.find_fine_ranges(s, below_inclusive=False), 6.0,
           heavy=True),
    Target("nlp.dates.find_dates", lambda s: dates.find_dates(s, REFERENCE), 3.0),
    Target("nlp.dates.find_dates", lambda s: dates.find_dates(s, date.max), 3.0),
    Target("nlp.dates.find_dates", lambda s: dates.find_dates(s, date.min), 3.0),
    Target("nlp.dates.find_times", dates.find_times, 3.0),
    Target("nlp.dates.parse_date", lambda s: dates.parse_date(s, REFERENCE), 3.0, (dates.DateError,)),
    Target("nlp.dates.parse_time", dates.parse_time, 3.0, (dates.DateError,)),
    Target("nlp.regions.normalize_region", regions.normalize_region, 1.5, (regions.RegionError,)),
    Target("nlp.encoders.HashEncoder.encode_queries", lambda s: encoders.HashEncoder().encode_queries([s]), 3.0),
    Target("nlp.encoders.HashEncoder.encode_passages", lambda s: encoders.HashEncoder().encode_passages([s, s]),
           3.0),
    Target("analysis.tiers.TierModel.tier_probs", _tier_probs, 3.0),
    Target("nlp.facts.extract_facts", lambda s: facts.conduct_text(facts.extract_facts(s)), 6.0, heavy=True),
    Target("nlp.entities.find_identifiers", lambda s: entities.find_identifiers(s, TODAY), 3.0, heavy=True),
    Target("nlp.entities.find_temporal", lambda s: entities.find_temporal(s, REFERENCE), 3.0, heavy=True),
    Target("nlp.entities.find_money", entities.find_money, 8.0, heavy=True),
    Target("nlp.entities.find_agencies", lambda s: entities.find_agencies(s, _tokens(s)), 3.0, heavy=True),
    Target("nlp.entities.find_parties", lambda s: entities.find_parties(s, _tokens(s)), 3.0, heavy=True),
    Target("nlp.entities.find_addresses", lambda s: entities.find_addresses(s, _tokens(s)), 13.0, heavy=True),
    Target("nlp.entities.extract_entities", lambda s: entities.extract_entities(s, date.max, TODAY), 15.0,
           (entities.EntityError,), heavy=True),
    Target("analysis.tiers.suggest_tier",
           lambda s: tiers.suggest_tier(s, _items()[0], _tier_model(), decision_date=TODAY, statements=s), 8.0,
           heavy=True),
    Target("analysis.tiers.no_penalty_list_reminders", lambda s: tiers.no_penalty_list_reminders(s, _items()[:10]), 6.0,
           heavy=True),
    # Outside nlp/ but on every search and analyze request: the query's conduct clause and its BM25 tokens.
    Target("index.query.extract_conduct", query.extract_conduct, 1.5),
    Target("index.query.expand_query", query.expand_query, 1.5),
    Target("index.sparse.tok_char1", sparse.tok_char1, 1.5),
    Target("index.sparse.tok_char2", sparse.tok_char2, 1.5),
    Target("index.sparse.tok_char12", sparse.tok_char12, 1.5),
    Target("index.sparse.tok_jieba", sparse.tok_jieba, 3.0, heavy=True),
    Target("analysis.compliance.check_compliance", compliance.check_compliance, 3.0, heavy=True),
)

# Public functions with a str parameter that take no free text, or that these tests cannot run.
NOT_TEXT: dict[str, str] = {
    "nlp.encoders.make_encoder": "kind is the name of an encoder",
    "nlp.encoders.Encoder.encode_queries": "protocol; implementations are covered or listed here",
    "nlp.encoders.Encoder.encode_passages": "protocol; implementations are covered or listed here",
    "nlp.encoders.E5Encoder.encode_queries": "needs the e5 model (slow tests); the tokenizer truncates to 512",
    "nlp.encoders.E5Encoder.encode_passages": "needs the e5 model (slow tests); the tokenizer truncates to 512",
    "nlp.encoders.OnnxE5Encoder.encode_queries": "needs the e5 model (slow tests); the tokenizer truncates to 512",
    "nlp.encoders.OnnxE5Encoder.encode_passages": "needs the e5 model (slow tests); the tokenizer truncates to 512",
    "nlp.errors.status_of": "looks an error code up in the catalogue",
    "nlp.facts.Facts.of_type": "looks facts up by type code",
    "nlp.facts.Facts.cue": "looks facts up by cue code",
    "nlp.facts.Facts.polarity": "looks facts up by cue code",
    "nlp.facts.Facts.money": "looks facts up by money code",
    "nlp.facts.Facts.amount_fen": "looks facts up by money code",
    "analysis.tiers.TierModel.fit": "training on benchmark conditions, not request text",
    "analysis.tiers.TierModel.predict_proba": "covered through TierModel.tier_probs",
    "analysis.tiers.load_or_train": "text names the kind of model",
    "analysis.tiers.load_tier_model": "text names the kind of model",
    "index.sparse.get_tokenizer": "name is the name of a tokenizer",
    "index.sparse.BM25Backend.build": "indexes corpus passages, not request text",
    "index.sparse.BM25Backend.load": "loads a saved index by path",
    "index.sparse.BM25Backend.scores": "needs a built index: tests/api/test_search_analyze.py times hostile queries",
}

# Modules outside nlp/ whose functions read request text on every search or analyze (analysis.tiers: the
# tier, fine and reminders of every analyze).
REQUEST_PATH_MODULES = ("index.query", "index.sparse", "analysis.compliance", "analysis.tiers")


def _public_text_functions() -> set[str]:
    """Public functions and methods of the nlp modules (and the request-path modules) with a ``str`` parameter."""
    found: set[str] = set()
    names = [f"nlp.{info.name}" for info in pkgutil.iter_modules(nlp.__path__)] + list(REQUEST_PATH_MODULES)
    for module in map(importlib.import_module, names):
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            members = [(name, obj)] if inspect.isfunction(obj) else []
            if inspect.isclass(obj):
                members = [(f"{name}.{n}", getattr(m, "__func__", m)) for n, m in vars(obj).items()
                           if not n.startswith("_") and inspect.isfunction(getattr(m, "__func__", m))]
            for qualname, func in members:
                annotations = [str(p.annotation) for p in inspect.signature(func).parameters.values()]
                if any(re.search(r"\bstr\b", a) for a in annotations):
                    found.add(f"{module.__name__}.{qualname}")
    return found


def test_every_public_text_function_is_covered_or_listed() -> None:
    """A new public function that takes text must join TARGETS (or NOT_TEXT, with the reason)."""
    covered = {t.covers for t in TARGETS}
    assert not covered & set(NOT_TEXT)
    assert _public_text_functions() == covered | set(NOT_TEXT)


# ============================================================================ timing


def _bound(target: Target, text: str) -> float:
    return _BASE_S + target.budget_s * len(text) / LIMIT


def _check(target: Target, text: str) -> None:
    """Call ``target`` on ``text``: only documented rejections, and within its bound.

    A loaded machine can stall one call; a slow algorithm is slow twice, so an overrun is measured again.
    """
    def timed() -> float:
        start = time.perf_counter()
        try:
            target.call(text)
        except target.rejects:
            pass
        return time.perf_counter() - start

    bound = _bound(target, text)
    elapsed = timed()
    if elapsed > bound:
        elapsed = min(elapsed, timed())
    assert elapsed <= bound, f"{target.id}: {elapsed:.2f} s for {len(text)} characters (bound {bound:.2f} s)"


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Load jieba's dictionary, the spaCy pipeline and the tier model before anything is timed."""
    for target in TARGETS:
        try:
            target.call("当事人张三于2025年3月5日在重庆市渝中区解放碑步行街1号销售过期食品，违法所得1000元。")
        except target.rejects:
            pass


# ============================================================================ the probe's findings


def _in_child(func: Callable[..., object], *args: object, hard_limit: float = 30.0) -> float:
    """Seconds ``func(*args)`` takes, run in a forked child that is killed after ``hard_limit`` seconds."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def run() -> None:
        start = time.perf_counter()
        try:
            func(*args)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
            send.send(("error", repr(exc)))
        else:
            send.send(("ok", time.perf_counter() - start))

    child = ctx.Process(target=run, daemon=True)
    child.start()
    child.join(hard_limit)
    if child.is_alive():
        child.kill()
        child.join()
        pytest.fail(f"still running after {hard_limit} s")
    if not receive.poll():
        pytest.fail(f"the child died (exit code {child.exitcode})")
    status, value = receive.recv()
    assert status == "ok", value
    return float(value)


CHAIN_PROBE = "当事人在" + "镇" * 60 + "。"  # ~200 bytes; each further 镇 used to cost x1.6


@pytest.mark.parametrize("call", [
    lambda s: entities.extract_entities(s, REFERENCE),
    lambda s: entities.find_addresses(s, _tokens(s)),
], ids=["extract_entities", "find_addresses"])
def test_admin_suffix_chain_does_not_backtrack_exponentially(call: Callable[[str], object]) -> None:
    assert _in_child(call, CHAIN_PROBE) < 1.0


DIGIT_PROBES = {"20000-digits": "1" * 20_000, "9000x1元": "1元" * 9_000}


@pytest.mark.parametrize("probe", list(DIGIT_PROBES))
@pytest.mark.parametrize("call", [
    money.find_amounts,
    money.find_fine_ranges,
    facts.extract_facts,
    entities.find_money,
    lambda s: entities.extract_entities(s, REFERENCE),
], ids=["find_amounts", "find_fine_ranges", "extract_facts", "find_money", "extract_entities"])
def test_digit_runs_take_linear_time(probe: str, call: Callable[[str], object]) -> None:
    assert _in_child(call, DIGIT_PROBES[probe]) < 2.0


@pytest.mark.parametrize(("reference", "word"), [(date(9999, 12, 31), "次日"), (date(1, 1, 1), "昨日"),
                                                   (date(9999, 12, 31), "明日"), (date(1, 1, 2), "前日")])
def test_relative_date_out_of_range_is_flagged_not_raised(reference: date, word: str) -> None:
    (mention,) = dates.find_dates(f"当事人于{word}补办手续。", reference)
    assert mention.relative == word and mention.value is None
    assert not mention.valid and "超出" in mention.reason
    (entity,) = [e for e in entities.extract_entities(f"当事人于{word}补办手续。", reference) if e.label == "DATE"]
    assert entity.value is None and not entity.valid


def test_relative_date_at_the_edge_still_resolves() -> None:
    (mention,) = dates.find_dates("次日", date(9999, 12, 30))
    assert mention.value == date(9999, 12, 31) and mention.valid
    (mention,) = dates.find_dates("昨日", date(1, 1, 2))
    assert mention.value == date(1, 1, 1) and mention.valid


def test_unpaired_surrogate_is_a_documented_rejection() -> None:
    with pytest.raises(entities.EntityError, match="surrogate"):
        entities.extract_entities("当事人张三\ud800于昨日")


# ============================================================================ maximal adversarial strings


def _fill(unit: str, length: int = LIMIT) -> str:
    return (unit * (length // len(unit) + 1))[:length]


MAXIMAL: dict[str, str] = {
    "digits": "1" * LIMIT,
    "digits-then-letter": "1" * (LIMIT - 1) + "x",
    "yuan": _fill("1元"),
    "digit-groups": _fill("111,"),
    "decimal-points": _fill("1."),
    "numerals": _fill("一"),
    "numeral-points": _fill("一点"),
    "amount-soup": _fill("处1万元以上"),
    "range-pairs": _fill("1元以上2元以下，"),
    "conditions": _fill("不足1元的，处1元罚款；"),
    "admin-suffixes": "当事人在" + "镇" * (LIMIT - 5) + "。",
    "cue-and-suffix": _fill("途经镇"),
    "place-names": _fill("北京市"),
    "roads": _fill("路"),
    "agency-branches": _fill("北京市税务局分局"),
    "surnames": _fill("陈"),
    "prior-penalty": _fill("曾于因被"),
    "tampering": _fill("伪造、"),
    "article-soup": _fill("第1条", LIMIT - 2) + "\nx",
    "this-law": _fill("《a条例》本法"),
    "relative-lines": _fill("本条\n"),
    "blanks": "a" + " " * (LIMIT - 2) + "x",
    "cue-blanks": "身份证" + " " * (LIMIT - 4) + "x",
    "company-blanks": "公司" + " " * (LIMIT - 3) + "x",
    "controls": _fill("".join(map(chr, range(32))) + "\x7f\x85\u2028"),
    "surrogates": _fill("\ud800张\udfff1元"),
    "scripts": _fill("aé٣жא😀²①\u200b\ufeffﬁ"),
}


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.id)
@pytest.mark.parametrize("name", list(MAXIMAL))
def test_maximal_adversarial_strings(name: str, target: Target) -> None:
    _check(target, MAXIMAL[name])


# ============================================================================ generated strings

_PIECES = (
    list("0123456789１٣,.") + ["1,234", "0.5"]
    + list("零〇一二两三四五六七八九十百千万亿壹拾佰仟点")
    + ["省", "市", "区", "县", "镇", "乡", "街道", "村", "社区", "路", "街", "号", "栋", "楼", "室"]
    + list("《》（）()【】〈〉“”\"'")
    + ["第", "条", "款", "项", "目", "之", "本法", "该法", "本条", "前款", "至", "、", "第（", "）项"]
    + ["元", "万元", "千元", "角", "分", "人民币", "¥", "罚款", "处", "以上", "以下", "不足", "超过", "倍", "%",
       "百分之", "违法所得", "货值金额", "的，"]
    + ["当事人", "法定代表人", "身份证号", "统一社会信用代码", "住所：", "位于", "在", "于", "途经", "有限公司",
       "公司", "公安局", "分局", "派出所", "张", "陈", "某某", "责令", "改正", "拒不", "伪造", "隐匿", "证据",
       "曾因", "被", "处罚", "陈述申辩", "听证", "次日", "昨日", "年", "月", "日", "时", "许", "岁", "个月",
       "平方米", "公斤", "次", "超标", "男", "渝A"]
    + list("，。；：、\n\t 　,;!?")
    + list("aZéжا٣א😀\u200b\ufeffß²①") + [chr(c) for c in range(32)] + ["\x7f", "\x85", "\u2028"]
)
_PIECE = st.one_of(st.sampled_from(_PIECES), st.characters(), st.characters(categories=["Cs"]))
_UNIT = st.lists(_PIECE, min_size=1, max_size=6).map("".join)


@st.composite
def hostile(draw: st.DrawFn, max_len: int) -> str:
    """Up to ``max_len`` characters: runs of a short unit (built by repetition, so cheap) and random pieces."""
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        unit = draw(_UNIT)
        parts.append(unit * draw(st.integers(1, max(1, max_len // len(unit)))))
        parts.append(draw(_UNIT))
    return "".join(parts)[:max_len]


# On a two-core machine each of the two tests below takes a minute or so (about 2 ms of it per example is
# hypothesis itself), the whole file three: hence moderate lengths here, 20,000 characters in MAXIMAL.
_FUZZ = settings(max_examples=10_000, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                        HealthCheck.large_base_example])


@_FUZZ
@given(text=hostile(max_len=1_200))
def test_light_functions_on_generated_strings(text: str) -> None:
    for target in TARGETS:
        if not target.heavy:
            _check(target, text)


@_FUZZ
@given(text=hostile(max_len=240))
def test_heavy_functions_on_generated_strings(text: str) -> None:
    for target in TARGETS:
        if target.heavy:
            _check(target, text)
