"""Dates and times in case descriptions (DOMAIN.md R7.5).

Accepted dates: ``2025年3月5日``, ``二〇二五年三月五日`` (〇 or 零), ``2025-03-05``, ``2025.3.5``, ``2025/3/5``, a
year-less ``3月10日`` (its year taken from the previous full date in the text, else the reference date),
year-month ``2025年3月``, and relative words (昨日, 当日, 次日 …). Times: ``14时30分``, ``14:30``, ``下午2时许``
(许/左右 = approximate), ``十四时三十分``, ``下午两点半``.

Relative words resolve only with something to resolve against (R7.5): *anaphoric* ones (当日, 同日, 次日,
翌日) refer to the date last mentioned in the text and fall back to ``reference``; *deictic* ones (昨日,
今日, 前日, 明日) refer to the day the text was written, i.e. ``reference`` only. Without it they stay
unresolved (``value is None``) — never guessed.

Chinese numerals are read with cn2an (it handles positional years such as 二〇二五 and 二零二五).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any, Literal

import cn2an

from nlp.errors import EHError
from nlp.spans import SpanMask

__all__ = ["DateMention", "TimeMention", "DateError", "find_dates", "find_times", "parse_date", "parse_time"]

_CN_DIGIT = "〇零一二两三四五六七八九十"
_NUM = rf"(?:\d{{1,4}}|[{_CN_DIGIT}]{{1,4}})"
_YEAR = r"(?:(?:19|20)\d{2}|[一二][〇零一二三四五六七八九]{3})"
_MONTH = r"(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?:3[01]|[12]\d|0?[1-9]|三十一?|二?十[一二三四五六七八九]?|[一二三四五六七八九])"
# Digits glued to letters/digits belong to an identifier (身份证号 embeds YYYYMMDD), not a date.
_L = r"(?<![0-9A-Za-z０-９.\-/])"
_R = r"(?![0-9０-９]|[-./][0-9])"  # 2025-03-05-001 is a serial number

_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd_cn", re.compile(rf"{_L}(?P<y>{_YEAR})\s*年\s*(?P<m>{_MONTH})\s*月\s*(?P<d>{_DAY})\s*[日号]")),
    ("ymd_sep", re.compile(rf"{_L}(?P<y>(?:19|20)\d{{2}})(?P<sep>[-./])(?P<m>1[0-2]|0?[1-9])(?P=sep)(?P<d>3[01]|[12]\d|0?[1-9]){_R}")),
    ("md_cn", re.compile(rf"(?<![0-9年〇零一二三四五六七八九十])(?P<m>{_MONTH})\s*月\s*(?P<d>{_DAY})\s*[日号]")),
    ("ym_cn", re.compile(rf"{_L}(?P<y>{_YEAR})\s*年\s*(?P<m>{_MONTH})\s*(?:月份|月)(?![\s0-9〇零一二三四五六七八九十]*[日号])")),
]

_BIRTH_AFTER = re.compile(r"\s*(?:出生|生)")
_RANGE_WORDS = "至到—－-～~"
_ANAPHORIC = {"当日": 0, "当天": 0, "同日": 0, "同一天": 0, "次日": 1, "翌日": 1, "第二天": 1, "第二日": 1}
_DEICTIC = {"今日": 0, "今天": 0, "本日": 0, "昨日": -1, "昨天": -1, "前日": -2, "前天": -2,
            "明日": 1, "明天": 1}
_RELATIVE_RE = re.compile("|".join(sorted(map(re.escape, {**_ANAPHORIC, **_DEICTIC}), key=len, reverse=True)))

_PERIOD = r"(?:(?P<period>凌晨|清晨|早上|早晨|上午|中午|午间|下午|傍晚|晚上|夜间|夜里|深夜|晚间|当晚|晚)\s*)?"
_APPROX = r"(?P<approx>许|左右|前后)?"
_HOUR = r"(?:[01]?\d|2[0-4]|[零〇一二两三四五六七八九十]{1,3})"
_MIN = r"(?:[0-5]?\d|[零〇一二三四五六七八九十]{1,3})"
_TIME_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("hm_colon", re.compile(rf"{_PERIOD}(?<![0-9])(?P<h>[01]?\d|2[0-3])[:：](?P<mi>[0-5]\d)(?:[:：](?P<s>[0-5]\d))?(?![0-9]){_APPROX}")),
    ("hm_cn", re.compile(rf"{_PERIOD}(?<![0-9])(?P<h>{_HOUR})\s*[时点](?:\s*(?P<half>半)|\s*(?P<mi>{_MIN})\s*分?(?:\s*(?P<s>{_MIN})\s*秒)?)?{_APPROX}")),
]
_PM = {"下午", "傍晚", "晚上", "夜间", "夜里", "深夜", "晚间", "当晚", "晚"}


class DateError(EHError):
    """A string that is not a date or time this module understands."""

    code = "bad_date"


@dataclass
class DateMention:
    """A date found in text.

    Attributes:
        text, start, end: the matched substring and its character offsets (``text[start:end]``).
        value: the calendar date, or None when unresolved (relative word without reference, or year unknown).
        kind: ``absolute``, ``partial`` (year-less or year-month) or ``relative``.
        precision: ``day`` or ``month``.
        valid: False for impossible dates such as 2025年2月30日; ``reason`` says why.
        relative: the relative word (``次日``) when ``kind == "relative"``.
    """

    text: str
    start: int
    end: int
    value: date | None
    kind: Literal["absolute", "partial", "relative"] = "absolute"
    precision: Literal["day", "month"] = "day"
    valid: bool = True
    reason: str = ""
    relative: str | None = None
    month: int | None = None
    day: int | None = None
    birth: bool = False
    in_range: bool = False

    @property
    def iso(self) -> str | None:
        """``2025-03-05`` (or ``2025-03`` for month precision); None when unresolved."""
        if self.value is None:
            return None
        return self.value.isoformat() if self.precision == "day" else self.value.strftime("%Y-%m")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"text": self.text, "start": self.start, "end": self.end, "value": self.iso, "kind": self.kind,
                "precision": self.precision, "valid": self.valid, "reason": self.reason, "relative": self.relative}


@dataclass
class TimeMention:
    """A time of day found in text; ``approximate`` is True for 许/左右/前后 (R7.5)."""

    text: str
    start: int
    end: int
    value: time | None
    approximate: bool = False
    period: str | None = None
    valid: bool = True
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def iso(self) -> str | None:
        """``14:30`` (``14:30:15`` with seconds), or None if invalid."""
        if self.value is None:
            return None
        return self.value.strftime("%H:%M:%S" if self.value.second else "%H:%M")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"text": self.text, "start": self.start, "end": self.end, "value": self.iso,
                "approximate": self.approximate, "period": self.period, "valid": self.valid, "reason": self.reason}


def _num(s: str) -> int:
    s = s.strip()
    if s.isdigit():
        return int(s)
    # cn2an reads 二〇二五 positionally and 三十一 as a counted number; 两 → 2 as well.
    return int(cn2an.cn2an(s, "smart"))


def _after_range_word(text: str, pos: int) -> bool:
    """``text[:pos]`` ends with 至/到/— … and blanks: the date closes a range."""
    # A walk back over the blanks, not a regex search from the start of the text for every date.
    i = pos
    while i > 0 and text[i - 1].isspace():
        i -= 1
    return i > 0 and text[i - 1] in _RANGE_WORDS


def find_dates(text: str, reference: date | None = None) -> list[DateMention]:
    """All date mentions in ``text``, in order.

    Args:
        text: the description.
        reference: the day the text was written; resolves 昨日/今日 and, if no full date precedes them,
            当日/次日 and year-less dates. Without it those stay unresolved.
    """
    found: list[DateMention] = []
    taken = SpanMask(len(text))
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if taken.overlaps(m.start(), m.end()):
                continue
            taken.add(m.start(), m.end())
            gd = m.groupdict()
            year = _num(gd["y"]) if gd.get("y") else None
            month = _num(gd["m"])
            day = _num(gd["d"]) if gd.get("d") else None
            dm = DateMention(m.group(0), m.start(), m.end(), None, month=month, day=day,
                             kind="absolute" if kind in ("ymd_cn", "ymd_sep") else "partial",
                             precision="month" if kind == "ym_cn" else "day")
            if year is not None:
                try:
                    dm.value = date(year, month, day or 1)
                except ValueError:
                    dm.valid, dm.reason = False, f"不存在的日期：{year}年{month}月{day}日"
            dm.birth = bool(_BIRTH_AFTER.match(text, m.end()))
            dm.in_range = _after_range_word(text, m.start())
            found.append(dm)
    for m in _RELATIVE_RE.finditer(text):
        if not taken.overlaps(m.start(), m.end()):
            found.append(DateMention(m.group(0), m.start(), m.end(), None, kind="relative", relative=m.group(0)))
    found.sort(key=lambda d: d.start)
    _resolve(found, reference)
    return found


def _resolve(found: list[DateMention], reference: date | None) -> None:
    """Fill year-less and relative dates from the last full date in the text, else from ``reference``."""
    anchor: date | None = None
    for dm in found:
        if dm.kind == "absolute" or (dm.kind == "partial" and dm.precision == "month"):
            # A birth date (…出生) is never what 当日/次日 refer back to.
            if dm.value is not None and dm.precision == "day" and not dm.birth:
                anchor = dm.value
            continue
        if dm.kind == "partial":
            base = anchor or reference
            if base is None:
                dm.reason = "缺少年份，未解析"
                continue
            try:
                dm.value = date(base.year, dm.month or 1, dm.day or 1)
                # 2024年12月28日至1月3日: the end of a range cannot precede its start, so it is next year.
                if anchor and dm.value < anchor and dm.in_range:
                    dm.value = date(base.year + 1, dm.month or 1, dm.day or 1)
            except ValueError:
                dm.valid, dm.reason = False, f"不存在的日期：{dm.month}月{dm.day}日"
                continue
            anchor = dm.value
            continue
        word = dm.relative or ""
        if word in _ANAPHORIC:
            base, offset = anchor or reference, _ANAPHORIC[word]
        else:
            base, offset = reference, _DEICTIC[word]
        if base is None:
            dm.reason = "相对日期缺少参照日期，未解析"
            continue
        try:
            dm.value = base + timedelta(days=offset)
        except OverflowError:  # 次日 of 9999-12-31, 昨日 of 0001-01-01: flagged, never guessed
            dm.valid, dm.reason = False, f"超出可表示的日期范围：{base.isoformat()}的{word}"
            continue
        if word in _ANAPHORIC and offset:
            anchor = dm.value


def find_times(text: str) -> list[TimeMention]:
    """All time-of-day mentions in ``text``, in order (``14时30分``, ``14:30``, ``下午2时许``)."""
    found: list[TimeMention] = []
    taken = SpanMask(len(text))
    for kind, pattern in _TIME_PATTERNS:
        for m in pattern.finditer(text):
            if taken.overlaps(m.start(), m.end()):
                continue
            gd = m.groupdict()
            # "3点" alone is usually a count (三点意见); demand 时 or a period word or minutes for 点.
            if kind == "hm_cn" and "点" in m.group(0) and not (gd.get("period") or gd.get("mi") or gd.get("half")
                                                                 or gd.get("approx")):
                continue
            # 一时疏忽 / 三点意见: a lone Chinese-numeral hour with nothing else is a word, not a time.
            if (kind == "hm_cn" and not gd["h"].isdigit() and len(gd["h"]) == 1
                    and not (gd.get("period") or gd.get("mi") or gd.get("half") or gd.get("approx"))):
                continue
            tm = _build_time(m, gd)
            if tm is None:
                continue
            taken.add(m.start(), m.end())
            found.append(tm)
    found.sort(key=lambda t: t.start)
    return found


def _build_time(m: re.Match[str], gd: dict[str, str | None]) -> TimeMention | None:
    try:
        hour = _num(gd["h"] or "")
        minute = 30 if gd.get("half") else (_num(mi) if (mi := gd.get("mi")) else 0)
        second = _num(s) if (s := gd.get("s")) else 0
    except (ValueError, KeyError):
        return None
    period = gd.get("period")
    if period in _PM and hour < 12:
        hour += 12
    elif period in ("中午", "午间") and hour < 6:
        hour += 12  # 中午1时 = 13:00
    if period in ("凌晨",) and hour == 12:
        hour = 0
    if hour == 24:
        hour = 0
    tm = TimeMention(m.group(0), m.start(), m.end(), None, approximate=bool(gd.get("approx")), period=period)
    try:
        tm.value = time(hour, minute, second)
    except ValueError:
        tm.valid, tm.reason = False, f"不存在的时间：{m.group(0)}"
    return tm


def parse_date(s: str, reference: date | None = None) -> date:
    """Parse one date written in any R7.5 style.

    Raises:
        DateError: if ``s`` holds no date, an impossible one, or an unresolved relative date.
    """
    hits = find_dates(s.strip(), reference)
    if len(hits) != 1 or hits[0].text != s.strip():
        raise DateError(f"不是可识别的日期：{s!r}")
    if not hits[0].valid or hits[0].value is None:
        raise DateError(hits[0].reason or f"无法解析日期：{s!r}")
    return hits[0].value


def parse_time(s: str) -> time:
    """Parse one time of day (``14时30分``, ``14:30``, ``下午2时许``).

    Raises:
        DateError: if ``s`` is not a single valid time.
    """
    hits = find_times(s.strip())
    if len(hits) != 1 or hits[0].text != s.strip() or hits[0].value is None:
        raise DateError(f"不是可识别的时间：{s!r}")
    return hits[0].value
