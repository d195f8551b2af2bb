"""Citations inside benchmark cells: find the heads, canonicalise them, verify them (R1.12, R1.13, R2.9).

A table cell usually holds a citation head followed by the statute text it quotes
(``《…环境影响评价法》（2018年修订）第三十一条第一款、第二款：建设单位…本法第二十四条…``). Only the head is a
citation of the row; references inside the quoted text (``本法第二十四条``, ``有《环境保护法》第六十三条规定的…``) are
not. Parsing and formatting go through ``nlp.citations`` (the one home of citation grammar); verification
goes through the lead's resolver, passed in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from nlp.citations import format_citation, parse_citations

if TYPE_CHECKING:
    from corpus.resolver import CitationCheck

_MARKUP_RE = re.compile(r"<[^>]+>|&emsp;|&nbsp;")
_HEAD_PRE = " \u3000\t；;。：:、"


class ResolverLike(Protocol):
    """What this module needs from ``corpus.resolver.Resolver``."""

    def lookup(self, citation: str, as_of: date | None = None) -> CitationCheck:
        ...


@dataclass
class CiteResult:
    """One citation found in a cell."""

    raw: str
    canonical: str
    status: str = "unchecked"
    reason: str | None = None
    as_of: date | None = None
    text: str | None = None
    law: str | None = None
    check: dict[str, Any] = field(default_factory=dict)


def clean_cell(text: str) -> str:
    """Strip VuePress/HTML markup and repair a title that lost its opening 《 (江门表 7-12)."""
    t = _MARKUP_RE.sub("", text or "").strip()
    t = re.sub(r"^(?:[-•]\s*)?(?:\d+[、.．]\s*)?", "", t)
    first_close, first_open = t.find("》"), t.find("《")
    if first_close != -1 and (first_open == -1 or first_close < first_open) and first_close < 40:
        t = "《" + t
    return t


def row_citations(text: str) -> list[str]:
    """Canonical citations (R1.4) a cell cites as its own, in order.

    A citation counts when its title opens a line or follows a separator (the head of the cell), or when
    it continues such a citation (``第三十一条第一款、第二款`` gives two). Citations inside the quoted statute
    text (``本法第二十四条``, ``有《环境保护法》第六十三条规定的…``) are left out.
    """
    out: list[str] = []
    for line in text.splitlines():
        line = clean_cell(line)
        prev_end = None
        for c in parse_citations(line):
            head = c.law_ref == "explicit" and (c.start == 0 or line[c.start - 1] in _HEAD_PRE)
            cont = prev_end is not None and 0 <= c.start - prev_end <= 2 and not line[prev_end : c.start].strip("、，, ")
            if not (head or cont) or not c.law or c.article is None:
                prev_end = None
                continue
            out.append(format_citation(c.law, c.article, c.article_sub, c.paragraph, c.item, c.subitem))
            prev_end = c.end
    return list(dict.fromkeys(out))


def verify(cite: str, resolver: ResolverLike | None, as_of: date | None) -> CiteResult:
    """Check one canonical citation with the resolver; ``unchecked`` when there is none."""
    res = CiteResult(raw=cite, canonical=cite, as_of=as_of)
    if resolver is None:
        return res
    chk = resolver.lookup(cite, as_of)
    res.status = str(getattr(chk, "status", "unknown"))
    res.reason = getattr(chk, "reason", None)
    res.text = getattr(chk, "text", None)
    res.law = getattr(chk, "law", None)
    norm = getattr(chk, "normalized", None)
    if res.status == "verified" and norm:
        res.canonical = norm
    res.check = chk.to_dict() if hasattr(chk, "to_dict") else {}
    return res
