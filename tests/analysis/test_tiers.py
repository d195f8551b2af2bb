"""Tier suggestion (issue 4; DOMAIN.md R2.5, R3.9–R3.13, R4.2, R4.4, R5.1, R5.10)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from analysis.tiers import (
    TierModel,
    facts_to_fields,
    load_or_train,
    predicate_features,
    project,
    suggest_tier,
    training_rows,
)
from corpus.benchmarks import DEFAULT_BENCHMARK, load_yaml
from corpus.benchmarks.sources import jiangmen_table
from nlp.facts import extract_facts

REPO = Path(__file__).resolve().parents[2]
DECISION = date(2026, 11, 22)


@pytest.fixture(scope="module")
def sample():
    bench, _ = load_yaml(DEFAULT_BENCHMARK)
    return {i.id: i for i in bench.items}


@pytest.fixture(scope="module")
def jiangmen(shared_dir):
    return jiangmen_table(shared_dir / "corpus" / "raw").benchmark.items


@pytest.fixture(scope="module")
def model(jiangmen, tmp_path_factory):
    path = tmp_path_factory.mktemp("m") / "tier_model.joblib"
    load_or_train(path, jiangmen, encoder=None)
    assert path.is_file()
    return TierModel.load(path)  # the saved model is the one used


def _words_only(item):
    copy = item.model_copy(deep=True)
    for t in copy.tiers:
        t.predicates = []
    return copy


# ---------------------------------------------------------------- facts → predicate fields


def test_fields_from_facts_keep_polarity_and_units():
    vals, src = facts_to_fields(extract_facts("该公司未及时改正，系两年内第二次超标排放，超标0.5倍，违法所得1.2万元。"))
    assert vals["及时改正"] is False  # R7.7: 未及时改正 is not 及时改正
    assert vals["违法次数"] == 2 and src["违法次数"].text.startswith("两年内第二次")
    assert vals["超标倍数"] == 0.5
    assert vals["违法所得"] == 12000.0
    assert vals["首次违法"] is False  # derived from 第二次
    empty, _ = facts_to_fields(extract_facts("当事人占道经营。"))
    assert empty["拒不改正"] is False and empty["违法次数"] == 1  # closed world for circumstances


# ---------------------------------------------------------------- band (R5.1, R3.12)


def test_predicates_pick_the_more_serious_band_and_show_the_span(sample):
    item = sample["eco-04"]
    text = "该公司废水化学需氧量超标0.3倍，系两年内第二次超标排放。"
    s = suggest_tier(text, item, decision_date=DECISION)
    # 超标0.5倍以下 meets 从轻 and 两年内第2次以上 meets 从重: the more serious band applies (R3.12)
    met = {p["level"] for p in s.probabilities if p["conditions_met"] is True}
    assert met == {"从轻", "从重"}
    assert s.tier["label"] == "从重" and s.method == "predicates" and s.tier["probability"] == 1.0
    f = next(f for f in s.factors if f.code == "band:违法次数")
    assert text[f.span[0] : f.span[1]] == f.text and "第二次" in f.text


def test_words_only_conditions_use_the_classifier(sample, model):
    item = _words_only(sample["fire-02"])
    s = suggest_tier("某商场占用疏散通道，经责令改正后拒不改正，两年内第三次被查处。", item, model)
    assert s.method == "classifier:tfidf"
    probs = [p["probability"] for p in s.probabilities]
    assert abs(sum(probs) - 1) < 1e-3 and 0 < s.tier["probability"] <= 1
    assert s.tier["probability"] == max(probs)


def test_projection_onto_item_tiers():
    p = np.array([0.1, 0.2, 0.3, 0.25, 0.15])
    q = project(p, [1, 2, 3, 4, 5], [2, 3, 4])
    assert np.isclose(q.sum(), 1) and np.isclose(q[0], 0.3) and np.isclose(q[2], 0.4)


# ---------------------------------------------------------------- statutory overrides (R3.9, R3.10, R3.13)


def test_under_fourteen_is_no_penalty(sample):
    s = suggest_tier("违法行为人不满十四周岁，殴打他人。", sample["public-03"], decision_date=DECISION)
    assert s.adjustment == "不予处罚" and s.tier["label"] == "不予处罚" and s.tier["rank"] == 0
    assert s.fine["suggested"] is None
    assert any(r.blocking and r.code == "no_penalty" for r in s.reminders)
    assert any("第三十条" in f.rule for f in s.factors)


def test_minor_corrected_harmless_is_no_penalty_but_first_offence_is_only_a_reminder(sample):
    s = suggest_tier("张某在楼道堆放杂物堵塞疏散通道，当场改正，违法行为轻微，未造成危害后果。", sample["fire-05"])
    assert s.adjustment == "不予处罚" and any("第三十三条第一款" in f.rule for f in s.factors)
    first = suggest_tier("当事人销售过期面包，货值金额800元，系首次违法，当场改正，未造成危害后果。", sample["food-02"])
    assert first.adjustment != "不予处罚"  # 首违不罚 is 可以, never automatic
    (rem,) = [r for r in first.reminders if r.code == "first_offence_no_penalty"]
    assert "可以" in rem.message and "第三十三条" in rem.rule


def test_mandatory_mitigation_moves_down(sample):
    plain = suggest_tier("某餐馆油烟超标排放。", sample["eco-09"])
    lighter = suggest_tier("某餐馆油烟超标排放，当事人主动消除了污染。", sample["eco-09"])
    # the mitigation chose the 从轻 band; it does not also push the amount to the band's bottom (audit item 6)
    assert plain.adjustment == "一般" and lighter.tier["label"] == "从轻" and lighter.adjustment == "一般"
    assert lighter.fine["suggested"] < plain.fine["suggested"]
    assert any(r.code == "mitigation_option" and "集体讨论" in r.message for r in lighter.reminders)


def test_statements_never_move_a_case_up(sample):
    """R3.13: nothing said in 陈述申辩 or a hearing request makes the penalty heavier."""
    item = sample["eco-09"]
    base = suggest_tier("某餐馆油烟超标排放。", item)
    inside = suggest_tier("某餐馆油烟超标排放。当事人在陈述申辩中称其曾多次被处罚，拒不改正。", item)
    assert (inside.tier["label"], inside.adjustment, inside.fine["suggested"]) == (
        base.tier["label"], base.adjustment, base.fine["suggested"])
    assert any(f.direction == 0 and "R3.13" in f.rule for f in inside.factors)
    separate = suggest_tier("某餐馆油烟超标排放。", item, statements="我们多次被处罚过，拒不改正。")
    assert separate.adjustment == base.adjustment
    helped = suggest_tier("某餐馆油烟超标排放。", item, statements="事后已主动消除了污染。")
    assert helped.adjustment == "从轻"  # a statement may still help the party


# ---------------------------------------------------------------- fine arithmetic (R5.10)


def test_multiples_are_computed_from_the_base_amount(sample):
    item = sample["food-01"]
    s = suggest_tier("当事人未取得食品经营许可经营餐饮，违法经营的食品货值金额1.2万元，两年内第二次被查处。", item)
    band = next(f for f in item.tiers[-1].fines if f.kind == "multiple")
    assert s.tier["label"] == "从重" and s.fine["clause"] == band.condition
    assert s.fine["min"] == pytest.approx(12000 * band.min) and s.fine["max"] == pytest.approx(12000 * band.max)
    assert s.fine["min"] <= s.fine["suggested"] <= s.fine["max"] and s.fine["suggested"] % 100 == 0
    assert any("12,000.00" in step and "倍" in step for step in s.fine["arithmetic"])
    small = suggest_tier("当事人未取得食品经营许可经营，货值金额800元。", item)
    assert small.fine["clause"].endswith("货值金额不足一万元的") and small.fine["max"] <= 100000
    missing = suggest_tier("当事人未取得食品经营许可经营。", sample["food-08"])
    assert missing.fine["suggested"] is None and missing.fine["base_needed"] == "货值金额"


def test_position_in_band_follows_the_adjustment(sample):
    item = sample["fire-02"]
    band = item.tiers[-1].fine
    # 伪造证据 is a 从重 ground outside the band's conditions: top of the band chosen by 拒不改正
    heavy = suggest_tier("某商场占用疏散通道，经责令改正后拒不改正，并伪造检查记录。", item)
    assert heavy.adjustment == "从重" and heavy.fine["suggested"] == band.max
    mid = suggest_tier("某商场占用疏散通道。", item)
    lo, hi = item.tiers[1].fine.min, item.tiers[1].fine.max
    expected = Decimal(str(lo + (hi - lo) / 2)).quantize(Decimal("100"))
    assert mid.fine["suggested"] == pytest.approx(float(expected), abs=100)


def test_party_selects_the_statutory_clause(sample):
    """Pitfall (c): a person's range is not the unit's."""
    s = suggest_tier("当事人在路边设摊经营。", sample["city-01"], party_type="individual")
    assert s.fine["max"] <= 500
    u = suggest_tier("某公司在路边设摊经营。", sample["city-01"], party_type="organization")
    assert u.fine["min"] >= 500
    mismatch = suggest_tier("张某占用疏散通道。", sample["fire-02"], party_type="individual")
    assert any(r.code == "party_mismatch" for r in mismatch.reminders)


# ---------------------------------------------------------------- reminders (R2.5, R2.9, R4.2, R4.4)


def test_hearing_and_on_the_spot_reminders(sample):
    big = suggest_tier("某商场占用疏散通道，经责令改正后拒不改正。", sample["fire-02"])
    assert any(r.code == "hearing" for r in big.reminders)
    assert not any(r.code == "on_the_spot" for r in big.reminders)
    small = suggest_tier("机动车驾驶人违反规定停放车辆，不在现场，妨碍其他车辆通行。", sample["traffic-01"])
    assert small.fine["suggested"] <= 200
    assert any(r.code == "on_the_spot" and "第一百零七条" in r.rule for r in small.reminders)
    assert not any(r.code == "hearing" for r in small.reminders)


def test_limitation_period(sample):
    item = sample["city-03"]
    old = suggest_tier("当事人在墙上乱涂写。", item, violation_date=date(2023, 1, 1), discovery_date=date(2025, 6, 1))
    assert old.adjustment == "不予处罚"
    assert any(r.code == "limitation_expired" and r.blocking for r in old.reminders)
    recent = suggest_tier("当事人在墙上乱涂写。", item, violation_date=date(2024, 1, 1), discovery_date=date(2025, 6, 1))
    assert recent.adjustment != "不予处罚"
    # 治安: six months (治安法 第二十五条)
    public = suggest_tier("违法行为人故意损毁公私财物。", sample["public-05"], violation_date=date(2025, 1, 1),
                          discovery_date=date(2025, 9, 1))
    assert public.adjustment == "不予处罚"


def test_expired_benchmark_and_repealed_statute_are_flagged(jiangmen):
    item = next(i for i in jiangmen if i.id == "jiangmen-3-3")
    item.extra["statute_repealed_on"] = "2026-08-15"  # set by the resolver at load time; here no resolver
    after = suggest_tier("排放大气污染物超标0.3倍。", item, decision_date=DECISION, violation_date=date(2026, 9, 1))
    codes = {r.code: r for r in after.reminders}
    assert "benchmark_not_valid" in codes and codes["statute_repealed"].blocking
    before = suggest_tier("排放大气污染物超标0.3倍。", item, decision_date=DECISION, violation_date=date(2026, 3, 1))
    assert "old_law" in {r.code for r in before.reminders}


# ---------------------------------------------------------------- classifier and consistency


def test_classifier_beats_majority_held_out_by_violation(jiangmen):
    from collections import Counter

    from sklearn.model_selection import GroupKFold

    texts, feats, labels, groups = training_rows(jiangmen)
    y, g = np.array(labels), np.array(groups)
    hits_model = hits_major = 0
    for tr, te in GroupKFold(3).split(texts, y, g):
        assert not set(g[tr]) & set(g[te])  # held out by violation
        m = TierModel(text="tfidf").fit([texts[i] for i in tr], feats[tr], y[tr])
        probs = m.predict_proba([texts[i] for i in te], feats[te])
        assert np.allclose(probs.sum(axis=1), 1)
        hits_model += int((np.array(m.classes_)[probs.argmax(axis=1)] == y[te]).sum())
        hits_major += int((y[te] == Counter(y[tr]).most_common(1)[0][0]).sum())
    assert hits_model > hits_major * 1.5


def test_paraphrases_get_the_same_tier(sample, model):
    """Same facts, same tier: every paraphrase group of eval/paraphrase_groups.jsonl agrees."""
    groups = [json.loads(x) for x in (REPO / "eval" / "paraphrase_groups.jsonl").read_text(encoding="utf-8").splitlines() if x]
    by_domain = {"消防": "fire-02", "生态环境": "eco-04", "治安": "public-05", "食品": "food-02", "市场监管": "food-08"}
    checked = 0
    for grp in groups:
        item_id = by_domain.get(grp["domain"])
        if not item_id:
            continue
        outs = {(s.tier["label"], s.adjustment, s.fine["suggested"])
                for s in (suggest_tier(p, sample[item_id], model) for p in grp["paraphrases"])}
        assert len(outs) == 1, (grp["id"], outs)
        checked += 1
    assert checked >= 8


def _sklearn_proba(m: TierModel, text: str, feats: np.ndarray, emb: np.ndarray | None = None) -> np.ndarray:
    x = m._matrix([text], feats[None, :], fit=False, embeddings=None if emb is None else emb[None, :])
    return m.clf.predict_proba(x)[0]


def test_single_text_fast_path_agrees_with_sklearn(jiangmen, model):
    """predict_proba of one text (numpy head) gives sklearn's calibrated probabilities, unseen texts included."""
    texts, feats, _, _ = training_rows(jiangmen)
    unseen = ["某商场占用疏散通道，经责令改正后拒不改正。", "初次违法，危害后果轻微并及时改正", "ＡＢＣ  超标0.8倍排放"]
    rows = [(t, feats[i]) for i, t in list(enumerate(texts))[::40]] + [(t, feats[0]) for t in unseen]
    assert model._head() is not None
    for text, f in rows:
        fast = model.predict_proba([text], f[None, :])[0]
        assert np.allclose(fast, _sklearn_proba(model, text, f), atol=1e-6), text


