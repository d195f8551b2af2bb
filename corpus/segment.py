"""Split an article's text into 款, 项 and 目 (DOMAIN.md R1.7, pitfalls (g) and (i))."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nlp.numerals import ANY_NUMBER, NumeralError, cn_to_int

# Part of every content hash: bump it when splitting changes, so ingest re-splits stored texts.
PARSER_VERSION = "4"

_ITEM_RE = re.compile(rf"^\s*[（(]\s*({ANY_NUMBER})\s*[）)]\s*")
_SUBITEM_RE = re.compile(r"^\s*([0-9０-９]{1,2})\s*[.．、]\s*(?=\S)")
_ANNEX_RE = re.compile(r"^\s*(附表|附件|附：|附:)")
_SENTENCE_END = "。；：！？;:!?”’」』"
_CJK_SPACE_RE = re.compile(r"(?<=[\u3400-\u9fff，。；：、（）“”])[ \u2009\u3000]+(?=[\u3400-\u9fff，。；：、（）“”])")
_CAPTION_RE = re.compile(r"^【[^】]{1,30}】")


@dataclass
class Item:
    """One 项 with its 目."""

    number: int
    text: str
    subitems: list[str] = field(default_factory=list)


@dataclass
class Paragraph:
    """One 款: its own text (the lead-in when it has items) and its 项."""

    number: int
    text: str
    items: list[Item] = field(default_factory=list)

    def full_text(self) -> str:
        """The 款 with its items, one per line."""
        lines = [self.text] if self.text else []
        for it in self.items:
            lines.append(it.text)
            lines.extend(it.subitems)
        return "\n".join(lines)


def repair_lines(lines: list[str]) -> list[str]:
    """Undo line breaks in the middle of a sentence and stray spaces between CJK (pitfall (g)).

    A line that does not end a sentence is joined to the next one unless the next is an item:
    otherwise 法典 第一千零五十五条 would look like two 款.
    """
    out: list[str] = []
    for raw in lines:
        line = _CJK_SPACE_RE.sub("", raw.strip())
        if not line:
            continue
        if (
            out
            and not out[-1].endswith(tuple(_SENTENCE_END))
            and not _ITEM_RE.match(line)
            and not _SUBITEM_RE.match(line)
            and not _ANNEX_RE.match(line)
            and not _ANNEX_RE.match(out[-1])
        ):
            out[-1] += line
        else:
            out.append(line)
    return out


def _opens_list(item: Item) -> bool:
    head = (item.subitems[-1] if item.subitems else item.text).split("\n", 1)[0]
    return head.rstrip().endswith(("：", ":"))


def split_article(lines: list[str], repair: bool = True) -> list[Paragraph]:
    """Split an article body into 款 with their 项 and 目.

    Args:
        lines: The article's paragraphs (LDB: lines of ``article_text``; LRB: blank-line separated
            blocks), the ``第X条`` heading already removed from the first.
        repair: Join broken lines first (see :func:`repair_lines`).

    Returns:
        Paragraphs numbered from 1. Tables and annexes (附表, 附件) are not 款 and are dropped.
    """
    if repair:
        lines = repair_lines(lines)
    paras: list[Paragraph] = []
    for line in lines:
        line = _CAPTION_RE.sub("", line.strip())
        if not line:
            continue
        if _ANNEX_RE.match(line) or line.startswith("|") or line.startswith("+--"):
            break
        m = _ITEM_RE.match(line)
        if m:
            try:
                n = cn_to_int(m.group(1))
            except NumeralError:
                n = None
            if n is not None:
                if not paras:
                    paras.append(Paragraph(1, ""))
                paras[-1].items.append(Item(n, line))
                continue
        s = _SUBITEM_RE.match(line)
        if s and paras and paras[-1].items:
            paras[-1].items[-1].subitems.append(line)
            continue
        if paras and paras[-1].items and _opens_list(paras[-1].items[-1]):
            # Lines under an item or 目 that ends with "：" are its own list (海商法 第二百一十条),
            # not a new 款.
            it = paras[-1].items[-1]
            if it.subitems:
                it.subitems[-1] += "\n" + line
            else:
                it.text += "\n" + line
            continue
        paras.append(Paragraph(len(paras) + 1, line))
    return paras
