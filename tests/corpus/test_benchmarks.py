"""Benchmark tables: real sources in, one schema out (issue 4; DOMAIN.md R2.6, R2.9, R3.2, R5.1–R5.10)."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from corpus.benchmarks import BenchmarkStore, default_mapping, load_path, seed
from corpus.benchmarks.conditions import evaluate, parse_conditions
from corpus.benchmarks.schema import BenchmarkError
from corpus.benchmarks.sources import (
    JIANGMEN_TABLE,
    guangdong_no_penalty,
    jiangmen_no_penalty,
    jiangmen_table,
    shanghai_fire_no_penalty,
    shanghai_police_fire,
    window_from_text,
)

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def raw(shared_dir: Path) -> Path:
    return shared_dir / "corpus" / "raw"


@pytest.fixture(scope="module")
def jiangmen(raw, resolver):
    return jiangmen_table(raw, resolver, today=TODAY)


@pytest.fixture(scope="module")
def sh_fire(raw, resolver):
    return shanghai_police_fire(raw, resolver, today=TODAY)


@pytest.fixture(scope="module")
def lists(raw, resolver):
    return {
        "sh": shanghai_fire_no_penalty(raw, resolver, today=TODAY),
        "jm": jiangmen_no_penalty(raw, resolver, today=TODAY),
        "gd": guangdong_no_penalty(raw, resolver, today=TODAY),
    }


# ---------------------------------------------------------------- tier scale (R5.1, R5.4)


def test_class_severity_formula_rounds_half_up():
    m = default_mapping()
    assert [m.map_class("jiangmen_class", k, 3).severity for k in (1, 2, 3)] == [1, 3, 5]
    assert [m.map_class("jiangmen_class", k, 2).severity for k in (1, 2)] == [1, 5]
    # 4·(2−1)/(9−1) = 0.5: half up gives 2, banker's rounding would give 1
    assert m.map_class("jiangmen_class", 2, 9).severity == 2
    assert m.map_class("jiangmen_class", 5, 5).level == "从重"
    assert m.map_label("sh_police_fire", "情节较轻").severity == 2
    assert m.map_label("sh_police_fire", "情节严重且构成重大火灾隐患").severity == 5
    with pytest.raises(BenchmarkError):
        m.map_label("sh_fire_5", "特别严重")


# ---------------------------------------------------------------- 江门 table


def test_jiangmen_counts_match_the_source(jiangmen, raw):
    bench, report = jiangmen.benchmark, jiangmen.report
    with open(raw / JIANGMEN_TABLE, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert report.rows_read == len(rows) == 872
    assert len(bench.items) == len({(r["sheet"], r["seq"]) for r in rows}) == 165
    no_class = [r for r in rows if not r["tier"].strip()]
    assert report.rows_skipped == len(no_class) == 6
    assert sum(1 for i in report.issues if i.code == "no_class") == 6
    assert sum(len(i.tiers) for i in bench.items) == 872 - 6
    # R5.4: K is 2 for 22 violations, 3 for 59, 4 for 37, 5 for 36 and 6–10 for 11
    k = Counter(i.extra["n_classes"] for i in bench.items)
    assert (k[2], k[3], k[4], k[5], sum(k[n] for n in range(6, 11))) == (22, 59, 37, 36, 11)


def test_jiangmen_keeps_source_labels_and_maps_them(jiangmen):
    for item in jiangmen.benchmark.items:
        K = item.extra["n_classes"]
        for t in item.tiers:
            assert t.source_label == str(t.source_rank)
            if t.source_rank == 1 and K > 1:
                assert t.severity == 1 and t.level == "从轻"
            if t.source_rank == K and K > 1:
                assert t.severity == 5 and t.level == "从重"


def test_jiangmen_basis_is_the_statute_and_repeal_is_flagged(jiangmen):
    """R3.2: 法律依据 become 罚则 citations; R2.6/R2.9: the laws 法典 repealed are usable before 2026-08-15."""
    items = {i.id: i for i in jiangmen.benchmark.items}
    air = items["jiangmen-3-3"]
    assert air.basis == ["《中华人民共和国大气污染防治法》第九十九条第（一）项"]
    assert air.extra["statute_repealed_on"] == "2026-08-15"
    assert any("2026年8月15日" in f and "之前" in f for f in air.flags)
    assert air.window.valid_from == date(2020, 3, 1) and air.window.valid_to == date(2023, 2, 28)
    # the quoted statute text is kept for comparison (R1.13) but never replaces the store's text
    assert "十万元以上一百万元以下" in air.basis_text
    assert [f.describe() for f in air.statutory_fines] == ["100000–1000000元"]
    # a typo in the source title is reported, not repaired by guessing
    typo = items["jiangmen-4-5"]
    assert any("law_not_found" in f for f in typo.flags)
    # the 2016 固废法 text (a dated LawRefBook version) was in force on 2020-03-01: the item verifies against it,
    # not against the 2020 revision (R2.7)
    solid = items["jiangmen-4-1"]
    assert not any("not_in_force" in f for f in solid.flags)
    assert solid.window.valid_from == date(2020, 3, 1)


def test_jiangmen_bands_lie_inside_the_statute(jiangmen):
    """R5.10 step 2: a band outside the cited 罚则's range would be rejected at load time."""
    checked = 0
    for item in jiangmen.benchmark.items:
        for t in item.tiers:
            for band in t.fines:
                same = [s for s in item.statutory_fines if s.kind == band.kind and s.base == band.base]
                if same:
                    assert any(s.contains(band) for s in same), (item.id, t.source_label, band.describe())
                    checked += 1
    assert checked > 300
    assert not any(i.code == "band_outside_statute" for i in jiangmen.report.issues)


