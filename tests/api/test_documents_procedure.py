"""Procedure selection: which documents a case needs (DOMAIN.md R4.1, R4.2, R4.4, R6.6)."""

from __future__ import annotations

from datetime import date

import pytest

from api.documents.errors import NotApplicable
from api.documents.model import load_case
from api.documents.procedure import ON_THE_SPOT, ON_THE_SPOT_GENERAL, builtin_thresholds, select_documents


def case(party: str = "individual", domain: str = "general", region: str | None = None, **penalty) -> object:
    data: dict = {"agency": {"domain": domain, "region": region}, "party": {"kind": party}}
    if penalty:
        data["penalty"] = {"types": penalty.pop("types", ["fine"]), **penalty}
    return load_case(data)


# ---------------------------------------------------------------------------------- 当场 (R4.2)
@pytest.mark.parametrize(
    ("party", "domain", "fine_fen", "allowed"),
    [
        ("individual", "general", 20000, True),  # 二百元以下 includes 200 (R5.8)
        ("individual", "general", 20001, False),
        ("individual_business", "market_supervision", 20000, True),  # a 个体工商户 is a 公民 (R7.1)
        ("individual_business", "market_supervision", 300000, False),
        ("organization", "market_supervision", 300000, True),  # 三千元以下 for 法人或者其他组织
        ("organization", "general", 300001, False),
        ("organization", "traffic", 20001, False),  # 道交法 第一百零七条: 200 yuan for everybody
        ("individual", "public_order", 50000, True),  # 治安法 第一百一十九条: 500 yuan
        ("individual", "public_order", 50001, False),
    ],
)
def test_on_the_spot_limits(party: str, domain: str, fine_fen: int, allowed: bool) -> None:
    plan = select_documents(case(party, domain, fine_fen=fine_fen))
    assert plan.on_the_spot_allowed is allowed
    assert plan.procedure == "ordinary"  # offered, never chosen for the officer (R4.1)


def test_on_the_spot_only_for_warning_or_fine() -> None:
    assert select_documents(case(types=["warning"])).on_the_spot_allowed
    assert not select_documents(
        case(types=["fine", "confiscate_gains"], fine_fen=100, confiscated_gains_fen=100)
    ).on_the_spot_allowed


def test_officer_choice_of_simple_procedure() -> None:
    c = case(fine_fen=5000).model_copy(update={"procedure": "simple"})
    plan = select_documents(c)
    assert plan.documents == ["on_the_spot_decision"] and plan.bundle == []
    with pytest.raises(NotApplicable):
        select_documents(case(fine_fen=20001).model_copy(update={"procedure": "simple"}))


def test_on_the_spot_limit_sources_say_what_the_table_says(resolver) -> None:
    """Each limit's citation verifies, and the statute text states that limit (R4.2)."""
    expected = {
        ON_THE_SPOT_GENERAL[2]: ("二百元以下", "三千元以下"),
        ON_THE_SPOT["traffic"][2]: ("二百元以下",),
        ON_THE_SPOT["public_order"][2]: ("五百元以下",),
    }
    for cite, phrases in expected.items():
        check = resolver.lookup(cite, date(2026, 11, 22))
        assert check.status == "verified", cite
        for phrase in phrases:
            assert phrase in check.text


# ---------------------------------------------------------------------------------- 听证 (R4.4)
def test_market_supervision_hearing_threshold() -> None:
    at = select_documents(case("individual_business", "market_supervision", fine_fen=1_000_000))
    below = select_documents(case("individual_business", "market_supervision", fine_fen=999_999))
    org = select_documents(case("organization", "market_supervision", fine_fen=1_000_000))
    assert at.hearing_required and at.documents == ["prior_notice", "hearing_notice", "penalty_decision"]
    assert not below.hearing_required and below.documents == ["prior_notice", "penalty_decision"]
    assert not org.hearing_required  # 法人 threshold is higher
    assert any("请核实" in w for w in at.warnings)  # the source is not in the bundled corpus


