"""Money in descriptions and statutes: parse amounts, find fine ranges, write amounts in words.

Every amount is held as integer fen (R7.6: never floats); multipliers of a base amount
(违法所得一倍, 工程造价百分之五) are exact :class:`fractions.Fraction`.

* :func:`parse_amount` — ``"0.3万元"`` → ``300000`` (fen).
* :func:`find_amounts` — every amount in a text with what it is (违法所得, 货值金额, …).
* :func:`find_fine_ranges` — statutory / benchmark fine ranges (R5.9) with their bounds'
  inclusivity (R5.8), base, condition clause (fallback clauses such as 保险法 第一百五十八条),
  addressee (单位 / 个人 / 直接责任人员) and per-unit wording (每日, 每平方米).
* :func:`amount_in_words` / :func:`format_money` — R6.8.

This module imports nothing from the project so that any layer may use it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import cn2an

from nlp.errors import EHError

__all__ = [
    "NUMBER",
    "NUMBER_START",
    "Amount",
    "AmountError",
    "BaseRequired",
    "Condition",
    "FineRange",
    "KINDS",
    "amount_in_words",
    "find_amounts",
    "find_fine_ranges",
    "format_money",
    "parse_amount",
    "parse_number",
    "yuan_str",
]


class AmountError(EHError):
    """Text that is not a well-formed amount or number."""

    code = "bad_amount"


class BaseRequired(AmountError):
    """A fine written as a multiple or share of a base (违法所得, 货值金额 …) with no base given (R5.10 step 1)."""

    code = "base_required"


# --------------------------------------------------------------------------- numbers

# Capital (大写) digits and traditional unit characters, mapped to the everyday forms.
_CAPITALS = str.maketrans(
    {
        "壹": "一", "贰": "二", "貳": "二", "叁": "三", "參": "三", "肆": "四", "伍": "五",
        "陆": "六", "陸": "六", "柒": "七", "捌": "八", "玖": "九", "拾": "十", "佰": "百",
        "仟": "千", "萬": "万", "億": "亿", "〇": "零", "两": "二", "兩": "二",
        "０": "0", "１": "1", "２": "2", "３": "3", "４": "4", "５": "5", "６": "6",
        "７": "7", "８": "8", "９": "9", "．": ".",
    }
)
_CN_DIGIT = "零〇一二两三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖"
_CN_UNIT = "十百千万亿拾佰仟萬億"
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_DIGIT = "0-9０-９"


def _number(more: str) -> str:
    """The NUMBER pattern with ``more`` (``+``, or possessive ``++``) for its runs of digits and numerals."""
    arabic = rf"(?:[{_DIGIT}]{{1,3}}(?:,[{_DIGIT}]{{3}}){more}|[{_DIGIT}]{more})(?:[.．][{_DIGIT}]{more})?"
    cn = f"[{_CN_DIGIT}{_CN_UNIT}]{more}(?:点[{_CN_DIGIT}]{more})?"
    return f"(?:{arabic}(?:{cn}{arabic})*(?:{cn})?|{cn}(?:{arabic}{cn})*(?:{arabic})?)"


#: A number as written in Chinese text: ``3000``, ``3,000.50``, ``三千``, ``叁仟``, ``0.3万``, ``1万5千``.
#: Arabic and Chinese runs strictly alternate so that no digit run can be split two ways (a nested
#: ``(?:\d+|…)+`` backtracks exponentially on long digit strings).
NUMBER = _number("+")
#: Put before a NUMBER that begins a searched pattern: a match may then start only where a number starts, not
#: after a digit or numeral, nor at a group of ``1,234,567`` (three digits after a comma that follows one to
#: three digits). Without it a pattern that needs a unit after the number retries from every digit of a run,
#: each try reading to the end of the run: quadratic in the run. On numbers as written it changes no match: a try
#: inside a number fails wherever the try at its start failed.
NUMBER_START = (rf"(?<![{_DIGIT}{_CN_DIGIT}{_CN_UNIT}])"
                rf"(?:(?<!(?<![{_DIGIT}])[{_DIGIT}],)(?<!(?<![{_DIGIT}])[{_DIGIT}]{{2}},)"
                rf"(?<!(?<![{_DIGIT}])[{_DIGIT}]{{3}},)|(?![{_DIGIT}]{{3}}(?![{_DIGIT}])))")
# NUMBER whose runs never give characters back. It matches the same wherever what follows a number cannot begin
# with a digit, nor with a numeral other than 万/千/亿 (which the run takes itself): so in the fine-range patterns,
# where each of eight alternatives would otherwise retry a long run one character shorter at a time.
_NUMBER_P = _number("++")
_HAS_DIGIT = re.compile(f"[0-9０-９{_CN_DIGIT}十拾]")
# No amount, count or measure is written with more characters than this; longer "numbers" (a pasted
# serial, 20,000 digits) are rejected before cn2an, whose time grows faster than their length, and before
# integers too long to print (Python refuses to convert ints of more than 4,300 digits to text).
_MAX_NUMBER_CHARS = 40
_MAX_AMOUNT_CHARS = 80


def parse_number(s: str) -> Decimal:
    """Parse a number written with Arabic digits, Chinese numerals (incl. 大写) or both.

    Args:
        s: e.g. ``"3,000"``, ``"0.3万"``, ``"1.5亿"``, ``"三千五百"``, ``"叁仟"``, ``"1万5千"``, ``"一点五"``.

    Returns:
        The exact value as a :class:`~decimal.Decimal`.

    Raises:
        AmountError: if ``s`` is not a number, or is longer than any number written in a text
            (40 characters).
    """
    t = s.strip().translate(_CAPITALS).replace(",", "")
    if not t or not _HAS_DIGIT.search(t):
        raise AmountError(f"not a number: {s!r}")
    if len(t) > _MAX_NUMBER_CHARS:
        raise AmountError(f"too long for a number: {len(t)} characters")
    if re.fullmatch(r"\d+(?:\.\d+)?", t):
        return Decimal(t)
    # "0.3万", "1.5亿", "3千万": an Arabic mantissa times units. Done in Decimal because cn2an
    # returns floats here (R7.6: never floats).
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([十百千万亿]+)", t)
    if m:
        value = Decimal(m.group(1))
        for u in m.group(2):
            value *= _UNIT_VALUE[u]
        return value
    if "点" in t or "." in t:
        head, _, tail = t.replace(".", "点").partition("点")
        if not re.fullmatch(r"[零一二三四五六七八九0-9]+", tail):
            raise AmountError(f"not a number: {s!r}")
        frac = "".join(str("零一二三四五六七八九".index(c)) if not c.isdigit() else c for c in tail)
        return parse_number(head or "零") + Decimal("0." + frac)
    mode = "smart" if re.search(r"\d", t) else "normal"
    try:
        value = cn2an.cn2an(t, mode)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise AmountError(f"not a number: {s!r}") from exc
    if isinstance(value, float):
        # Only reachable for mixed forms cn2an rounds itself; go through str to stay exact.
        return Decimal(repr(value))
    return Decimal(int(value))


def _to_fen(yuan: Decimal, raw: str) -> int:
    fen = yuan * 100
    if fen != fen.to_integral_value():
        raise AmountError(f"amount has fractions of a fen: {raw!r}")
    return int(fen)


# --------------------------------------------------------------------------- parse_amount

_PREFIX = r"(?:人民币|RMB|rmb|CNY|¥|￥)"
_YUAN = r"(?:元|圆|块钱)"  # bare 块 is a counter far more often (20块砖) than money
_JIAO_FEN = f"(?:零?(?P<jiao>{NUMBER})角)?(?:零?(?P<fen>{NUMBER})分(?!钟))?"
# Blanks are taken whole (\s*+): nothing after them begins with a blank, and with the optional parts between them
# a run of blanks could otherwise be split among them in a number of ways that grows as a power of its length.
_AMOUNT_FULL = re.compile(
    rf"\s*+{_PREFIX}?\s*+(?:(?P<num>{NUMBER})(?P<approx>[余多])?(?P<unit>[万千亿萬億])?\s*+(?P<yuan>{_YUAN})?)?"
    rf"{_JIAO_FEN}\s*+整?\s*+"
)


def parse_amount(s: str) -> int:
    """Parse one amount of money into integer fen (R7.6).

    Accepts ``3000元``, ``3,000元``, ``¥3000``, ``人民币3000元``, ``三千元``, ``叁仟元``, ``0.3万元``,
    ``3千元``, ``1.5亿元``, ``十万元``, ``12元5角``, ``人民币壹仟元零伍分``, ``3万余元`` (the stated
    figure), and a bare number (taken as yuan).

    Raises:
        AmountError: if ``s`` is not one amount (none is longer than 80 characters).
    """
    if not isinstance(s, str):
        raise AmountError(f"not a string: {s!r}")
    if len(s.strip()) > _MAX_AMOUNT_CHARS:
        # also keeps the fullmatch short: on a long run of digits it tries every split of the run
        raise AmountError(f"too long for an amount: {len(s.strip())} characters")
    m = _AMOUNT_FULL.fullmatch(s)
    if not m or not (m.group("num") or m.group("jiao") or m.group("fen")):
        raise AmountError(f"not an amount: {s!r}")
    if m.group("num") and not m.group("yuan") and (m.group("jiao") or m.group("fen")):
        raise AmountError(f"not an amount: {s!r}")
    yuan = parse_number(m.group("num") + (m.group("unit") or "")) if m.group("num") else Decimal(0)
    if m.group("jiao"):
        yuan += parse_number(m.group("jiao")) / 10
    if m.group("fen"):
        yuan += parse_number(m.group("fen")) / 100
    return _to_fen(yuan, s)


def yuan_str(fen: int) -> str:
    """``300050`` → ``"3000.5"``: fen as a plain yuan string without floats (for JSON)."""
    sign = "-" if fen < 0 else ""
    y, f = divmod(abs(fen), 100)
    return f"{sign}{y}" if not f else f"{sign}{y}.{f:02d}".rstrip("0")


# --------------------------------------------------------------------------- find_amounts

#: What an amount is (R7.6, R5.10). ``总投资额`` is added because 环评法 fines are a share of it (R5.9).
KINDS = ("违法所得", "货值金额", "销售额", "工程造价", "总投资额", "罚款", "其他")

# Nearest keyword to the left (same clause) decides the kind. "其他" words are listed so that a
# nearer 进货/成本/损失 blocks a farther 违法所得.
_KIND_WORDS: tuple[tuple[str, str], ...] = (
    ("违法所得", r"违法所得|非法所得|违法收入|非法收入|非法获利|违法获利|获利|获取利润|获得利润|牟利|谋利|盈利|赚取|赚得|"
               r"违法收益|非法收益|获得收益|得利|回扣|好处费|所得"),
    ("货值金额", r"货值金额|货值|案值|价值|标价总额|标价|总值"),
    ("销售额", r"销售额|销售金额|销售收入|销售总额|销售款|营业额|营业收入|经营额|营收|交易额|成交额|票款|收取货款|收到货款|收入"),
    ("工程造价", r"工程造价|造价|工程款|合同价款|工程价款"),
    ("总投资额", r"总投资额|总投资|投资总额|投资额"),
    ("罚款", r"罚款|罚金|罚没款|处以|并处|处罚金额|处罚款"),
    ("其他", r"进货金额|进货价|进价|成本|损失|赔偿|押金|注册资本|工资|单价|费用|收费|退还|退赔|补偿|税款|保证金|预付款|货款"),
)
_KIND_RE = re.compile("|".join(f"(?P<k{i}>{p})" for i, (_, p) in enumerate(_KIND_WORDS)))
_LAST_CLAUSE_BREAK = re.compile(r"(?s:.*)[，,。；;！!？?\n]")
_LAST_SEGMENT_BREAK = re.compile(r"(?s:.*)[；;。\n：:]")
# How far back from a figure its clause (to the last comma) and segment (to the last stop) are read. The
# longest before a fine range in the shared corpus are 78 and 240 characters; reading to the start of a text
# without punctuation for every figure would be quadratic.
_CLAUSE_MAX = 200
_SEGMENT_MAX = 600
_AMOUNT_RE = re.compile(
    rf"(?P<prefix>{_PREFIX}\s*)?(?P<num>{NUMBER})(?P<approx>[余多])?(?P<unit>[万千亿萬億])?"
    rf"(?:(?P<yuan>{_YUAN})(?:零?(?P<jiao>{NUMBER})角)?(?:零?(?P<fen>{NUMBER})分(?!钟))?)?"
)
_APPROX_LEFT = re.compile(r"(?:约|大约|近|将近|接近|逾)$")


@dataclass(frozen=True)
class Amount:
    """One amount of money found in a text.

    Attributes:
        value_fen: the stated value in fen.
        span: ``(start, end)`` character offsets in the text.
        raw: ``text[start:end]``.
        kind: one of :data:`KINDS`.
        keyword: the word that decided ``kind`` (``None`` for 其他 by default).
        approximate: written with 余/多/约/左右 — the value is the stated figure.
    """

    value_fen: int
    span: tuple[int, int]
    raw: str
    kind: str = "其他"
    keyword: str | None = None
    approximate: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (fen as int, yuan as an exact string)."""
        return {
            "value_fen": self.value_fen,
            "yuan": yuan_str(self.value_fen),
            "span": list(self.span),
            "raw": self.raw,
            "kind": self.kind,
            "keyword": self.keyword,
            "approximate": self.approximate,
        }


