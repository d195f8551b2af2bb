"""Resolve citations against the store as of a date (DOMAIN.md §1, §2; pitfalls (a)–(h)).

The resolver never guesses: a title matches exactly (after :func:`nlp.citations.normalize_title`)
or through the reviewed alias table, never by substring; an article number is never rewritten;
a 项 without its 款 resolves only when exactly one 款 has items.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from corpus.store import ArticleRow, Instrument, Store, Version
from nlp.citations import (
    Citation,
    CitationError,
    Context,
    KnownTitles,
    format_citation,
    normalize_title,
    parse_citations,
    parse_one,
)
from nlp.numerals import int_to_cn

STATUSES = (
    "verified",
    "law_not_found",
    "article_not_found",
    "paragraph_not_found",
    "item_not_found",
    "not_in_force",
    "ambiguous",
)
# Where a reviewer checks what the store cannot tell (repeal status, lost texts): 国家法律法规数据库 (flk.npc.gov.cn).
_FLK = "请到国家法律法规数据库核实"
_SHORT_NAME_RE = re.compile(
    r"《((?:[^《》]|《[^《》]*》)+)》\s*[（(]\s*以下简称\s*[《“\"]?([^》”\"）)]{1,20})[》”\"]?\s*[）)]"
)


@dataclass
class CitationCheck:
    """The verdict on one citation."""

    raw: str
    normalized: str | None
    law: str | None
    article: int | None
    paragraph: int | None
    item: int | None
    status: str
    as_of: str
    as_of_version: dict[str, Any] | None = None
    text: str | None = None
    reason: str | None = None
    message: str | None = None
    article_sub: int = 0
    subitem: int | None = None
    level: str | None = None
    span: tuple[int, int] | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    later_change: dict[str, Any] | None = None
    last_version: dict[str, Any] | None = None
    # Another version's text, kept for the reviewer but NOT applicable on ``as_of`` (R2.7): ``text`` is
    # only ever the text in force that day.
    stored_text: str | None = None
    stored_version: dict[str, Any] | None = None
    stored_text_applicable: bool | None = None
    stored_text_note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly dict."""
        d = asdict(self)
        d["span"] = list(self.span) if self.span else None
        return d


def cn_date(day: date | str | None) -> str:
    """A date as written in a decision, ``2021年1月1日``; ``日期不详`` when there is none."""
    if not day:
        return "日期不详"
    try:
        d = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
    except ValueError:
        return str(day)
    return f"{d.year}年{d.month}月{d.day}日"


