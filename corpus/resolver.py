"""Resolve citations against the store as of a date (DOMAIN.md §1, §2; pitfalls (a)–(h)).

The resolver never guesses: a title matches exactly (after :func:`nlp.citations.normalize_title`)
or through the reviewed alias table, never by substring; an article number is never rewritten;
a 项 without its 款 resolves only when exactly one 款 has items.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

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

STATUSES = (
    "verified",
    "law_not_found",
    "article_not_found",
    "paragraph_not_found",
    "item_not_found",
    "not_in_force",
    "ambiguous",
)
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
    as_of_version: dict | None = None
    text: str | None = None
    reason: str | None = None
    message: str | None = None
    article_sub: int = 0
    subitem: int | None = None
    level: str | None = None
    span: tuple[int, int] | None = None
    candidates: list[dict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    later_change: dict | None = None
    last_version: dict | None = None
    # Another version's text, kept for the reviewer but NOT applicable on ``as_of`` (R2.7): ``text`` is
    # only ever the text in force that day.
    stored_text: str | None = None
    stored_version: dict | None = None
    stored_text_applicable: bool | None = None
    stored_text_note: str | None = None

    def to_dict(self) -> dict:
        """JSON-friendly dict."""
        d = asdict(self)
        d["span"] = list(self.span) if self.span else None
        return d


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
                              "a relative reference (前款, 本条) with no article to be relative to")
        if not c.law:
            return self._fail(out, "law_not_found", "no_law_named",
                              "本法-type reference (本法, 本条例, 该法 …) with no instrument of that kind named before it")
        insts = self._instruments(c.law, local_aliases or {})
        out.normalized = format_citation(c.law, c.article, c.article_sub, c.paragraph, c.item, c.subitem)
        if not insts:
            return self._fail(out, "law_not_found", "unknown_title",
                              f"no instrument titled {c.law!r} in the store (titles must match exactly; "
                              "实施条例/细则/办法 are separate instruments)")
        if len(insts) > 1:
            out.candidates = [{"law": i.title, "level": i.level} for i in insts]
            return self._fail(out, "ambiguous", "ambiguous_law_name",
                              f"{c.law!r} names {len(insts)} instruments; cite the full title")
        inst = insts[0]
        out.law, out.level = inst.title, inst.level
        out.normalized = format_citation(inst.title, c.article, c.article_sub, c.paragraph, c.item, c.subitem)
        versions = self.store.versions(inst.id)
        version, why = self._version_on(versions, as_of)
        if version is None:
            return self._not_in_force(out, c, versions, as_of, why)
        out.as_of_version = version.to_dict()
        if version.verified_in_force is None and version.source == "lawrefbook":
            out.warnings.append("repeal status of this regulation is not verified against flk (R2.8)")
        if version.status == "已被修改":
            out.warnings.append("the source marks this text as amended later; the newer text is not in the store")
        out.later_change = self._later_change(versions, version, as_of)
        if c.version_hint and version.version_date and not version.version_date.startswith(c.version_hint):
            self._resolve_in(out, c, version, inst)
            if out.status == "verified":
                out.status, out.reason = "not_in_force", "superseded"
                out.message = (f"the {c.version_hint} text was not in force on {as_of}; "
                               f"the version of {version.version_date} was (its text in stored_text)")
                self._set_stored(out, out.text, out.as_of_version,
                                 f"text of the version of {version.version_date} in force on {as_of}, not of "
                                 f"the cited {c.version_hint} text, which is not in the store; verify at flk")
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
        messages = {
            "repealed": f"repealed on {last.effective_to if last else '?'}"
                        + (f" by {last.repealed_by}" if last and last.repealed_by else ""),
            "repealed_date_unknown": "the source marks it repealed and gives no date; verify at flk",
            "not_yet_effective": f"the stored text was adopted but not yet in force on {as_of}"
                                 + (f" (takes effect {versions[0].effective_from})" if versions else "")
                                 + "; any earlier text in force then is not in the store",
            "version_not_in_store": f"the version in force on {as_of} is not in the store; the stored text starts "
                                    f"{versions[0].effective_from if versions else '?'} (verify at flk)",
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
                                 f"NOT APPLICABLE: text of the version of {ref.version_date}, not yet in force on "
                                 f"{as_of}; never apply it as the text in force that day (R2.7)")
        return out

    @staticmethod
    def _set_stored(out: CitationCheck, text: str | None, version: dict | None, note: str) -> None:
        """Keep another version's text out of ``text`` (R2.7) and in the flagged ``stored_*`` fields."""
        out.text = None
        out.stored_text, out.stored_version, out.stored_text_applicable = text, version, False
        out.stored_text_note = note

    def _later_change(self, versions: list[Version], version: Version, as_of: date) -> dict | None:
        """A newer text or a repeal after ``as_of``: the reviewer checks 从旧兼从轻 (R2.1, R2.2)."""
        if not version.effective_to:
            return None
        later = [v for v in versions if v.effective_from and v.effective_from >= version.effective_to]
        if later:
            return {"kind": "amended", "effective": later[0].effective_from, "version": later[0].to_dict(),
                    "note": "a newer version exists; compare under 行政处罚法第三十七条 (从旧兼从轻)"}
        return {"kind": "repealed", "effective": version.effective_to, "by": version.repealed_by,
                "note": "repealed later; apply the old law unless the new one is lighter (行政处罚法第三十七条)"}

    def _resolve_in(self, out: CitationCheck, c: Citation, version: Version, inst: Instrument) -> CitationCheck:
        assert c.article is not None
        art = self.store.article(version.id, c.article, c.article_sub)
        if art is None:
            if c.article in version.missing_articles:
                return self._fail(out, "article_not_found", "text_not_in_store",
                                  "the source lost this article's text (merged into another); verify at flk")
            return self._fail(out, "article_not_found", "no_such_article",
                              f"{inst.title} (version {version.version_date}) has no {out.normalized and c.raw}")
        multi = len(art.paragraphs) > 1
        paragraph = c.paragraph
        if paragraph is not None and paragraph not in art.paragraph_numbers():
            out.normalized = format_citation(inst.title, c.article, c.article_sub, paragraph, c.item, c.subitem)
            return self._fail(out, "paragraph_not_found", "no_such_paragraph",
                              f"the article has {len(art.paragraphs)} 款; 第{paragraph}款 does not exist")
        if c.item is not None:
            if paragraph is None:
                holders = art.paragraphs_with_items()
                if not holders:
                    return self._fail(out, "item_not_found", "no_items", "the article has no 项")
                if len(holders) > 1:
                    out.candidates = [
                        {"normalized": format_citation(inst.title, c.article, c.article_sub, p, c.item, c.subitem),
                         "paragraph": p}
                        for p in holders
                        if any(pp == p and n == c.item for pp, n, *_ in art.items)
                    ]
                    return self._fail(out, "ambiguous", "item_paragraph_ambiguous",
                                      "more than one 款 has items; name the 款 (R1.8)")
                paragraph = holders[0]
            if not any(p == paragraph and n == c.item for p, n, *_ in art.items):
                out.normalized = format_citation(inst.title, c.article, c.article_sub, paragraph, c.item, c.subitem, multi)
                return self._fail(out, "item_not_found", "no_such_item",
                                  f"第{paragraph}款 has no 第{c.item}项")
            if c.subitem is not None:
                subs = next(s for p, n, _, s in art.items if p == paragraph and n == c.item)
                if c.subitem > len(subs):
                    return self._fail(out, "item_not_found", "no_such_subitem", f"the item has no 第{c.subitem}目")
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


__all__ = ["STATUSES", "CitationCheck", "CitationError", "Resolver"]