def _start_after(last_break: re.Pattern[str], text: str, pos: int, limit: int) -> int:
    """Just after the last break before ``pos``, looking back at most ``limit`` characters."""
    floor = max(0, pos - limit)
    m = last_break.match(text, floor, pos)
    return m.end() if m else floor


def _clause_start(text: str, pos: int, limit: int = _CLAUSE_MAX) -> int:
    return _start_after(_LAST_CLAUSE_BREAK, text, pos, limit)


def _amount_kind(text: str, start: int, end: int) -> tuple[str, str | None]:
    left = text[_clause_start(text, start, 24) : start]
    best: tuple[int, str, str] | None = None
    for m in _KIND_RE.finditer(left):
        idx = int(next(k for k, v in m.groupdict().items() if v)[1:])
        if best is None or m.end() >= best[0]:
            best = (m.end(), _KIND_WORDS[idx][0], m.group())
    right = text[end : end + 8]
    if re.match(r"(?:的)?(?:罚款|罚金)", right):
        return "罚款", re.match(r"(?:的)?(罚款|罚金)", right).group(1)  # type: ignore[union-attr]
    if best is not None:
        return best[1], best[2]
    if re.search(r"处$", left):
        return "罚款", "处"
    return "其他", None


def find_amounts(text: str) -> list[Amount]:
    """Find every amount of money in ``text`` and say what it is (R7.6).

    An amount needs 元 (or 块) or a currency prefix (人民币, ¥). ``千元`` alone (no digit) is not
    an amount. The kind comes from the nearest keyword on the left in the same clause (违法所得,
    获利, 货值, 销售额, 造价, 罚款 …) or from 罚款 just after the figure.
    """
    out: list[Amount] = []
    for m in _AMOUNT_RE.finditer(text):
        if not m.group("yuan") and not (m.group("prefix") and m.group("prefix").strip() != "人民币"):
            continue
        num = m.group("num") + (m.group("unit") or "")
        try:
            yuan = parse_number(num)
            if m.group("jiao"):
                yuan += parse_number(m.group("jiao")) / 10
            if m.group("fen"):
                yuan += parse_number(m.group("fen")) / 100
            fen = _to_fen(yuan, m.group())
        except AmountError:
            continue
        start, end = m.span()
        kind, kw = _amount_kind(text, start, end)
        approx = bool(m.group("approx")) or bool(_APPROX_LEFT.search(text[max(0, start - 4) : start]))
        approx = approx or text[end : end + 2] in ("左右", "上下")
        out.append(Amount(fen, (start, end), m.group(), kind, kw, approx))
    return out