def test_jiangmen_conditions_become_predicates(jiangmen):
    items = {i.id: i for i in jiangmen.benchmark.items}
    by_text = {t.condition: t for i in items.values() for t in i.tiers}
    t = by_text["两年内第2次"]
    assert [(p.field, p.op, p.value, p.window) for p in t.predicates] == [("违法次数", "==", 2.0, "两年内")]
    # 超标…倍以上 OR 超标因子超过一个: one of two alternatives suffices
    cond = next(c for c in by_text if c.startswith("排放大气污染物（不含重金属") and "1倍以上或者超标因子超过一个" in c)
    preds = by_text[cond].predicates
    assert evaluate(preds, {"超标倍数": 0.3, "超标因子数": 2}) is True
    assert evaluate(preds, {"超标倍数": 1.5}) is True
    assert evaluate(preds, {"超标倍数": 0.3, "超标因子数": 1}) is False
    area = by_text["涉及面积1000平方米以上10000平方米以下，拒不改正的"]
    assert evaluate(area.predicates, {"面积": 5000, "拒不改正": True}) is True
    assert evaluate(area.predicates, {"面积": 5000, "拒不改正": False}) is False
    assert evaluate(area.predicates, {"面积": 20000, "拒不改正": True}) is False
    assert evaluate(area.predicates, {"面积": 5000}) is None
    assert jiangmen.report.tiers_with_predicates > 500
    assert jiangmen.report.tiers_words_only > 100


def test_condition_parser_bounds_and_negation():
    preds, _ = parse_conditions("违法所得25万元以上不超过30万元的")
    assert [(p.field, p.op, p.value) for p in preds] == [("违法所得", ">=", 250000.0), ("违法所得", "<=", 300000.0)]
    # R5.8: 以下 includes the number unless the source (粤裁量规定 第二十三条) says otherwise
    inc, _ = parse_conditions("超标0.5倍以下")
    exc, _ = parse_conditions("超标0.5倍以下", below_inclusive=False)
    assert inc[0].op == "<=" and exc[0].op == "<"
    neg, _ = parse_conditions("不涉及自然保护区、饮用水源保护区")
    assert [(p.field, p.value) for p in neg] == [("环境敏感区", False)]
    # R7.7: 未及时改正 is not 及时改正
    late, _ = parse_conditions("未及时改正的")
    assert [(p.field, p.value) for p in late] == [("及时改正", False)]
    conj, _ = parse_conditions("同时满足下列情形的：（1）属于首次违法；（2）在责令改正期限内改正违法行为，危害后果轻微。")
    assert evaluate(conj, {"首次违法": True, "及时改正": True, "危害后果轻微": True}) is True
    assert evaluate(conj, {"首次违法": False, "及时改正": True, "危害后果轻微": True}) is False


# ---------------------------------------------------------------- 上海 fire benchmark


