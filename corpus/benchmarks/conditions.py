"""Parse a tier's condition text (裁量情节) into predicates: field, operator, value, unit.

Covers what benchmark tables really write: 超标0.5倍以下, 超标5.0dB（A）以上10.0dB（A）以下, 违法所得25万元以上不超过30万元,
两年内第2次, 两年内3次以上, 再犯, 涉及危险废物0.2吨以下, 面积1000平方米以上, 3000平方米≤密闭式堆场面积, 超过48小时, 仅1处,
拒不改正, 不涉及环境敏感区 … Conditions written only in words stay unparsed; the classifier in ``analysis.tiers`` reads them.

Bounds (R5.8): ``以上`` includes the number; ``以下``/``以内``/``不超过`` include it unless the source says otherwise
(粤裁量规定 第二十三条 excludes it from ``以下``: pass ``below_inclusive=False``); ``不足``/``不满``/``低于`` and ``超过``/``高于``
exclude it.
"""

from __future__ import annotations

import re

import cn2an

from corpus.benchmarks.schema import Operator, Predicate

_CN = "零〇一二两三四五六七八九十百千万亿"
NUM = rf"(?:[0-9０-９]+(?:[.．][0-9０-９]+)?(?:\s*[万千亿])?|[{_CN}]+(?:点[{_CN}]+)?)"

# Ordered longest-first so 万元 wins over 元, 平方米 over 米, 个月 over 个.
_UNITS = [
    ("dB（A）", "dB(A)"), ("dB(A)", "dB(A)"), ("dB", "dB(A)"), ("分贝", "dB(A)"),
    ("亿元", "元"), ("万元", "元"), ("千元", "元"), ("元", "元"),
    ("平方米", "平方米"), ("㎡", "平方米"), ("m2", "平方米"), ("公顷", "公顷"), ("亩", "亩"),
    ("立方米", "立方米"), ("吨", "吨"), ("千克", "千克"), ("公斤", "千克"),
    ("个月", "月"), ("小时", "小时"), ("分钟", "分钟"), ("日", "日"), ("天", "日"), ("年", "年"),
    ("倍", "倍"), ("次", "次"), ("小类", "类"), ("类", "类"), ("项", "项"), ("种", "种"), ("个", "个"),
    ("处", "处"), ("头", "头"), ("%", "%"), ("％", "%"), ("MW", "MW"), ("t/h", "t/h"), ("人", "人"), ("辆", "辆"),
]
_UNIT_RE = "|".join(re.escape(u) for u, _ in _UNITS)
_UNIT_NORM = dict(_UNITS)
_MULT = {"亿元": 1e8, "万元": 1e4, "千元": 1e3}
_DURATION_TO_DAYS = {"日": 1.0, "小时": 1 / 24, "分钟": 1 / 1440, "月": 30.0, "年": 365.0}

_PRE = r"不超过|未超过|不高于|不大于|不多于|不足|不满|未满|未达到|小于|少于|低于|大于|多于|高于|超过|超出|达到|仅|在|≥|≤|＜|＞|<|>"
_POST = r"及以上|或以上|以上|及以下|或以下|以下|以内|之内|内"
_QUANT_RE = re.compile(
    rf"(?P<pre>{_PRE})?\s*(?P<ord>第)?(?:(?P<pct>百分之)(?P<pnum>{NUM})|(?P<num>{NUM})\s*(?P<unit>{_UNIT_RE}))(?:猪当量)?(?:（[^）]{{0,12}}）|\([^)]{{0,12}}\))?"
    rf"\s*(?P<post>{_POST})?"
)
# 7MW（10t/h）≤设施容量＜14MW（20t/h）, 3000平方米≤密闭式堆场面积, 堆场面积＜500平方米
_MATH_RE = re.compile(
    rf"(?:(?P<a>{NUM})\s*(?P<ua>{_UNIT_RE})?(?:（[^）]*）)?\s*(?P<op1>≤|＜|<|≥|＞|>)\s*)?"
    rf"(?P<field>[\u4e00-\u9fff]{{2,10}})\s*(?P<op2>≤|＜|<|≥|＞|>)\s*(?P<b>{NUM})\s*(?P<ub>{_UNIT_RE})?"
    rf"|(?P<c>{NUM})\s*(?P<uc>{_UNIT_RE})\s*(?P<op3>≤|＜|<|≥|＞|>)\s*(?P<field2>[\u4e00-\u9fff]{{2,10}})"
)
_WINDOW_RE = re.compile(r"(?:近|最近)?(?:[一二两三四五1-5]|十二)(?:个)?(?:年|月)(?:以内|内)|年度内|同一年度|一个年度内")
_MONEY_FIELDS = ("违法所得", "货值金额", "销售金额", "销售额", "营业额", "代处置费用", "所收费用", "工程造价", "总投资额", "投资额", "罚款")
_SUBJECTS = (
    "一般工业固体废物", "一般固体废物", "工业固体废物", "危险废物", "固体废物", "生活垃圾", "超标污水", "污水", "废水",
    "污染土壤", "表土", "土壤", "医疗废物", "放射性固体废物", "放射性废液",
)