# --------------------------------------------------------------------------- fine ranges

# Bases of multiples / shares (R5.9), normalised; anything else keeps its own words.
_BASES: tuple[tuple[str, str], ...] = (
    ("违法所得", r"违法所得|非法所得|违法收入|所获收入|违法获利"),
    ("货值金额", r"货值金额|货值|产品价值|商品价值"),
    ("工程造价", r"工程造价|造价"),
    ("总投资额", r"总投资额|投资总额"),
    ("销售额", r"销售额|违法经营额|经营额|营业额|销售收入|销售金额"),
)
_VAL_MONEY = rf"{_NUMBER_P}(?:[万千亿])?元"
_VAL_MONEY_OPT = rf"{_NUMBER_P}(?:[万千亿])?元?"
_VAL_MULT = rf"(?:{_NUMBER_P}倍|等值)"
_VAL_PCT = rf"(?:(?:百分之|千分之|万分之){_NUMBER_P}|{_NUMBER_P}分之{_NUMBER_P}|{_NUMBER_P}[%％‰])"
_VAL = rf"(?:{_VAL_PCT}|{_VAL_MULT}|{_VAL_MONEY})"
_VAL_OPT = rf"(?:{_VAL_PCT}|{_VAL_MULT}|{_VAL_MONEY_OPT})"
_INCL = r"(?:[（(](?:含|包含|含本数)[)）])"
_EXCL = r"(?:[（(]不含(?:本数)?[)）])"
_RANGE_RE = re.compile(
    "|".join(
        (
            rf"{NUMBER_START}(?P<r_lo>{_VAL_OPT})(?P<r_lo_mark>{_INCL}|{_EXCL})?以上[、，,]?(?:不超过)?(?P<r_hi>{_VAL})"
            rf"(?P<r_hi_mark>{_INCL}|{_EXCL})?(?:以下|以内)",
            rf"{NUMBER_START}(?P<t_lo>{_VAL_OPT})(?:至|到|—|－|-|～|~)(?P<t_hi>{_VAL})",
            rf"(?P<lt_op>不足|低于|少于|未达到|未满|不满)(?P<lt>{_VAL})",
            rf"(?P<gt_op>超过|高于|多于)(?P<gt>{_VAL})(?!以下|以内)",
            rf"(?:不超过|不高于|最高不超过|最高(?:为)?)(?P<le>{_VAL})",
            rf"(?:达到|满)?{NUMBER_START}(?P<ge>{_VAL})(?P<ge_mark>{_INCL}|{_EXCL})?以上",
            rf"{NUMBER_START}(?P<le2>{_VAL})(?P<le2_mark>{_INCL}|{_EXCL})?(?:以下|以内)",
            rf"{NUMBER_START}(?P<fix>{_VAL})",
        )
    )
)
_FINE_LEFT = re.compile(r"(?:处|罚款|罚金|处罚)")
_BASE_WORDS = re.compile("|".join(p for _, p in _BASES) + r"|金额|价值|收入|销售|营业|造价|投资")
_TARGET_RE = re.compile(r"直接负责的主管人员|其他直接责任人员|直接责任人员|法定代表人|主要负责人|单位|个人(?!独资|信息|所得|隐私|数据)")
_TARGET_LABEL = {"直接负责的主管人员": "直接责任人员", "其他直接责任人员": "直接责任人员"}
_PER_RE = re.compile(
    r"每(?P<per>日|天|次|平方米|立方米|米|亩|辆|艘|台|件|吨|人|批|项|个|(?:载运)?[一二三四五六七八九十\d]+人)"
    r"(?:[（(][^）)]{0,4}[）)]|[^\d一二三四五六七八九十，。；]{0,5}?)(?:处以?|并处|罚款|计罚)?$"
)
_ALT_RE = re.compile(r"(?P<alt>警告|通报批评|(?<![一二三四五六七八九十\d])[一二三四五六七八九十\d]+日以下拘留|拘留)(?:、|或者|或)$")
_NO_BASE_RE = re.compile(r"(?:没有|无|不能计算|无法计算|难以计算)(?:违法所得|货值|销售额|经营额)|(?:违法所得|货值金额)(?:无法|不能|难以)(?:计算|确定)")
_PENALTY_WORDS = re.compile(r"处|罚款|责令|没收|警告|拘留|吊销")
_GENERIC_COND = re.compile(r"^(?:有下列|违反本|具有下列|存在下列)")


