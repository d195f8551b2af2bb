"""Generate the built-in templates: one .docx (docxtpl) and one .html.j2 (Jinja2) per document kind.

Run ``python -m api.documents.make_templates [OUT_DIR]`` (default: ``api/documents/templates``) and
commit the result. The files are ordinary Word documents and Jinja2 pages: an agency copies one,
edits it in Word/WPS or a text editor, and points ``template_dir`` at its folder (TEMPLATES.md).

Both formats come from one layout per kind (``LAYOUTS``), so the .docx and the HTML print the same
content in the same order. Every variable in a .docx is written ``{{r name}}`` because its value is a
docxtpl ``RichText`` (escaped, with coloured runs for suggested text and blanks).

Layout blocks:
    ("agency",)            agency name, centred
    ("title",)             document title, centred
    ("number",)            文号 (omitted when empty)
    ("p", "text {v}")      body paragraph; ``{v}`` inserts variable ``v``
    ("each", "v", style)   one paragraph per item of list variable ``v``
    ("h", "heading")       section heading
    ("if", "cond", [...])  blocks shown only when the Jinja2 expression ``cond`` is true
    ("sign",)              agency name, date and seal, right-aligned
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "templates"

# GB/T 9704-2012 style page: margins 37/35/28/26 mm, 3号仿宋 body, 2号小标宋 title, 黑体 headings
# (research/peers-and-conventions.md §2.3; the standard itself is not in the bundled corpus).
BODY_FONT, TITLE_FONT, HEADING_FONT = "仿宋_GB2312", "方正小标宋简体", "黑体"

COMMON_HEAD = [("each", "draft_banner", "banner"), ("agency",), ("title",), ("number",)]
EVIDENCE = [("p", "上述事实，有以下证据为证："), ("each", "evidence", "body")]

LAYOUTS: dict[str, list[tuple]] = {
    "penalty_decision": [
        *COMMON_HEAD,
        ("each", "party_lines", "party"),
        ("each", "intro", "body"),
        ("h", "一、违法事实和证据"),
        ("each", "facts", "body"),
        *EVIDENCE,
        ("h", "二、陈述、申辩（听证）情况及采纳理由"),
        ("each", "procedure", "body"),
        ("h", "三、行政处罚的依据、种类，以及裁量基准运用的理由和依据"),
        ("p", "{conclusion}"),
        ("each", "discretion", "body"),
        ("p", "{basis}"),
        ("each", "penalties", "body"),
        ("each", "correction", "body"),
        (
            "if",
            "payment or surcharge",
            [
                ("h", "四、行政处罚的履行方式和期限"),
                ("each", "payment", "body"),
                ("each", "surcharge", "body"),
            ],
        ),
        ("each", "publication", "body"),
        ("h", "五、申请行政复议或者提起行政诉讼的途径和期限"),
        ("each", "remedy", "body"),
        ("sign",),
    ],
    "on_the_spot_decision": [
        *COMMON_HEAD,
        ("each", "party_lines", "party"),
        ("each", "vehicle", "party"),
        ("p", "违法时间：{when}　违法地点：{place}"),
        ("each", "facts", "body"),
        ("p", "{conclusion}"),
        ("p", "{basis}"),
        ("each", "penalties", "body"),
        ("each", "correction", "body"),
        ("each", "payment", "body"),
        ("each", "surcharge", "body"),
        ("each", "remedy", "body"),
        ("each", "officers", "party"),
        ("each", "receipt", "party"),
        ("sign",),
    ],
    "prior_notice": [
        *COMMON_HEAD,
        ("each", "party_lines", "party"),
        ("p", "经调查，本机关认定当事人存在以下违法事实："),
        ("each", "facts", "body"),
        *EVIDENCE,
        ("p", "{conclusion}"),
        ("each", "discretion", "body"),
        ("p", "{basis}"),
        ("each", "penalties", "body"),
        ("each", "rights", "body"),
        ("each", "contact", "body"),
        ("sign",),
    ],
    "hearing_notice": [
        *COMMON_HEAD,
        ("each", "party_lines", "party"),
        ("p", "{basis}"),
        ("each", "penalties", "body"),
        ("p", "{grounds}"),
        ("each", "rights", "body"),
        ("each", "contact", "body"),
        ("sign",),
    ],
    "no_penalty_decision": [
        *COMMON_HEAD,
        ("each", "party_lines", "party"),
        ("each", "intro", "body"),
        ("h", "一、违法事实和证据"),
        ("each", "facts", "body"),
        *EVIDENCE,
        ("h", "二、不予行政处罚的理由和依据"),
        ("if", "conclusion", [("p", "{conclusion}")]),
        ("each", "reasons", "body"),
        ("p", "{decision}"),
        ("each", "after", "body"),
        ("h", "三、申请行政复议或者提起行政诉讼的途径和期限"),
        ("each", "remedy", "body"),
        ("sign",),
    ],
    "credit_repair_notice": [
        *COMMON_HEAD,
        ("each", "party_lines", "party"),
        ("p", "{intro}"),
        ("each", "body", "body"),
        ("each", "contact", "body"),
        ("sign",),
    ],
    "compliance_advice": [
        *COMMON_HEAD,
        ("each", "party_lines", "party"),
        ("p", "{finding}"),
        ("if", "causes", [("p", "经分析，问题产生的主要原因如下："), ("each", "causes", "body")]),
        ("p", "为帮助当事人依法合规经营，本机关提出以下合规建议："),
        ("each", "steps", "body"),
        ("if", "controls", [("p", "建议建立健全以下内部管理制度："), ("each", "controls", "body")]),
        ("p", "{disclaimer}"),
        ("each", "contact", "body"),
        ("sign",),
    ],
}

_VAR = re.compile(r"\{([a-z_.]+)\}")


# ---------------------------------------------------------------------------------------------- docx
def _set_font(style_or_run, east_asian: str, size: float, bold: bool = False) -> None:
    font = style_or_run.font
    font.size, font.bold, font.name = Pt(size), bold, east_asian
    rpr = style_or_run.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        rfonts.set(qn(attr), east_asian)


def _styles(doc) -> None:
    normal = doc.styles["Normal"]
    _set_font(normal, BODY_FONT, 16)
    pf = normal.paragraph_format
    pf.line_spacing_rule, pf.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    pf.space_before = pf.space_after = Pt(0)
    spec = {
        "EH Banner": (BODY_FONT, 12, True, WD_ALIGN_PARAGRAPH.CENTER, 0),
        "EH Agency": (TITLE_FONT, 22, False, WD_ALIGN_PARAGRAPH.CENTER, 0),
        "EH Title": (TITLE_FONT, 22, True, WD_ALIGN_PARAGRAPH.CENTER, 0),
        "EH Number": (BODY_FONT, 16, False, WD_ALIGN_PARAGRAPH.CENTER, 0),
        "EH Party": (BODY_FONT, 16, False, WD_ALIGN_PARAGRAPH.LEFT, 0),
        "EH Body": (BODY_FONT, 16, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 32),
        "EH Heading": (HEADING_FONT, 16, False, WD_ALIGN_PARAGRAPH.LEFT, 32),
        "EH Sign": (BODY_FONT, 16, False, WD_ALIGN_PARAGRAPH.RIGHT, 0),
    }
    for name, (font, size, bold, align, indent) in spec.items():
        st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        _set_font(st, font, size, bold)
        st.paragraph_format.alignment = align
        st.paragraph_format.first_line_indent = Pt(indent)


def _docx_text(text: str) -> str:
    return _VAR.sub(lambda m: "{{r " + m.group(1) + "}}", text)


def _docx_blocks(doc, blocks: list[tuple]) -> None:
    def para(text: str, style: str) -> None:
        doc.add_paragraph(text, style=f"EH {style.capitalize()}")

    for b in blocks:
        op = b[0]
        if op == "agency":
            para("{{r doc.agency_name}}", "agency")
        elif op == "title":
            para("{{r doc.title}}", "title")
        elif op == "number":
            doc.add_paragraph("{%p if doc.number %}")
            para("{{r doc.number}}", "number")
            doc.add_paragraph("{%p endif %}")
        elif op == "p":
            para(_docx_text(b[1]), "body")
        elif op == "h":
            para(b[1], "heading")
        elif op == "each":
            var, style = b[1], b[2]
            doc.add_paragraph(f"{{%p for item in {var} %}}")
            para("{{r item}}", style)
            doc.add_paragraph("{%p endfor %}")
        elif op == "if":
            doc.add_paragraph(f"{{%p if {b[1]} %}}")
            _docx_blocks(doc, b[2])
            doc.add_paragraph("{%p endif %}")
        elif op == "sign":
            doc.add_paragraph("", style="EH Sign")
            para("{{r doc.agency_name}}", "sign")
            para("{{r doc.seal}}", "sign")
            para("{{r doc.date}}", "sign")
        else:  # pragma: no cover - layout typo
            raise ValueError(f"unknown layout block {op!r}")


def make_docx(kind: str, path: Path) -> None:
    """Write the .docx template for ``kind``."""
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Mm(37), Mm(35), Mm(28), Mm(26)
    _styles(doc)
    _docx_blocks(doc, LAYOUTS[kind])
    core = doc.core_properties
    core.title, core.author, core.comments = (
        kind,
        "enforcement-helper",
        "docxtpl template; see api/documents/TEMPLATES.md",
    )
    doc.save(path)


# ---------------------------------------------------------------------------------------------- html
def _html_text(text: str) -> str:
    return _VAR.sub(lambda m: "{{ " + m.group(1) + " }}", text)


def _html_blocks(blocks: list[tuple], indent: str = "  ") -> list[str]:
    out: list[str] = []
    for b in blocks:
        op = b[0]
        if op == "agency":
            out.append(f'{indent}<p class="agency">{{{{ doc.agency_name }}}}</p>')
        elif op == "title":
            out.append(f'{indent}<h1 class="title">{{{{ doc.title }}}}</h1>')
        elif op == "number":
            out.append(f'{indent}{{% if doc.number %}}<p class="number">{{{{ doc.number }}}}</p>{{% endif %}}')
        elif op == "p":
            out.append(f'{indent}<p class="body">{_html_text(b[1])}</p>')
        elif op == "h":
            out.append(f'{indent}<h2 class="heading">{b[1]}</h2>')
        elif op == "each":
            out.append(f'{indent}{{% for item in {b[1]} %}}<p class="{b[2]}">{{{{ item }}}}</p>{{% endfor %}}')
        elif op == "if":
            out.append(f"{indent}{{% if {b[1]} %}}")
            out += _html_blocks(b[2], indent + "  ")
            out.append(f"{indent}{{% endif %}}")
        elif op == "sign":
            out.append(
                f'{indent}<div class="sign"><p>{{{{ doc.agency_name }}}}</p><p class="seal">{{{{ doc.seal }}}}</p>'
                f"<p>{{{{ doc.date }}}}</p></div>"
            )
    return out


def make_html(kind: str, path: Path) -> None:
    """Write the .html.j2 template for ``kind`` (it extends base.html.j2)."""
    lines = ['{% extends "base.html.j2" %}', "{% block document %}", *_html_blocks(LAYOUTS[kind]), "{% endblock %}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


BASE_HTML = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{ doc.title }}</title>
<style>
  body { font-family: "仿宋_GB2312", "FangSong", "STFangsong", serif; font-size: 16pt; line-height: 28pt;
         max-width: 156mm; margin: 2em auto; color: #000; }
  .agency, .title, .number { text-align: center; margin: 0; }
  .agency { font-size: 22pt; line-height: 1.6; }
  .title { font-family: "方正小标宋简体", "SimSun", serif; font-size: 22pt; font-weight: bold; }
  .heading { font-family: "黑体", "SimHei", sans-serif; font-size: 16pt; font-weight: normal; text-indent: 2em; margin: 0; }
  .body { text-indent: 2em; margin: 0; text-align: justify; }
  .party { margin: 0; }
  .sign { text-align: right; margin-top: 2em; }
  .sign p { margin: 0; }
  .banner { text-align: center; color: #c00000; font-weight: bold; }
  .mark { background: #fff2cc; }
  .mark-label { color: #c00000; font-weight: bold; }
  .mark-blank { background: #ffff00; }
  .mark-unverified, .mark-invalid { background: #ffc7ce; }
  section.document + section.document { page-break-before: always; border-top: 1px dashed #999; margin-top: 3em; }
</style>
</head>
<body>
<section class="document" data-kind="{{ kind }}">
{% block document %}{% endblock %}
</section>
</body>
</html>
"""


def main(argv: list[str] | None = None) -> None:
    """Write every template into the output folder (default: the package's templates/)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else DEFAULT_OUT
    (out / "docx").mkdir(parents=True, exist_ok=True)
    (out / "html").mkdir(parents=True, exist_ok=True)
    (out / "html" / "base.html.j2").write_text(BASE_HTML, encoding="utf-8")
    for kind in LAYOUTS:
        make_docx(kind, out / "docx" / f"{kind}.docx")
        make_html(kind, out / "html" / f"{kind}.html.j2")
    print(f"wrote {2 * len(LAYOUTS) + 1} templates to {out}")


if __name__ == "__main__":
    main()