_NEG = r"(?:不|未|没有|无|非|尚未)"


# Circumstance cues that carry a polarity (R7.7). A match of ``neg`` first means value False.
_CUES: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = [
    ("拒不改正", re.compile(r"拒不(?:改正|整改|停止|执行|采取|补办)|逾期(?:仍)?(?:不|未)(?:改正|整改|补办|采取|停止)|经责令(?:改正|整改)[^，。；]{0,4}(?:不|未)改正|经提醒不改正"), None),
    ("首次违法", re.compile(r"首次违法|初次违法|属于首次|初犯|首次发现"), None),
    ("严重后果", re.compile(r"造成[^，。；]{0,20}(?:严重后果|较大以上|重大|特大|人员伤亡|人身伤亡)|后果严重|严重污染|严重社会影响"),
     re.compile(rf"{_NEG}造成[^，。；]{{0,12}}(?:严重后果|较大以上|重大)")),
    ("危害后果", re.compile(r"造成[^，。；]{0,12}(?:危害后果|污染|事件|事故)"),
     re.compile(rf"{_NEG}(?:发现)?造成[^，。；]{{0,12}}(?:危害后果|污染)|没有造成危害后果|未造成危害后果")),
    ("危害后果轻微", re.compile(r"危害后果轻微|后果轻微"), None),
    ("环境敏感区", re.compile(r"(?<!非)(?:环境)?敏感区|[一二]级保护区|准保护区|饮用水[^，。；]{0,4}保护区|自然保护区|风景名胜区|核心区|遗产地"),
     re.compile(rf"{_NEG}(?:涉及|属于|位于)[^，。；]{{0,30}}(?:敏感区|保护区|风景名胜区|遗产地|保留区)|非环境敏感区")),
    ("弄虚作假", re.compile(r"弄虚作假|伪造|篡改|隐匿|销毁|虚假"), None),
    ("及时改正", re.compile(r"及时改正|当场改正|立即改正|在责令改正期限内改正|及时整改"),
     re.compile(r"未(?:能)?及时改正|未当场改正|未在责令改正期限内改正")),
    ("重大火灾隐患", re.compile(r"构成重大火灾隐患|重大火灾隐患"), None),
    ("暴力抗法", re.compile(r"暴力|围堵|滞留执法人员|执法人员损伤"), None),
    ("主动消除危害", re.compile(r"主动(?:消除|减轻)|及时采取措施[^，。；]{0,6}消除"), None),
    ("人员密集场所", re.compile(r"人员密集场所"), None),
]


def _to_number(s: str) -> float:
    s = s.replace("．", ".").translate(str.maketrans("０１２３４５６７８９", "0123456789")).replace(" ", "")
    mult = 1.0
    if s and s[-1] in "万千亿" and s[:-1].replace(".", "").isdigit():
        mult = {"万": 1e4, "千": 1e3, "亿": 1e8}[s[-1]]
        s = s[:-1]
    return float(cn2an.cn2an(s, "smart")) * mult