@dataclass(frozen=True)
class Bound:
    """A parsed value: money in fen, or a multiplier of a base (百分之五 → 1/20)."""

    kind: str  # 'amount' | 'multiple' | 'percent'
    fen: int | None = None
    multiplier: Fraction | None = None


def _parse_bound(s: str, unit_hint: str | None = None) -> Bound:
    t = s.translate(_CAPITALS)
    if t == "等值":
        return Bound("multiple", multiplier=Fraction(1))
    m = re.fullmatch(r"(百分之|千分之|万分之)(.+)", t)
    if m:
        d = {"百分之": 100, "千分之": 1000, "万分之": 10000}[m.group(1)]
        return Bound("percent", multiplier=Fraction(parse_number(m.group(2))) / d)
    m = re.fullmatch(r"(.+?)[%％‰]", t)
    if m:
        return Bound("percent", multiplier=Fraction(parse_number(m.group(1))) / (1000 if t.endswith("‰") else 100))
    m = re.fullmatch(r"(.+?)分之(.+)", t)
    if m:
        denominator = Fraction(parse_number(m.group(1)))
        if not denominator:
            raise AmountError(f"zero denominator: {s!r}")
        return Bound("percent", multiplier=Fraction(parse_number(m.group(2))) / denominator)
    if t.endswith("倍"):
        return Bound("multiple", multiplier=Fraction(parse_number(t[:-1])))
    if t.endswith("元"):
        return Bound("amount", fen=_to_fen(parse_number(t[:-1]), s))
    # A lower bound written without its unit ("五十万以上一百万元以下") takes the upper bound's.
    if unit_hint == "元":
        return Bound("amount", fen=_to_fen(parse_number(t), s))
    if unit_hint == "倍":
        return Bound("multiple", multiplier=Fraction(parse_number(t)))
    raise AmountError(f"bound without unit: {s!r}")


