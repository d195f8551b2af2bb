"""Chinese numerals used in statute numbering (DOMAIN.md R1.5).

Article, 款 and 项 numbers run up to a few thousand, so only 零一二…九 with 十百千 (and 万 for safety)
are needed. Arabic and full-width digits are accepted everywhere a number is.
"""

from __future__ import annotations

import re

from nlp.errors import EHError

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN = "零〇一二两三四五六七八九十百千万"
CN_NUMBER = f"[{_CN}]+"
ANY_NUMBER = f"(?:[0-9０-９]+|[{_CN}]+)"
_FULLWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_DIGITS_OUT = "零一二三四五六七八九"
# No article, 款, 项 or year is written longer; a longer run (20,000 pasted digits) is not a numeral, and
# Python refuses to convert more than 4,300 digits to an int.
_MAX_CHARS = 20


class NumeralError(EHError):
    """A string that is not a well-formed number."""

    code = "bad_numeral"


def to_halfwidth_digits(s: str) -> str:
    """Map full-width digits (LRB headers write `２０１２`) to ASCII."""
    return s.translate(_FULLWIDTH)


def cn_to_int(s: str) -> int:
    """Parse a Chinese, Arabic or full-width numeral.

    Args:
        s: e.g. ``"一百零三"``, ``"十五"``, ``"一千零一十"``, ``"一百十"``, ``"103"``, ``"１０３"``.

    Returns:
        The integer value.

    Raises:
        NumeralError: if ``s`` is empty, malformed or longer than 20 characters.
    """
    s = to_halfwidth_digits(s.strip())
    if not s:
        raise NumeralError("empty numeral")
    if len(s) > _MAX_CHARS:
        raise NumeralError(f"too long for a numeral: {len(s)} characters")
    if s.isdecimal():  # not isdigit: it admits ² and ①, which int() rejects
        return int(s)
    if any(c not in DIGITS and c not in UNITS for c in s):
        raise NumeralError(f"not a Chinese numeral: {s!r}")
    # A pure digit string such as 二〇二五 is positional (years), not a counted number.
    if all(c in DIGITS for c in s) and len(s) > 1:
        return int("".join(str(DIGITS[c]) for c in s))
    total, section, digit = 0, 0, None
    last_unit = 10**9
    for c in s:
        if c in DIGITS:
            if digit is not None and DIGITS[c] != 0 and digit != 0:
                raise NumeralError(f"two digits in a row: {s!r}")
            digit = DIGITS[c]
        else:
            unit = UNITS[c]
            if unit == 10000:
                section = (section + (digit or 0)) * unit
                total += section
                section, digit, last_unit = 0, None, 10**9
                continue
            if unit >= last_unit:
                raise NumeralError(f"units out of order: {s!r}")
            if digit is None and unit > 10:
                # Only 十 may stand without a digit; 百一 is colloquial and never statute numbering.
                raise NumeralError(f"unit without a digit: {s!r}")
            # A bare leading 十 means 10 (第十条); 一百十 is accepted as 110 (R1.5).
            section += (digit if digit else 1) * unit
            digit, last_unit = None, unit
    return total + section + (digit or 0)


def int_to_cn(n: int) -> str:
    """Write ``n`` (0 < n < 10000) the way statutes number articles: 十五, 一百一十, 一千零一十."""
    if not 0 < n < 100000:
        raise NumeralError(f"out of range: {n}")
    if n < 10:
        return _CN_DIGITS_OUT[n]
    if n < 20:
        return "十" + (_CN_DIGITS_OUT[n - 10] if n > 10 else "")
    out: list[str] = []
    zero_pending = False
    for value, unit in ((10000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value
        n %= value
        if d:
            if zero_pending and out:
                out.append("零")
            out.append(_CN_DIGITS_OUT[d] + unit)
            zero_pending = False
        elif out:
            zero_pending = True
    return "".join(out)


def is_number(s: str) -> bool:
    """True if ``s`` parses as a number."""
    try:
        cn_to_int(s)
    except NumeralError:
        return False
    return True


NUMBER_RE = re.compile(ANY_NUMBER)
