"""The response model of POST /v1/analyze (api/schemas_analyze.py) against real answers and the web page.

Real answers (real e5 model, index, benchmarks) for real published decisions and for the cases of issue #4 are
validated with every model closed (``extra="forbid"``): a field the service emits that the model lacks fails here.
The web page's analysis code must read only fields the models declare.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas_analyze import MODELS, AnalyzeBatchResponse, AnalyzeResponse, Reminder

pytestmark = pytest.mark.slow

WEB = Path(__file__).resolve().parents[2] / "api" / "web" / "app.js"
# Descriptions that take every path of the service: item, statutory split, no violation, party unknown, a repealed
# 罚则 with a later decision date (从旧兼从轻), limitation without a discovery date.
CASES = [
    {"description": "某餐馆后厨未取得食品经营许可证擅自经营，货值金额八千元，系初次违法，危害后果轻微，已当场改正",
     "as_of": "2026-10-01", "party_type": "organization"},
    {"description": "工地土方裸露未覆盖，扬尘严重，经责令改正拒不改正", "as_of": "2026-10-01"},
    {"description": "化工厂超过大气污染物排放标准排放废气", "as_of": "2025-05-01", "party_type": "organization",
     "decision_date": "2026-10-01"},
    {"description": "经现场检查，该店持有有效食品经营许可证，未发现违法行为", "as_of": "2026-10-01"},
    {"description": "小贩擅自占道摆摊卖水果", "as_of": "2021-03-01", "decision_date": "2026-10-01"},
    {"description": "商场占用、堵塞疏散通道", "as_of": "2026-10-01", "party_type": "organization", "region": "全国"},
]


def _real_decisions(shared_dir: Path, n: int = 6) -> list[dict]:
    rows = [json.loads(x) for x in (shared_dir / "eval" / "real_decisions" / "decisions.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]
    return [{"id": r["id"], "description": r["facts"], "as_of": r.get("event_date") or r.get("date_published")}
            for r in rows[:n]]


@contextmanager
def closed_models() -> Iterator[None]:
    """Every answer model with ``extra="forbid"`` for the duration (leaves first, so parents pick up the change)."""
    saved = {m: m.model_config.get("extra") for m in MODELS}
    try:
        for m in MODELS:
            m.model_config["extra"] = "forbid"
            m.model_rebuild(force=True)
        yield
    finally:
        for m in MODELS:
            m.model_config["extra"] = saved[m]
            m.model_rebuild(force=True)


@pytest.fixture(scope="module")
def client(built_index, data_dir, shared_dir):
    from api.core.settings import Settings

    with TestClient(create_app(Settings(data_dir=data_dir, shared_dir=shared_dir))) as c:
        yield c


def test_closing_the_models_refuses_an_undeclared_field() -> None:
    """The check below can fail: an extra field anywhere in the tree is refused once the models are closed."""
    from pydantic import ValidationError

    reminder = {"code": "hearing", "message": "应告知听证权利", "rule": "处罚法 第六十三条", "blocking": False}
    with closed_models():
        Reminder.model_validate(reminder)
        with pytest.raises(ValidationError):  # also nested: the answer refuses a reminder with an extra field
            AnalyzeResponse.model_validate({**_MINIMAL, "reminders": [{**reminder, "surprise": 1}]})
        AnalyzeResponse.model_validate({**_MINIMAL, "reminders": [reminder]})
        with pytest.raises(ValidationError):
            Reminder.model_validate({**reminder, "surprise": 1})
    Reminder.model_validate({**reminder, "surprise": 1})  # open again afterwards


def test_openapi_names_the_model_and_its_fields(client) -> None:
    spec = client.get("/openapi.json").json()
    ok = spec["paths"]["/v1/analyze"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/AnalyzeResponse"}
    batch = spec["paths"]["/v1/analyze/batch"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert batch == {"$ref": "#/components/schemas/AnalyzeBatchResponse"}
    comps = spec["components"]["schemas"]
    answer = comps["AnalyzeResponse"]["properties"]
    assert {"provisions", "matches", "item", "similar_items", "tier", "fine", "factors", "reminders", "no_violation",
            "no_violation_evidence", "from_old_from_light", "as_of", "decision_date", "discovery_date",
            "region"} <= set(answer)
    assert all(p.get("description") for p in answer.values())  # every field says what it is
    fine = comps["Fine"]["properties"]
    assert {"source", "min", "max", "suggested", "arithmetic", "rule", "lawful_range", "base_needed"} <= set(fine)
    assert fine["source"]["enum"] == ["item", "statutory_split"]
    assert {"code", "message", "blocking", "rule"} <= set(comps["Reminder"]["properties"])
    assert {"violated", "basis", "newer_version", "items"} <= set(comps["Provision"]["properties"])
    lighter = comps["FromOldFromLight"]["properties"]
    assert {"lighter", "reason", "violation_version", "decision_version"} <= set(lighter)


def test_real_answers_validate_against_the_closed_model(client, shared_dir) -> None:
    bodies = CASES + _real_decisions(shared_dir)
    answers = []
    for body in bodies:
        r = client.post("/v1/analyze", json=body)
        assert r.status_code == 200, r.text
        answers.append(r.json())
    with closed_models():
        for answer in answers:
            AnalyzeResponse.model_validate(answer)  # raises on any field the model lacks
    # every path was taken: item and statutory split, no violation, 从旧兼从轻, a limitation reminder
    assert {a["fine"]["source"] for a in answers if a["fine"]} == {"item", "statutory_split"}
    assert any(a["no_violation"] and a["no_violation_evidence"] for a in answers)
    assert any(a["from_old_from_light"] for a in answers)
    assert any(r["code"] == "discovery_date_needed" for a in answers for r in a["reminders"])
    assert any(a.get("similar_items") for a in answers) or any(a.get("item") for a in answers)

    r = client.post("/v1/analyze/batch", json={"items": [CASES[1], {**CASES[0], "as_of": "2026-13-01"}]})
    assert r.status_code == 200
    with closed_models():
        AnalyzeBatchResponse.model_validate(r.json())
    assert r.json()["results"][1]["error"]["code"] == "bad_date"


def test_the_model_does_not_change_the_json(client) -> None:
    """The answer over HTTP is the service's dict: no field added or dropped, None kept, nothing renamed."""
    from datetime import date

    body = CASES[0]
    svc = client.app.state.services
    direct = svc.analyze(body["description"], date.fromisoformat(body["as_of"]), body["party_type"])
    sent = client.post("/v1/analyze", json={**body, "id": "k1"}).json()
    assert sent == json.loads(json.dumps({"id": "k1", **direct}, ensure_ascii=False))