def _frac_str(f: Fraction | None) -> str | None:
    if f is None:
        return None
    d = f.denominator
    while d % 2 == 0:
        d //= 2
    while d % 5 == 0:
        d //= 5
    if d != 1:
        return f"{f.numerator}/{f.denominator}"
    out = format(Decimal(f.numerator) / Decimal(f.denominator), "f")
    return out.rstrip("0").rstrip(".") if "." in out else out


def _norm_base(base_text: str | None) -> str | None:
    if not base_text:
        return None
    for name, pat in _BASES:
        if re.search(pat, base_text):
            return name
    return base_text


@dataclass(frozen=True)
class Condition:
    """The clause a fine depends on, e.g. ``货值金额不足一万元的`` or ``情节严重的``.

    ``base`` / ``min_fen`` / ``max_fen`` are filled when the clause is a test on an amount;
    ``includes_none`` when it also covers "没有违法所得" (保险法 第一百五十八条 pattern, R5.9).
    """

    text: str
    span: tuple[int, int]
    base: str | None = None
    min_fen: int | None = None
    max_fen: int | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    includes_none: bool = False

    def holds(self, base_fen: int | None) -> bool | None:
        """Whether the condition holds for a base amount; ``None`` if it is not an amount test."""
        if self.base is None or (self.min_fen is None and self.max_fen is None):
            return None
        if base_fen is None or base_fen == 0:
            if self.includes_none:
                return True
            if base_fen is None:
                return None
        if self.min_fen is not None and (base_fen < self.min_fen or (base_fen == self.min_fen and not self.min_inclusive)):
            return False
        if self.max_fen is not None and (base_fen > self.max_fen or (base_fen == self.max_fen and not self.max_inclusive)):  # noqa: SIM103 - parallel to the check above
            return False
        return True

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "text": self.text,
            "span": list(self.span),
            "base": self.base,
            "min_fen": self.min_fen,
            "max_fen": self.max_fen,
            "min_inclusive": self.min_inclusive,
            "max_inclusive": self.max_inclusive,
            "includes_none": self.includes_none,
        }


