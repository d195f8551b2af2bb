"""Penalty documents rendered from the sample cases (issue 5; DOMAIN.md R6.1–R6.10, R4.9).

Every .docx is opened with python-docx and checked for the 行政处罚法 第五十九条 elements, both forms of
every amount, the citations (verified against the real statute store) and the dates. Expected strings are
written from the rules (R6.8's words table, the statute's wording), not copied from the renderer.
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from api.documents import render, render_bundle
from api.documents.cli import draft as draft_command
from api.documents.docnumber import NumberCounter
from api.documents.errors import (
    BadTemplate,
    CitationNotVerified,
    DocumentError,
    InvalidIdentifier,
    MissingFields,
    NotApplicable,
    TemplateNameError,
    UnknownKind,
)
from api.documents.render import find_template
from nlp.citations import format_citation

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
FOOD_LAW = "中华人民共和国食品安全法"
PENALTY_LAW = "中华人民共和国行政处罚法"
DATE_RE = re.compile(r"\d{4}年\d{1,2}月\d{1,2}日")


def load(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def paragraphs(docx: bytes) -> list[str]:
    """Text of every paragraph of a .docx, opened with python-docx."""
    return [p.text for p in Document(io.BytesIO(docx)).paragraphs]


def para_with(paras: list[str], needle: str) -> str:
    hits = [p for p in paras if needle in p]
    assert hits, f"no paragraph contains {needle!r}"
    return hits[0]


@pytest.fixture(scope="module")
def verify(resolver):
    """The real citation verifier over the statute store built from laws.db and LawRefBook."""
    return resolver.lookup


@pytest.fixture()
def case() -> dict:
    return load("case.json")


# ------------------------------------------------------------------------------ 行政处罚决定书 (R6.1)
def test_penalty_decision_docx_has_every_article_59_element(case, verify) -> None:
    paras = paragraphs(render("penalty_decision", case, "docx", verify=verify))
    text = "\n".join(paras)
    # 文号 with 六角括号 (R6.7) and the title
    assert paras[0] == "重庆市渝北区市场监督管理局"
    assert "行政处罚决定书" in paras[1]
    assert "渝北市监处罚〔2026〕356号" in paras
    # (一) party name and address
    assert "当事人：重庆市渝北区蜀香源餐馆" in paras
    assert "住所：重庆市渝北区龙溪街道金龙路88号附5号" in paras
    assert "统一社会信用代码：92500112MA5UQ8K3XP" in paras
    # (二) facts and evidence
    assert case["facts"][0]["text"] in text
    for ev in case["evidence"]:
        assert ev["name"] in text
    # (三) penalty type and basis: 违则 and 罚则 in canonical form (R1.4)
    assert format_citation(FOOD_LAW, 35, paragraph=1) in para_with(paras, "违反了")
    assert format_citation(FOOD_LAW, 122, paragraph=1) in para_with(paras, "决定对当事人作出如下行政处罚")
    # amounts in both forms (R6.8): 50000 → 人民币伍万元整, 3280 → 人民币叁仟贰佰捌拾元整
    fine = para_with(paras, "罚款人民币")
    assert "人民币伍万元整" in fine and "¥50,000.00" in fine
    gains = para_with(paras, "没收违法所得")
    assert "人民币叁仟贰佰捌拾元整" in gains and "¥3,280.00" in gains
    assert "没收非法财物" in text
    # (四) how and by when: 15 days from receipt, bank name and address, surcharge rate and cap (R6.1 #8, #9)
    pay = para_with(paras, "缴纳罚没款")
    assert "自收到本决定书之日起十五日内" in pay
    assert "中国工商银行股份有限公司重庆渝北支行" in pay and "重庆市渝北区双龙大道88号" in pay
    assert "人民币伍万叁仟贰佰捌拾元整" in pay and "¥53,280.00" in pay
    assert format_citation(PENALTY_LAW, 67, paragraph=3) in pay
    surcharge = para_with(paras, "加处罚款")
    assert "每日按罚款数额的百分之三加处罚款" in surcharge and "不得超出罚款的数额" in surcharge
    assert format_citation(PENALTY_LAW, 72, paragraph=1, item=1) in surcharge
    # order to correct (处罚法 第二十八条第一款) and market-supervision publication notice (R6.1 #14)
    assert "责令当事人立即停止未取得食品经营许可从事餐饮服务的违法行为" in text
    assert "国家企业信用信息公示系统" in para_with(paras, "向社会公示")
    # (五) remedies: 复议 60 days, lawsuit 6 months, both from receipt (R4.9, R6.9)
    remedy = para_with(paras, "如不服本决定")
    assert "自收到本决定书之日起六十日内向重庆市渝北区人民政府申请行政复议" in remedy
    assert "自收到本决定书之日起六个月内直接向重庆市渝北区人民法院提起行政诉讼" in remedy
    # R6.9: periods are rules, never calendar dates
    assert not DATE_RE.search(pay) and not DATE_RE.search(remedy)
    # (六) agency and decision date at the end, and the seal placeholder (第五十九条第二款)
    assert paras[-3:] == ["重庆市渝北区市场监督管理局", "（印章）", "2026年11月20日"]
    # the discretion reasons (R6.1 #11) and the prior-notice procedure with its date
    assert "2026年10月31日" in para_with(paras, "事先告知书")
    assert "渝北市监罚告〔2026〕87号" in text


def test_suggested_passages_are_visibly_marked_in_docx(case, verify) -> None:
    doc = Document(io.BytesIO(render("penalty_decision", case, "docx", verify=verify)))
    text = "\n".join(p.text for p in doc.paragraphs)
    # three suggested passages in the decision: facts[1], the 从轻 ground (第三十二条) and the tier reason
    assert text.count("【系统建议，请核实】") == 3
    assert "【系统建议，请核实】" + case["facts"][1]["text"] in text
    marked_runs = [r for p in doc.paragraphs for r in p.runs if r.text == "【系统建议，请核实】"]
    assert marked_runs and all(r.font.color.rgb is not None and str(r.font.color.rgb) == "C00000" for r in marked_runs)
    # officer-written facts carry no mark
    assert "【系统建议，请核实】" + case["facts"][0]["text"] not in text


def test_penalty_decision_json_lists_verified_citations_and_marks(case, verify) -> None:
    out = json.loads(render("penalty_decision", case, "json", verify=verify))
    assert out["kind"] == "penalty_decision" and out["number"] == "渝北市监处罚〔2026〕356号"
    roles = {c["role"] for c in out["citations"]}
    assert {"violated", "basis", "procedure"} <= roles
    assert all(c["status"] == "verified" for c in out["citations"])
    # the 违则 was checked on both the first and the last day of the continuing act (R2.2, R2.3)
    violated_days = {c["as_of"] for c in out["citations"] if c["role"] == "violated"}
    assert violated_days == {"2026-08-01", "2026-09-28"}
    assert "应当依法取得许可" in next(c["text"] for c in out["citations"] if c["role"] == "violated")
    assert [m["field"] for m in out["marks"]] == ["facts[1]", "discretion[0]", "discretion[1]"]
    assert out["missing"] == []
    assert out["procedure"]["hearing_required"] is True


# ------------------------------------------------------------------------------ other kinds
def test_no_invented_payment_channel_and_discretion_ground(case, verify) -> None:
    del case["agency"]["payment"]["electronic"]
    case["tier"]["source"] = "《重庆市市场监督管理行政处罚裁量基准》食品经营类第3项"
    text = "\n".join(paragraphs(render("penalty_decision", case, "docx", verify=verify)))
    assert "电子支付" not in text and "或者通过" not in text  # no channel configured: none printed (R6.10)
    discretion = para_with(text.split("\n"), "本案属于")
    assert discretion.startswith("【系统建议，请核实】根据" + format_citation(PENALTY_LAW, 32) + "的规定，")
    assert "依据《重庆市市场监督管理行政处罚裁量基准》食品经营类第3项，本案属于“从轻处罚”情形。" in discretion
    assert "不停止执行" in text


def test_hearing_right_kept_and_marked_when_threshold_unconfigured(case, verify) -> None:
    case["agency"]["domain"], case["agency"]["region"] = "general", None
    case["penalty"]["fine_fen"] = 100_000_000  # 1,000,000 yuan, no 较大数额 row for domain general
    out = json.loads(render("prior_notice", case, "json", verify=verify))
    assert out["procedure"]["hearing_required"] and out["procedure"]["hearing_suggested"]
    assert any("较大数额" in w for w in out["warnings"])
    paras = paragraphs(render("prior_notice", case, "docx", verify=verify))
    assert para_with(paras, "要求举行听证").startswith("【系统建议，请核实】")
    decision = "\n".join(paragraphs(render("penalty_decision", case, "docx", verify=verify)))
    assert "陈述、申辩和【系统建议，请核实】要求听证" in decision


def test_prior_notice_states_rights_and_windows(case, verify) -> None:
    paras = paragraphs(render("prior_notice", case, "docx", verify=verify))
    text = "\n".join(paras)
    assert "行政处罚事先告知书" in paras[1] and "渝北市监罚告〔2026〕87号" in paras
    assert "拟对当事人作出如下行政处罚" in text and "人民币伍万元整" in text and "¥50,000.00" in text
    rights = para_with(paras, "陈述、申辩的权利")
    assert "自收到本告知书之日起五个工作日内" in rights  # agency.statement_days = 5 (R6.3)
    assert format_citation(PENALTY_LAW, 44) in rights
    assert "不会因当事人陈述、申辩而给予更重的处罚" in rights  # 第四十五条第二款
    hearing = para_with(paras, "要求举行听证")
    assert "五个工作日内" in hearing and "第六十三条、第六十四条" in hearing
    assert paras[-1] == "2026年10月30日"


def test_hearing_notice_contents(case, verify) -> None:
    text = "\n".join(paragraphs(render("hearing_notice", case, "docx", verify=verify)))
    assert format_citation(PENALTY_LAW, 63, paragraph=1, item=1) + "规定的“较大数额罚款”" in text
    for phrase in (
        "五个工作日内",
        "七个工作日前",
        "一至二人代理",
        "申请回避",
        "听证公开举行",
        "不承担本机关组织听证的费用",
    ):
        assert phrase in text, phrase
    assert "渝北市监听告〔2026〕41号" in text


def test_on_the_spot_decision(verify) -> None:
    paras = paragraphs(render("on_the_spot_decision", load("case_on_the_spot.json"), "docx", verify=verify))
    assert "当场行政处罚决定书" in paras[1] and "渝北公交简罚〔2026〕1024号" in paras
    assert "机动车号牌：渝A12345　车辆类型：小型汽车" in paras  # R6.2 traffic version
    assert "违法时间：2026年11月18日8时40分　违法地点：重庆市渝北区金开大道与星光大道交叉路口" in paras
    basis = para_with(paras, "当场作出如下行政处罚")
    assert "《中华人民共和国道路交通安全法》第九十条、第一百零七条第一款" in basis
    fine = para_with(paras, "罚款人民币")
    assert "人民币壹佰元整" in fine and "¥100.00" in fine
    remedy = para_with(paras, "行政复议")
    assert "应当先依法申请行政复议" in remedy  # 复议前置 (复议法 第二十三条)
    assert format_citation("中华人民共和国行政复议法", 23, paragraph=1, item=1) in remedy
    assert "自收到本决定书之日起六十日内" in remedy and "十五日内向重庆市渝北区人民法院提起行政诉讼" in remedy
    assert "即自收到" not in remedy and "）：可以自收到本决定书之日起六十日内向" in remedy
    assert "执法人员：刘强　执法证号：渝公交执字500112001" in paras
    assert any(p.startswith("执法人员签名：") for p in paras)  # the officer signs the form (处罚法 第五十二条)
    assert any("拒绝签收" in p for p in paras)


def test_no_penalty_decision(verify) -> None:
    text = "\n".join(paragraphs(render("no_penalty_decision", load("case_no_penalty.json"), "docx", verify=verify)))
    assert "不予行政处罚决定书" in text and "渝北市监不罚〔2026〕15号" in text
    assert "初次违法且危害后果轻微并及时改正" in text
    assert format_citation(PENALTY_LAW, 33, paragraph=1) + "的规定，本机关决定对当事人不予行政处罚" in text
    assert format_citation(PENALTY_LAW, 33, paragraph=3) in text  # education (R3.9)
    assert "责令当事人严格按照规定对所售商品明码标价" in text
    assert "自收到本决定书之日起六十日内" in text
    assert "罚款人民币" not in text
    assert "不停止执行" not in text  # nothing to execute without a penalty (R6.10)


def test_credit_repair_and_compliance_advice(case, verify) -> None:
    credit = "\n".join(paragraphs(render("credit_repair_notice", case, "docx", verify=verify)))
    assert "《行政处罚决定书》（渝北市监处罚〔2026〕356号）" in credit
    assert "国家企业信用信息公示系统" in credit
    # fine + confiscation is not "仅…较低数额罚款": three years (市监公示规定 第十三条第一款)
    assert "届满三年的，停止公示" in credit
    assert "（四）未在经营异常名录和严重违法失信名单中" in credit
    advice = "\n".join(paragraphs(render("compliance_advice", case, "docx", verify=verify)))
    assert "（对应《中华人民共和国食品安全法》第三十五条第一款）" in advice
    assert "不具有强制力" in advice
    assert "伍万元" not in advice and "罚款" not in advice  # guidance, not a restated penalty (R6.6)


def test_bundle_is_a_zip_of_three_word_files(case, verify) -> None:
    data = render("bundle", case, "docx", verify=verify)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        assert names == ["01_penalty_decision.docx", "02_credit_repair_notice.docx", "03_compliance_advice.docx"]
        titles = [paragraphs(z.read(n))[1] for n in names]
    assert titles == ["行政处罚决定书", "行政处罚信息信用修复告知书", "行政合规建议书"]


def test_cli_draft_writes_the_bundle(tmp_path, verify) -> None:
    written = draft_command(
        "bundle",
        EXAMPLES / "case.json",
        "docx",
        tmp_path / "out",
        verify=verify,
        counter=NumberCounter(tmp_path / "n.sqlite"),
    )
    assert [p.name for p in written] == [
        "01_penalty_decision.docx",
        "02_credit_repair_notice.docx",
        "03_compliance_advice.docx",
    ]
    html = draft_command(
        "bundle",
        EXAMPLES / "case.json",
        "html",
        tmp_path / "b.html",
        verify=verify,
        counter=NumberCounter(tmp_path / "n.sqlite"),
    )[0].read_text(encoding="utf-8")
    assert html.count('<section class="document"') == 3


def test_bundle_not_applicable_to_no_penalty_or_on_the_spot(verify) -> None:
    for name in ("case_no_penalty.json", "case_on_the_spot.json"):
        with pytest.raises(NotApplicable):
            render_bundle(load(name), "docx", verify=verify)


# ------------------------------------------------------------------------------ safety
def test_html_escapes_user_text(case, verify) -> None:
    case["party"]["name"] = '<script>alert("x")</script>&餐馆'
    case["facts"][0]["text"] = "当事人称{{ 7*7 }}<b>无证</b>"
    html = render("penalty_decision", case, "html", verify=verify)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&amp;餐馆" in html
    assert "{{ 7*7 }}" in html and "49" not in html  # user text is data, never a template
    # the same text survives intact in Word
    text = "\n".join(paragraphs(render("penalty_decision", case, "docx", verify=verify)))
    assert '当事人：<script>alert("x")</script>&餐馆' in text and "{{ 7*7 }}<b>无证</b>" in text


@pytest.mark.parametrize(
    "name",
    [
        "../penalty_decision",
        "/etc/passwd",
        "docx/../../x",
        "a/b",
        "..",
        "",
        "penalty_decision.docx",
        "Penalty",
        "x\x00y",
        "..\\..\\win",
    ],
)
def test_template_names_cannot_leave_the_template_directory(name: str) -> None:
    with pytest.raises(TemplateNameError):
        find_template(name, "docx")


def test_render_rejects_bad_template_name(case, verify) -> None:
    with pytest.raises(TemplateNameError) as e:
        render("penalty_decision", case, "html", template="../../etc/passwd", verify=verify)
    assert e.value.code == "bad_template_name"


def test_symlink_out_of_agency_directory_is_rejected(tmp_path) -> None:
    outside = tmp_path / "outside.docx"
    outside.write_bytes(b"x")
    (tmp_path / "agency" / "docx").mkdir(parents=True)
    (tmp_path / "agency" / "docx" / "penalty_decision.docx").symlink_to(outside)
    with pytest.raises(TemplateNameError):
        find_template("penalty_decision", "docx", tmp_path / "agency")


def test_agency_templates_replace_builtin_ones(tmp_path, case, verify) -> None:
    agency = tmp_path / "agency"
    (agency / "html").mkdir(parents=True)
    (agency / "docx").mkdir()
    builtin_html = find_template("penalty_decision", "html").read_text(encoding="utf-8")
    (agency / "html" / "penalty_decision.html.j2").write_text(
        builtin_html.replace("{% block document %}", "{% block document %}<p>渝北区定制版式</p>"), encoding="utf-8"
    )
    doc = Document(str(find_template("penalty_decision", "docx")))
    doc.add_paragraph("本文书为渝北区定制格式。{{r doc.number}}")
    doc.save(agency / "docx" / "penalty_decision.docx")
    assert "<p>渝北区定制版式</p>" in render("penalty_decision", case, "html", agency, verify=verify)
    paras = paragraphs(render("penalty_decision", case, "docx", agency, verify=verify))
    assert paras[-1] == "本文书为渝北区定制格式。渝北市监处罚〔2026〕356号"
    # a kind the agency did not provide falls back to the built-in template
    assert "行政合规建议书" in paragraphs(render("compliance_advice", case, "docx", agency, verify=verify))[1]


def test_docx_template_with_plain_variable_is_rejected(tmp_path, case, verify) -> None:
    (tmp_path / "docx").mkdir()
    doc = Document()
    doc.add_paragraph("当事人：{{ party_lines }}")
    doc.save(tmp_path / "docx" / "penalty_decision.docx")
    with pytest.raises(BadTemplate):
        render("penalty_decision", case, "docx", tmp_path, verify=verify)


# ------------------------------------------------------------------------------ never invent (R6.10)
def _strip(case: dict) -> dict:
    c = copy.deepcopy(case)
    del c["party"]["address"]
    del c["agency"]["court"]
    del c["statements"]
    c["penalty"].pop("fine_fen")
    return c


def test_missing_fields_are_listed(case, verify) -> None:
    with pytest.raises(MissingFields) as e:
        render("penalty_decision", _strip(case), "docx", verify=verify)
    err = e.value
    assert err.code == "missing_fields"
    paths = [f["path"] for f in err.details["fields"]]
    assert sorted(paths) == ["agency.court", "party.address", "penalty.fine_fen", "statements"]
    assert "当事人住所" in str(err) and "人民法院" in str(err)


def test_draft_mode_prints_visible_blanks(case, verify) -> None:
    c = _strip(case)
    paras = paragraphs(render("penalty_decision", c, "docx", draft=True, verify=verify))
    text = "\n".join(paras)
    assert paras[0].startswith("【草稿")
    assert "住所：【待填写：当事人住所】" in paras
    assert "【待填写：人民法院】提起行政诉讼" in text
    assert "罚款【待填写：罚款金额】" in text
    assert "缴纳罚没款【待填写：罚没款金额】" in text and "零元" not in text  # no made-up total
    assert "【待填写：陈述、申辩（听证）情况及采纳理由】" in text
    out = json.loads(render("penalty_decision", c, "json", draft=True, verify=verify))
    assert {m["path"] for m in out["missing"]} == {"party.address", "agency.court", "statements", "penalty.fine_fen"}
    assert "【待填写：当事人住所】" in render("penalty_decision", c, "html", draft=True, verify=verify)


def test_unverifiable_citation_blocks_rendering(case, verify) -> None:
    case["violated"] = ["《中华人民共和国食品安全法》第九百条"]
    with pytest.raises(CitationNotVerified) as e:
        render("penalty_decision", case, "docx", verify=verify)
    assert e.value.details["citations"][0]["status"] == "article_not_found"
    text = "\n".join(paragraphs(render("penalty_decision", case, "docx", draft=True, verify=verify)))
    assert "【引用未核验：article_not_found】《中华人民共和国食品安全法》第九百条" in text


def test_citations_are_checked_as_of_the_violation_date(case, verify) -> None:
    # The earliest stored 食品安全法 text is the 2015 revision (in force 2015-10-01); for a 2014 act the store holds
    # no text in force, so the decision cannot be drafted as if a later text applied.
    case["violation_start"], case["violation_end"] = "2014-03-01", "2014-05-01"
    with pytest.raises(CitationNotVerified) as e:
        render("penalty_decision", case, "json", verify=verify)
    assert {c["status"] for c in e.value.details["citations"]} == {"not_in_force"}


def test_invalid_identifier_needs_an_override(case, verify) -> None:
    case["party"]["credit_code"] = "92500112MA5UQ8K3X0"  # wrong check character
    with pytest.raises(InvalidIdentifier):
        render("penalty_decision", case, "docx", verify=verify)
    case["party"]["identifier_override"] = "营业执照原件核对无误（执法人员李明）"
    out = json.loads(render("penalty_decision", case, "json", verify=verify))
    assert any("执法人员已确认采用" in w for w in out["warnings"])


# ------------------------------------------------------------------------------ numbers, errors
def test_counter_allocates_distinct_numbers_only_for_complete_documents(tmp_path, case, verify) -> None:
    del case["numbers"]["penalty_decision"]
    counter = NumberCounter(tmp_path / "numbers.sqlite")
    with pytest.raises(MissingFields):
        render("penalty_decision", _strip(case), "docx", verify=verify, counter=counter)
    first = json.loads(render("penalty_decision", case, "json", verify=verify, counter=counter))["number"]
    second = json.loads(render("penalty_decision", case, "json", verify=verify, counter=counter))["number"]
    assert (first, second) == ("渝北市监处罚〔2026〕1号", "渝北市监处罚〔2026〕2号")  # the failure burned none
    draft_doc = json.loads(render("penalty_decision", case, "json", draft=True, verify=verify, counter=counter))
    assert draft_doc["fields"]["doc"]["number"] == "【待填写：文号】"
    # the bundle's companions quote the number allocated to the decision
    credit = render_bundle(case, "json", verify=verify, counter=counter)["02_credit_repair_notice.json"]
    assert "渝北市监处罚〔2026〕3号" in json.loads(credit)["fields"]["intro"]


def test_officer_number_is_recorded_and_never_handed_out(tmp_path, case, verify) -> None:
    counter = NumberCounter(tmp_path / "numbers.sqlite")
    case["numbers"]["penalty_decision"] = "渝北市监处罚〔2026〕7号"
    render("penalty_decision", case, "json", verify=verify, counter=counter)
    del case["numbers"]["penalty_decision"]
    allocated = json.loads(render("penalty_decision", case, "json", verify=verify, counter=counter))["number"]
    assert allocated == "渝北市监处罚〔2026〕8号"  # R6.7: the officer's 7号 is never given out again


def test_unknown_kind_and_format(case, verify) -> None:
    for kind, fmt in (("penalty", "docx"), ("penalty_decision", "pdf")):
        with pytest.raises(UnknownKind) as e:
            render(kind, case, fmt, verify=verify)  # type: ignore[arg-type]
        assert e.value.code == "unknown_kind"


def test_wrong_kind_for_the_case(verify) -> None:
    with pytest.raises(NotApplicable):
        render("penalty_decision", load("case_no_penalty.json"), "docx", verify=verify)
    with pytest.raises(NotApplicable):
        render("no_penalty_decision", load("case.json"), "docx", verify=verify)
    with pytest.raises(NotApplicable):  # a 50,000 yuan fine is far beyond the 当场 limit
        render("on_the_spot_decision", load("case.json"), "docx", verify=verify)


def test_errors_are_value_errors_with_codes() -> None:
    for cls in (MissingFields, CitationNotVerified, TemplateNameError, NotApplicable, BadTemplate):
        assert issubclass(cls, DocumentError) and issubclass(cls, ValueError) and cls.code


def test_documents_are_never_rendered_unverified(case, data_dir, tmp_path) -> None:
    from api.documents.errors import VerifierUnavailable
    from api.documents.render import store_verifier

    with pytest.raises(VerifierUnavailable):
        render("penalty_decision", case, "html")  # no verifier: refused, not read from process settings
    html = render("penalty_decision", case, "html", verify=store_verifier(data_dir / "corpus.sqlite"))
    assert "渝北市监处罚〔2026〕356号" in html
    with pytest.raises(VerifierUnavailable):
        store_verifier(tmp_path / "empty" / "corpus.sqlite")
    assert not (tmp_path / "empty").exists()


def test_hearing_notice_only_when_a_ground_applies(case, verify) -> None:
    case["penalty"]["fine_fen"] = 500_000  # 5,000 yuan: below the market-supervision threshold for a 公民
    with pytest.raises(NotApplicable):
        render("hearing_notice", case, "docx", verify=verify)


def test_credit_repair_outside_market_supervision_needs_the_agencys_rules(case, verify) -> None:
    case["agency"]["domain"] = "general"
    with pytest.raises(MissingFields) as e:
        render("credit_repair_notice", case, "docx", verify=verify)
    assert {f["path"] for f in e.value.details["fields"]} == {
        "agency.publication_platform",
        "agency.credit_repair_rules",
    }
    case["agency"]["publication_platform"] = "信用中国（重庆渝北）网站"
    case["agency"]["credit_repair_rules"] = [{"text": "公示期限及信用修复按照本机关公布的规定执行。"}]
    text = "\n".join(paragraphs(render("credit_repair_notice", case, "docx", verify=verify)))
    assert format_citation(PENALTY_LAW, 48, paragraph=1) in text and "信用中国（重庆渝北）网站" in text


def test_empty_optional_parts_leave_no_empty_paragraphs(case, verify) -> None:
    doc = Document(io.BytesIO(render("compliance_advice", case, "docx", verify=verify)))
    assert not [p for p in doc.paragraphs if p.style.name == "EH Number"]  # the advice carries no 文号 here
    assert [p.text for p in doc.paragraphs if not p.text.strip()] == [""]  # only the spacer above the signature