class Resolver:
    """Citation verification and provision lookup over one store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._titles = store.known_title_keys()
        self._known = KnownTitles.of(self._titles)

    # ---- public API -------------------------------------------------------------------------
    def lookup(self, citation: str, as_of: date | None = None) -> CitationCheck:
        """Check one citation string, e.g. ``《食品安全法》第一百二十二条第一款``.

        Raises:
            CitationError: if the string holds no citation at all.
        """
        c = parse_one(citation, self._known)
        return self.check(c, as_of or date.today())

    def verify_text(self, text: str, as_of: date | None = None, context: Context | None = None) -> list[CitationCheck]:
        """Find and check every citation in ``text`` (a draft decision, a statute, a table row)."""
        day = as_of or date.today()
        local = self._short_names(text)
        known = KnownTitles.of(self._titles | set(local)) if local else self._known
        return [self.check(c, day, local) for c in parse_citations(text, known, context)]

    def check(self, c: Citation, as_of: date, local_aliases: dict[str, list[Instrument]] | None = None) -> CitationCheck:
        """Verdict on one parsed citation as of ``as_of`` (R2.1: the version in force that day)."""
        out = CitationCheck(
            raw=c.raw,
            normalized=None,
            law=c.law,
            article=c.article,
            paragraph=c.paragraph,
            item=c.item,
            status="law_not_found",
            as_of=as_of.isoformat(),
            article_sub=c.article_sub,
            subitem=c.subitem,
            span=(c.start, c.end),
        )
        if c.article is None:
            return self._fail(out, "ambiguous", "relative_without_context",
                              "相对引用（前款、本条等）之前没有可供依附的条文，无法确定所指条文")
        if not c.law:
            return self._fail(out, "law_not_found", "no_law_named",
                              "“本法”“本条例”“该法”等指代之前未写明同类法律法规的名称，无法确定所指法规")
        insts = self._instruments(c.law, local_aliases or {})
        out.normalized = format_citation(c.law, c.article, c.article_sub, c.paragraph, c.item, c.subitem)
        if not insts:
            return self._fail(out, "law_not_found", "unknown_title",
                              f"法规库中没有名称为《{c.law}》的法律法规（名称须与全称一致；实施条例、实施细则、"
                              "办法是另外的法规）")
        if len(insts) > 1:
            out.candidates = [{"law": i.title, "level": i.level} for i in insts]
            return self._fail(out, "ambiguous", "ambiguous_law_name",
                              f"“{c.law}”可指{len(insts)}部法律法规，请写明全称")
        inst = insts[0]
        out.law, out.level = inst.title, inst.level
        out.normalized = format_citation(inst.title, c.article, c.article_sub, c.paragraph, c.item, c.subitem)
        versions = self.store.versions(inst.id)
        version, why = self._version_on(versions, as_of)
        if version is None:
            return self._not_in_force(out, c, versions, as_of, why)
        out.as_of_version = version.to_dict()
        if version.verified_in_force is None and version.source == "lawrefbook":
            out.warnings.append(f"该法规是否已废止未经国家法律法规数据库核实（R2.8），{_FLK}")
        if version.status == "已被修改":
            out.warnings.append("来源标注该文本此后已被修改，修改后的文本不在法规库中")
        out.later_change = self._later_change(versions, version, as_of)
        if c.version_hint and version.version_date and not version.version_date.startswith(c.version_hint):
            self._resolve_in(out, c, version, inst)
            if out.status == "verified":
                out.status, out.reason = "not_in_force", "superseded"
                out.message = (f"所引{c.version_hint}年文本在{cn_date(as_of)}不施行；当日施行的是"
                               f"{cn_date(version.version_date)}版本（其文本另附，仅供参考）")
                self._set_stored(out, out.text, out.as_of_version,
                                 f"此为{cn_date(as_of)}施行的{cn_date(version.version_date)}版本的文本，并非所引"
                                 f"{c.version_hint}年文本（该文本不在法规库中），{_FLK}")
            return out
        return self._resolve_in(out, c, version, inst)

    # ---- internals --------------------------------------------------------------------------
    @staticmethod
    def _fail(out: CitationCheck, status: str, reason: str, message: str) -> CitationCheck:
        out.status, out.reason, out.message = status, reason, message
        return out

    def _instruments(self, title: str, local: dict[str, list[Instrument]]) -> list[Instrument]:
        key = normalize_title(title)
        found = self.store.instruments_by_key(key)
        if not found:
            found = local.get(key) or self.store.instruments_by_alias(key)
        return found

    def _short_names(self, text: str) -> dict[str, list[Instrument]]:
        """Short names a document defines for itself with （以下简称X） (R1.11)."""
        out: dict[str, list[Instrument]] = {}
        for full, short in _SHORT_NAME_RE.findall(text):
            insts = self._instruments(full, {})
            if insts:
                out[normalize_title(short)] = insts
        return out

    @staticmethod
    def _version_on(versions: list[Version], day: date) -> tuple[Version | None, str]:
        live = [v for v in versions if v.in_force_on(day)]
        if live:
            v = live[-1]
            if v.status == "已废止" and not v.effective_to:
                return None, "repealed_date_unknown"
            return v, ""
        if versions and versions[-1].effective_to and day.isoformat() >= versions[-1].effective_to:
            return None, "repealed"
        first = versions[0] if versions else None
        # Adopted but not yet in force (法典 between 2026-03-12 and 2026-08-15). An older text may
        # have been in force then; LDB cannot tell, so the message says so.
        if first and first.version_date and first.version_date <= day.isoformat():
            return None, "not_yet_effective"
        return None, "version_not_in_store"

    def _not_in_force(self, out: CitationCheck, c: Citation, versions: list[Version], as_of: date, why: str) -> CitationCheck:
        last = versions[-1] if versions else None
        first = versions[0] if versions else None
        messages = {
            "repealed": f"该条文已于{cn_date(last.effective_to if last else None)}废止"
                        + (f"（被《{last.repealed_by}》取代）" if last and last.repealed_by else ""),
            "repealed_date_unknown": f"来源标注该法律法规已废止，但未载明废止日期：{_FLK}",
            "not_yet_effective": f"所存文本已公布，但在{cn_date(as_of)}尚未施行"
                                 + (f"（自{cn_date(first.effective_from)}起施行）" if first else "")
                                 + "；当日施行的旧文本不在法规库中",
            "version_not_in_store": f"{cn_date(as_of)}施行的版本不在法规库中；所存文本自"
                                    f"{cn_date(first.effective_from if first else None)}起施行，{_FLK}",
        }
        out.status, out.reason, out.message = "not_in_force", why, messages[why]
        ref = last if why in {"repealed", "repealed_date_unknown"} else (versions[0] if versions else None)
        if ref is not None:
            out.last_version = ref.to_dict()
            art = self.store.article(ref.id, c.article or 0, c.article_sub)
            if art is not None and why.startswith("repealed"):
                out.text = self._text_of(art, c.paragraph, c.item)  # the cited law's last text, for 从旧 (R2.1)
            elif art is not None:
                self._set_stored(out, self._text_of(art, c.paragraph, c.item), out.last_version,
                                 f"不适用：此为{cn_date(ref.version_date)}版本的文本，在{cn_date(as_of)}尚未施行，"
                                 "不得作为当日施行的文本适用（R2.7）")
        return out

    @staticmethod
    def _set_stored(out: CitationCheck, text: str | None, version: dict[str, Any] | None, note: str) -> None:
        """Keep another version's text out of ``text`` (R2.7) and in the flagged ``stored_*`` fields."""
        out.text = None
        out.stored_text, out.stored_version, out.stored_text_applicable = text, version, False
        out.stored_text_note = note

    def _later_change(self, versions: list[Version], version: Version, as_of: date) -> dict[str, Any] | None:
        """A newer text or a repeal after ``as_of``: the reviewer checks 从旧兼从轻 (R2.1, R2.2)."""
        if not version.effective_to:
            return None
        later = [v for v in versions if v.effective_from and v.effective_from >= version.effective_to]
        if later:
            return {"kind": "amended", "effective": later[0].effective_from, "version": later[0].to_dict(),
                    "note": "此后有新版本施行：请依《中华人民共和国行政处罚法》第三十七条比较新旧规定（从旧兼从轻）"}
        return {"kind": "repealed", "effective": version.effective_to, "by": version.repealed_by,
                "note": "此后已废止：适用违法行为发生时的规定，新规定处罚较轻的适用新规定"
                        "（《中华人民共和国行政处罚法》第三十七条）"}

    def _resolve_in(self, out: CitationCheck, c: Citation, version: Version, inst: Instrument) -> CitationCheck:
        assert c.article is not None
        art = self.store.article(version.id, c.article, c.article_sub)
        if art is None:
            if c.article in version.missing_articles:
                return self._fail(out, "article_not_found", "text_not_in_store",
                                  f"来源缺失该条原文（可能已并入其他条文）：{_FLK}")
            return self._fail(out, "article_not_found", "no_such_article",
                              f"《{inst.title}》（{cn_date(version.version_date)}版本）没有第{int_to_cn(c.article)}条"
                              + (f"之{int_to_cn(c.article_sub)}" if c.article_sub else ""))
        multi = len(art.paragraphs) > 1
        paragraph = c.paragraph
        if paragraph is not None and paragraph not in art.paragraph_numbers():
            out.normalized = format_citation(inst.title, c.article, c.article_sub, paragraph, c.item, c.subitem)
            return self._fail(out, "paragraph_not_found", "no_such_paragraph",
                              f"该条共有{len(art.paragraphs)}款，引用的第{paragraph}款不存在")
        if c.item is not None:
            if paragraph is None:
                holders = art.paragraphs_with_items()
                if not holders:
                    return self._fail(out, "item_not_found", "no_items", f"该条未分项，引用的第{c.item}项不存在")
                if len(holders) > 1:
                    out.candidates = [
                        {"normalized": format_citation(inst.title, c.article, c.article_sub, p, c.item, c.subitem),
                         "paragraph": p}
                        for p in holders
                        if any(pp == p and n == c.item for pp, n, *_ in art.items)
                    ]
                    return self._fail(out, "ambiguous", "item_paragraph_ambiguous",
                                      "该条有多个款设有项，未写明款时无法确定所引的项：请写明第几款（R1.8）")
                paragraph = holders[0]
            if not any(p == paragraph and n == c.item for p, n, *_ in art.items):
                out.normalized = format_citation(inst.title, c.article, c.article_sub, paragraph, c.item, c.subitem, multi)
                return self._fail(out, "item_not_found", "no_such_item",
                                  f"该条第{paragraph}款没有第{c.item}项")
            if c.subitem is not None:
                subs = next(s for p, n, _, s in art.items if p == paragraph and n == c.item)
                if c.subitem > len(subs):
                    return self._fail(out, "item_not_found", "no_such_subitem", f"该项没有第{c.subitem}目")
        out.paragraph = paragraph
        out.normalized = format_citation(inst.title, c.article, c.article_sub, paragraph, c.item, c.subitem, multi)
        out.text = self._text_of(art, paragraph, c.item, c.subitem)
        out.status = "verified"
        return out

    @staticmethod
    def _text_of(art: ArticleRow, paragraph: int | None, item: int | None, subitem: int | None = None) -> str:
        if item is not None:
            for p, n, t, subs in art.items:
                if n == item and (paragraph is None or p == paragraph):
                    if subitem is not None and subitem <= len(subs):
                        return subs[subitem - 1]
                    return "\n".join([t, *subs])
        if paragraph is not None:
            lead = dict(art.paragraphs).get(paragraph)
            if lead is not None:
                items = [t for p, _, t, _ in art.items if p == paragraph]
                return "\n".join([lead, *items]) if lead else "\n".join(items)
        return art.text


__all__ = ["STATUSES", "CitationCheck", "CitationError", "Resolver", "cn_date"]