# The smallest answer the model accepts (the closing test nests a reminder in it).
_MINIMAL = {"description": "x", "retrieval_text": "x", "as_of": None, "region": "全国", "decision_date": "2026-10-01",
            "discovery_date": None, "no_match": True, "confidence": None, "provisions": [], "matches": [],
            "tier": None, "fine": None, "factors": [], "reminders": [], "no_violation": False,
            "from_old_from_light": None}

# Variables of the page's analysis code that hold parts of the answer (its own objects, e.g. ``a``, are not checked).
_ANSWER_VARS = ("d", "b", "t", "f", "c", "r", "l", "s", "it", "m", "x", "v", "later", "lawful", "e")


def _analysis_section() -> str:
    js = WEB.read_text(encoding="utf-8")
    start = js.index("// ================================================================== analysis answer")
    end = js.index("// ================================================================== end of the analysis answer")
    return js[start:end]


def test_web_page_reads_only_declared_fields() -> None:
    section = _analysis_section()
    declared = {name for m in MODELS for name in m.model_fields}
    read = set(re.findall(rf"\b(?:{'|'.join(_ANSWER_VARS)})\.([A-Za-z_][A-Za-z0-9_]*)", section))
    read |= set(re.findall(r"\ba\.(?:best|top)\.([A-Za-z_][A-Za-z0-9_]*)", section))  # the item, the top hit
    assert read, "the analysis section reads no field"
    assert read <= declared, sorted(read - declared)
    # it reads the parts an officer needs
    assert {"item", "provisions", "tier", "fine", "reminders", "factors", "lawful_range", "arithmetic",
            "from_old_from_light", "similar_items", "no_violation"} <= read
