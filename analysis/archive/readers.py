"""Read an archive of published decisions: JSONL, CSV or XLSX, with an adapter for the 双公示 export columns.

Every reader returns a :class:`ReadReport`: the decisions read, which input column fed which field, and every row
that could not be read with its reason (in Chinese, for the reviewer). A row is skipped only when it cannot be
audited at all (no 处罚事由 and no 处罚依据, a duplicate id, a line that is not JSON); a field that cannot be parsed
(a date, an amount) is left empty and the row is read with a warning.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from nlp.errors import EHError
from nlp.money import AmountError, find_amounts, parse_amount

__all__ = ["ArchiveError", "Decision", "ReadReport", "RowIssue", "parse_partial_date", "read_archive"]


class ArchiveError(EHError):
    """An archive file that cannot be read at all."""

    code = "bad_archive"

    def __init__(self, message: str, code: str = "bad_archive") -> None:
        super().__init__(message, code=code)


@dataclass
class Decision:
    """One published decision, as the audit needs it. Dates are ISO strings (a partial date keeps its precision)."""

    id: str
    facts: str
    violated: list[str] = field(default_factory=list)
    basis: list[str] = field(default_factory=list)
    penalty_types: list[str] = field(default_factory=list)
    fine_yuan: float | None = None
    confiscated_yuan: float | None = None
    decision_date: str | None = None
    decision_date_source: str | None = None  # date | date_published | column name
    violation_date: str | None = None
    discovery_date: str | None = None
    agency: str | None = None
    officer: str | None = None
    region: str | None = None
    party: str | None = None
    party_type: str | None = None  # individual | organization | None (unknown)
    doc_no: str | None = None
    procedure: str | None = None  # simple (当场/简易) | ordinary | None
    hearing_notice: bool | None = None
    text: str | None = None  # the whole published text, when the export has it (evidence of 听证告知 …)
    row: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict."""
        return asdict(self)

    def fingerprint(self) -> str:
        """Hash of the audited content: a resumed run recomputes a decision whose record changed."""
        d = self.to_dict()
        d.pop("row", None)
        return hashlib.sha256(json.dumps(d, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:16]


@dataclass
class RowIssue:
    """A row that was skipped (``error``) or read with a field left empty (``warning``)."""

    row: int
    level: str
    reason: str
    id: str | None = None


@dataclass
class ReadReport:
    """What a reader made of a file."""

    path: str
    format: str
    decisions: list[Decision]
    mapped: dict[str, str]  # field → the input column (or key) it came from
    unmapped: list[str]  # input columns no field uses
    issues: list[RowIssue]
    rows: int = 0

    @property
    def skipped(self) -> list[RowIssue]:
        """Rows that could not be read."""
        return [i for i in self.issues if i.level == "error"]

    def summary(self) -> dict[str, Any]:
        """JSON-friendly account for the report."""
        return {"path": self.path, "format": self.format, "rows": self.rows, "read": len(self.decisions),
                "skipped": len(self.skipped), "mapped": self.mapped, "unmapped": self.unmapped,
                "issues": [asdict(i) for i in self.issues]}


# ---------------------------------------------------------------------------------------------------- columns
# Field → accepted column names (the 双公示 export first, then common variants, then the JSONL keys).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "序号", "案件编号", "记录编号", "案号"),
    "doc_no": ("行政处罚决定书文号", "决定书文号", "处罚决定书文号", "文号", "doc_no"),
    "party": ("行政相对人名称", "当事人名称", "当事人", "被处罚人", "party"),
    "party_type": ("行政相对人类别", "相对人类别", "当事人类型", "party_type"),
    "facts": ("处罚事由", "违法事实", "主要违法事实", "违法行为", "案由", "facts"),
    "basis": ("处罚依据", "法律依据", "basis_penalty_provisions", "basis"),
    "violated": ("违反条款", "违法依据", "违则", "violated"),
    "result": ("处罚结果", "处罚内容", "处罚决定", "result"),
    "penalty_types": ("处罚类别", "处罚种类", "penalty_types"),
    "fine_yuan": ("罚款金额（元）", "罚款金额(元)", "罚款金额", "fine_yuan"),
    "fine_wan": ("罚款金额（万元）", "罚款金额(万元)", "处罚金额（万元）", "处罚金额(万元)"),
    "confiscated_yuan": ("没收违法所得、没收非法财物的金额（元）", "没收违法所得金额", "没收违法所得", "confiscated_yuan"),
    "confiscated_wan": ("没收违法所得、没收非法财物的金额（万元）", "没收金额（万元）", "没收金额(万元)"),
    "decision_date": ("处罚决定日期", "决定日期", "作出处罚决定日期", "处罚日期", "decision_date", "date"),
    "date_published": ("公示日期", "date_published"),
    "violation_date": ("违法行为发生日期", "违法日期", "案发日期", "violation_date", "event_date"),
    "discovery_date": ("发现日期", "立案日期", "discovery_date"),
    "agency": ("处罚机关", "作出处罚决定机关", "处罚机关名称", "执法机关", "agency"),
    "officer": ("执法人员", "承办人", "案件承办人", "officer"),
    "region": ("地区", "行政区划", "所属地区", "region"),
    "procedure": ("程序", "适用程序", "procedure"),
    "hearing_notice": ("听证告知", "是否告知听证", "hearing_notice"),
    "text": ("决定书全文", "全文", "full_text", "text"),
}
_ORG_WORDS = re.compile(r"公司|有限|集团|厂|店|中心|合作社|协会|医院|诊所|学校|幼儿园|酒店|宾馆|超市|商行|经营部|门市|"
                        r"药房|事务所|工作室|俱乐部|农场|站|所|社|局|院|部|馆|场")
