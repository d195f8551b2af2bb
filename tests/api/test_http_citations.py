"""HTTP: /v1/citations/verify, /v1/provisions, health, the error model (issue #2)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app


@pytest.fixture()
def client(app_env):
    with TestClient(create_app(app_env)) as c:
        yield c


def test_verify(client: TestClient) -> None:
    r = client.post("/v1/citations/verify", json={"text": "违反《道路交通安全法实施条例》第五十六条第（一）项", "as_of": "2025-03-01"})
    assert r.status_code == 200
    (c,) = r.json()["citations"]
    assert c["status"] == "verified" and c["law"] == "中华人民共和国道路交通安全法实施条例"


def test_provisions(client: TestClient) -> None:
    r = client.get("/v1/provisions", params={"cite": "《大气污染防治法》第九十九条", "as_of": "2025-03-01"})
    assert r.status_code == 200 and r.json()["status"] == "verified"
    r = client.get("/v1/provisions", params={"cite": "《大气污染防治法》第九十九条", "as_of": "2026-09-01"})
    assert r.json()["status"] == "not_in_force" and r.json()["reason"] == "repealed"


@pytest.mark.parametrize(
    ("method", "url", "kw", "status", "code"),
    [
        ("post", "/v1/citations/verify", {"json": {"text": ""}}, 422, "invalid_request"),
        ("post", "/v1/citations/verify", {"json": {"text": "x", "as_of": "2025-02-30"}}, 422, "bad_date"),
        ("post", "/v1/citations/verify", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 422, "invalid_request"),
        ("post", "/v1/citations/verify", {"json": {"text": "条" * 30000}}, 413, "input_too_large"),
        ("get", "/v1/provisions", {"params": {"cite": "第三条"}}, 422, "bad_citation"),
        ("get", "/v1/nothing", {}, 404, "not_found"),
    ],
)
def test_errors_have_one_shape(client: TestClient, method: str, url: str, kw: dict, status: int, code: str) -> None:
    r = getattr(client, method)(url, **kw)
    assert r.status_code == status
    assert r.json()["error"]["code"] == code and r.json()["error"]["message"]


def test_health_and_docs(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json()["status"] == "ready"
    assert "/v1/citations/verify" in client.get("/openapi.json").json()["paths"]


def test_verify_contract_fields_end_with_article_sub(client: TestClient) -> None:
    from api.services import CITATION_FIELDS

    r = client.post("/v1/citations/verify", json={"text": "《刑法》第一百二十条之二", "as_of": "2026-01-01"})
    (c,) = r.json()["citations"]
    assert tuple(c)[:len(CITATION_FIELDS)] == CITATION_FIELDS and CITATION_FIELDS[-1] == "article_sub"
    assert c["article_sub"] == 2 and c["status"] == "verified"


def test_provision_before_the_stored_version_has_no_text(client: TestClient) -> None:
    # the earliest stored 治安管理处罚法 is the 2012 text: on a 2010 date the store has no text in force
    r = client.get("/v1/provisions", params={"cite": "《治安管理处罚法》第五十一条第（一）项", "as_of": "2010-06-01"})
    body = r.json()
    assert body["status"] == "not_in_force" and body["text"] is None and body["stored_text"]
    assert body["stored_text_applicable"] is False


def test_search_answer_has_the_signals(client: TestClient, built_index) -> None:
    # 道路交通安全法 is stored from its 2011 amendment: a 2010 drink-driving case meets a version gap
    r = client.post("/v1/search", json={"query": "饮酒后驾驶机动车", "as_of": "2010-06-01", "top_k": 3})
    body = r.json()
    assert r.status_code == 200 and {"no_match", "confidence", "notes", "version_gaps", "results"} <= set(body)
    (gap,) = [g for g in body["version_gaps"] if g["law"] == "中华人民共和国道路交通安全法"]
    assert gap["version_status"] == "nearest_later" and gap["stored_from"] > "2010-06-01"
    road = [h for h in body["results"] if h["law"] == "中华人民共和国道路交通安全法"]
    assert road and all(h["version_status"] == "nearest_later" and h["version_note"] for h in road)
    # 食品安全法's 2021 text (a dated LawRefBook version) applies in 2025: no gap, the law is found
    food = client.post("/v1/search", json={"query": "某餐馆后厨未取得食品经营许可证擅自经营", "as_of": "2025-06-01",
                                            "top_k": 3}).json()
    assert food["results"][0]["law"] == "中华人民共和国食品安全法" and not food["version_gaps"]
