"""Each per-decision check on real decisions and real provisions, clean and with a planted defect."""

from __future__ import annotations

import pytest

from analysis.archive.checks import domain_of, region_of


def rules(result: dict, severity: str | None = None) -> set[str]:
    return {f["rule"] for f in result["findings"] if severity is None or f["severity"] == severity}


def test_a_clean_real_decision_has_no_error_and_its_fine_sits_in_the_range(auditor, decision) -> None:
    """rd-012: 大气污染防治法 第九十九条第二项, 十万元以上一百万元以下, fined 617,500 yuan in 2021."""
    r = auditor.audit(decision("rd-012"))
    assert not rules(r, "error")
    basis = [c for c in r["citations"] if c["role"] == "basis"]
    assert basis and all(c["status"] == "verified" for c in basis)
    assert r["range"]["min"] == 100000 and r["range"]["max"] == 1000000
    assert r["position"] == pytest.approx((617500 - 100000) / 900000, abs=1e-4)
    assert r["penalty_key"].startswith("《中华人民共和国大气污染防治法》第九十九条")


def test_an_article_that_does_not_exist_is_an_error(auditor, decision) -> None:
    d = decision("rd-012", basis=["《中华人民共和国大气污染防治法》第九百九十九条"])
    r = auditor.audit(d)
    f = next(f for f in r["findings"] if f["rule"] == "citation_article_not_found")
    assert f["severity"] == "error" and f["evidence"]["as_of"] == "2021-05-29" and "第九百九十九条" in f["message"]


def test_a_paragraph_that_does_not_exist_is_an_error(auditor, decision) -> None:
    d = decision("rd-020", basis=["《中华人民共和国安全生产法》第九十七条第五款"])
    assert "citation_paragraph_not_found" in rules(auditor.audit(d), "error")


def test_a_provision_repealed_before_the_violation_is_an_error(auditor, decision) -> None:
    """大气污染防治法 was repealed on 2026-08-15 (法典): citing it for a violation in October 2026 is wrong."""
    d = decision("rd-012", violation_date="2026-10-08", decision_date="2026-11-20")
    r = auditor.audit(d)
    f = next(f for f in r["findings"] if f["rule"] == "citation_repealed")
    assert f["severity"] == "error" and "2026-10-08" in f["message"]
    # the same citation for the real 2021 violation stands, even though the law is repealed today (从旧)
    assert "citation_repealed" not in rules(auditor.audit(decision("rd-012")))


def test_a_provision_in_force_only_at_the_decision_is_flagged_for_from_old_from_light(auditor, decision) -> None:
    """法典 第一千一百零七条 took effect on 2026-08-15: for a July violation it is only the lighter-new-law option."""
    d = decision("rd-012", basis=["《中华人民共和国生态环境法典》第一千一百零七条"], violation_date="2026-07-01",
                 decision_date="2026-10-10")
    f = next(f for f in auditor.audit(d)["findings"] if f["rule"] == "citation_not_yet_effective")
    assert f["severity"] == "warning" and "从旧兼从轻" in f["message"]


def test_a_fine_above_the_statutory_maximum_is_an_error(auditor, decision) -> None:
    r = auditor.audit(decision("rd-012", fine_yuan=2_500_000))
    f = next(f for f in r["findings"] if f["rule"] == "fine_above_max")
    assert f["severity"] == "error" and f["evidence"]["ceiling"] == 1_000_000
    assert any("十万元以上一百万元以下" in s for s in f["evidence"]["arithmetic"])


def test_a_fine_below_the_minimum_is_a_reduced_penalty_warning(auditor, decision) -> None:
    r = auditor.audit(decision("rd-012", fine_yuan=50_000))
    f = next(f for f in r["findings"] if f["rule"] == "fine_below_min")
    assert f["severity"] == "warning" and "减轻" in f["message"] and r["position"] < 0


def test_a_multiple_range_is_computed_from_the_amounts_in_the_facts(auditor, decision) -> None:
    """食品安全法 第一百二十四条: 货值金额 in the facts decides the clause; without one the base is asked for."""
    r = auditor.audit(decision("rd-009"))
    rng = r["range"]
    assert rng is not None and rng["ranges"][0]["citation"].startswith("《中华人民共和国食品安全法》第一百二十四条")
    d = decision("rd-009", facts="当事人销售超过保质期的食品。")
    r2 = auditor.audit(d)
    assert r2["range"] is not None


def test_the_hearing_right_is_checked_by_penalty_type_and_amount(auditor, decision) -> None:
    """rd-022: 责令停业 gives a hearing right (处罚法 第六十三条); the published text must show the notice."""
    d = decision("rd-022", text=None)
    r = auditor.audit(d)
    f = next(f for f in r["findings"] if f["rule"] == "hearing_not_evidenced")
    assert f["severity"] == "warning" and "责令停业" in f["message"]
    assert "hearing_missing" in rules(auditor.audit(decision("rd-022", hearing_notice=False)), "error")
    told = decision("rd-022", hearing_notice=True)
    assert not rules(auditor.audit(told)) & {"hearing_missing", "hearing_not_evidenced"}
    # rd-012: 617,500 yuan from an environmental agency is above the (unverified) 较大数额 row: a hint only
    env = next(f for f in auditor.audit(decision("rd-012"))["findings"] if f["rule"] == "hearing_not_evidenced")
    assert env["severity"] == "info" and "未经核实" in env["message"]