@dataclass(frozen=True)
class FineRange:
    """A statutory or benchmark fine range (R5.9).

    Attributes:
        raw: the matched words, e.g. ``五千元以上五万元以下``.
        span: offsets of ``raw`` in the text.
        kind: ``amount`` (yuan), ``multiple`` (N倍 of ``base``) or ``percent`` (a share of ``base``).
        min_fen / max_fen: bounds in fen for ``amount``; ``None`` when open.
        base: normalised base (违法所得, 货值金额, 工程造价, 销售额, 总投资额) or the statute's own words.
        base_text: the words before the figure, e.g. ``违法生产经营的食品货值金额``.
        min_multiplier / max_multiplier: exact multipliers of ``base`` (百分之五 → 1/20); ``None`` when open.
        min_inclusive / max_inclusive: whether the bound itself is allowed (R5.8; per source).
        condition: the clause the range depends on, if any.
        target: who is fined when the text says so (单位, 个人, 直接负责的主管人员 …).
        per: unit for per-unit fines (``日`` for 每日/按日, ``平方米`` …), else ``None``.
        alternatives: penalties offered instead (处警告或者五百元以下罚款 → ``("警告",)``).
    """

    raw: str
    span: tuple[int, int]
    kind: str
    min_fen: int | None = None
    max_fen: int | None = None
    base: str | None = None
    base_text: str | None = None
    min_multiplier: Fraction | None = None
    max_multiplier: Fraction | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    condition: Condition | None = None
    target: str | None = None
    per: str | None = None
    alternatives: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_fixed(self) -> bool:
        """A single figure (江门表: 处二十万元罚款)."""
        if self.kind == "amount":
            return self.min_fen is not None and self.min_fen == self.max_fen
        return self.min_multiplier is not None and self.min_multiplier == self.max_multiplier

    def bounds_for(self, base_fen: int | None = None) -> tuple[int | None, int | None]:
        """The range in fen; for multiples/percentages ``base_fen`` is required (R5.10 step 1).

        Raises:
            BaseRequired: (``code = "base_required"``) when the range needs a base and none is given.
        """
        if self.kind == "amount":
            return self.min_fen, self.max_fen
        if base_fen is None:
            raise BaseRequired(f"base amount required ({self.base or self.base_text}) for {self.raw}")

        def mul(f: Fraction | None) -> int | None:
            if f is None:
                return None
            v = base_fen * f
            return int(v.numerator * 2 + v.denominator) // (2 * v.denominator)  # round half up

        return mul(self.min_multiplier), mul(self.max_multiplier)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly form (fen ints, yuan strings, multipliers as exact decimal strings)."""
        return {
            "raw": self.raw,
            "span": list(self.span),
            "kind": self.kind,
            "min_fen": self.min_fen,
            "max_fen": self.max_fen,
            "min_yuan": None if self.min_fen is None else yuan_str(self.min_fen),
            "max_yuan": None if self.max_fen is None else yuan_str(self.max_fen),
            "base": self.base,
            "base_text": self.base_text,
            "min_multiplier": _frac_str(self.min_multiplier),
            "max_multiplier": _frac_str(self.max_multiplier),
            "min_inclusive": self.min_inclusive,
            "max_inclusive": self.max_inclusive,
            "condition": None if self.condition is None else self.condition.to_dict(),
            "target": self.target,
            "per": self.per,
            "alternatives": list(self.alternatives),
        }


@dataclass
class _Hit:
    start: int
    end: int
    lo: Bound | None
    hi: Bound | None
    lo_incl: bool
    hi_incl: bool
    op: str | None  # the comparison word, for conditions


def _unit_of(s: str) -> str | None:
    if s.endswith("元"):
        return "元"
    if s.endswith("倍"):
        return "倍"
    return None


def _mark_incl(mark: str | None, default: bool) -> bool:
    if not mark:
        return default
    return "不含" not in mark


def _scan(text: str, above_inclusive: bool, below_inclusive: bool) -> list[_Hit]:
    hits: list[_Hit] = []
    for m in _RANGE_RE.finditer(text):
        g = m.groupdict()
        try:
            if g["r_lo"]:
                hi = _parse_bound(g["r_hi"])
                lo = _parse_bound(g["r_lo"], _unit_of(g["r_hi"]))
                hit = _Hit(m.start(), m.end(), lo, hi, _mark_incl(g["r_lo_mark"], above_inclusive),
                           _mark_incl(g["r_hi_mark"], below_inclusive), "range")
            elif g["t_lo"]:
                hi = _parse_bound(g["t_hi"])
                lo = _parse_bound(g["t_lo"], _unit_of(g["t_hi"]))
                hit = _Hit(m.start(), m.end(), lo, hi, True, True, "range")
            elif g["lt"]:
                hit = _Hit(m.start(), m.end(), None, _parse_bound(g["lt"]), True, False, g["lt_op"])
            elif g["gt"]:
                hit = _Hit(m.start(), m.end(), _parse_bound(g["gt"]), None, False, True, g["gt_op"])
            elif g["le"]:
                hit = _Hit(m.start(), m.end(), None, _parse_bound(g["le"]), True, True, "不超过")
            elif g["ge"]:
                hit = _Hit(m.start(), m.end(), _parse_bound(g["ge"]), None,
                           _mark_incl(g["ge_mark"], above_inclusive), True, "以上")
            elif g["le2"]:
                hit = _Hit(m.start(), m.end(), None, _parse_bound(g["le2"]), True,
                           _mark_incl(g["le2_mark"], below_inclusive), "以下")
            else:
                b = _parse_bound(g["fix"])
                hit = _Hit(m.start(), m.end(), b, b, True, True, "fixed")
        except AmountError:
            continue
        if hit.lo and hit.hi and hit.lo.kind != hit.hi.kind and "amount" in (hit.lo.kind, hit.hi.kind):
            continue  # 一倍以上五万元以下: not one range
        hits.append(hit)
    return hits


def _kind(hit: _Hit) -> str:
    kinds = {b.kind for b in (hit.lo, hit.hi) if b is not None}
    if "amount" in kinds:
        return "amount"
    return "multiple" if "multiple" in kinds else "percent"


def _segment_start(text: str, pos: int) -> int:
    return _start_after(_LAST_SEGMENT_BREAK, text, pos, _SEGMENT_MAX)


def _classify(text: str, hit: _Hit, standalone: bool) -> str | None:
    """'fine', 'condition' or None (neither: 超标0.5倍, 注册资本五百万元 …)."""
    cs = _clause_start(text, hit.start)
    left = text[cs : hit.start]
    right = text[hit.end : hit.end + 6]
    followed_by_de = right.startswith("的") and not re.match(r"的(?:罚款|罚金)", right)
    fine_right = bool(re.match(r"(?:的)?(?:计算)?(?:罚款|罚金)", right))
    # Where the fine verb is, relative to the last base word: 处违法所得一倍 is a fine; 违法所得五万元以上 a condition.
    last_fine = max((m.end() for m in _FINE_LEFT.finditer(left)), default=-1)
    last_base = max((m.end() for m in _BASE_WORDS.finditer(left)), default=-1)
    kind = _kind(hit)
    if re.search(r"超标|超过[^，。；]{0,12}(?:标准|限值)|超出|超过核定|超载|超限|超速", left):
        return None
    if hit.op in ("不足", "低于", "少于", "未达到", "未满", "不满", "超过", "高于", "多于") or followed_by_de:
        return "condition" if (last_base >= 0 or followed_by_de or hit.op) else None
    if hit.op == "fixed":
        if re.search(r"罚款$", left):
            return "fine"
        if not fine_right:
            return None
        # 处二十万元罚款, 处每辆（艘）五千元的罚款, 处以违法划拨款项二倍的罚款, 按照直接损失的百分之三十计算罚款
        if kind != "amount" or re.search(r"(?:处以?|并处)(?:每[^，。；]{0,8})?$", left):
            return "fine"
        return None
    if kind == "amount" and last_base > last_fine:
        return "condition"
    if last_fine >= 0 or fine_right:
        return "fine"
    if kind != "amount" and last_base >= 0:
        return "fine"
    return "fine" if standalone else None


# A clause ending in 的 before a comma (货值金额不足一万元的，). A try starts only at the start of a clause and
# never gives characters back, so a clause without 的 is read once instead of once per character.
_COND_CLAUSE = re.compile(r"(?<![^，,；;。：:\n])[^，,；;。：:\n]++(?<=[^，,；;。：:\n]的)(?=[，,])")


@dataclass
class _Seen:
    """The conditions found so far, and where penalty words and line breaks are, for lookups by position."""

    conds: list[tuple[_Hit, str]]
    cond_starts: list[int]
    penalty_starts: list[int]  # _PENALTY_WORDS share no character, so finditer misses no occurrence
    penalty_ends: list[int]
    newlines: list[int]

    @classmethod
    def of(cls, text: str) -> _Seen:
        penalties = [m.span() for m in _PENALTY_WORDS.finditer(text)]
        return cls([], [], [s for s, _ in penalties], [e for _, e in penalties],
                   [m.start() for m in re.finditer("\n", text)])

    def add(self, hit: _Hit, base_text: str) -> None:
        self.conds.append((hit, base_text))
        self.cond_starts.append(hit.start)

    def conds_within(self, start: int, end: int) -> list[tuple[_Hit, str]]:
        i, j = bisect_left(self.cond_starts, start), bisect_left(self.cond_starts, end)
        return [(h, b) for h, b in self.conds[i:j] if h.end <= end]

    def penalty_before(self, pos: int) -> bool:
        """A penalty word between the start of ``pos``'s line (款) and ``pos``."""
        i = bisect_left(self.newlines, pos)
        line_start = self.newlines[i - 1] + 1 if i else 0
        j = bisect_right(self.penalty_ends, pos) - 1
        return j >= 0 and self.penalty_starts[j] >= line_start