def _op(pre: str | None, post: str | None, below_inclusive: bool) -> Operator:
    pre, post = pre or "", post or ""
    if pre in {"不超过", "未超过", "不高于", "不大于", "不多于", "≤"}:
        return "<="
    if pre in {"不足", "不满", "未满", "未达到", "小于", "少于", "低于", "＜", "<"}:
        return "<"
    if pre in {"大于", "多于", "高于", "超过", "超出", "＞", ">"}:
        return ">"
    if pre in {"≥", "达到"}:
        return ">="
    if post in {"及以上", "或以上", "以上"}:
        return ">="
    if post in {"及以下", "或以下", "以下", "以内", "之内"}:
        return "<=" if below_inclusive else "<"
    return "=="


_FLIP: dict[Operator, Operator] = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "=="}
_MATH_OP: dict[str, Operator] = {"≤": "<=", "<": "<", "＜": "<", "≥": ">=", ">": ">", "＞": ">"}


def _clause_bounds(text: str, pos: int) -> tuple[int, int]:
    lo = max(text.rfind(c, 0, pos) for c in "，,；;。：:\n") + 1
    his = [i for i in (text.find(c, pos) for c in "，,；;。：:\n") if i >= 0]
    return lo, min(his) if his else len(text)


def _field_for(unit: str, text: str, start: int, end: int) -> tuple[str, str | None]:
    """Infer (field, subject) for a quantity from its unit and the words around it."""
    lo, hi = _clause_bounds(text, start)
    before, after = text[lo:start], text[end:hi]
    near = before[-12:] + "|" + after[:10]
    if unit == "倍":
        for f in _MONEY_FIELDS:
            if f in before[-10:]:
                return f"{f}倍数", None
        return "超标倍数", None
    if unit == "dB(A)":
        return "超标分贝", None
    if unit == "元":
        for f in sorted(_MONEY_FIELDS, key=len, reverse=True):
            if f in before:
                return f, None
        for f in ("费用", "金额"):
            if f in before:
                return f, None
        return "金额", None
    if unit == "次":
        return "违法次数", None
    if unit in {"吨", "千克", "立方米"}:
        subject = next((s for s in _SUBJECTS if s in before), None)
        return ("数量", subject)
    if unit in {"平方米", "公顷", "亩"}:
        return "面积", None
    if unit in {"日", "小时", "分钟", "月", "年"}:
        return "持续时间", None
    if unit in {"个", "项", "种", "类"}:
        if "因子" in near or ("污染物" in after[:8] and "超" in text[lo:hi]):
            return "超标因子数", None
        if "指标" in near:
            return "指标数", None
        if unit == "类" or "类别" in near:
            return "类别数", None
        return "数量", None
    if unit == "处":
        return "处数", None
    if unit == "头":
        return "存栏量", None
    if unit == "%":
        return "占比", None
    if unit in {"MW", "t/h"}:
        return "设施容量", None
    return "数量", None


def _normalise(value: float, unit: str) -> tuple[float, str]:
    """Money to yuan, durations to days; everything else as written."""
    if unit in _DURATION_TO_DAYS:
        return value * _DURATION_TO_DAYS[unit], "日"
    return value, unit


def _window_at(text: str, pos: int, windows: list[re.Match[str]]) -> str | None:
    lo, hi = _clause_bounds(text, pos)
    for w in windows:
        if lo <= w.start() < hi or (w.end() <= pos and pos - w.end() < 12):
            return w.group(0)
    return None


