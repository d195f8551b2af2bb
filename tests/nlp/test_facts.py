"""Facts in descriptions: spans, negation (R7.7), cues on real statute wording (R3.9–R3.11), the labelled set."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from nlp.facts import CUES, Facts, FactsError, extract_facts

REPO = Path(__file__).resolve().parents[2]
EFFECTS = {"no_penalty", "lighter", "heavier", "limitation", "info"}


def _eval_module():
    spec = importlib.util.spec_from_file_location("eval_facts", REPO / "scripts" / "eval_facts.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def pol(facts: Facts, code: str) -> int | None:
    return facts.polarity(code)


# --------------------------------------------------------------------------- negation (R7.7)


@pytest.mark.parametrize(
    ("text", "code", "polarity"),
    [
        ("当事人及时改正了违法行为", "corrected_promptly", 1),
        ("当事人未及时改正", "corrected_promptly", -1),
        ("当事人没有及时改正", "corrected_promptly", -1),
        ("当事人逾期仍未改正", "corrected_promptly", -1),
        ("当事人在限期内未自行拆除", "corrected_promptly", -1),
        ("当事人系首次违法", "first_offence", 1),
        ("当事人非首次违法", "first_offence", -1),
        ("当事人并非初次违法", "first_offence", -1),
        ("当事人再次违法", "first_offence", -1),
        ("当事人积极配合调查", "cooperated", 1),
        ("当事人不配合调查", "cooperated", -1),
        ("当事人未如实陈述", "cooperated", -1),
        ("未造成危害后果", "no_harm", 1),
        ("未造成严重后果", "serious_consequence", -1),
        ("造成严重后果", "serious_consequence", 1),
        ("此前未受过行政处罚", "prior_penalty", -1),
        ("曾因同类违法行为受过行政处罚", "prior_penalty", 1),
        ("当事人未向未成年人销售", "involves_minors", -1),
        ("违法行为已超过两年未被发现", "undiscovered_two_years", 1),
        ("当事人没有主观过错", "no_fault", 1),
        ("当事人明知是假货仍然销售", "no_fault", -1),
    ],
)
def test_polarity(text: str, code: str, polarity: int) -> None:
    assert pol(extract_facts(text), code) == polarity


def test_an_order_is_not_a_correction() -> None:
    # 责令其立即改正 is what the agency said, not what the party did.
    facts = extract_facts("执法人员责令其立即改正，当事人承诺立即整改。")
    assert facts.cue("corrected_promptly") is None
    assert pol(extract_facts("执法人员责令改正后，当事人当场将杂物清理完毕。"), "corrected_promptly") == 1


def test_a_question_is_not_a_statement() -> None:
    assert extract_facts("需进一步核查其是否首次违法。").cue("first_offence") is None


def test_derived_facts_do_not_override_stated_ones() -> None:
    f = extract_facts("该企业两年内第三次因超标排放被查处，经责令改正后拒不改正。")
    (nth,) = [x for x in f.facts if x.code == "nth_time"]
    assert nth.value == 3 and nth.attrs["window_years"] == 2
    assert f.polarity("first_offence") == -1 and f.cue("first_offence").derived
    assert f.polarity("corrected_promptly") == -1 and f.cue("corrected_promptly").derived
    # 首次 stated explicitly beats nothing-derived; 年仅13岁 gives under_14.
    g = extract_facts("当事人年仅13岁，系首次违法。")
    assert g.polarity("under_14") == 1 and g.polarity("first_offence") == 1 and not g.cue("first_offence").derived


# --------------------------------------------------------------------------- values and spans


def test_exceedance_is_one_ratio_however_written() -> None:
    texts = ["化学需氧量超标0.5倍", "化学需氧量超标百分之五十", "化学需氧量浓度是排放标准的1.5倍", "化学需氧量超过排放标准50%"]
    values = set()
    for t in texts:
        (f,) = [x for x in extract_facts(t).facts if x.code == "exceedance"]
        values.add(str(f.value))
    assert values == {"0.5"}


def test_money_kinds_and_numbers() -> None:
    f = extract_facts("当事人违法所得两千余元，货值金额人民币1.2万元，持续3个月，面积200平方米，查获卷烟34条，2025年3月5日被举报。")
    assert f.amount_fen("违法所得") == 200000 and f.amount_fen("goods_value") == 1200000
    by = {x.type: x for x in f.facts if not x.derived}
    assert (by["duration"].value, by["duration"].unit) == (3, "月")
    assert (by["area"].value, by["area"].unit) == (200, "平方米")
    assert (by["quantity"].value, by["quantity"].unit) == (34, "条")
    assert by["date"].value == "2025-03-05"
    assert f.polarity("complaint_report") == 1


def test_to_dict_is_json() -> None:
    f = extract_facts("当事人违法所得3000元，系首次违法，超标0.5倍。")
    d = json.loads(json.dumps(f.to_dict(), ensure_ascii=False))
    assert d["money_fen"]["illegal_gains"] == 300000 and d["cues"]["first_offence"] == 1
    for item in d["facts"]:
        s, e = item["span"]
        assert f.text[s:e] == item["text"]


# --------------------------------------------------------------------------- cue table and real statute text


def test_not_a_string_is_a_coded_value_error() -> None:
    with pytest.raises(FactsError) as exc:
        extract_facts(None)  # type: ignore[arg-type]
    assert isinstance(exc.value, ValueError) and exc.value.code == "bad_description"


def test_cue_table_is_well_formed() -> None:
    codes = [c.code for c in CUES]
    assert len(codes) == len(set(codes))
    import nlp.facts

    for code in codes:  # the module docstring lists every code for the tier suggester
        assert code in nlp.facts.__doc__
    for c in CUES:
        assert c.hook and c.label and c.effect in EFFECTS and c.patterns


@pytest.mark.parametrize("cue", CUES, ids=lambda c: c.code)
def test_every_cue_recognises_its_own_label(cue) -> None:
    # The label is written in the statute's words; reading it must give that cue, stated (+1).
    facts = extract_facts(cue.label)
    assert any(f.code == cue.code and f.polarity == 1 for f in facts.facts), [(f.code, f.polarity) for f in facts.facts]


@pytest.fixture(scope="module")
def penalty_law(laws_db: Path) -> dict[int, str]:
    con = sqlite3.connect(f"file:{laws_db}?mode=ro", uri=True)
    rows = con.execute(
        "SELECT article_no_arabic, article_text FROM articles WHERE law_name = '中华人民共和国行政处罚法'"
    ).fetchall()
    con.close()
    return dict(rows)


@pytest.mark.parametrize(
    ("article", "codes"),
    [
        (30, {"under_14", "age_14_to_18"}),
        (31, {"mental_illness", "partial_mental_incapacity"}),
        (32, {"mitigated_harm", "coerced", "confessed_unknown", "meritorious_service"}),
        (33, {"minor_violation", "corrected_promptly", "no_harm", "first_offence", "minor_harm", "no_fault"}),
        (36, {"undiscovered_two_years"}),
        (49, {"emergency_period"}),
    ],
)
def test_statutory_grounds_are_recognised_in_the_penalty_law(penalty_law: dict[int, str], article: int, codes: set[str]) -> None:
    """处罚法 第三十条–第四十九条 name the grounds in R3.9–R3.11; each must be read, stated (+1), with its hook."""
    facts = extract_facts(penalty_law[article])
    found = {f.code for f in facts.facts if f.polarity == 1}
    assert codes <= found
    hooks = {f.code: f.hook for f in facts.facts}
    for code in codes:
        assert hooks[code] and ("处罚法" in hooks[code] or "R3" in hooks[code])


# --------------------------------------------------------------------------- labelled set


@pytest.fixture(scope="module")
def labelled() -> list[dict]:
    with (REPO / "eval" / "facts.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_labelled_set_is_sound(labelled: list[dict]) -> None:
    assert len(labelled) >= 150
    assert {r["split"] for r in labelled} >= {"dev", "test"}
    assert len({r["id"] for r in labelled}) == len(labelled)
    for r in labelled:
        for g in r["facts"]:
            s, e = g["span"]
            assert r["text"][s:e] == g["text"], (r["id"], g)


def test_extracted_spans_match_their_text(labelled: list[dict]) -> None:
    for r in labelled:
        for f in extract_facts(r["text"]).facts:
            assert r["text"][f.span[0] : f.span[1]] == f.text


def test_precision_and_recall_on_the_labelled_set(labelled: list[dict]) -> None:
    res = _eval_module().score(labelled)
    # A regression guard, not a benchmark: numbers are reported by scripts/eval_facts.py.
    assert res["micro"]["precision"] >= 0.9 and res["micro"]["recall"] >= 0.9, res["micro"]


def test_paraphrases_give_the_same_facts() -> None:
    mod = _eval_module()
    groups = mod.load_groups()
    assert len(groups) >= 20 and all(3 <= len(g["paraphrases"]) <= 5 for g in groups)
    agreement = mod.group_agreement(groups, mod.fact_signature)
    assert agreement["all_agree"] >= 0.9, agreement["disagreeing"]


_ALPHABET = "零一二两三四五六七八九十百千万亿壹贰叁仟佰拾0123456789.,元角分整人民币¥余多以上以下倍百分之%罚款处违法所得货值的，。不足超过首次未及时改正拒不岁年月日内次第曾被处罚"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=40))
def test_any_text_gives_facts_whose_spans_hold(text: str) -> None:
    facts = extract_facts(text)
    json.dumps(facts.to_dict(), ensure_ascii=False)
    for f in facts.facts:
        assert text[f.span[0] : f.span[1]] == f.text


def test_conduct_text_drops_circumstance_cues_for_retrieval():
    """Audit item 3: circumstance wording is kept out of the retrieval text; the conduct stays."""
    from nlp.facts import conduct_text

    base = "某超市经营不符合食品安全标准的食品"
    for tail in ("，已及时改正，没有造成危害后果", "，未及时改正", "，经责令改正拒不改正", "，系初次被查处，积极配合调查"):
        assert conduct_text(extract_facts(base + tail)) == base
    # a cue inside the conduct clause goes alone; the conduct is kept
    assert conduct_text(extract_facts("某公司初次违法排放超标废气，未及时改正。")) == "某公司违法排放超标废气"
    # conduct-like cues stay (向未成年人…), and a text that is only a cue is returned whole
    assert "未成年人" in conduct_text(extract_facts("某便利店向未成年人出售香烟"))
    assert conduct_text(extract_facts("已及时改正")) == "已及时改正"


def test_retrieval_text_is_the_same_whatever_way_amounts_are_written() -> None:
    from nlp.facts import conduct_text

    forms = ["某超市出售超过保质期的食品，货值金额三千元", "某超市出售超过保质期的食品，货值金额3,000元",
             "某超市出售超过保质期的食品，货值金额人民币叁仟元", "某超市出售超过保质期的食品，货值金额0.3万元"]
    texts = {conduct_text(extract_facts(t)) for t in forms}
    assert len(texts) == 1 and "超过保质期的食品" in texts.pop()
