"""Citations: parse, normalise and format. The one home for citation grammar (DOMAIN.md §1).

Everything that reads or writes a citation goes through this module: the verifier, the index's
违则/罚则 pairing, the documents. It knows nothing of the store: resolving a citation against the
corpus is ``corpus.resolver``'s job.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from nlp.errors import EHError
from nlp.numerals import ANY_NUMBER, NumeralError, cn_to_int, int_to_cn

N = ANY_NUMBER
PRC = "中华人民共和国"

_THIS_WORDS = "本法典|本实施细则|本实施办法|本法|本条例|本细则|本办法|本规定|本规则|本决定|本准则"
# 该法 / 同法: the instrument named last (of that kind); 该法人, 该法定代表人, 该法院 are not references.
_THAT_WORDS = "该法典|该实施细则|该实施办法|该法(?![人定院官庭律])|该法律|同法|该条例|同条例|该细则|该办法|该规定|该规则|该决定|上述法律|上述条例"
_TOKEN_RE = re.compile(
    rf"""
    (?P<law>《(?P<title>(?:[^《》\n]|《[^《》\n]*》){{1,80}})》
        (?:\s*[（(](?P<ver>[0-9０-９]{{4}})\s*年?[^）)\n]{{0,8}}[）)])?
        (?:\s*[（(]\s*以下简称\s*[《“"]?(?P<short>[^《》“”"）)\n]{{1,20}}?)[》”"]?\s*[）)])?)
  | (?P<this>{_THIS_WORDS}|{_THAT_WORDS})
  | (?P<rel>本条(?!例)|本款|本项|前款|前两款|前三款|前条|前项)
  | (?P<art>第\s*(?P<art_n>{N})\s*条(?:\s*之\s*(?P<art_sub>{N}))?(?:【[^】\n]{{0,30}}】)?)
  | (?P<para>第\s*(?P<para_n>{N})\s*款)
  | (?P<item>第\s*[（(]\s*(?P<item_a>{N})\s*[）)]\s*项?|[（(]\s*(?P<item_b>{N})\s*[）)]\s*项|第\s*(?P<item_c>{N})\s*项)
  | (?P<mu>第\s*(?P<mu_n>[0-9０-９]+|{N})\s*目)
    """,
    re.VERBOSE,
)
_SEP_RE = re.compile(r"^\s*(?:、|，|,|和|及|以及|或者|或|与)\s*$")
_RANGE_RE = re.compile(r"^\s*(?:至|到|—|－|-|～|~)\s*$")
_ADJ_RE = re.compile(r"^\s*$")
_VERSION_LABEL_RE = re.compile(r"[（(]\s*[0-9０-９]{4}\s*年?\s*(?:修订|修正|修改|版|公布|施行)?\s*[）)]$")
_HEADING_RE = re.compile(rf"^\s*第\s*({N})\s*条(?:\s*之\s*({N}))?(?:【[^】]*】)?[\s\u3000]")
_ITEM_LINE_RE = re.compile(rf"^\s*[（(]\s*{N}\s*[）)]")
_MAX_RANGE = 60


class CitationError(EHError):
    """A string that should be one citation but is not."""

    code = "bad_citation"


@dataclass(frozen=True)
class Context:
    """Where a text sits, for 本法 / 本条 / 前款 (R1.9).

    Attributes:
        law: Title of the instrument containing the text.
        article: Current article number.
        article_sub: 之N of the current article (0 if none).
        paragraph: Current 款 (1-based).
    """

    law: str | None = None
    article: int | None = None
    article_sub: int = 0
    paragraph: int | None = None


@dataclass(frozen=True)
class Citation:
    """One cited provision found in a text.

    ``law`` is the title as written (书名号 removed) or ``None`` when the text gives no law
    (an unresolved 本法 or a relative reference with no context). ``article`` is ``None`` only for
    unresolved relative references such as a bare 前款.
    """

    raw: str
    start: int
    end: int
    law: str | None
    article: int | None
    article_sub: int = 0
    paragraph: int | None = None
    item: int | None = None
    subitem: int | None = None
    law_ref: str = "explicit"  # explicit | this_law | context | known_title
    relative: bool = False
    version_hint: str | None = None
    items_without_paragraph: bool = field(default=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict."""
        return asdict(self)


def normalize_title(title: str) -> str:
    """Key for matching titles (R1.10, pitfall (a)).

    Removes only what never distinguishes two instruments: width differences, whitespace, the
    书名号 (including nested 〈〉), a trailing version label such as （2018年修订） and the
    ``中华人民共和国`` prefix. No other word is dropped, so 实施条例 never collapses into its law.
    """
    s = unicodedata.normalize("NFKC", title).strip()
    s = re.sub(r"\s+", "", s)
    s = _VERSION_LABEL_RE.sub("", s)
    s = re.sub(r"[《》〈〉<>]", "", s)
    return s.replace(PRC, "")


def display_title(title: str) -> str:
    """Title as printed: inner titles in 〈〉 rather than nested 《》."""
    return re.sub(r"《([^《》]*)》", r"〈\1〉", title.strip())


def format_citation(
    title: str,
    article: int,
    sub: int = 0,
    paragraph: int | None = None,
    item: int | None = None,
    subitem: int | None = None,
    show_paragraph: bool = True,
) -> str:
    """Canonical form (R1.4): ``《全称》第X条[之N][第X款][第（X）项][第N目]``.

    Args:
        title: Full title of the instrument.
        article: Article number.
        sub: 之N (0 for a plain article).
        paragraph: 款 number, printed only when ``show_paragraph`` (the article has several 款).
        item: 项 number.
        subitem: 目 number.
        show_paragraph: Whether the article has more than one 款.
    """
    out = [f"《{display_title(title)}》第{int_to_cn(article)}条"]
    if sub:
        out.append(f"之{int_to_cn(sub)}")
    if paragraph and show_paragraph:
        out.append(f"第{int_to_cn(paragraph)}款")
    if item:
        out.append(f"第（{int_to_cn(item)}）项")
    if subitem:
        out.append(f"第{subitem}目")
    return "".join(out)


def _num(m: re.Match[str], *groups: str) -> int | None:
    for g in groups:
        v = m.group(g)
        if v:
            return cn_to_int(v)
    return None


def _known_title_before(text: str, pos: int, known: frozenset[str], max_len: int) -> tuple[int, str] | None:
    """Longest known title or alias ending right before ``pos`` (unbracketed names: 道交法第九十条)."""
    best = None
    lo = max(0, pos - max_len)
    end = pos
    while end > lo and text[end - 1].isspace():
        end -= 1
    for start in range(lo, end - 1):
        cand = text[start:end]
        if normalize_title(cand) in known and "\n" not in cand:
            best = (start, cand)
            break
    return best


@dataclass(frozen=True)
class KnownTitles:
    """Normalised titles and aliases that may be cited without 书名号, prepared once."""

    keys: frozenset[str]
    max_len: int

    @classmethod
    def of(cls, titles: Iterable[str]) -> KnownTitles:
        """Normalise ``titles`` (see :func:`normalize_title`)."""
        keys = frozenset(normalize_title(t) for t in titles)
        return cls(keys, max((len(t) for t in keys), default=0) + len(PRC) + 2)


class _Builder:
    """Accumulates the tokens of one citation before it is frozen."""

    def __init__(self, law: str | None, law_ref: str, start: int, version: str | None) -> None:
        self.law, self.law_ref, self.start, self.end, self.version = law, law_ref, start, start, version
        self.article: int | None = None
        self.sub = 0
        self.paragraph: int | None = None
        self.item: int | None = None
        self.subitem: int | None = None
        self.relative = False

    def copy(self, start: int) -> _Builder:
        b = _Builder(self.law, self.law_ref, start, self.version)
        b.article, b.sub, b.paragraph, b.relative = self.article, self.sub, self.paragraph, self.relative
        return b

    def freeze(self, text: str) -> Citation:
        return Citation(
            raw=text[self.start : self.end],
            start=self.start,
            end=self.end,
            law=self.law,
            article=self.article,
            article_sub=self.sub,
            paragraph=self.paragraph,
            item=self.item,
            subitem=self.subitem,
            law_ref=self.law_ref,
            relative=self.relative,
            version_hint=self.version,
        )


def parse_citations(
    text: str,
    known_titles: Iterable[str] | KnownTitles | None = None,
    context: Context | None = None,
) -> list[Citation]:
    """Find every citation in ``text`` (R1.3, R1.9).

    Handles 《title》 and known unbracketed titles/aliases, 本法-type references (the last law named
    before, or ``context.law``), compounds that reuse the article (``第60条第1款第2项、第2款``),
    ranges (``第三项至第五项``), 之N, 目, and relative references (本条, 前款) against ``context`` or
    the article heading the text sits under.

    Args:
        text: Any text: a draft decision, a statute article, a benchmark row.
        known_titles: Normalised titles and aliases (see :func:`normalize_title`) that may appear
            without 书名号.
        context: Where ``text`` sits, if it is statute text.

    Returns:
        Citations in text order.
    """
    titles = known_titles if isinstance(known_titles, KnownTitles) else KnownTitles.of(known_titles or ())
    known, max_len = titles.keys, titles.max_len
    ctx = context or Context()
    last_law: str | None = ctx.law
    named = _Named()  # titles named so far, for 本条例 / 该法 (R1.9)
    heading = _heading_index(text, ctx)

    out: list[Citation] = []
    cur: _Builder | None = None  # the citation being built
    chain_end = -1  # end of the last token that belongs to the current chain
    last_kind = ""

    def sibling(prev: _Builder, level: str, n: int | None, ranged: bool, m: re.Match[str]) -> _Builder:
        """Close ``prev`` and start the next 款 or 项 of the same article (``、第2款``, ``第三项至第五项``)."""
        flush()
        first = getattr(prev, level)
        if ranged and first is not None and n is not None and 0 < n - first <= _MAX_RANGE:
            for k in range(first + 1, n):
                b = prev.copy(prev.start)  # a middle member is cited by the whole range
                setattr(b, level, k)
                b.end = m.end()
                out.append(b.freeze(text))
        nxt = prev.copy(m.start())
        setattr(nxt, level, n)
        nxt.end = m.end()
        return nxt

    def flush() -> None:
        nonlocal cur
        if cur is not None and cur.article is not None or cur is not None and cur.relative:
            out.append(cur.freeze(text))
        cur = None

    for m in _TOKEN_RE.finditer(text):
        kind = next(k for k in ("law", "this", "rel", "art", "para", "item", "mu") if m.group(k))
        gap = text[chain_end : m.start()] if chain_end >= 0 else None
        adjacent = gap is not None and _ADJ_RE.match(gap) is not None
        separated = gap is not None and _SEP_RE.match(gap) is not None
        ranged = gap is not None and _RANGE_RE.match(gap) is not None
        in_chain = cur is not None and (adjacent or separated or ranged)
        try:
            if kind == "law":
                flush()
                title = m.group("title")
                last_law = title
                named.append(title)
                cur = _Builder(title, "explicit", m.start(), m.group("ver"))
                cur.end = m.end()
            elif kind == "this":
                flush()
                # R1.9: inside a statute 本法 is the statute itself; in free text, the last instrument named
                # of the kind the word says (本条例 → a 条例, never the 法 named just before).
                word = m.group("this")
                law = ctx.law if ctx.law and word.startswith("本") else named.last_of_kind(word)
                cur = _Builder(law, "this_law" if ctx.law is None else "context", m.start(), None)
                cur.end = m.end()
            elif kind == "rel":
                flush()
                *before, cur = _relative(m, ctx, heading, ctx.law or last_law)
                out.extend(b.freeze(text) for b in before)
            elif kind == "art":
                n, sub = _num(m, "art_n"), _num(m, "art_sub") or 0
                if in_chain and cur is not None and cur.article is None:
                    cur.article, cur.sub = n, sub
                    cur.end = m.end()
                elif in_chain and cur is not None and (separated or ranged):
                    prev = cur
                    flush()
                    if ranged and prev.article is not None and n is not None and 0 < n - prev.article <= _MAX_RANGE:
                        for a in range(prev.article + 1, n):
                            b = prev.copy(prev.start)  # a middle member is cited by the whole range
                            b.article, b.sub, b.paragraph = a, 0, None
                            b.end = m.end()
                            out.append(b.freeze(text))
                    cur = prev.copy(m.start())
                    cur.article, cur.sub, cur.paragraph = n, sub, None
                    cur.end = m.end()
                else:
                    flush()
                    hit = _known_title_before(text, m.start(), known, max_len) if known else None
                    if hit is None:
                        chain_end, last_kind = -1, ""
                        continue
                    start, title = hit
                    last_law = title
                    named.append(title)
                    cur = _Builder(title, "known_title", start, None)
                    cur.article, cur.sub = n, sub
                    cur.end = m.end()
            elif kind == "para":
                n = _num(m, "para_n")
                if in_chain and cur is not None and cur.article is not None:
                    if adjacent and last_kind in {"art", "rel"} and cur.paragraph is None:
                        cur.paragraph = n
                        cur.end = m.end()
                    else:
                        cur = sibling(cur, "paragraph", n, ranged, m)
                else:
                    flush()
                    cur = _bare_relative(m, ctx, heading, ctx.law or last_law)
                    if cur is None:
                        chain_end, last_kind = -1, ""
                        continue
                    cur.paragraph = n
            elif kind == "item":
                n = _num(m, "item_a", "item_b", "item_c")
                if in_chain and cur is not None and (cur.article is not None or cur.relative):
                    if adjacent and last_kind in {"art", "para", "rel"} and cur.item is None:
                        cur.item = n
                        cur.end = m.end()
                    else:
                        cur = sibling(cur, "item", n, ranged, m)
                else:
                    chain_end, last_kind = -1, ""
                    continue
            elif kind == "mu":
                if in_chain and cur is not None and cur.item is not None and adjacent:
                    cur.subitem = _num(m, "mu_n")
                    cur.end = m.end()
                else:
                    chain_end, last_kind = -1, ""
                    continue
        except NumeralError:
            flush()
            chain_end, last_kind = -1, ""
            continue
        chain_end, last_kind = m.end(), kind
    flush()
    return [c for c in out if c.article is not None or c.relative]


def _kind_of(word: str) -> str:
    """The title ending a 本X / 该X / 同X / 上述X word refers to: 本条例 → 条例, 该法律 → 法."""
    rest = word[2:] if word.startswith("上述") else word[1:]
    return "法" if rest in {"法", "法律"} else rest


class _Named:
    """Titles named so far in a text, and the last one of each kind (本法 is a 法, not a 办法 or 条例).

    Each title is normalised once and looked at once per kind: rescanning all titles for every 本法 is
    quadratic in a text that names many.
    """

    def __init__(self) -> None:
        self._titles: list[tuple[str, str]] = []  # (title, normalised)
        self._last: dict[str, tuple[int, str | None]] = {}  # kind → (titles looked at, last of that kind)

    def append(self, title: str) -> None:
        self._titles.append((title, normalize_title(title)))

    def last_of_kind(self, word: str) -> str | None:
        """Last title of the kind ``word`` (本条例, 该法 …) names."""
        kind = _kind_of(word)
        seen, last = self._last.get(kind, (0, None))
        for title, t in self._titles[seen:]:
            if t.endswith(kind) and not (kind == "法" and t.endswith("办法")):
                last = title
        self._last[kind] = (len(self._titles), last)
        return last


@dataclass(frozen=True)
class _Headings:
    """Line offsets of a text, and the (article, sub, paragraph) in force at each line (None before any)."""

    offsets: list[int]
    in_force: list[tuple[int, int, int] | None]


def _heading_index(text: str, ctx: Context) -> _Headings:
    """The article, sub and 款 of every line of statute text (R1.7).

    The article comes from 第X条 headings in the text or, before the first heading, from
    ``ctx``: then the text is taken to start at ``ctx.paragraph`` (default 第一款) and every
    non-item line opens the next 款.
    """
    idx: list[tuple[int, int, int, int]] = []
    offset = 0
    art, sub, para = (ctx.article or 0), ctx.article_sub, ((ctx.paragraph or 1) - 1 if ctx.article else 0)
    for line in text.splitlines(keepends=True):
        m = _HEADING_RE.match(line)
        if m:
            try:
                art, sub, para = cn_to_int(m.group(1)), cn_to_int(m.group(2)) if m.group(2) else 0, 1
            except NumeralError:
                pass
        elif art and line.strip() and not _ITEM_LINE_RE.match(line):
            para += 1
        idx.append((offset, art, sub, para))
        offset += len(line)
    in_force: list[tuple[int, int, int] | None] = []
    current: tuple[int, int, int] | None = None
    for _off, a, s, p in idx:
        if a:
            current = (a, s, p)
        in_force.append(current)
    return _Headings([off for off, *_ in idx], in_force)


def _position_context(pos: int, ctx: Context, heading: _Headings) -> Context:
    i = bisect_right(heading.offsets, pos) - 1
    here = heading.in_force[i] if i >= 0 else None
    if here is None:
        return ctx
    return Context(ctx.law, *here)


def _relative(m: re.Match[str], ctx: Context, heading: _Headings, last_law: str | None) -> list[_Builder]:
    """Builders for 本条/本款/前款/前两款/前条; the last one continues the chain."""
    here = _position_context(m.start(), ctx, heading)
    b = _Builder(last_law, "context", m.start(), None)
    b.end = m.end()
    b.relative = True
    word = m.group("rel")
    if here.article is None:
        return [b]  # unresolved: no article to be relative to
    b.article, b.sub = here.article, here.article_sub
    if word == "本款":
        b.paragraph = here.paragraph
    elif word.startswith("前") and word.endswith("款"):
        back = {"前款": 1, "前两款": 2, "前三款": 3}[word]
        if not here.paragraph or here.paragraph - back < 1:
            b.article = None
            return [b]
        out = []
        for p in range(here.paragraph - back, here.paragraph):
            c = b.copy(m.start())
            c.end, c.paragraph = m.end(), p
            out.append(c)
        return out
    elif word == "前条":
        b.article, b.sub = here.article - 1, 0
    return [b]


def _bare_relative(m: re.Match[str], ctx: Context, heading: _Headings, last_law: str | None) -> _Builder | None:
    """A bare 第X款 inside statute text means the current article's 款."""
    here = _position_context(m.start(), ctx, heading)
    if here.article is None:
        return None
    b = _Builder(last_law, "context", m.start(), None)
    b.end = m.end()
    b.relative = True
    b.article, b.sub = here.article, here.article_sub
    return b


# One line: a title, then the provision. The title never ends in a blank (the blanks go to \s*+), so a run of
# blanks is read once, not once per blank.
_SINGLE_RE = re.compile(
    rf"^\s*+(?P<law>.+?)(?<!\s)\s*+(?P<rest>第\s*{N}\s*条.*)$",
)
_PROVISION_RE = re.compile(rf"第\s*{N}\s*条")


def _title_and_provision(s: str) -> tuple[str, str] | None:
    """``消防法第六十条`` → ``("消防法", "第六十条")``; the provision may be on the last line, under the title.

    ``s`` is stripped. A provision cannot span lines, so with several lines it must be the whole last line and
    the title the whole first one, with only blank lines between. Said in code rather than left to a regex,
    which would try every 第X条 of the first line and read to its end each time.
    """
    first, _, others = s.partition("\n")
    if not others:
        m = _SINGLE_RE.match(s)
        return (m.group("law"), m.group("rest")) if m else None
    *middle, last = others.split("\n")
    rest = last.lstrip()
    if any(line.strip() for line in middle) or not _PROVISION_RE.match(rest):
        return None
    return first.rstrip(), rest


def parse_one(s: str, known_titles: Iterable[str] | KnownTitles | None = None) -> Citation:
    """Parse a string that is exactly one citation, e.g. the ``cite`` of a lookup.

    Accepts titles with or without 书名号: ``《消防法》第60条第1款``, ``消防法第六十条``.

    Raises:
        CitationError: if no citation is found.
    """
    s = s.strip()
    if not s:
        raise CitationError("引用为空")
    found = parse_citations(s, known_titles)
    if not found and "《" not in s:
        parts = _title_and_provision(s)
        if parts:
            found = parse_citations(f"《{parts[0]}》{parts[1]}")
            found = [replace(c, raw=s, start=0, end=len(s)) for c in found]
    found = [c for c in found if c.law]
    if not found:
        raise CitationError(f"未能从“{s[:60]}”中识别出法律条文引用；应写作如《中华人民共和国消防法》第六十条第一款")
    return found[0]