@pytest.mark.slow
def test_e5_hybrid_model(jiangmen, sample, tmp_path):
    from api.core.settings import Settings
    from nlp.encoders import make_encoder

    enc = make_encoder("e5", Settings().model_dir)
    m = load_or_train(tmp_path / "m.joblib", jiangmen, encoder=enc)
    assert m.kind == "hybrid"
    s = suggest_tier("某商场占用疏散通道，经责令改正后拒不改正。", _words_only(sample["fire-02"]), m)
    assert s.method == "classifier:hybrid" and 0 < s.tier["probability"] <= 1
    again = TierModel.load(tmp_path / "m.joblib", enc)
    emb = enc.encode_queries(["某商场占用疏散通道，经责令改正后拒不改正。"])[0]
    s2 = suggest_tier("某商场占用疏散通道，经责令改正后拒不改正。", _words_only(sample["fire-02"]), again, embedding=emb)
    assert s2.tier["label"] == s.tier["label"]
    texts, feats, _, _ = training_rows(jiangmen)
    for text, f in [(texts[0], feats[0]), (texts[500], feats[500]), ("某商场占用疏散通道，经责令改正后拒不改正。", feats[3])]:
        e = enc.encode_queries([text])[0]
        assert np.allclose(again.predict_proba([text], f[None, :], e[None, :])[0], _sklearn_proba(again, text, f, e),
                           atol=1e-6)