_PENALTY_WORDS = ("警告", "通报批评", "罚款", "没收违法所得", "没收非法财物", "没收", "暂扣许可证件", "降低资质等级",
                  "吊销许可证件", "吊销营业执照", "吊销", "限制开展生产经营活动", "责令停产停业", "责令停业", "责令关闭",
                  "限制从业", "行政拘留", "不予处罚")
_DATE_RE = re.compile(r"^\s*(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?\s*$")


def parse_partial_date(value: Any) -> str | None:
    """``2024-08-11``, ``2024/8/11``, ``2024年8月11日``, ``2024-08``, ``2024``, an Excel date → ISO (partial kept).

    Raises:
        ValueError: for text that is no date.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    m = _DATE_RE.match(str(value).replace("T00:00:00", ""))
    if not m:
        raise ValueError(str(value))
    y, mo, d = m.group(1), m.group(2), m.group(3)
    if d:
        return date(int(y), int(mo), int(d)).isoformat()
    if mo:
        if not 1 <= int(mo) <= 12:
            raise ValueError(str(value))
        return f"{y}-{int(mo):02d}"
    return y


def _amount_yuan(value: Any, scale: float = 1.0) -> float | None:
    """A number, or amount text (``5万元``, ``伍万元整``) → yuan."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, float)):
        return round(float(value) * scale, 2)
    s = str(value).strip().replace(",", "").replace("，", "")
    try:
        return round(float(s) * scale, 2)
    except ValueError:
        pass
    try:
        return round(parse_amount(s if re.search(r"[元圆]", s) else s + "元") / 100 * scale, 2)
    except AmountError:
        raise ValueError(str(value)) from None


def penalty_types_of(text: str) -> list[str]:
    """Penalty types named in a 处罚结果 text, longest names first, each once."""
    found: list[str] = []
    rest = text or ""
    for w in _PENALTY_WORDS:
        if w in rest:
            found.append(w)
            rest = rest.replace(w, "　")
    return found


def fine_in_result(text: str) -> float | None:
    """The 罚款 amount a 处罚结果 text states (``罚款人民币伍万元整``), in yuan."""
    for a in find_amounts(text or ""):
        if a.kind == "罚款":
            return a.value_fen / 100
    if "罚款" in (text or ""):
        after = text[text.index("罚款"):]
        found = find_amounts(after)
        if found:
            return found[0].value_fen / 100
    return None


def party_type_of(party: str | None, facts: str, given: str | None = None) -> str | None:
    """individual / organization from the export's own column, else from the party's name or the facts."""
    g = (given or "").strip()
    if g:
        if any(w in g for w in ("法人", "组织", "单位", "organization")):
            return "organization"
        if any(w in g for w in ("自然人", "个人", "个体", "individual")):
            return "individual"
    name = (party or "").strip()
    if name:
        if _ORG_WORDS.search(name) and len(name) > 4:
            return "organization"
        if re.fullmatch(r"[\u4e00-\u9fa5·]{2,5}", name):
            return "individual"
    if re.search(r"有限公司|有限责任公司|股份公司|分公司|集团|合作社", facts or ""):
        return "organization"
    return None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    s = str(value).strip()
    return [s] if s else []


