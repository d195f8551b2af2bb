"""POST /v1/documents: keys, formats, errors, audit (issues #5, #6)."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from docx import Document
from fastapi.testclient import TestClient

from api.app import create_app

CASE = json.loads((Path(__file__).resolve().parents[2] / "examples" / "case.json").read_text(encoding="utf-8"))


@pytest.fixture()
def client(app_env):
    with TestClient(create_app(app_env)) as c:
        yield c


def _key(client, role: str) -> dict:
    return {"X-API-Key": client.app.state.services.db.create_key(f"test-{role}", role)}


def test_document_needs_an_officer_or_system_key(client) -> None:
    body = {"kind": "penalty_decision", "case": CASE, "format": "html"}
    assert client.post("/v1/documents", json=body).status_code == 401
    r = client.post("/v1/documents", json=body, headers=_key(client, "reviewer"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_docx_decision_and_bundle(client) -> None:
    h = _key(client, "officer")
    r = client.post("/v1/documents", json={"kind": "penalty_decision", "case": CASE, "format": "docx"}, headers=h)
    assert r.status_code == 200, r.text
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "行政处罚决定书" in text and "《中华人民共和国食品安全法》第一百二十二条第一款" in text
    r = client.post("/v1/documents", json={"kind": "bundle", "case": CASE, "format": "docx"}, headers=h)
    assert r.headers["content-type"] == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(r.content)).namelist()) == 3
    rec = client.app.state.services.db.audit_records(1, "document")[0]
    assert rec["result"]["kind"] == "bundle" and rec["actor"] == "test-officer"


def test_missing_fields_are_listed_or_left_blank_in_a_draft(client) -> None:
    h = _key(client, "system")
    case = json.loads(json.dumps(CASE))
    case["party"].pop("address", None)
    r = client.post("/v1/documents", json={"kind": "penalty_decision", "case": case, "format": "html"}, headers=h)
    assert r.status_code == 422 and r.json()["error"]["code"] == "missing_fields"
    assert r.json()["error"]["details"]
    r = client.post("/v1/documents", json={"kind": "penalty_decision", "case": case, "format": "html", "draft": True},
                    headers=h)
    assert r.status_code == 200 and "待填写" in r.text


def test_unknown_kind_is_422(client) -> None:
    r = client.post("/v1/documents", json={"kind": "../../etc/passwd", "case": CASE}, headers=_key(client, "officer"))
    assert r.status_code == 422


def test_refused_document_is_audited_with_its_status(client) -> None:
    case = json.loads(json.dumps(CASE))
    case["party"].pop("address", None)
    r = client.post("/v1/documents", json={"kind": "penalty_decision", "case": case, "format": "html"},
                    headers={**_key(client, "officer"), "X-Request-ID": "doc-refused-1"})
    assert r.status_code == 422
    rec = client.app.state.services.db.audit_records(1, "document")[0]
    assert rec["request_id"] == "doc-refused-1" and rec["status"] == 422
    assert rec["result"]["error"]["code"] == "missing_fields" and rec["actor"] == "test-officer"


def test_extract_audit_masks_identifiers(client) -> None:
    text = "当事人王某（身份证号码：11010519491231002X，电话13800138000）驾驶渝A12345号车辆。"
    r = client.post("/v1/extract", json={"text": text})
    assert r.status_code == 200
    assert "11010519491231002X" in {e["text"] for e in r.json()["entities"]}  # the caller gets it in full
    rec = client.app.state.services.db.audit_records(1, "extract")[0]
    stored = json.dumps(rec, ensure_ascii=False)
    assert "11010519491231002X" not in stored and "13800138000" not in stored
    assert "11**************2X" in {e["text"] for e in rec["result"]}  # a trace to tell records apart, no more