def test_no_penalty_list_items_show_the_statutory_ground(shared_dir):
    """R5.7: a list item sets 不予处罚 when its conditions hold, always next to the statutory ground."""
    from corpus.benchmarks.sources import shanghai_fire_no_penalty

    items = {i.id: i for i in shanghai_fire_no_penalty(shared_dir / "corpus" / "raw").benchmark.items}
    s = suggest_tier("某商场疏散通道被货物占用仅1处，首次发现后当场改正，没有实际影响人员疏散。", items["sh-fire-no-penalty-14"])
    assert s.adjustment == "不予处罚"
    (f,) = [f for f in s.factors if f.code == "no_penalty_list"]
    assert "第三十三条第一款" in f.rule and "沪消规〔2026〕1号" in f.rule
    # group 一 is 首违不罚: 可以, so only a reminder even when the conditions hold (R3.9)
    first = suggest_tier("某商场占用疏散通道，首次发现，当场改正，没有实际影响疏散逃生。", items["sh-fire-no-penalty-2"])
    assert first.adjustment != "不予处罚" and any(r.code == "no_penalty_list_may_apply" for r in first.reminders)
    repeat = suggest_tier("某商场占用疏散通道，两年内第三次被查处。", items["sh-fire-no-penalty-2"])
    assert any(r.code == "no_penalty_list_not_met" for r in repeat.reminders)