def test_shanghai_fire_benchmark(sh_fire):
    bench, report = sh_fire.benchmark, sh_fire.report
    assert len(bench.items) == 12 and report.rows_skipped == 0
    assert bench.source.doc_no == "沪公行规〔2022〕2号"
    assert (bench.window.valid_from, bench.window.valid_to) == (date(2022, 8, 2), date(2027, 8, 1))
    items = {i.id: i for i in bench.items}
    first = items["sh-police-fire-1"]
    assert first.basis == ["《中华人民共和国消防法》第六十三条第（一）项"]
    assert [t.source_label for t in first.tiers] == ["基本罚则", "情节严重"]
    assert first.tiers[1].penalty_types == ["行政拘留"]
    four = items["sh-police-fire-4"]
    assert [t.source_label for t in four.tiers] == ["基本罚则", "情节较轻"]
    assert four.tiers[1].severity < four.tiers[0].severity
    signs = items["sh-police-fire-11"]
    assert [(t.source_label, t.fine.describe()) for t in signs.tiers] == [
        ("基本罚则", "5000–20000元"), ("情节严重", "20000–35000元"), ("情节严重且构成重大火灾隐患", "35000–50000元")]
    # the 违则 named inside the 罚则's text (违反本条例第十八条第一款第三项规定) is extracted (R1.9)
    assert signs.violated == ["《上海市消防条例》第十八条第一款第（三）项"]
    # 上海市消防条例 is in the corpus (上海 local regulations): its citation resolves
    assert not any("law_not_found" in f for f in signs.flags)
    # 3处以上 / 500㎡以上 become predicates
    twelve = items["sh-police-fire-12"].tiers[1]
    assert {(p.field, p.op, p.value) for p in twelve.predicates} >= {("处数", ">=", 3.0), ("面积", ">=", 500.0)}


# ---------------------------------------------------------------- 不予处罚 lists (R5.7)


def test_no_penalty_lists(lists):
    sh, jm, gd = lists["sh"].benchmark, lists["jm"].benchmark, lists["gd"].benchmark
    assert (len(sh.items), len(jm.items), len(gd.items)) == (19, 40, 20)
    # 广东 CSV has 22 rows: 20 items, one page-break continuation, one 备注 row — all accounted for
    assert lists["gd"].report.rows_read == 22
    assert {i.code for i in lists["gd"].report.issues} >= {"continuation_row", "notes_row"}
    assert lists["gd"].benchmark.items[13].tiers[0].condition.endswith("危害后果轻微。")
    for bench in (sh, jm, gd):
        for item in bench.items:
            assert item.basis == []  # a no-penalty item names no 罚则
            (tier,) = item.tiers
            assert (tier.level, tier.level_rank, tier.source_label) == ("不予处罚", 0, "不予处罚")
            assert tier.statutory_ground.startswith("《中华人民共和国行政处罚法》第三十三条")
    grounds = Counter(i.tiers[0].statutory_ground for i in sh.items)
    assert grounds["《中华人民共和国行政处罚法》第三十三条第二款"] == 2  # group 三: no fault
    assert lists["sh"].report.citations.get("verified", 0) > 20


def test_no_penalty_windows_follow_the_documents(lists):
    assert lists["jm"].benchmark.window.valid_to == date(2025, 1, 31)
    assert lists["gd"].benchmark.window.valid_to == date(2026, 12, 31)
    assert lists["sh"].benchmark.window.valid_from == date(2026, 1, 13)
    assert lists["sh"].benchmark.window.valid_to is None


def test_window_sentences():
    w = window_from_text("本规定自2020年3月1月起施行，有效期三年。")
    assert (w.valid_from, w.valid_to) == (date(2020, 3, 1), date(2023, 2, 28))
    w = window_from_text("本裁量基准自印发之日起施行，有效期5年。", published=date(2022, 8, 2))
    assert (w.valid_from, w.valid_to) == (date(2022, 8, 2), date(2027, 8, 1))


# ---------------------------------------------------------------- agency tables: CSV / XLSX / YAML


