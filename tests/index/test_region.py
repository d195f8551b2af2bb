"""Jurisdiction: another province's local regulations are never candidates unless the region asks for them."""

from __future__ import annotations

from datetime import date

import pytest

from index.engine import IndexConfig
from index.passages import Passage, passages_from_store
from index.search import Searcher
from nlp.citations import normalize_title
from nlp.encoders import HashEncoder
from nlp.regions import RegionError, normalize_region

RIVERS = ("浙江省河道管理条例", "上海市河道管理条例", "中华人民共和国水法", "中华人民共和国防洪法")
QUERY = "在河道管理范围内弃置、堆放阻碍行洪的物体"


@pytest.fixture(scope="module")
def river_searcher(store, tmp_path_factory: pytest.TempPathFactory) -> Searcher:
    keys = {normalize_title(t) for t in RIVERS}
    ps: list[Passage] = [p for p in passages_from_store(store) if p.meta["law_key"] in keys]
    assert {p.meta["region"] for p in ps} == {None, "浙江", "上海"}
    return Searcher.build(ps, HashEncoder(256), IndexConfig(), index_dir=tmp_path_factory.mktemp("rivers"),
                          corpus_version="test")


def _laws(searcher: Searcher, region: str | None) -> set[str]:
    return {h.law for h in searcher.search(QUERY, as_of=date(2024, 6, 1), top_k=30, region=region).hits}


def test_local_regulations_of_the_region_only(river_searcher: Searcher) -> None:
    zj, sh = _laws(river_searcher, "浙江"), _laws(river_searcher, "上海")
    assert "浙江省河道管理条例" in zj and "上海市河道管理条例" not in zj
    assert "上海市河道管理条例" in sh and "浙江省河道管理条例" not in sh
    # a province with no local regulations in the store still gets the national law
    cq = _laws(river_searcher, "重庆")
    assert cq and cq <= {"中华人民共和国水法", "中华人民共和国防洪法"}
    assert {"浙江省河道管理条例", "上海市河道管理条例"} <= _laws(river_searcher, None)


def test_region_names_are_normalised() -> None:
    assert normalize_region("浙江省杭州市") == "浙江"
    assert normalize_region("重庆市南岸区") == "重庆"
    assert normalize_region("内蒙古自治区") == "内蒙古"
    assert normalize_region(" 广东 ") == "广东"
    assert normalize_region("全国") is None
    with pytest.raises(RegionError):
        normalize_region("火星")


def test_region_is_stored_per_passage(store) -> None:
    rows = dict(store.con.execute("SELECT level, COUNT(DISTINCT region) FROM instruments GROUP BY level"))
    assert rows["地方性法规"] >= 7 and rows["法律"] == 0

