"""同案不同罚 and duplicate 文号 in DuckDB, over results of real decisions (copies given other agencies and fines)."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.archive.groups import cross_findings, statistics


@pytest.fixture()
def air_cases(auditor, decision) -> list[dict]:
    """Five 大气污染防治法 第九十九条第（二）项 decisions from rd-012 and rd-016 (both real, 2021–2022), by agency."""
    out = [auditor.audit(decision("rd-012")), auditor.audit(decision("rd-016"))]
    for i, (agency, fine) in enumerate((("甲市生态环境局", 600_000), ("乙市生态环境局", 640_000),
                                        ("丙市生态环境局", 150_000))):
        out.append(auditor.audit(decision("rd-012", id=f"copy-{i}", agency=agency, fine_yuan=fine, doc_no=None)))
    return out


def test_alike_cases_group_by_provision_party_and_circumstances(air_cases, auditor, decision, tmp_path: Path) -> None:
    worse = decision("rd-012", id="refused", doc_no=None, facts=decision("rd-012").facts + "，经责令改正拒不改正")
    results = air_cases + [auditor.audit(worse)]
    stats = statistics(results, tmp_path)
    key = results[0]["penalty_key"]
    assert results[1]["penalty_key"] == key  # rd-016 cites 第九十九条第二项 too: same 项, same group
    main = [g for g in stats["groups"] if g["penalty_key"] == key and g["tier"] == "一般"]
    assert len(main) == 1 and main[0]["n"] == 5 and main[0]["agencies"] == 5
    assert {m["id"] for m in main[0]["members"]} == {"rd-012", "rd-016", "copy-0", "copy-1", "copy-2"}
    # 拒不改正 is a 从重 circumstance the facts state: another band, so not compared with the others
    heavy = [g for g in stats["groups"] if g["penalty_key"] == key and g["tier"] == "从重"]
    assert len(heavy) == 1 and "refused_to_correct" in heavy[0]["cues"]
    assert main[0]["median_fine"] == 617_500 and main[0]["min_fine"] == 150_000


def test_an_outlier_is_reported_with_the_cases_beside_it(air_cases, tmp_path: Path) -> None:
    stats = statistics(air_cases, tmp_path)
    assert [m["id"] for m in stats["outliers"]] == ["copy-2"]
    found = [f for f in cross_findings(stats) if f["rule"] == "disparate_penalty"]
    assert len(found) == 1 and found[0]["id"] == "copy-2" and found[0]["severity"] == "warning"
    ev = found[0]["evidence"]
    assert ev["group"]["n"] == 5 and ev["ratio_to_median"] < 0.5
    assert {c["id"] for c in ev["cases_beside"]} == {"rd-012", "rd-016", "copy-0", "copy-1"}
    agencies = {r["name"]: r for r in stats["dispersion"]["agency"]}
    assert agencies["丙市生态环境局"]["mean_abs_log2_dev"] > 1.5 > agencies["甲市生态环境局"]["mean_abs_log2_dev"]
    positions = {m["id"]: m["position"] for g in stats["groups"] for m in g["members"]}
    assert positions["copy-2"] == pytest.approx(50_000 / 900_000, abs=1e-3)


def test_two_alike_cases_are_too_few_to_call_an_outlier(auditor, decision, tmp_path: Path) -> None:
    results = [auditor.audit(decision("rd-012")), auditor.audit(decision("rd-012", id="x", fine_yuan=100_000))]
    assert statistics(results, tmp_path)["outliers"] == []


def test_duplicate_doc_numbers(auditor, decision, tmp_path: Path) -> None:
    no = "沪市监徐处〔2022〕042021001697号"  # rd-003's real 文号
    results = [auditor.audit(decision("rd-003")), auditor.audit(decision("rd-041", doc_no=no)),
               auditor.audit(decision("rd-038")), auditor.audit(decision("rd-038", id="again"))]
    stats = statistics(results, tmp_path)
    dups = {d["doc_no"]: d for d in stats["duplicate_doc_no"]}
    assert dups[no]["ids"] == ["rd-003", "rd-041"] and dups[no]["distinct_facts"] == 2
    found = {(f["id"], f["rule"], f["severity"]) for f in cross_findings(stats)}
    assert ("rd-041", "duplicate_doc_no", "error") in found and ("rd-003", "duplicate_doc_no", "error") in found
    # the same decision published twice is a duplicate record, not two decisions with one number
    assert ("again", "duplicate_record", "info") in found