def _bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    s = str(value).strip().lower()
    if s in ("1", "true", "yes", "是", "已告知", "y"):
        return True
    if s in ("0", "false", "no", "否", "未告知", "n"):
        return False
    return None


def _procedure(value: Any, doc_no: str | None) -> str | None:
    s = str(value or "").strip()
    if any(w in s for w in ("简易", "当场", "simple")):
        return "simple"
    if any(w in s for w in ("普通", "一般程序", "ordinary")):
        return "ordinary"
    if doc_no and re.search(r"当场|简易", doc_no):
        return "simple"
    return None


# ---------------------------------------------------------------------------------------------------- records
def _record_to_decision(rec: dict[str, Any], colmap: dict[str, str], rowno: int, issues: list[RowIssue],
                        fallback_id: str) -> Decision | None:
    """One input record (keys already the input's own) → a Decision, or None with an ``error`` issue."""

    def get(f: str) -> Any:
        col = colmap.get(f)
        return rec.get(col) if col else None

    rid = str(get("id")).strip() if get("id") not in (None, "") else fallback_id
    facts = str(get("facts") or "").strip()
    basis = _as_list(get("basis"))
    if not facts and not basis:
        issues.append(RowIssue(rowno, "error", "缺少处罚事由和处罚依据：无法审查", rid))
        return None

    def warn(msg: str) -> None:
        issues.append(RowIssue(rowno, "warning", msg, rid))

    dates: dict[str, str | None] = {}
    for f, label in (("decision_date", "处罚决定日期"), ("violation_date", "违法行为发生日期"),
                     ("discovery_date", "发现日期"), ("date_published", "公示日期")):
        try:
            dates[f] = parse_partial_date(get(f))
        except ValueError:
            dates[f] = None
            warn(f"{label}「{str(get(f))[:20]}」不是日期：按未填写处理")
    source = colmap.get("decision_date") if dates["decision_date"] else None
    if not dates["decision_date"] and dates["date_published"]:
        # The decision precedes its publication: the published date bounds it (limitation, 从旧兼从轻).
        dates["decision_date"], source = dates["date_published"], "date_published"
    result = str(get("result") or "")
    fine: float | None = None
    try:
        fine = _amount_yuan(get("fine_yuan"))
        if fine is None and get("fine_wan") not in (None, ""):
            fine = _amount_yuan(get("fine_wan"), 10000)
    except ValueError:
        warn(f"罚款金额「{str(get('fine_yuan') or get('fine_wan'))[:20]}」不是金额：按处罚结果文字读取")
    if fine is None and result:
        fine = fine_in_result(result)
    conf: float | None = None
    try:
        conf = _amount_yuan(get("confiscated_yuan"))
        if conf is None and get("confiscated_wan") not in (None, ""):
            conf = _amount_yuan(get("confiscated_wan"), 10000)
    except ValueError:
        warn("没收金额不是金额：按未填写处理")
    types = _as_list(get("penalty_types"))
    if len(types) == 1 and re.search(r"[、，,;；]", types[0]):
        types = [t.strip() for t in re.split(r"[、，,;；]", types[0]) if t.strip()]
    if not types and result:
        types = penalty_types_of(result)
    if fine and "罚款" not in types:
        types.append("罚款")
    party = str(get("party") or "").strip() or None
    doc_no = str(get("doc_no") or "").strip() or None
    text = str(get("text") or "").strip() or None
    return Decision(
        id=rid, facts=facts, violated=_as_list(get("violated")), basis=basis, penalty_types=types,
        fine_yuan=fine, confiscated_yuan=conf, decision_date=dates["decision_date"], decision_date_source=source,
        violation_date=dates["violation_date"], discovery_date=dates["discovery_date"],
        agency=str(get("agency") or "").strip() or None, officer=str(get("officer") or "").strip() or None,
        region=str(get("region") or "").strip() or None, party=party,
        party_type=party_type_of(party, facts, str(get("party_type") or "")), doc_no=doc_no,
        procedure=_procedure(get("procedure"), doc_no), hearing_notice=_bool(get("hearing_notice")),
        text=text if text != facts else None, row=rowno,
    )


