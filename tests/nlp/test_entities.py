"""Entity extraction for auto-fill (DOMAIN.md §7; issue 5 "Entities")."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from nlp.entities import LABELS, EntityError, extract_entities, get_pipeline
from nlp.identifiers import id_check_char, uscc_check_char, validate_id_card, validate_uscc
from nlp.money import parse_amount

EVAL = Path(__file__).resolve().parents[2] / "eval" / "entities.jsonl"

# Synthetic identifiers: check characters computed here, never a real person's number.
USCC_OK = "91500103MA5U7A1B2" + uscc_check_char("91500103MA5U7A1B2")
_ID17 = "50010319880615123"
ID_OK = _ID17 + id_check_char(_ID17)
ID_BAD = _ID17 + ("0" if id_check_char(_ID17) != "0" else "1")

CASE = (
    f"当事人：重庆山城味道餐饮管理有限公司，统一社会信用代码：{USCC_OK}，住所：重庆市渝中区民族路168号，"
    f"经营场所：重庆市渝中区解放西路66号附2号，法定代表人：欧阳明轩，联系电话：13800138000。"
    f"2025年3月5日14时30分，重庆市渝中区市场监督管理局执法人员检查发现，当事人后厨存放过期食品，货值金额人民币叁仟元整。"
    f"违法行为发生地：重庆市渝中区解放西路66号附2号。该公司员工刘某（男，身份证号码：{ID_BAD}）驾驶渝A·D12345号车辆运货。"
)


def by_label(ents: list, label: str) -> list:
    return [e for e in ents if e.label == label]


@pytest.fixture(scope="module")
def case_entities() -> list:
    return extract_entities(CASE)


def test_every_span_cuts_exactly_its_text(case_entities: list) -> None:
    assert case_entities
    for e in case_entities:
        assert CASE[e.start:e.end] == e.text
        assert e.label in LABELS


def test_party_legal_rep_and_kind(case_entities: list) -> None:
    (party,) = [e for e in by_label(case_entities, "PARTY") if e.attrs["kind"] == "organization"]
    assert party.text == "重庆山城味道餐饮管理有限公司"
    (rep,) = by_label(case_entities, "LEGAL_REP")
    assert rep.text == "欧阳明轩" and rep.attrs["role"] == "法定代表人"  # compound surname


def test_three_addresses_are_kept_apart(case_entities: list) -> None:
    # R7.1: 住所, 经营场所 and 违法行为发生地 are different fields even when two hold the same text.
    addrs = {e.attrs["kind"]: e.text for e in by_label(case_entities, "ADDRESS")}
    assert addrs == {"domicile": "重庆市渝中区民族路168号", "business_premises": "重庆市渝中区解放西路66号附2号"}
    places = by_label(case_entities, "PLACE")
    assert [p.text for p in places] == ["重庆市渝中区解放西路66号附2号"]
    assert places[0].start > CASE.index("违法行为发生地")


def test_identifiers_are_validated_and_invalid_ones_reported(case_entities: list) -> None:
    (uscc,) = by_label(case_entities, "USCC")
    assert uscc.valid and uscc.value == USCC_OK
    (idc,) = by_label(case_entities, "ID_CARD")
    assert idc.text == ID_BAD and not idc.valid and idc.reason == "bad_check_char"
    assert validate_id_card(ID_OK).valid  # the same number with the right check char is fine


def test_dates_times_money_phone_plate_agency(case_entities: list) -> None:
    (d,) = by_label(case_entities, "DATE")
    assert d.value == "2025-03-05"
    (t,) = by_label(case_entities, "TIME")
    assert t.value == "14:30" and t.attrs["approximate"] is False
    (m,) = by_label(case_entities, "MONEY")
    assert m.text == "人民币叁仟元整" and m.value == parse_amount("3000元") == 300000
    assert m.attrs["kind"] == "货值金额"
    (ph,) = by_label(case_entities, "PHONE")
    assert ph.value == "13800138000"
    (pl,) = by_label(case_entities, "PLATE")
    assert pl.text == "渝A·D12345" and pl.value == "渝AD12345" and pl.attrs["type"] == "new_energy"
    (ag,) = by_label(case_entities, "AGENCY")
    assert ag.text == "重庆市渝中区市场监督管理局"


def test_labelled_identifier_of_wrong_length_is_reported_with_its_reason() -> None:
    ents = extract_entities(f"某公司（统一社会信用代码：9150011267）负责人张三，身份证号码：{ID_BAD}，身份证号：5001031988")
    uscc = by_label(ents, "USCC")
    assert [(e.text, e.valid, e.reason) for e in uscc] == [("9150011267", False, "bad_length")]
    assert "18位" in uscc[0].message and uscc[0].to_dict()["message"] == uscc[0].message
    ids = by_label(ents, "ID_CARD")
    assert [(e.text, e.valid) for e in ids] == [(ID_BAD, False), ("5001031988", False)]
    assert "第18位应为" in ids[0].message  # the Chinese reason, not only the code
    assert extract_entities(f"统一社会信用代码：{USCC_OK}")[0].message is None


def test_fine_range_is_one_money_entity() -> None:
    text = "处十万元以上一百万元以下的罚款，违法所得3000元"
    money = by_label(extract_entities(text), "MONEY")
    assert [(e.text, e.value) for e in money] == [
        ("十万元以上一百万元以下", {"min": parse_amount("十万元"), "max": parse_amount("一百万元")}),
        ("3000元", 300000),
    ]
    assert money[0].attrs["range"] and money[0].attrs["kind"] == "罚款" and money[1].attrs["kind"] == "违法所得"


def test_cli_extract_takes_a_reference_date(app_env) -> None:
    from typer.testing import CliRunner

    from api.cli import app as cli

    res = CliRunner().invoke(cli, ["extract", "昨日14时在店内", "--json", "--reference-date", "2025-03-05"])
    assert res.exit_code == 0, res.output
    dates = [e for e in json.loads(res.stdout)["entities"] if e["label"] == "DATE"]
    assert dates and dates[0]["value"] == "2025-03-04"
    bad = CliRunner().invoke(cli, ["extract", "昨日", "--reference-date", "March"])
    assert bad.exit_code != 0


def test_individual_business_and_operator() -> None:
    text = "个体工商户渝中区张记小面馆（经营者：张某某，经营场所：重庆市渝中区八一路12号），于2024年6月1日无证经营。"
    ents = extract_entities(text)
    (party,) = by_label(ents, "PARTY")
    assert party.text == "渝中区张记小面馆" and party.attrs["kind"] == "individual_business"
    (rep,) = by_label(ents, "LEGAL_REP")
    assert rep.text == "张某某" and rep.attrs["role"] == "经营者"
    (addr,) = by_label(ents, "ADDRESS")
    assert addr.attrs["kind"] == "business_premises"


def test_individual_party_with_sex_and_id() -> None:
    text = f"违法行为人李某，男，身份证号码{ID_OK}，住重庆市江北区建新北路8号，于2025年5月1日晚上8时许在观音桥步行街燃放烟花。"
    ents = extract_entities(text)
    (party,) = by_label(ents, "PARTY")
    assert party.text == "李某" and party.attrs["kind"] == "individual"
    (idc,) = by_label(ents, "ID_CARD")
    assert idc.valid and idc.attrs["sex"] == "男" and idc.attrs["birth_date"] == date(1988, 6, 15)
    (t,) = by_label(ents, "TIME")
    assert t.value == "20:00" and t.attrs["approximate"] is True
    (addr,) = by_label(ents, "ADDRESS")
    assert addr.text == "重庆市江北区建新北路8号" and addr.attrs["kind"] == "domicile"


def test_supplier_named_in_the_text_is_not_the_party() -> None:
    text = "当事人张三经营的水果摊从重庆某某农产品有限公司购进苹果。"
    parties = [e.text for e in by_label(extract_entities(text), "PARTY")]
    assert parties == ["张三"]


def test_relative_dates_use_the_reference_only_when_given() -> None:
    assert by_label(extract_entities("当事人昨日在此摆摊。"), "DATE")[0].value is None
    ents = extract_entities("当事人昨日在此摆摊。", reference=date(2025, 3, 6))
    assert by_label(ents, "DATE")[0].value == "2025-03-05"


def test_pipeline_is_built_once_and_doc_ents_match() -> None:
    nlp = get_pipeline()
    assert get_pipeline() is nlp
    assert nlp.pipe_names[-1] == "eh_resolve" and nlp.lang == "zh"
    doc = nlp(CASE)
    assert [(s.label_, s.start_char, s.end_char) for s in doc.ents] == [
        (e.label, e.start, e.end) for e in doc._.eh_entities
    ]


def test_to_dict_is_json_serialisable(case_entities: list) -> None:
    dumped = json.dumps([e.to_dict() for e in case_entities], ensure_ascii=False)
    back = json.loads(dumped)
    assert {d["label"] for d in back} >= {"PARTY", "USCC", "ID_CARD", "MONEY"}


def test_bad_input_raises_a_coded_value_error() -> None:
    with pytest.raises(EntityError) as exc:
        extract_entities(None)  # type: ignore[arg-type]
    assert exc.value.code == "bad_text" and isinstance(exc.value, ValueError)
    assert extract_entities("") == []


# ----------------------------------------------------------------------------- the labelled set


@pytest.fixture(scope="module")
def records() -> list[dict]:
    with EVAL.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_eval_set_is_large_well_formed_and_its_identifiers_agree_with_the_validators(records: list[dict]) -> None:
    assert len(records) >= 150
    assert {r["split"] for r in records} >= {"dev", "test"}
    for r in records:
        for s in r["spans"]:
            assert r["text"][s["start"]:s["end"]] == s["text"], r["id"]
            if s["label"] == "USCC":
                assert validate_uscc(s["text"]).valid == s["value"]["valid"], s
            if s["label"] == "ID_CARD":
                assert validate_id_card(s["text"]).valid == s["value"]["valid"], s


def test_eval_set_scores_stay_high(records: list[dict]) -> None:
    # A regression guard on the whole labelled set; scripts/eval_entities.py prints the per-label table.
    gold = pred = hit = 0
    for r in records:
        g = {(s["label"], s["start"], s["end"]) for s in r["spans"]}
        p = {(e.label, e.start, e.end) for e in extract_entities(r["text"])}
        gold, pred, hit = gold + len(g), pred + len(p), hit + len(g & p)
    precision, recall = hit / pred, hit / gold
    assert precision >= 0.95 and recall >= 0.95, (precision, recall)
