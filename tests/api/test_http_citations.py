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