def _column_map(columns: list[str]) -> tuple[dict[str, str], list[str]]:
    """Field → the first input column that names it (after trimming); the columns left over."""
    norm = {re.sub(r"\s+", "", c): c for c in columns}
    mapped: dict[str, str] = {}
    used: set[str] = set()
    for f, names in COLUMNS.items():
        for n in names:
            c = norm.get(n)
            if c is not None and c not in used:
                mapped[f] = c
                used.add(c)
                break
    return mapped, [c for c in columns if c not in used]


def _finish(path: Path, fmt: str, records: list[tuple[int, dict[str, Any]]], columns: list[str],
            issues: list[RowIssue]) -> ReadReport:
    unparsed = len(issues)  # lines that were no record at all
    mapped, unmapped = _column_map(columns)
    if "facts" not in mapped and "basis" not in mapped:
        raise ArchiveError(f"{path.name}：找不到处罚事由或处罚依据列（可用列：{'、'.join(columns[:30])}）",
                           "no_usable_columns")
    out: list[Decision] = []
    seen: set[str] = set()
    for rowno, rec in records:
        d = _record_to_decision(rec, mapped, rowno, issues, f"row-{rowno}")
        if d is None:
            continue
        if d.id in seen:
            issues.append(RowIssue(rowno, "error", f"编号 {d.id} 重复：只审查第一次出现的记录", d.id))
            continue
        seen.add(d.id)
        out.append(d)
    return ReadReport(str(path), fmt, out, mapped, unmapped, sorted(issues, key=lambda i: i.row),
                      rows=len(records) + unparsed)


def _read_jsonl(path: Path) -> ReadReport:
    records: list[tuple[int, dict[str, Any]]] = []
    issues: list[RowIssue] = []
    keys: dict[str, None] = {}
    with path.open(encoding="utf-8-sig") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                issues.append(RowIssue(n, "error", f"不是有效的 JSON（{exc.msg}，第 {exc.colno} 列）"))
                continue
            if not isinstance(rec, dict):
                issues.append(RowIssue(n, "error", "不是 JSON 对象"))
                continue
            keys.update(dict.fromkeys(rec))
            records.append((n, rec))
    return _finish(path, "jsonl", records, list(keys), issues)


def _read_csv(path: Path) -> ReadReport:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ArchiveError(f"{path.name}：既不是 UTF-8 也不是 GB18030 编码", "bad_encoding")
    reader = csv.DictReader(text.splitlines())
    columns = [c for c in (reader.fieldnames or []) if c]
    # line numbers as a spreadsheet shows them: the header is row 1
    records = [(n, {k: v for k, v in r.items() if k}) for n, r in enumerate(reader, 2)
               if any((v or "").strip() for k, v in r.items() if k)]
    return _finish(path, "csv", records, columns, [])


def _read_xlsx(path: Path) -> ReadReport:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise ArchiveError(f"{path.name}：不是可读取的 XLSX 文件（{type(exc).__name__}）", "bad_xlsx") from None
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header: list[str] = []
    for head in rows:
        if head and any(c not in (None, "") for c in head):
            header = [str(c).strip() if c is not None else "" for c in head]
            break
    records: list[tuple[int, dict[str, Any]]] = []
    start = 2
    for n, row in enumerate(rows, start):
        if not row or all(c in (None, "") for c in row):
            continue
        records.append((n, {header[i]: v for i, v in enumerate(row) if i < len(header) and header[i]}))
    wb.close()
    return _finish(path, "xlsx", records, [c for c in header if c], [])


def read_archive(path: Path) -> ReadReport:
    """Read ``.jsonl`` / ``.json`` lines, ``.csv`` (UTF-8 or GB18030) or ``.xlsx`` (first sheet).

    Raises:
        ArchiveError: when the file is missing, of another format, or has neither a 处罚事由 nor a 处罚依据 column.
    """
    path = Path(path)
    if not path.is_file():
        raise ArchiveError(f"文件 {path.name} 不存在", "file_not_found")
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".json", ".ndjson"):
        return _read_jsonl(path)
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    raise ArchiveError(f"{path.name}：不支持的格式 {suffix or '（无扩展名）'}，请用 .jsonl、.csv 或 .xlsx", "bad_format")
