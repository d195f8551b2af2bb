"""Readers on real decisions: the project's JSONL, and 双公示 CSV/XLSX exports written from the same decisions."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from analysis.archive.readers import ArchiveError, read_archive
from nlp.money import amount_in_words

SGS = ["行政处罚决定书文号", "行政相对人名称", "处罚事由", "处罚依据", "处罚结果", "处罚决定日期", "处罚机关", "数据来源"]


def _sgs_rows(real, n: int = 12) -> list[dict]:
    """双公示 rows made from real decisions: 处罚依据 as such a cell is written (违反…，依据…)."""
    rows = []
    for d in [d for d in real.decisions if d.fine_yuan and d.basis and d.violated][:n]:
        rows.append({
            "行政处罚决定书文号": d.doc_no or f"测试罚〔2024〕{len(rows) + 1}号",
            "行政相对人名称": "某某科技有限公司" if len(rows) % 2 == 0 else "张某某",
            "处罚事由": d.facts,
            "处罚依据": f"违反了{'、'.join(d.violated)}的规定，依据{'、'.join(d.basis)}的规定",
            "处罚结果": f"罚款{amount_in_words(round(d.fine_yuan * 100))}",
            "处罚决定日期": (d.decision_date or "2024-05-06"),
            "处罚机关": d.agency or "",
            "数据来源": "信用中国",
            "_id": d.id, "_fine": d.fine_yuan,
        })
    return rows


def test_jsonl_reads_every_real_decision_and_says_which_keys_it_used(real) -> None:
    assert len(real.decisions) == 45 and not real.skipped
    assert real.mapped["facts"] == "facts" and real.mapped["basis"] == "basis_penalty_provisions"
    assert real.mapped["decision_date"] == "date" and real.mapped["violation_date"] == "event_date"
    assert real.mapped["text"] == "full_text" and "notes" in real.unmapped
    d = {x.id: x for x in real.decisions}
    assert d["rd-029"].fine_yuan == 292.5 and d["rd-003"].doc_no == "沪市监徐处〔2022〕042021001697号"
    # no decision date on the page: the publication date bounds it, and says so
    assert d["rd-001"].decision_date == "2024-08-27" and d["rd-001"].decision_date_source == "date_published"
    assert d["rd-035"].decision_date == "2025-04" and d["rd-035"].violation_date == "2024-11"  # partial dates kept
    assert d["rd-001"].party_type == "organization"  # 有限公司 in the facts


def test_jsonl_bad_lines_and_duplicate_ids_are_reported_not_fatal(real_path: Path, tmp_path: Path) -> None:
    lines = real_path.read_text(encoding="utf-8").splitlines()[:3]
    p = tmp_path / "a.jsonl"
    p.write_text("\n".join([lines[0], "{not json", lines[1], lines[1], '{"id": "x1", "facts": ""}', "[1]"]) + "\n",
                 encoding="utf-8")
    rep = read_archive(p)
    assert [d.id for d in rep.decisions] == ["rd-001", "rd-002"]
    reasons = {i.row: i.reason for i in rep.skipped}
    assert "JSON" in reasons[2] and "重复" in reasons[4] and "处罚事由和处罚依据" in reasons[5] and "对象" in reasons[6]
    assert rep.rows == 6


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_sgs_export_maps_columns_and_reads_amounts_in_words(real, tmp_path: Path, encoding: str) -> None:
    rows = _sgs_rows(real)
    p = tmp_path / "export.csv"
    with p.open("w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=SGS, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
        w.writerow({"行政处罚决定书文号": "空行罚〔2024〕1号", "处罚事由": "", "处罚依据": ""})
        w.writerow({**{k: rows[0][k] for k in SGS}, "行政处罚决定书文号": "坏日期罚〔2024〕2号", "处罚决定日期": "2021-13-45"})
    rep = read_archive(p)
    assert rep.format == "csv"
    assert {rep.mapped[k] for k in ("doc_no", "party", "facts", "basis", "result", "decision_date", "agency")} == set(SGS[:7])
    assert rep.unmapped == ["数据来源"]
    assert len(rep.decisions) == len(rows) + 1
    for d, row in zip(rep.decisions, rows, strict=False):
        assert d.fine_yuan == pytest.approx(row["_fine"]) and "罚款" in d.penalty_types
        assert d.id == f"row-{rows.index(row) + 2}" and d.facts == row["处罚事由"]
    assert rep.decisions[0].party_type == "organization" and rep.decisions[1].party_type == "individual"
    skipped = rep.skipped
    assert len(skipped) == 1 and skipped[0].row == len(rows) + 2 and "处罚事由和处罚依据" in skipped[0].reason
    bad = [i for i in rep.issues if i.level == "warning"]
    assert len(bad) == 1 and "2021-13-45" in bad[0].reason and rep.decisions[-1].decision_date is None


def test_xlsx_sgs_export_with_date_cells(real, tmp_path: Path) -> None:
    from openpyxl import Workbook

    rows = _sgs_rows(real, 6)
    wb = Workbook()
    ws = wb.active
    ws.append(["罚款金额（万元）", *SGS])
    for r in rows:
        ws.append([r["_fine"] / 10000, *[r[k] for k in SGS[:5]], datetime(2024, 5, 6), *[r[k] for k in SGS[6:]]])
    p = tmp_path / "export.xlsx"
    wb.save(p)
    rep = read_archive(p)
    assert rep.format == "xlsx" and rep.mapped["fine_wan"] == "罚款金额（万元）"
    assert [d.fine_yuan for d in rep.decisions] == pytest.approx([r["_fine"] for r in rows])
    assert all(d.decision_date == "2024-05-06" for d in rep.decisions)


def test_unreadable_files_are_clear_errors(tmp_path: Path) -> None:
    p = tmp_path / "x.txt"
    p.write_text("a", encoding="utf-8")
    with pytest.raises(ArchiveError) as e:
        read_archive(p)
    assert e.value.code == "bad_format"
    with pytest.raises(ArchiveError) as e:
        read_archive(tmp_path / "missing.csv")
    assert e.value.code == "file_not_found"
    c = tmp_path / "cols.csv"
    c.write_text("名称,金额\n甲,1\n", encoding="utf-8")
    with pytest.raises(ArchiveError) as e:
        read_archive(c)
    assert e.value.code == "no_usable_columns" and "处罚事由" in str(e.value)
    x = tmp_path / "broken.xlsx"
    x.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(ArchiveError) as e:
        read_archive(x)
    assert e.value.code == "bad_xlsx"
