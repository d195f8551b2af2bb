"""Helpers shared by the source adapters."""

from __future__ import annotations

import re

from corpus.model import ArticleRecord
from corpus.segment import split_article
from nlp.numerals import ANY_NUMBER, NumeralError, cn_to_int

ARTICLE_HEAD_RE = re.compile(rf"^\s*第\s*({ANY_NUMBER})\s*条(?:\s*之\s*({ANY_NUMBER}))?\s*(?:【[^】]*】)?[\s\u3000]*")
LIABILITY_CHAPTER_RE = re.compile(r"法律责任|罚则|行为和处罚")
# Wording that makes an article a candidate 罚则 even outside a 法律责任 chapter.
PENALTY_RE = re.compile(
    r"处[^。；]{0,40}罚款|并处|罚款[。；，]|没收违法所得|没收非法财物|吊销[^。；]{0,12}(许可证|执照|证书)|"
    r"责令停产停业|责令关闭|行政拘留|处[^。；]{0,12}拘留|给予警告|处以?警告|通报批评"
)


_START_RE = re.compile(r"自\s*([0-9０-９〇零一二三四五六七八九十]{4})\s*年\s*(\w{1,3})\s*月\s*(\w{1,3})\s*日起施行")


def start_date(text: str) -> str | None:
    """The ISO date of the first 「自X年X月X日起施行」 in ``text``, if any."""
    m = _START_RE.search(text)
    if not m:
        return None
    try:
        return f"{cn_to_int(m.group(1)):04d}-{cn_to_int(m.group(2)):02d}-{cn_to_int(m.group(3)):02d}"
    except (NumeralError, ValueError):
        return None


def parse_article_label(label: str) -> tuple[int, int] | None:
    """``第一百二十条之一`` → (120, 1); None when the label is not an article (修改决定 items)."""
    m = ARTICLE_HEAD_RE.match(label)
    if not m:
        return None
    try:
        return cn_to_int(m.group(1)), cn_to_int(m.group(2)) if m.group(2) else 0
    except NumeralError:
        return None


def liability_level(chapter: str | None, section: str | None, text: str) -> int:
    """2 if the article sits in a 法律责任 chapter, 1 if it carries penalty wording, else 0."""
    if any(c and LIABILITY_CHAPTER_RE.search(c) for c in (chapter, section)):
        return 2
    return 1 if PENALTY_RE.search(text) else 0


def make_article(
    number: int, sub: int, label: str, chapter: str | None, section: str | None, lines: list[str]
) -> ArticleRecord:
    """Build an article from its body lines (heading already removed)."""
    paragraphs = split_article(lines)
    text = "\n".join(p.full_text() for p in paragraphs)
    return ArticleRecord(
        number=number,
        sub=sub,
        label=label,
        chapter=chapter,
        section=section,
        text=text,
        paragraphs=paragraphs,
        liability=liability_level(chapter, section, text),
    )