def _condition_from(text: str, seg_start: int, fine_start: int, seen: _Seen) -> Condition | None:
    prefix = text[seg_start:fine_start]
    clauses = list(_COND_CLAUSE.finditer(prefix))
    if not clauses:
        return None
    c = clauses[-1]
    ctext = c.group().strip()
    if _GENERIC_COND.match(ctext):
        return None
    cstart = seg_start + c.start() + (len(c.group()) - len(c.group().lstrip()))
    cend = seg_start + c.end()
    inside = seen.conds_within(cstart, cend)
    if not inside:
        # A clause with no amount test is a condition only if a penalty came before it in the same
        # 款 (情节严重的, 拒不改正的); otherwise it is the violation itself (殴打他人的).
        if not seen.penalty_before(cstart):
            return None
        return Condition(ctext, (cstart, cend))
    h, base_text = inside[-1]
    base = _norm_base(base_text)
    if h.lo is not None and h.lo.kind != "amount" or h.hi is not None and h.hi.kind != "amount":
        return Condition(ctext, (cstart, cend), base=base)
    return Condition(
        ctext,
        (cstart, cend),
        base=base,
        min_fen=h.lo.fen if h.lo else None,
        max_fen=h.hi.fen if h.hi else None,
        min_inclusive=h.lo_incl,
        max_inclusive=h.hi_incl,
        includes_none=bool(_NO_BASE_RE.search(ctext)),
    )


def _base_text(text: str, hit: _Hit) -> str | None:
    cs = _clause_start(text, hit.start)
    left = text[cs : hit.start]
    m = None
    for m in re.finditer(r"(?:处以|并处|可处|处|以)", left):  # noqa: B007 - the last match is wanted
        pass
    words = left[m.end() :] if m else left
    words = re.sub(r"^(?:罚款|的)|的$", "", words.strip()).strip()
    return words or None


