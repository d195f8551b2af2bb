"""Passages: the retrievable units (article, 款, 项) with the metadata the index filters and pairs on.

The statute store owns segmentation (DOMAIN.md R1.7) and yields the units (``Store.iter_provisions``); this module
turns them into passages: one per article, one per 款 when an article has several, one per 项 (indexed together with
its 款's lead-in, so the unit states both the conduct and the sanction).
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nlp.citations import normalize_title

UNITS = ("article", "paragraph", "item")


@dataclass(frozen=True)
class Passage:
    """One retrievable unit.

    ``text`` is the unit as the store gives it (an item's own line for a 项). ``meta`` keys: law, law_key, level,
    version_id, source, article, article_sub, paragraph, item, unit (article | paragraph | item), chapter, context
    (a 项's lead-in), effective_from, effective_to (ISO dates or None), is_liability (in a 法律责任 chapter or
    carrying penalty wording), liability_level (the store's 0/1/2), n_paragraphs, citation.
    """

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def citation(self) -> str:
        return str(self.meta.get("citation", ""))

    def in_force_on(self, day: date) -> bool:
        """effective_from ≤ day < effective_to (R2.7: dates, never the status word, decide)."""
        iso = day.isoformat()
        ef, et = self.meta.get("effective_from"), self.meta.get("effective_to")
        if ef and iso < ef:
            return False
        return not (et and iso >= et)


def embed_text(p: Passage) -> str:
    """Text given to the encoders and BM25: law title and chapter as context, then the provision.

    The chapter name (…法律责任) tells a 罚则 from a 违则; the title carries the domain (食品安全, 消防…).
    """
    chapter = p.meta.get("chapter") or ""
    context = p.meta.get("context") or ""
    body = f"{context}\n{p.text}" if context else p.text
    return f"{p.meta.get('law', '')} {chapter}\n{body}".strip()


def text_hash(text: str) -> str:
    """Key of the embedding cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_id(meta: dict[str, Any]) -> str:
    """Id of the article passage a unit belongs to."""
    sub = meta.get("article_sub") or 0
    return f"{meta['version_id']}#{meta['article']}" + (f"-{sub}" if sub else "")


def _liability(v: Any) -> bool:
    # Store: 2 = in a 法律责任 chapter, 1 = penalty wording elsewhere (corpus.sources.common.liability_level).
    return bool(v) and int(v) >= 1


# Meta values shared by many passages (every unit of a version has the same law, dates, chapter…). Keeping one copy
# of each instead of one per passage saves ~0.7 GB at 390k passages, in serving (PassageIndex.load) and in the build.
_SHARED_KEYS = frozenset({"law", "law_key", "level", "version_id", "chapter", "effective_from", "effective_to", "source",
                          "region", "unit", "context"})  # fmt: skip


# One class per key order: the ``__dict__`` of a class's instances share one key table (CPython key-sharing dicts,
# PEP 412), so 390k metadata dicts with the same keys cost ~220 bytes each instead of ~460. A table only stays shared
# while every dict adds the same keys in the same order, hence a class per order. Only the saving depends on the
# interpreter, never the behaviour: these are ordinary dicts.
_KEY_TABLES: dict[tuple[str, ...], type] = {}


def _dict_for(keys: tuple[str, ...]) -> dict[str, Any]:
    cls = _KEY_TABLES.get(keys)
    if cls is None:
        if len(_KEY_TABLES) >= 32:  # metadata of unforeseen shapes: plain dicts
            return {}
        cls = _KEY_TABLES[keys] = type("_SharedKeys", (), {})
    return cls().__dict__


def share_meta(meta: dict[str, Any], pool: dict[str, str]) -> dict[str, Any]:
    """``meta`` with interned keys and the repeated string values taken from ``pool`` (same content, same key order).

    Args:
        meta: a passage's metadata, e.g. as parsed from JSON (every key and string its own copy).
        pool: strings seen so far, value → the copy to share; filled as it goes (drop it after loading).
    """
    out = _dict_for(tuple(meta))
    for k, v in meta.items():
        if k in _SHARED_KEYS and isinstance(v, str):
            v = pool.setdefault(v, v)
        out[sys.intern(k)] = v
    return out


_ITEM_LINE_RE = re.compile(r"^\s*[（(]\s*[零〇一二三四五六七八九十百0-9０-９]+\s*[）)]")


def _lead_in(text: str) -> str:
    """The lines of a 款 (or single-款 article) before its first 项: the sentence the items complete."""
    out = []
    for line in text.split("\n"):
        if _ITEM_LINE_RE.match(line):
            break
        out.append(line)
    return "\n".join(out).strip()


def _from_article_units(units: list[Any], pool: dict[str, str] | None = None) -> list[Passage]:
    """Passages for one article's provision units (article first, then 款, then 项).

    ``pool``: shared copies of repeated strings (:func:`share_meta`), kept across the articles of a build.
    """
    pool = {} if pool is None else pool
    art = next((u for u in units if u.paragraph is None and u.item is None), None)
    if art is None:
        return []
    paras = {u.paragraph: u for u in units if u.paragraph is not None and u.item is None}
    n_par = max(len(paras), 1)
    base = share_meta(
        {
            "law": art.title,
            "law_key": normalize_title(art.title),
            "level": art.level,
            "version_id": art.version_id,
            "article": art.article,
            "article_sub": art.sub,
            "chapter": art.chapter,
            "effective_from": art.effective_from,
            "effective_to": art.effective_to,
            "is_liability": _liability(art.liability),
            "liability_level": int(art.liability or 0),
            "n_paragraphs": n_par,
            "source": getattr(art, "source", None),
            "region": getattr(art, "region", None),
        },
        pool,
    )
    aid = article_id(base)
    out = [Passage(aid, art.text, {**base, "unit": "article", "paragraph": None, "item": None,
                                   "citation": art.citation, "context": ""})]  # fmt: skip
    for u in units:
        if u is art:
            continue
        if u.item is None:
            out.append(Passage(f"{aid}.{u.paragraph}", u.text, {**base, "unit": "paragraph", "paragraph": u.paragraph,
                               "item": None, "citation": u.citation, "context": ""}))  # fmt: skip
        else:
            host = paras.get(u.paragraph)
            lead = _lead_in(host.text if host is not None else art.text)
            lead = pool.setdefault(lead, lead)
            out.append(Passage(f"{aid}.{u.paragraph or 1}.{u.item}", u.text, {**base, "unit": "item",
                               "paragraph": u.paragraph, "item": u.item, "citation": u.citation,
                               "context": lead}))  # fmt: skip
    return out


def passages_from_store(
    store: Any, as_of: date | None = None, granularity: tuple[str, ...] = UNITS
) -> Iterator[Passage]:
    """Every passage of the statute store (all versions unless ``as_of`` is given), via ``Store.iter_provisions``.

    An item passage keeps the store's item text as ``text`` (what is shown) and its 款's lead-in as
    ``meta["context"]`` (「违反本法规定，有下列行为之一的，由…处…罚款：」), which the encoders and BM25 see too: without it
    an item names the conduct but not the sanction, and its 违反本法第X条 reference may sit in the lead-in.
    """
    levels = tuple(u for u in ("article", "paragraph", "item") if u in granularity or u == "article")
    buf: list[Any] = []
    key: tuple | None = None
    pool: dict[str, str] = {}
    for u in store.iter_provisions(as_of=as_of, levels=levels):
        k = (u.version_id, u.article, u.sub)
        if k != key and buf:
            yield from (p for p in _from_article_units(buf, pool) if p.meta["unit"] in granularity)
            buf = []
            if len(pool) > 200_000:  # a bound, not a cache policy: the values repeat within a version
                pool.clear()
        key = k
        buf.append(u)
    if buf:
        yield from (p for p in _from_article_units(buf, pool) if p.meta["unit"] in granularity)


def corpus_fingerprint(passages: Iterable[Passage]) -> str:
    """sha256 over ids, texts and dates: changes whenever anything the index depends on changes."""
    h = hashlib.sha256()
    for p in passages:
        m = p.meta
        h.update(
            f"{p.id}\x1f{p.text}\x1f{m.get('law')}\x1f{m.get('chapter')}\x1f{m.get('effective_from')}"
            f"\x1f{m.get('effective_to')}\x1f{m.get('is_liability')}\x1f{m.get('region')}\x1e".encode()
        )
    return h.hexdigest()
