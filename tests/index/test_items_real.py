"""Items as evidence with the real e5 model, the real index and the real benchmark tables."""

from __future__ import annotations

from datetime import date

import pytest

from nlp.citations import normalize_title, parse_one

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def services(built_index, data_dir, shared_dir):
    from api.core.settings import Settings
    from api.services import Services

    return Services(Settings(data_dir=data_dir, shared_dir=shared_dir))


def test_every_loaded_table_contributes_items(services) -> None:
    items = services.searcher.items
    assert items is not None and items.vecs is not None and len(items.vecs) == len(items)
    names = {r.benchmark for r in items.records}
    assert {"default-sample", "jiangmen-eco-2020"} <= names


def test_item_evidence_is_traceable_to_a_real_item(services) -> None:
    res = services.searcher.search("饭店把安全出口锁起来了", as_of=date(2026, 10, 1), top_k=5)
    with_items = [h for h in res.hits if h.items]
    assert with_items
    for h in with_items:
        for ev in h.items:
            item = services.benchmarks.get(ev["item_id"], ev["benchmark"])
            cited = {(normalize_title(c.law), c.article) for c in map(parse_one, item.basis + item.violated)}
            assert (normalize_title(h.law), h.article) in cited


def test_criminal_law_is_not_offered_for_an_administrative_violation(services) -> None:
    res = services.searcher.search("故意损毁他人财物", as_of=date(2026, 10, 1), top_k=10)
    assert res.hits and all("刑法" not in h.law for h in res.hits)
