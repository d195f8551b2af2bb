"""Ingest: counts, idempotence, version windows from real sources (DOMAIN.md R2.6–R2.8)."""

from __future__ import annotations

import re
import time

import pytest

from corpus.ingest import SharedDirMissing, ingest
from corpus.store import Store


def test_counts(store) -> None:
    c = store.counts()
    assert c["level:行政法规"] >= 630  # 656 files, of which ~22 notices have no articles
    assert c["level:部门规章"] >= 28 and c["level:地方性法规"] >= 100
    assert c["level:法律"] >= 350
    assert c["articles"] > 55000
    assert c["items"] > 30000


def test_rerun_is_idempotent_and_fast(data_dir, shared_dir) -> None:
    store = Store.open(data_dir / "corpus.sqlite")
    before = store.counts()
    t = time.perf_counter()
    report = ingest(store, shared_dir)
    elapsed = time.perf_counter() - t
    assert report.added == 0 and report.removed == 0
    assert store.counts() == before
    assert elapsed < 30  # the bound for an unchanged re-run, not a benchmark


def test_missing_shared_dir_is_a_clear_error(tmp_path) -> None:
    store = Store.open(tmp_path / "s.sqlite", create=True)
    with pytest.raises(SharedDirMissing, match="EH_SHARED_DIR"):
        ingest(store, tmp_path / "nowhere")


def test_code_repeals_ten_laws_on_2026_08_15(store) -> None:
    """R2.6: taken from 法典 第一千二百四十二条, since LDB has no repeal-date column."""
    repealed = {
        "环境保护法", "环境影响评价法", "海洋环境保护法", "大气污染防治法", "水污染防治法", "土壤污染防治法",
        "固体废物污染环境防治法", "噪声污染防治法", "放射性污染防治法", "清洁生产促进法",
    }
    for key in repealed:
        (inst,) = store.instruments_by_key(key)
        last = store.versions(inst.id)[-1]
        assert (last.effective_to, last.repealed_by) == ("2026-08-15", "中华人民共和国生态环境法典"), key


def test_repeal_of_regulations_found_in_later_texts(store) -> None:
    """R2.8: 个体工商户条例 was repealed by 促进个体工商户发展条例 第三十九条 from 2022-11-01."""
    (inst,) = store.instruments_by_key("个体工商户条例")
    assert store.versions(inst.id)[-1].effective_to == "2022-11-01"


def test_successive_versions_chain(store) -> None:
    """R2.7: 商标法 2013 text (LawRefBook) until the 2019 amendment, which stays in force until the 2026 text takes
    effect on 2027-01-01."""
    (inst,) = store.instruments_by_key("商标法")
    vs = store.versions(inst.id)
    assert [v.version_date for v in vs] == ["2013-08-30", "2019-04-23", "2026-06-26"]
    assert [v.effective_to for v in vs] == [vs[1].effective_from, "2027-01-01", None]
    assert vs[-1].effective_from == "2027-01-01"


def test_amended_versions_start_when_their_decision_takes_effect(store, laws_db, resolver) -> None:
    """R2.7: an amendment is in force from the effective date of the 修改决定/修正案 adopted that day."""
    import sqlite3
    from datetime import date

    from nlp.citations import normalize_title

    con = sqlite3.connect(f"file:{laws_db}?mode=ro", uri=True)
    decisions = con.execute(
        "SELECT law_name, version_date, effective_date FROM laws WHERE doc_type IN ('修改决定', '修正案')").fetchall()
    con.close()
    checked = 0
    for name, adopted, effective in decisions:
        amended = re.match(r"^(.+?)修正案", name)  # 刑法修正案（十一） amends 刑法
        for title in [amended.group(1)] if amended else re.findall(r"《([^《》]+)》", name):
            for inst in store.instruments_by_key(normalize_title(title)):
                for v in store.versions(inst.id):
                    if v.version_date == adopted:
                        assert v.effective_from == max(adopted, effective), (title, adopted)
                        checked += 1
    assert checked >= 3
    # 食品安全法 amended 2025-09-12, in force 2025-12-01: before that the 2021 text applies, not the amended one.
    before = resolver.lookup("《食品安全法》第一百二十二条第一款", date(2025, 10, 1))
    after = resolver.lookup("《食品安全法》第一百二十二条第一款", date(2025, 12, 1))
    assert before.status == after.status == "verified"
    assert (before.as_of_version["version_date"], after.as_of_version["version_date"]) == ("2021-04-29", "2025-09-12")
    assert resolver.lookup("《食品安全法》第一百二十二条第一款", date(2025, 12, 1)).status == "verified"
