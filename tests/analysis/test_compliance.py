"""Texts that state no violation are recognised; violations that mention some compliance are not."""

from __future__ import annotations

import pytest

from analysis.compliance import check_compliance


@pytest.mark.parametrize("text", [
    "经现场检查，该店证照齐全，食品均在保质期内，从业人员持有健康证明。",
    "未发现违法行为",
    "经核查，不存在未按规定设置防尘网的情况。",
    "该工地曾因未覆盖裸土被处罚，现已整改到位，复查合格。",
    "当事人已依法办理排污许可证并按证排污",
    "消防设施完好有效，疏散通道畅通",
])
def test_lawful_statements(text: str) -> None:
    r = check_compliance(text)
    assert r.no_violation and r.evidence
    for (s, e), ev in zip(r.spans, r.evidence, strict=True):
        assert text[s:e] == ev


@pytest.mark.parametrize("text", [
    "证照齐全，但部分食品已超过保质期",
    "某餐馆后厨未取得食品经营许可证擅自经营",
    "工地土方裸露未覆盖，扬尘严重",
    "检查发现疏散通道被货物堵塞，消防设施完好有效",
    # a negated positive states a defect (two real published decisions read this way)
    "对某蔬菜店经营不符合食品安全标准的食用农产品行为",
    "某电动车门市部销售2辆车辆外观与合格证不一致的电动自行车",
    "经抽样检验不合格",
])
def test_violations_are_not_lawful(text: str) -> None:
    assert not check_compliance(text).no_violation


def test_long_hostile_text_is_linear() -> None:
    import time

    t0 = time.perf_counter()
    check_compliance("未发现" * 6000 + "证照齐全" * 500)
    assert time.perf_counter() - t0 < 1.0


def test_lawful_lookalike_dev_split() -> None:
    """On the dev split of eval/lawful_lookalikes.jsonl: lawful texts recognised, violations left to analysis.

    The blind split is scored by scripts/bench_consistency.py only (figures in the closing notes), never here.
    """
    import json
    from pathlib import Path

    rows = [json.loads(x) for x in (Path(__file__).parents[2] / "eval" / "lawful_lookalikes.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]
    dev = [r for r in rows if r["split"] == "dev"]
    lawful = [r for r in dev if r["kind"] == "lawful"]
    viol = [r for r in dev if r["kind"] == "violation"]
    assert len(lawful) >= 40 and len(viol) >= 25
    cited = [r["id"] for r in lawful if not check_compliance(r["text"]).no_violation]
    missed = [r["id"] for r in viol if check_compliance(r["text"]).no_violation]
    assert len(cited) <= 0.1 * len(lawful), cited
    assert len(missed) <= 0.05 * len(viol), missed


def test_no_real_published_decision_reads_as_lawful(shared_dir) -> None:
    """Every real decision describes a violation that was penalised: none may be taken for a statement of compliance."""
    import json

    rows = [json.loads(x) for x in (shared_dir / "eval" / "real_decisions" / "decisions.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]
    lawful = [r["id"] for r in rows if check_compliance(r["facts"]).no_violation]
    assert lawful == []
