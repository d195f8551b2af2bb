"""The project's SAMPLE benchmark: real citations, exact statutory ranges (issue 4; DOMAIN.md R3.2, R5.9, R5.10)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from corpus.benchmarks import DEFAULT_BENCHMARK, load_yaml
from corpus.benchmarks.build import statute_text
from corpus.benchmarks.fines import fine_ranges
from nlp.citations import parse_one


@pytest.fixture(scope="module")
def sample(resolver):
    bench, report = load_yaml(DEFAULT_BENCHMARK, resolver=resolver, today=date(2026, 11, 22))
    return bench, report


def test_sample_is_marked_and_large_enough(sample):
    bench, report = sample
    assert bench.sample is True
    assert "SAMPLE" in (bench.notice or "") and "不得作为处罚依据" in bench.notice
    assert "SAMPLE" in DEFAULT_BENCHMARK.read_text(encoding="utf-8").splitlines()[1]
    assert report.ok, report.summary()
    assert len(bench.items) >= 80
    domains = Counter(i.domain for i in bench.items)
    assert len(domains) >= 8
    for required in ("市场监管/食品", "城市管理/市容环卫", "道路交通/道路运输", "生态环境", "消防", "安全生产", "税务/发票", "治安", "规划建设"):
        assert domains[required] >= 5, required


def test_every_citation_verifies_inside_the_window(sample, resolver):
    bench, _ = sample
    failures = []
    for item in bench.items:
        as_of = item.window.valid_from
        assert as_of is not None and item.window.contains(as_of)
        for role, cite in item.citations():
            chk = resolver.lookup(cite, as_of)
            if chk.status != "verified":
                failures.append(f"{item.id} {role} {cite}: {chk.status} {chk.message}")
            elif chk.normalized != cite:
                failures.append(f"{item.id} {role} {cite}: not canonical, store says {chk.normalized}")
        assert item.violated and item.basis, item.id
    assert not failures, "\n".join(failures)


def test_statutory_range_is_exactly_what_the_cited_penalty_provision_says(sample, resolver):
    bench, _ = sample
    for item in bench.items:
        as_of = item.window.valid_from
        expected = []
        for cite in item.basis:
            text = statute_text(resolver, cite, as_of)
            assert text, f"{item.id}: no text for {cite}"
            expected.extend(r.key() for r in fine_ranges(text))
        assert expected, f"{item.id}: the cited 罚则 has no fine range"
        assert [f.key() for f in item.statutory_fines] == expected, item.id


def test_every_tier_band_lies_inside_a_statutory_range_and_tiers_are_ordered(sample):
    bench, _ = sample
    for item in bench.items:
        labels = [t.level for t in item.tiers]
        assert labels == ["从轻", "一般", "从重"], item.id
        for t in item.tiers:
            assert len(t.fines) == len(item.statutory_fines), (item.id, t.level)
            for band, stat in zip(t.fines, item.statutory_fines, strict=True):
                assert stat.contains(band), (item.id, t.level, band.describe(), stat.describe())
        # positions increase from 从轻 to 从重 within every statutory clause (R5.10 step 3)
        for j in range(len(item.statutory_fines)):
            tops = [t.fines[j].max for t in item.tiers]
            assert tops == sorted(tops), item.id
            assert tops[-1] == item.statutory_fines[j].max, item.id


def test_unit_and_individual_penalties_cite_their_own_paragraph(sample):
    """Pitfall (c): 消防法 第六十条第一款 fines a unit 5,000–50,000 yuan; 第二款 gives a person ≤500 yuan."""
    bench, _ = sample
    fire60 = [i for i in bench.items if any("消防法》第六十条" in b for b in i.basis)]
    assert fire60
    for item in fire60:
        para = parse_one(item.basis[0]).paragraph
        if item.party == "individual":
            assert para == 2 and item.statutory_fines[0].max == 500
        else:
            assert para == 1 and (item.statutory_fines[0].min, item.statutory_fines[0].max) == (5000, 50000)


def test_environment_items_use_the_code_in_force_after_the_switch(sample, resolver):
    """R2.6: violations on or after 2026-08-15 are cited under 生态环境法典."""
    bench, _ = sample
    eco = [i for i in bench.items if i.domain == "生态环境"]
    assert eco
    for item in eco:
        assert all("生态环境法典" in c for c in item.basis), item.id
        assert item.window.valid_from >= date(2026, 8, 15)
        assert resolver.lookup(item.basis[0], date(2026, 8, 14)).status == "not_in_force"


def test_benchmark_is_never_the_penalty_basis(sample):
    """R3.2 / pitfall (k): only statutes are cited; the sample is its own SourceDoc."""
    bench, _ = sample
    for item in bench.items:
        for cite in item.basis + item.violated:
            assert "基准" not in cite and "清单" not in cite
        assert item.source.title == bench.source.title
