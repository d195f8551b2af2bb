"""Which stored version stands in for one missing from the store on a date (R2.7): the precomputed segments agree
with the rule stated directly, on generated version histories; and on the real store."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings, strategies as st

from index.engine import IndexConfig, PassageIndex
from index.pairing import PairIndex
from index.passages import Passage

BASE = date(2000, 1, 1)


def _index(enacted: int, windows: list[tuple[int, int | None]]) -> PassageIndex:
    """One law whose versions have the given effective windows (day offsets from BASE; None: still in force)."""
    passages = []
    for n, (ef, et) in enumerate(windows):
        start = BASE + timedelta(days=ef)
        # the earliest text's last article names the day the law first took effect
        first = min(range(len(windows)), key=lambda i: windows[i][0]) == n
        day = BASE + timedelta(days=enacted)
        text = f"本法自{day.year}年{day.month}月{day.day}日起施行。" if first else "本法自公布之日起施行。"
        meta = {"law": "中华人民共和国示例法", "law_key": "示例法", "version_id": f"v{n}", "article": 1,
                "unit": "article", "effective_from": start.isoformat(),
                "effective_to": None if et is None else (BASE + timedelta(days=et)).isoformat(), "region": None}
        passages.append(Passage(f"p{n}", text, meta))
    return PassageIndex(passages, IndexConfig(dense="none"), {}, None, None, np.full(len(passages), -1), PairIndex())


def _rule(enacted: int, windows: list[tuple[int, int | None]], d: int) -> dict[str, str]:
    """The rule as the docstring states it, day by day."""
    if d < enacted or any(ef <= d < (10**9 if et is None else et) for ef, et in windows):
        return {}
    later = sorted((ef, n) for n, (ef, _) in enumerate(windows) if ef > d)
    if not later:
        return {}
    ended = [(et, n) for n, (_, et) in enumerate(windows) if et is not None and et <= d]
    if ended:
        last_to, last = max(ended)
        if d - last_to < later[0][0] - d:
            return {f"v{last}": "nearest_earlier"}
    return {f"v{later[0][1]}": "nearest_later"}


@st.composite
def histories(draw: st.DrawFn) -> tuple[int, list[tuple[int, int | None]]]:
    """Versions that follow each other, with gaps (a version missing from the store) between some of them."""
    n = draw(st.integers(1, 4))
    day = draw(st.integers(0, 400))
    windows: list[tuple[int, int | None]] = []
    for i in range(n):
        start = day + draw(st.integers(0, 300))  # > day: the previous version's successor is not stored
        length = draw(st.integers(1, 400))
        end = None if i == n - 1 and draw(st.booleans()) else start + length
        windows.append((start, end))
        day = start + length
    enacted = draw(st.integers(0, windows[0][0] + 50))
    return enacted, windows


@settings(max_examples=150, deadline=None)
@given(histories(), st.lists(st.integers(0, 3000), min_size=5, max_size=20))
def test_segments_agree_with_the_rule(history: tuple[int, list[tuple[int, int | None]]], days: list[int]) -> None:
    enacted, windows = history
    idx = _index(enacted, windows)
    for d in days + [w[0] - 1 for w in windows] + [w[0] for w in windows] + [enacted - 1, enacted]:
        on = BASE + timedelta(days=d)
        assert idx.stand_in_versions(on) == _rule(enacted, windows, d), (on, windows)
        mask = idx.eligible_mask(on)
        expected = _rule(enacted, windows, d)
        for i, p in enumerate(idx.passages):
            in_force = (p.meta["effective_from"] <= on.isoformat()
                        < (p.meta["effective_to"] or "9999"))  # fmt: skip
            assert bool(mask[i]) == (in_force or p.meta["version_id"] in expected)


def test_gap_between_stored_versions_takes_the_nearer_text() -> None:
    # v0 in force days 0–100, the next version (not stored) from 100, v1 stored from 300
    idx = _index(0, [(0, 100), (300, None)])
    assert idx.stand_in_versions(BASE + timedelta(days=150)) == {"v0": "nearest_earlier"}
    assert idx.stand_in_versions(BASE + timedelta(days=250)) == {"v1": "nearest_later"}
    assert idx.stand_in_versions(BASE + timedelta(days=50)) == {}  # v0 in force: nothing missing
    # enacted the day the first stored text ended, the next stored from the day after: the ended text is nearer
    tie = _index(650, [(600, 650), (651, 652)])
    assert tie.stand_in_versions(BASE + timedelta(days=650)) == {"v0": "nearest_earlier"}


def test_real_store_has_stand_ins_only_for_enacted_laws(built_index) -> None:
    from api.services import Services

    idx = Services().searcher.index
    stand_ins = idx.stand_in_versions(date(2010, 6, 1))
    assert stand_ins and set(stand_ins.values()) <= {"nearest_later", "nearest_earlier"}
    law_of = {p.meta["version_id"]: p.meta["law_key"] for p in idx.passages}
    for vid in stand_ins:
        key = law_of[vid]
        assert idx.law_enacted[key] <= "2010-06-01"  # it existed; its text of the day is what is missing
        assert not any((ef or "") <= "2010-06-01" < (et or "9999") for ef, et in idx.law_windows[key])
    # 生态环境法典 (in force 2026-08-15) stands in for nothing before it existed
    assert all(law_of[v] != "生态环境法典" for v in idx.stand_in_versions(date(2021, 6, 1)))