def test_on_the_spot_penalties_above_the_limit_are_errors(auditor, decision) -> None:
    """rd-006: 500 yuan under 公共场所卫生管理条例; 当场 allows 200 yuan for a person, 3,000 for a unit (处罚法 第五十一条)."""
    person = auditor.audit(decision("rd-006", procedure="simple", party_type="individual"))
    f = next(f for f in person["findings"] if f["rule"] == "on_the_spot_over_limit")
    assert f["severity"] == "error" and f["evidence"]["limit_yuan"] == 200 and "第五十一条" in f["evidence"]["source"]
    unit = auditor.audit(decision("rd-006", procedure="simple", party_type="organization"))
    assert "on_the_spot_over_limit" not in rules(unit)


def test_limitation_uses_the_discovery_date_when_given(auditor, decision) -> None:
    """rd-045 (营业性演出, 2016): two years, not a five-year field."""
    late = auditor.audit(decision("rd-045", discovery_date="2018-12-01", decision_date="2019-01-10"))
    assert "limitation_expired" in rules(late, "error")
    unknown = auditor.audit(decision("rd-045", decision_date="2019-01-10"))
    f = next(f for f in unknown["findings"] if f["rule"] == "limitation_check")
    assert f["severity"] == "warning" and "发现日期" in f["message"]
    assert not rules(auditor.audit(decision("rd-045"))) & {"limitation_expired", "limitation_check"}


def test_unknown_and_nonexistent_laws(auditor, decision) -> None:
    d = decision("rd-012", basis=["《中华人民共和国大气环境保护法》第九十九条"])
    assert "citation_law_not_found" in rules(auditor.audit(d), "error")
    local = auditor.audit(decision("rd-014"))  # 《深圳经济特区消防条例》: another province's regulation
    assert "citation_law_not_in_store" in rules(local, "warning") and not rules(local, "error")


def test_a_discretion_benchmark_in_the_basis_is_noted_not_checked_as_statute(auditor, decision) -> None:
    d = decision("rd-001", basis=["《中华人民共和国大气污染防治法》第一百一十五条第一款（一）",
                                  "《河北省住房和城乡建设系统行政处罚裁量权基准》第574条"])
    r = auditor.audit(d)
    assert "discretion_doc_cited" in rules(r, "info") and not rules(r, "error")


def test_domain_and_region() -> None:
    assert domain_of("济宁市生态环境局", ["中华人民共和国大气污染防治法"]) == "environment"
    assert domain_of("上海市徐汇区市场监督管理局", ["中华人民共和国食品安全法"]) == "market_supervision"
    assert domain_of("某派出所", ["中华人民共和国治安管理处罚法"]) == "public_order"


def test_region_comes_from_the_decision_or_its_agency(decision) -> None:
    assert region_of(decision("rd-003"), "重庆") == "上海"
    assert region_of(decision("rd-003", region=None, agency=None), "重庆") == "重庆"


@pytest.mark.slow
def test_retrieval_agreement_is_a_flag(data_dir, resolver, decision) -> None:
    """With the real index: the cited 罚则 is among the retrieved ones, or an info flag says it is not."""
    from analysis.archive.checks import AuditConfig, Auditor

    cfg = AuditConfig(store_path=data_dir / "corpus.sqlite", index_dir=data_dir / "index",
                      model_dir=data_dir / "models" / "me5-small-zh", benchmarks_path=data_dir / "benchmarks.sqlite",
                      encoder_threads=2)
    a = Auditor.from_config(cfg)
    # rd-020: 安全生产法 第九十七条第七项 (real); the same facts citing 广告法 第五十八条 (planted)
    good, bad = a.audit_batch([decision("rd-020"), decision("rd-020", basis=["《中华人民共和国广告法》第五十八条第一款"])])
    assert good["retrieval"]["agrees"] and "retrieval_disagrees" not in rules(good)
    f = next(f for f in bad["findings"] if f["rule"] == "retrieval_disagrees")
    assert f["severity"] == "info" and bad["retrieval"]["agrees"] is False and f["evidence"]["retrieved"]
    # batching the queries never changes an answer
    assert a.audit(decision("rd-020"))["retrieval"] == good["retrieval"]


def test_a_renumbered_article_is_never_compared_for_from_old_from_light(auditor, decision) -> None:
    """广告法 第六十五条 (2018: 虚假材料申请广告审查, 十万元以上二十万元以下) and 种子法 第七十六条 (2016: 劣种子) name other
    acts in the 2021 texts, with lower ranges: comparing them by number would call the new law lighter. No such
    warning is given; the store has no same-provision lighter amendment of a 法律 or 行政法规 to show the positive case."""
    for cite, rid in (("《中华人民共和国广告法》第六十五条", "rd-007"), ("《中华人民共和国种子法》第七十六条", "rd-034")):
        d = decision(rid, basis=[cite], violated=[], violation_date="2021-03-01", decision_date="2022-03-01")
        r = auditor.audit(d)
        assert r["citations"][0]["status"] == "verified"
        assert "lighter_law_not_applied" not in rules(r)