def test_a_fact_that_chose_the_band_does_not_move_the_position(sample):
    """Audit item 6: 拒不改正 picks the 从重 band; it must not also push the amount to the band's top (R3.12)."""
    item = sample["fire-02"]
    s = suggest_tier("某商场占用疏散通道，经责令改正后拒不改正。", item)
    band = item.tiers[-1].fine
    assert s.tier["label"] == "从重" and s.adjustment == "一般"
    assert band.min < s.fine["suggested"] < band.max
    (f,) = [f for f in s.factors if f.code == "refused_to_correct"]
    assert f.direction == 0 and "已用于选择阶次" in (f.note or "")


def test_closed_world_default_tier_is_not_certain(sample, model):
    """Audit item 8: nothing stated → the default tier, reported as such and never with probability 1.0."""
    for m in (None, model):
        s = suggest_tier("某商场占用疏散通道。", sample["fire-02"], m)
        assert s.tier["label"] == "一般" and s.method == "default"
        assert s.tier["probability"] < 0.9
        assert any(r.code == "tier_default" for r in s.reminders)
    stated = suggest_tier("某商场占用疏散通道，经责令改正后拒不改正。", sample["fire-02"], model)
    assert stated.method == "predicates" and stated.tier["probability"] == 1.0


def test_first_offence_with_harm_unstated_gives_a_verify_reminder(sample):
    """Audit item 9: 「系初次被查处」 without a harm cue → 首违不罚 may apply, verify harm and correction."""
    s = suggest_tier("某商场占用疏散通道，系初次被查处。", sample["fire-02"])
    (r,) = [r for r in s.reminders if r.code == "first_offence_no_penalty"]
    assert "核实" in r.message and "第三十三条第一款" in r.rule
    grave = suggest_tier("某商场占用疏散通道，系初次被查处，造成严重后果。", sample["fire-02"])
    assert not any(r.code == "first_offence_no_penalty" for r in grave.reminders)


