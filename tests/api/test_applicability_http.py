"""「适用于本案」 through HTTP: every search hit and every analyze provision carries ``applicability``, apart from
whether the text exists and is in force (index/applicability.py)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas_analyze import Applicability

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client(built_index, data_dir, shared_dir):
    from api.core.settings import Settings

    with TestClient(create_app(Settings(data_dir=data_dir, shared_dir=shared_dir))) as c:
        yield c


def _check(app: dict) -> Applicability:
    model = Applicability.model_validate(app)
    assert 0.0 <= model.probability <= 1.0 and model.evidence
    return model


def test_search_hits_carry_applicability(client) -> None:
    r = client.post("/v1/search", json={"query": "未取得食品经营许可从事食品经营活动", "as_of": "2026-03-01",
                                        "top_k": 5})
    assert r.status_code == 200, r.text
    hits = r.json()["results"]
    assert hits
    apps = [_check(h["applicability"]) for h in hits]
    assert apps[0].probability == max(a.probability for a in apps)
    assert "排序第一" in apps[0].evidence[0]


def test_analyze_provisions_carry_applicability_and_a_lawful_text_is_low(client) -> None:
    r = client.post("/v1/analyze", json={"description": "某餐馆后厨未取得食品经营许可证擅自经营，违法所得三千元",
                                         "as_of": "2026-03-01"})
    assert r.status_code == 200, r.text
    provisions = r.json()["provisions"]
    assert provisions and all(_check(p["applicability"]) for p in provisions)

    lawful = client.post("/v1/analyze", json={"description": "经检查，该超市证照齐全，所售食品均在保质期内，未发现违法行为。",
                                              "as_of": "2026-03-01"}).json()
    assert lawful["no_violation"] is True and lawful["provisions"]
    for p in lawful["provisions"]:
        assert _check(p["applicability"]).band == "low" and "未发现违法" in p["applicability"]["evidence"][0]