def parse_conditions(text: str, below_inclusive: bool = True) -> tuple[list[Predicate], list[str]]:
    """Parse a condition text into predicates.

    Args:
        text: A tier's condition (裁量情节), e.g. ``两年内第2次`` or ``涉及危险废物0.2吨以上1吨以下的``.
        below_inclusive: Whether ``以下`` includes the number in this source (R5.8).

    Returns:
        ``(predicates, unparsed)``: predicates in text order, and the clauses of the text that gave none
        (written only in words).
    """
    preds: list[Predicate] = []
    if not text:
        return preds, []
    windows = list(_WINDOW_RE.finditer(text))
    covered: list[tuple[int, int]] = []
    masked = text
    for w in windows:
        masked = masked[: w.start()] + "□" * (w.end() - w.start()) + masked[w.end() :]

    for m in _MATH_RE.finditer(masked):
        if m.group("field"):
            field_words = m.group("field")
            b = _to_number(m.group("b"))
            unit = _UNIT_NORM.get(m.group("ub") or m.group("ua") or "", "")
            fld, subj = _math_field(field_words, unit)
            b, nunit = _normalise(b, unit)
            preds.append(_pred(fld, _MATH_OP[m.group("op2")], b, nunit, subj, None, m, text))
            if m.group("a"):
                a, _ = _normalise(_to_number(m.group("a")), unit)
                preds.append(_pred(fld, _FLIP[_MATH_OP[m.group("op1")]], a, nunit, subj, None, m, text))
        else:
            unit = _UNIT_NORM.get(m.group("uc"), "")
            fld, subj = _math_field(m.group("field2"), unit)
            c, nunit = _normalise(_to_number(m.group("c")), unit)
            preds.append(_pred(fld, _FLIP[_MATH_OP[m.group("op3")]], c, nunit, subj, None, m, text))
        covered.append(m.span())

    for m in _QUANT_RE.finditer(masked):
        if any(s <= m.start() < e for s, e in covered):
            continue
        unit_raw = "%" if m.group("pct") else m.group("unit")
        unit = _UNIT_NORM[unit_raw]
        post = m.group("post")
        if post == "内":
            continue  # 两年内 is a window, not a quantity (already masked; belt and braces)
        if unit == "年" and not (m.group("pre") or post):
            continue
        if unit in {"类", "种"} and not (m.group("pre") or post):
            continue  # 一类污染物, Ⅲ类放射源: a category, not a count
        try:
            value = _to_number(m.group("pnum") if m.group("pct") else m.group("num"))
        except (ValueError, KeyError, TypeError):
            continue
        value *= _MULT.get(unit_raw, 1.0)
        num_start = m.start("pnum") if m.group("pct") else m.start("num")
        fld, subj = _field_for(unit, text, num_start, m.end())
        op: Operator
        if m.group("ord"):
            op = "=="
        elif m.group("pre") == "仅":
            op = "<=" if post else "=="
        else:
            op = _op(m.group("pre") if m.group("pre") != "在" else None, post, below_inclusive)
            lo_c, _ = _clause_bounds(text, m.start())
            lead = re.search(r"(未|不)?(?:超过|超出|高于)[^，。；]{0,16}$", text[lo_c:num_start])
            if op == "==" and lead:
                # 超过核定载质量百分之三十: more than the figure; 未超过…总宽度的20%: at most the figure
                op = "<=" if lead.group(1) else ">"
        value, nunit = _normalise(value, unit)
        window = _window_at(text, m.start(), windows) if fld == "违法次数" else None
        preds.append(_pred(fld, op, value, nunit, subj, window, m, text))
        covered.append(m.span())

    # Counts written as words: 再犯 = at least the second time; 一个因子超标 handled above by 个.
    for m in re.finditer(r"再犯|多次", text):
        preds.append(_pred("违法次数", ">=", 2.0, "次", None, _window_at(text, m.start(), windows), m, text))
        covered.append(m.span())
    for m in re.finditer(r"超标因子超过一个|超过一个(?:超标)?因子", text):
        preds.append(_pred("超标因子数", ">", 1.0, "个", None, None, m, text))
        covered.append(m.span())

    for fld, pos_re, neg_re in _CUES:
        neg_spans = [n.span() for n in neg_re.finditer(text)] if neg_re else []
        for n0, n1 in neg_spans:
            preds.append(Predicate(field=fld, op="==", value=False, text=text[n0:n1], start=n0, end=n1))
            covered.append((n0, n1))
        for m in pos_re.finditer(text):
            if any(n0 <= m.start() < n1 or n0 < m.end() <= n1 for n0, n1 in neg_spans):
                continue
            if re.search(rf"{_NEG}$", text[max(0, m.start() - 1) : m.start()]):
                preds.append(Predicate(field=fld, op="==", value=False, text=m.group(0), start=m.start(), end=m.end()))
            else:
                preds.append(Predicate(field=fld, op="==", value=True, text=m.group(0), start=m.start(), end=m.end()))
            covered.append(m.span())
            break

    preds.sort(key=lambda p: (p.start or 0, p.field))
    preds = _dedupe(_assign_logic(text, preds))
    unparsed = [
        c.strip()
        for c, (s, e) in _clauses(text)
        if c.strip() and not any(s <= a < e or s < b <= e for a, b in covered)
    ]
    return preds, unparsed