AGENCY_ROWS = [
    # header uses the words agencies use
    ["事项编号", "违法行为", "违反条款", "处罚依据", "裁量阶次", "裁量情节", "裁量标准", "备注", "联系人"],
    ["A-1", "单位占用疏散通道", "《消防法》第二十八条", "《消防法》第六十条第一款第（三）项", "从轻", "初次违法，占用1处", "处五千元以上一万元以下罚款", "", "张三"],
    ["A-1", "单位占用疏散通道", "《消防法》第二十八条", "《消防法》第六十条第一款第（三）项", "一般", "占用2处以上不足5处", "处一万元以上三万元以下罚款", "", ""],
    ["A-1", "单位占用疏散通道", "《消防法》第二十八条", "《消防法》第六十条第一款第（三）项", "从重", "两年内第2次以上", "处三万元以上八万元以下罚款", "", ""],
    ["A-2", "个人占用疏散通道", "《消防法》第二十八条", "《消防法》第六十条第二款", "特别轻", "", "警告", "", ""],
]


def _write_csv(path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(AGENCY_ROWS)


def _write_xlsx(path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    for row in AGENCY_ROWS:
        wb.active.append(row)
    wb.save(path)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_agency_table_loads_and_reports(tmp_path, resolver, fmt):
    path = tmp_path / f"agency.{fmt}"
    (_write_csv if fmt == "csv" else _write_xlsx)(path)
    bench, report = load_path(path, resolver=resolver, today=TODAY, defaults={"region": "重庆市", "valid_from": "2026-01-01"})
    assert report.rows_read == 4
    codes = Counter(i.code for i in report.issues)
    # the unknown label 特别轻 is rejected with the reason, and item A-2 is then reported as unusable
    assert codes["unknown_tier_scale"] == 1
    # R5.10: 三万元以上八万元以下 exceeds 消防法 第六十条第一款 (5,000–50,000): rejected
    assert codes["band_outside_statute"] == 1
    assert codes["column_ignored"] == 1
    (item,) = bench.items
    assert item.basis == ["《中华人民共和国消防法》第六十条第一款第（三）项"]
    assert item.violated == ["《中华人民共和国消防法》第二十八条"]
    assert [t.level for t in item.tiers] == ["从轻", "一般"]
    assert item.tiers[1].fine.describe() == "10000–30000元"
    assert item.region == "重庆市" and item.window.valid_from == date(2026, 1, 1)
    assert report.citations == {"verified": 2}
    assert not report.ok and "band_outside_statute" in report.summary()


def test_table_without_required_columns_is_refused(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("名称,金额\n甲,100\n", encoding="utf-8")
    with pytest.raises(BenchmarkError, match="违法行为"):
        load_path(p)
    with pytest.raises(BenchmarkError, match="unsupported"):
        load_path(Path(__file__))


# ---------------------------------------------------------------- store


def test_store_load_list_and_lookup(tmp_path, resolver, raw):
    store = BenchmarkStore.open(tmp_path / "benchmarks.sqlite")
    reports = seed(store, raw, resolver, today=TODAY)
    assert len(reports) == 6
    infos = {b.name: b for b in store.list()}
    assert infos["default-sample"].sample and infos["default-sample"].items >= 80
    assert infos["jiangmen-eco-2020"].items == 165 and not infos["jiangmen-eco-2020"].valid_on(TODAY)
    assert infos["shanghai-police-fire-2022"].valid_on(TODAY)
    no_penalty = sum(infos[n].items for n in infos if "no-penalty" in n)
    assert no_penalty == 19 + 40 + 20
    hits = store.by_citation("《中华人民共和国消防法》第六十条第二款", role="basis")
    assert {b for b, _ in hits} == {"default-sample"}
    assert all(i.party == "individual" for _, i in hits)
    # an agency loads its own table with one call and gets the report back
    p = tmp_path / "agency.csv"
    _write_csv(p)
    rep = store.load(p, resolver=resolver, name="agency-fire")
    assert rep.benchmark == "agency-fire" and store.report("agency-fire").rows_read == 4
    assert store.get("A-1", "agency-fire").title == "单位占用疏散通道"
    assert [i.id for i in store.items(benchmark="agency-fire")] == ["A-1"]
    valid_now = {i.id for i in store.items(domain="生态环境", valid_on=TODAY)}
    assert "eco-04" in valid_now and "jiangmen-3-3" not in valid_now
    assert store.remove("agency-fire") and not store.remove("agency-fire")
    store.close()
    # reopening reads the same data back
    again = BenchmarkStore.open(tmp_path / "benchmarks.sqlite", create=False)
    assert {b.name for b in again.list()} == set(infos)
    again.close()
