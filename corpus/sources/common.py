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


# What makes a 法律责任 article a 罚则: a sanction, or a referral that names where the sanction is (依照…处罚).
# Procedure, definitions, remedies and 复议/诉讼 rights share the chapter but sanction nobody.
SANCTION_RE = re.compile(
    r"罚款|警告|没收|吊销|撤销[^。；]{0,12}(许可|资格|登记|证|执照|资质)|取缔|拘留|处分|通报批评|责令|停产停业|关闭|"
    r"暂扣|扣留|降低资质|(依照|依据|按照|根据)[^。；]{0,60}(处罚|处理|追究|给予|处分|规定处|查处)|"
    r"依法(处罚|处理|查处|追究|给予)|追究[^。；]{0,10}责任|处[^。；]{0,30}(以下|以上)|"
    r"禁止[^。；]{0,20}(从事|进入|参加)|不得[^。；]{0,20}(从事|担任|申请)|列入[^。；]{0,20}名单|罚金|有期徒刑|"
    r"收回|强制拆除|限期拆除|恢复原状|补缴|滞纳金|加处|予以(公告|曝光|通报)|记入|"
    r"停止[^。；]{0,6}(执业|营业|活动|使用|生产|经营)"
)
# Sentences that sanction nothing by themselves: the catch-all 「法律、法规已有规定的，从其规定」, the criminal and civil
# referrals every chapter ends with. An article made only of these is no 罚则.
_NO_SANCTION_RE = re.compile(
    r"[^。；，,]*(已有|已经|另有)[^。；]{0,40}规定的?[，,]?\s*(从其|依照其|适用其|按照其)规定[^。；，,]*[。；，,]?|"
    r"[^。；，,]*构成犯罪的[，,]?\s*依法追究刑事责任[。；，,]?|[^。；，,]*依法(承担|追究)[^。；，,]{0,6}民事责任[。；，,]?"
)


def liability_level(chapter: str | None, section: str | None, text: str) -> int:
    """2 if the article is a 罚则 in a 法律责任 chapter, 1 if it carries penalty wording elsewhere, else 0.

    A 法律责任 article that sanctions nobody (procedure, definitions, 复议 rights, the catch-all 「从其规定」) is 0:
    offered as a 罚则 it would be copied into a decision that cites no penalty.
    """
    if any(c and LIABILITY_CHAPTER_RE.search(c) for c in (chapter, section)):
        return 2 if SANCTION_RE.search(_NO_SANCTION_RE.sub("", text)) else 0
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