def test_hearing_threshold_falls_back_to_the_individual_one(sample):
    """Audit item 10: party unknown → the stricter individual 听证 threshold (2,000 yuan in 消防)."""
    item = sample["fire-10"]  # party any, 一般 band 2,200–3,800 yuan
    unknown = suggest_tier("某处燃气用具的安装不符合消防技术标准。", item)
    assert 2000 <= unknown.fine["suggested"] < 10000
    assert any(r.code == "hearing" and "按个人标准" in r.message for r in unknown.reminders)
    unit = suggest_tier("某处燃气用具的安装不符合消防技术标准。", item, party_type="organization")
    assert not any(r.code == "hearing" for r in unit.reminders)


def test_five_year_limitation_for_life_and_health_with_harm(sample):
    """R2.5 / 处罚法 第三十六条: five years where 公民生命健康安全 is involved and harm resulted."""
    item = sample["food-02"]
    kw = dict(violation_date=date(2022, 3, 1), discovery_date=date(2025, 6, 1))
    harmless = suggest_tier("某超市经营超过保质期的食品。", item, **kw)
    assert harmless.adjustment == "不予处罚"
    harmed = suggest_tier("某超市经营超过保质期的食品，造成严重后果。", item, **kw)
    assert harmed.adjustment != "不予处罚"
    assert not any(r.code == "limitation_expired" for r in harmed.reminders)


# ---------------------------------------------------------------- loading: serving never trains


def test_load_tier_model_never_trains(jiangmen, model, tmp_path):
    from analysis.tiers import TierModelNotBuilt, load_tier_model

    with pytest.raises(TierModelNotBuilt, match="尚未训练"):
        load_tier_model(tmp_path / "none.joblib")
    assert not (tmp_path / "none.joblib").exists()
    model.save(tmp_path / "m.joblib")
    with pytest.raises(TierModelNotBuilt, match="当前设置为 none"):
        load_tier_model(tmp_path / "m.joblib", text="none")  # another kind: stale, not retrained
    assert load_tier_model(tmp_path / "m.joblib", text="tfidf").kind == "tfidf"


def test_a_model_saved_under_the_old_module_loads_and_the_build_rewrites_it(model, jiangmen, tmp_path, monkeypatch):
    import sys

    import analysis.tiers as tiers_module

    old = tmp_path / "tier_model.joblib"
    with monkeypatch.context() as m:  # write the file as nlp.tiers.TierModel did before the move
        m.setitem(sys.modules, "nlp.tiers", tiers_module)
        m.setattr(TierModel, "__module__", "nlp.tiers")
        model.save(old)
    assert b"nlp.tiers" in old.read_bytes() and "nlp.tiers" not in sys.modules
    loaded = TierModel.load(old)
    assert "nlp.tiers" not in sys.modules  # the old name was only borrowed for the load
    text = jiangmen[0].tiers[0].condition
    sev = [t.severity for t in jiangmen[0].tiers]
    f = predicate_features(jiangmen[0].tiers[0].predicates)
    assert np.allclose(loaded.tier_probs(text, f, sev), model.tier_probs(text, f, sev))
    load_or_train(old, jiangmen, encoder=None)  # the build: same model, written under its present module
    assert b"nlp.tiers" not in old.read_bytes() and b"analysis.tiers" in old.read_bytes()
    assert np.allclose(TierModel.load(old).tier_probs(text, f, sev), model.tier_probs(text, f, sev))