def test_licence_and_business_penalties_always_give_a_hearing() -> None:
    plan = select_documents(case("organization", "general", types=["revoke_licence"]))
    assert plan.hearing_required and "第六十三条第一款第（三）项" in plan.hearing_grounds[0]
    plan = select_documents(case("organization", "general", types=["suspend_business"]))
    assert "第六十三条第一款第（四）项" in plan.hearing_grounds[0]


def test_public_order_uses_its_own_hearing_rule(resolver) -> None:
    plan = select_documents(case("individual", "public_order", fine_fen=400_000))
    assert plan.hearing_required and plan.hearing_grounds[0].startswith(
        "《中华人民共和国治安管理处罚法》第一百一十七条第一款"
    )
    assert not select_documents(case("individual", "public_order", fine_fen=399_999)).hearing_required
    row = next(r for r in builtin_thresholds() if r.domain == "public_order")
    check = resolver.lookup(row.source.split("（")[0], date(2026, 11, 22))
    assert check.status == "verified" and "四千元以上罚款" in check.text


def test_unconfigured_domain_keeps_the_hearing_right_marked() -> None:
    # 较大数额 unknown: the right is never dropped silently (处罚法 第六十三条), it is included and flagged
    plan = select_documents(case("organization", "general", fine_fen=100_000_000))
    assert plan.hearing_required and plan.hearing_suggested
    assert "hearing_notice" in plan.documents and "第六十三条第一款第（一）项" in plan.hearing_grounds[0]
    assert any("未配置“较大数额”标准" in w and "系统建议" in w for w in plan.warnings)
    configured = select_documents(case("individual", "public_order", fine_fen=400_000))
    assert configured.hearing_required and not configured.hearing_suggested


def test_agency_thresholds_and_officer_override() -> None:
    rows = [{"domain": "general", "party": "any", "fine_min_fen": 500_000, "source": "某市行政处罚听证规定 第三条"}]
    c = load_case(
        {
            "agency": {"domain": "general", "hearing_thresholds": rows},
            "party": {"kind": "organization"},
            "penalty": {"types": ["fine"], "fine_fen": 500_000},
        }
    )
    assert select_documents(c).hearing_required
    small = c.model_copy(update={"penalty": c.penalty.model_copy(update={"fine_fen": 1000})})
    assert not select_documents(small).hearing_required
    assert select_documents(small.model_copy(update={"hearing": "required"})).hearing_required
    assert not select_documents(c.model_copy(update={"hearing": "not_required"})).hearing_required


# ---------------------------------------------------------------------------------- 不予 / 三书同达
def test_no_penalty_gives_its_own_decision() -> None:
    c = load_case({"party": {"kind": "individual"}, "no_penalty": {"ground": "first_violation"}})
    plan = select_documents(c)
    assert plan.procedure == "no_penalty" and plan.documents == ["no_penalty_decision"] and plan.bundle == []


def test_chongqing_bundle_and_its_exceptions() -> None:
    cq = select_documents(case("organization", "market_supervision", "重庆市", fine_fen=500_000))
    assert cq.bundle == ["penalty_decision", "credit_repair_notice", "compliance_advice"]
    assert cq.documents[-3:] == cq.bundle
    elsewhere = select_documents(case("organization", "market_supervision", "上海市", fine_fen=500_000))
    assert elsewhere.bundle == ["penalty_decision"]
    warning_only = select_documents(case("organization", "market_supervision", "重庆市", types=["warning"]))
    assert warning_only.bundle == ["penalty_decision"] and not warning_only.publication
    custom = load_case(
        {
            "agency": {"region": "重庆市", "bundle": ["penalty_decision", "credit_repair_notice"]},
            "party": {"kind": "organization"},
            "penalty": {"types": ["fine"], "fine_fen": 1},
        }
    )
    assert select_documents(custom).bundle == ["penalty_decision", "credit_repair_notice"]