def find_fine_ranges(text: str, *, above_inclusive: bool = True, below_inclusive: bool = True) -> list[FineRange]:
    """Find statutory / benchmark fine ranges in ``text`` (R5.9).

    Conditions (``货值金额不足一万元的``, ``情节严重的``) are attached to the fine that follows them in
    the same sentence; they are not returned as ranges themselves. A range standing alone
    (``二千元以下``) is taken as a fine.

    Args:
        text: statute, benchmark or table text.
        above_inclusive: whether ``以上`` includes the number (R5.8: yes unless the source says not).
        below_inclusive: whether ``以下`` includes the number (R5.8: 粤裁量规定 第二十三条 says no).
            ``不足``/``低于`` always exclude and ``超过`` always excludes; ``（含）``/``（不含）`` override.

    Returns:
        Ranges in text order.
    """
    hits = _scan(text, above_inclusive, below_inclusive)
    stripped = re.sub(r"[处以并的罚款金。\s]", "", text)
    out: list[FineRange] = []
    seen = _Seen.of(text)
    for hit in hits:
        standalone = len(stripped) <= len(re.sub(r"[处以并的罚款金。\s]", "", text[hit.start : hit.end])) + 2
        role = _classify(text, hit, standalone)
        if role == "condition":
            left = text[_clause_start(text, hit.start) : hit.start]
            bm = None
            for bm in _BASE_WORDS.finditer(left):  # noqa: B007 - the last match is wanted
                pass
            seen.add(hit, left[max(0, bm.start() - 4) : bm.end()] if bm else left)
            continue
        if role != "fine":
            continue
        seg = _segment_start(text, hit.start)
        left = text[seg : hit.start]
        kind = _kind(hit)
        base_text = _base_text(text, hit) if kind != "amount" else None
        tm = None
        for tm in _TARGET_RE.finditer(left):  # noqa: B007 - the last match is wanted
            pass
        alt = _ALT_RE.search(left)
        per = _PER_RE.search(text[max(seg, hit.start - 8) : hit.start])
        if kind != "amount" and base_text:
            pm = _PER_RE.search(base_text)
            if pm:
                per = pm
        lo, hi = hit.lo, hit.hi
        out.append(
            FineRange(
                raw=text[hit.start : hit.end],
                span=(hit.start, hit.end),
                kind=kind,
                min_fen=lo.fen if lo and kind == "amount" else None,
                max_fen=hi.fen if hi and kind == "amount" else None,
                base=_norm_base(base_text) if kind != "amount" else None,
                base_text=base_text,
                min_multiplier=lo.multiplier if lo and kind != "amount" else None,
                max_multiplier=hi.multiplier if hi and kind != "amount" else None,
                min_inclusive=hit.lo_incl,
                max_inclusive=hit.hi_incl,
                condition=_condition_from(text, seg, hit.start, seen),
                target=_TARGET_LABEL.get(tm.group(), tm.group()) if tm else None,
                per=per.group("per") if per else None,
                alternatives=(alt.group("alt"),) if alt else (),
            )
        )
    return out


# --------------------------------------------------------------------------- amounts in words (R6.8)

_UPPER = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def amount_in_words(fen: int) -> str:
    """Write an amount in capital Chinese numerals (R6.8): ``300000`` → ``人民币叁仟元整``.

    Written by hand because cn2an's ``rmb`` mode drops the 零 across 万 (R6.8: 1005000 must be
    壹佰万零伍仟元整) and omits 整 after 角.

    Raises:
        AmountError: for negative amounts or amounts of 10^16 yuan and more.
    """
    if not isinstance(fen, int) or isinstance(fen, bool) or fen < 0:
        raise AmountError(f"amount must be a non-negative integer number of fen: {fen!r}")
    yuan, rest = divmod(fen, 100)
    jiao, cents = divmod(rest, 10)
    if yuan >= 10**16:
        raise AmountError(f"amount too large: {fen} fen")
    words = ""
    if yuan:
        digits = str(yuan)
        n = len(digits)
        zero_pending = False
        group_has_digit = False
        for i, ch in enumerate(digits):
            pos = n - 1 - i  # power of ten
            d = int(ch)
            if d == 0:
                if words:
                    zero_pending = True
            else:
                if zero_pending:
                    words += "零"
                    zero_pending = False
                words += _UPPER[d] + _SMALL_UNITS[pos % 4]
                group_has_digit = True
            if pos % 4 == 0 and pos > 0:
                if group_has_digit:
                    words += _BIG_UNITS[pos // 4]
                group_has_digit = False
        words += "元"
    if not yuan and not rest:
        return "人民币零元整"
    if jiao:
        words += _UPPER[jiao] + "角"
    elif cents and yuan:
        words += "零"  # 1000.05 → 壹仟元零伍分 (R6.8)
    if cents:
        words += _UPPER[cents] + "分"
    else:
        words += "整"  # no 分: 整, also after 角 (R6.8, project design)
    return "人民币" + words


def format_money(fen: int) -> str:
    """Both forms (R6.8): ``300000`` → ``人民币叁仟元整（¥3,000.00）``."""
    words = amount_in_words(fen)
    yuan, rest = divmod(fen, 100)
    return f"{words}（¥{yuan:,}.{rest:02d}）"
