"""Case model and schema, 文号 (R6.7), the number counter, and the committed templates."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import jsonschema
import pytest
from docx import Document

from api.documents.docnumber import NumberCounter, normalize_doc_number, parse_doc_number
from api.documents.errors import BadDocNumber, InvalidCase
from api.documents.make_templates import LAYOUTS, main as make_templates
from api.documents.model import (
    DOCUMENT_KINDS,
    Agency,
    apply_agency_profile,
    case_json_schema,
    load_agency_profile,
    load_case,
)
from api.documents.render import BUILTIN_TEMPLATES
from api.documents.schema import SCHEMA_PATH, schema_text
from api.documents.text import Text

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples").glob("case*.json"))


def test_committed_schema_is_the_models_schema() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text()
    assert json.loads(schema_text()) == case_json_schema()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_validate_against_the_schema(path: Path) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    load_case(path)


def test_schema_rejects_what_the_model_rejects() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    bad = {"party": {"kind": "individual"}, "penalty": {"types": ["fine"], "fine_fen": 12.5}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    with pytest.raises(InvalidCase) as e:
        load_case(bad)
    assert e.value.code == "invalid_case" and "penalty.fine_fen" in str(e.value)
    with pytest.raises(InvalidCase):
        load_case({"party": {"kind": "individual", "nickname": "x"}})  # unknown fields are errors
    with pytest.raises(InvalidCase):
        load_case("{not json")


def test_agency_profile_fills_only_what_the_case_leaves_out(tmp_path: Path) -> None:
    profile = tmp_path / "agency.yaml"
    profile.write_text(
        "name: 重庆市渝北区市场监督管理局\ncourt: 某区人民法院\nreconsideration_body: 某区人民政府\n", encoding="utf-8"
    )
    case = load_case({"agency": {"court": "另一法院"}, "party": {"kind": "individual"}})
    merged = apply_agency_profile(case, load_agency_profile(profile))
    assert merged.agency.name == "重庆市渝北区市场监督管理局"
    assert merged.agency.court == "另一法院"  # the case wins
    assert merged.agency.reconsideration_body == "某区人民政府"
    profile.write_text("court: [1, 2]\n", encoding="utf-8")
    with pytest.raises(InvalidCase):
        load_agency_profile(profile)
    assert isinstance(Agency(), Agency)


# ---------------------------------------------------------------------------------- 文号 (R6.7)
@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("环政法函[2018]31号", "环政法函〔2018〕31号"),  # the variant found in 粤裁量表
        ("沪消规〔2025〕3号", "沪消规〔2025〕3号"),
        ("渝北市监处罚【2026】12号", "渝北市监处罚〔2026〕12号"),
        ("渝北市监处罚（2026）12号", "渝北市监处罚〔2026〕12号"),
        ("渝北市监处罚［2026］第12号", "渝北市监处罚〔2026〕12号"),
        ("京海市监处罚〔2021〕0876号", "京海市监处罚〔2021〕876号"),  # no zero padding
        ("（杭临）市监处罚〔2024〕131号", "（杭临）市监处罚〔2024〕131号"),  # district prefix kept
        (" 江环 〔2020〕 10号 ", "江环〔2020〕10号"),
    ],
)
def test_doc_number_normalisation(raw: str, canonical: str) -> None:
    assert normalize_doc_number(raw) == canonical
    assert "\u3014" in canonical and "\u3015" in canonical


@pytest.mark.parametrize(
    "raw", ["", "12号", "〔2026〕12号", "渝北市监处罚2026年12号", "渝北市监处罚〔2026〕0号", "渝北〔26〕1号"]
)
def test_bad_doc_numbers(raw: str) -> None:
    with pytest.raises(BadDocNumber):
        normalize_doc_number(raw)


def test_counter_never_reuses_a_number(tmp_path: Path) -> None:
    path = tmp_path / "n.sqlite"
    counter = NumberCounter(path)
    got: list[str] = []
    lock = threading.Lock()

    def take() -> None:
        c = NumberCounter(path)  # separate connections, as in separate workers
        for _ in range(10):
            n = c.next("渝北市监处罚", 2026)
            with lock:
                got.append(n)
        c.close()

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 40
    assert sorted(parse_doc_number(n)[2] for n in got) == list(range(1, 41))
    counter.observe("渝北市监处罚〔2026〕100号")  # an officer override moves the counter past it
    assert counter.next("渝北市监处罚", 2026) == "渝北市监处罚〔2026〕101号"
    assert counter.next("渝北市监处罚", 2027) == "渝北市监处罚〔2027〕1号"  # one counter per year
    counter.close()
    assert NumberCounter(path).next("渝北市监处罚", 2026) == "渝北市监处罚〔2026〕102号"  # survives a restart


# ---------------------------------------------------------------------------------- templates, marks
def test_committed_templates_match_the_generator(tmp_path: Path) -> None:
    make_templates([str(tmp_path)])
    assert set(LAYOUTS) == {k.value for k in DOCUMENT_KINDS}
    for kind in LAYOUTS:
        fresh = Document(str(tmp_path / "docx" / f"{kind}.docx"))
        committed = Document(str(BUILTIN_TEMPLATES / "docx" / f"{kind}.docx"))
        assert [(p.style.name, p.text) for p in fresh.paragraphs] == [
            (p.style.name, p.text) for p in committed.paragraphs
        ]
        html = f"html/{kind}.html.j2"
        assert (tmp_path / html).read_text(encoding="utf-8") == (BUILTIN_TEMPLATES / html).read_text(encoding="utf-8")
    base = "html/base.html.j2"
    assert (tmp_path / base).read_text(encoding="utf-8") == (BUILTIN_TEMPLATES / base).read_text(encoding="utf-8")


def test_text_marks_in_every_output() -> None:
    t = Text("当事人：", Text.suggested("<b>张三</b>"), "，住所：", Text.blank("当事人住所"))
    assert t.plain() == "当事人：【系统建议，请核实】<b>张三</b>，住所：【待填写：当事人住所】"
    html = str(t.__html__())
    assert "&lt;b&gt;张三&lt;/b&gt;" in html and 'data-mark="suggested"' in html and 'data-mark="blank"' in html
    xml = t.rich().xml
    assert "&lt;b&gt;" in xml and "<b>" not in xml and 'w:val="C00000"' in xml