_CONJ_RE = re.compile(r"同时(?:满足|具备|符合)|并且同时")
_AND_SPLIT_RE = re.compile(r"；|;|\n|（\d+）|\(\d+\)")
_OR_SPLIT_RE = re.compile(r"；|;|或者(?!其他|以上|以下)|(?<!或)或(?!者|以上|以下|其他)")


def _top_level(text: str, rx: re.Pattern[str]) -> list[int]:
    """Offsets where ``rx`` matches outside parentheses."""
    out, depth = [], 0
    marks = {m.start(): m.end() for m in rx.finditer(text)}
    for i, ch in enumerate(text):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if depth == 0 and i in marks:
            out.append(i)
    return out


def _assign_logic(text: str, preds: list[Predicate]) -> list[Predicate]:
    """Set ``clause``/``alt`` from the connectives: 同时满足 → clauses joined by AND; otherwise ；/或者 → OR."""
    conj = bool(_CONJ_RE.search(text))
    clause_cuts = _top_level(text, _AND_SPLIT_RE) if conj else []
    or_rx = re.compile(r"或者(?!其他|以上|以下)|(?<!或)或(?!者|以上|以下|其他)") if conj else _OR_SPLIT_RE
    alt_cuts = _top_level(text, or_rx)

    def index(cuts: list[int], pos: int) -> int:
        return sum(1 for c in cuts if c <= pos)

    out = []
    for p in preds:
        pos = p.start or 0
        out.append(p.model_copy(update={"clause": index(clause_cuts, pos), "alt": index(alt_cuts, pos)}))
    return out


def _math_field(words: str, unit: str) -> tuple[str, str | None]:
    if "面积" in words:
        return "面积", None
    if "容量" in words:
        return "设施容量", None
    if "量" in words and unit in {"吨", "立方米"}:
        return "数量", next((s for s in _SUBJECTS if s in words), None)
    fld, subj = _field_for(unit, words + "", len(words), len(words)) if unit else (words, None)
    return fld, subj


def _pred(fld: str, op: Operator, value: float, unit: str | None, subject: str | None, window: str | None,
          m: re.Match[str], text: str) -> Predicate:
    return Predicate(field=fld, op=op, value=float(value), unit=unit or None, subject=subject, window=window,
                     text=text[m.start() : m.end()].strip(), start=m.start(), end=m.end())


def _dedupe(preds: list[Predicate]) -> list[Predicate]:
    seen: set[tuple[object, ...]] = set()
    out = []
    for p in preds:
        key = (p.field, p.op, p.value, p.unit, p.subject, p.window)
        if key in seen:
            continue
        seen.add(key)
        out.append(p)
    return out


def _clauses(text: str) -> list[tuple[str, tuple[int, int]]]:
    out = []
    start = 0
    for m in re.finditer(r"[，,；;。\n]", text):
        out.append((text[start : m.start()], (start, m.start())))
        start = m.end()
    out.append((text[start:], (start, len(text))))
    return out


def evaluate(predicates: list[Predicate], facts: dict[str, float | bool | str | None]) -> bool | None:
    """A condition's predicates against facts: True, False, or None when it turns on an unknown fact.

    Every clause must hold; a clause holds when one of its alternatives has all predicates true
    (three-valued: an alternative with an unknown fact and no false one is unknown).
    """
    clauses: dict[int, dict[int, list[Predicate]]] = {}
    for p in predicates:
        clauses.setdefault(p.clause, {}).setdefault(p.alt, []).append(p)
    result: bool | None = True
    for alts in clauses.values():
        clause_val: bool | None = False
        for group in alts.values():
            vals = [p.test(facts.get(p.field)) for p in group]
            g = False if False in vals else (None if None in vals else True)
            if g is True:
                clause_val = True
                break
            if g is None:
                clause_val = None
        if clause_val is False:
            return False
        if clause_val is None:
            result = None
    return result
