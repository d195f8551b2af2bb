"""Request field types shared by every request model: text that is safe to store, hash and answer with.

Python's JSON parser accepts ``"\\ud800"`` (a lone surrogate) and control characters; neither can be encoded
as UTF-8 or printed in a document, and a lone surrogate used to reach the audit hash as a 500. They are refused
here, at the schema edge, with a 422 naming the field, before any service sees the input.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator

# Lone surrogates and the C0 controls other than tab, line feed and carriage return.
_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
# Dates the service answers for: from the founding of the PRC to a horizon date arithmetic cannot overflow.
MIN_DATE, MAX_DATE = date(1949, 10, 1), date(2100, 12, 31)
# Dates inside case data: a party may be born before 1949 (birth_date), so only the far past is refused there.
CASE_MIN_DATE = date(1900, 1, 1)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_DEPTH = 32  # case data is a few levels deep


def unsafe_reason(text: str) -> str | None:
    """Why ``text`` cannot be accepted (a lone surrogate or a control character, with its position), or None."""
    m = _UNSAFE.search(text)
    if m is None:
        return None
    kind = "孤立代理字符" if ord(m.group()) >= 0xD800 else "控制字符"
    return f"文本含非法字符：第 {m.start()} 个字符处为{kind} U+{ord(m.group()):04X}"


def _safe_text(value: Any) -> Any:
    # Before pydantic's own str check, which refuses some lone surrogates with a message that does not say why.
    if isinstance(value, str):
        reason = unsafe_reason(value)
        if reason:
            raise ValueError(reason)
    return value


def _safe_json(value: Any) -> Any:
    """Walk free-form JSON (the case data): every key and string safe, numbers finite, ISO dates in
    ``CASE_MIN_DATE`` … ``MAX_DATE``, nesting at most ``MAX_DEPTH`` deep (the audit and the renderer recurse)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:  # iterative: a hostile nesting must give a 422, not a RecursionError
        node, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ValueError(f"{path}：嵌套超过 {MAX_DEPTH} 层")
        if isinstance(node, str):
            _safe_text(node)
            _check_case_date(node, path)
        elif isinstance(node, float) and not math.isfinite(node):
            raise ValueError(f"{path or 'value'}：NaN 和 Infinity 不是 JSON 允许的数值")
        elif isinstance(node, dict):
            for k, v in node.items():
                reason = unsafe_reason(str(k))
                if reason:
                    raise ValueError(f"{path + '：' if path else ''}字段名{reason}")
                stack.append((v, f"{path}.{k}" if path else str(k), depth + 1))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]", depth + 1) for i, v in enumerate(node))
    return value


def _check_case_date(text: str, path: str) -> None:
    if not _ISO_DATE.fullmatch(text):
        return
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return  # not a real date: the case model says so, naming the field
    if not CASE_MIN_DATE <= day <= MAX_DATE:
        raise ValueError(f"{path or 'value'}：日期 {text} 超出范围（应在 {CASE_MIN_DATE} 至 {MAX_DATE} 之间）")


# Every text field of every request model; e.g. ``query: SafeStr = Field(..., min_length=1)``.
SafeStr = Annotated[str, BeforeValidator(_safe_text)]
# A date given as text; parsed (and bounded to MIN_DATE … MAX_DATE) by ``api.errors.parse_date``, which names the
# field in a ``bad_date`` error. Kept as text so that one bad date in a batch fails that item, not the batch.
DateStr = SafeStr
# Free-form JSON objects (the case of a document).
SafeJSON = Annotated[dict[str, Any], BeforeValidator(_safe_json)]
