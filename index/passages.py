"""Passages: the retrievable units (article, 款, 项) with the metadata the index filters and pairs on.

The statute store owns segmentation (DOMAIN.md R1.7); this module only turns store rows into passages.
Granularity (measured in scripts/bench_search.py): a passage per article, plus one per 款 when an article has
several, plus one per 项 (the 款's lead-in + the item, so the unit states both the conduct and the sanction).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nlp.citations import format_citation, normalize_title

UNITS = ("article", "paragraph", "item")


@dataclass(frozen=True)
class Passage:
    """One retrievable unit.

    ``meta`` keys: law, law_key, level, version_id, article, article_sub, article_label, paragraph, item, unit,
    chapter, effective_from, effective_to (ISO dates or None), is_liability, n_paragraphs, citation.
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
    return f"{p.meta.get('law', '')} {chapter}\n{p.text}".strip()


def text_hash(text: str) -> str:
    """Key of the embedding cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _liability(v: Any) -> bool:
    # Store: 2 = in a 法律责任 chapter, 1 = penalty wording elsewhere (corpus.sources.common.liability_level).
    return bool(v) and int(v) >= 1


def article_passages(
    *,
    law: str,
    level: str | None,
    version_id: str,
    effective_from: str | None,
    effective_to: str | None,
    number: int,
    sub: int,
    label: str,
    chapter: str | None,
    text: str,
    liability: int,
    paragraphs: Iterable[tuple[int, str]],
    items: Iterable[tuple[int, int, str, Iterable[str]]],
    granularity: tuple[str, ...] = UNITS,
) -> list[Passage]:
    """Passages for one article: the article, its 款 (if several) and its 项.

    Args:
        paragraphs: (款 number, 款 own text — the lead-in when it has items).
        items: (款 number, 项 number, item text, 目 texts).
        granularity: which units to emit.
    """
    paras = list(paragraphs)
    its = list(items)
    n_par = len(paras)
    base = {
        "law": law,
        "law_key": normalize_title(law),
        "level": level,
        "version_id": version_id,
        "article": number,
        "article_sub": sub,
        "article_label": label,
        "chapter": chapter,
        "effective_from": effective_from,
        "effective_to": effective_to,
        "is_liability": _liability(liability),
        "liability_level": int(liability or 0),
        "n_paragraphs": n_par,
    }
    art_id = f"{version_id}#{number}" + (f"-{sub}" if sub else "")
    out: list[Passage] = []
    if "article" in granularity:
        out.append(
            Passage(
                art_id,
                text,
                {**base, "unit": "article", "paragraph": None, "item": None,
                 "citation": format_citation(law, number, sub)},
            )
        )  # fmt: skip
    items_by_par: dict[int, list[tuple[int, str, list[str]]]] = {}
    for pn, inum, itext, subs in its:
        items_by_par.setdefault(pn, []).append((inum, itext, list(subs)))
    for pn, ptext in paras:
        pitems = items_by_par.get(pn, [])
        full = "\n".join([ptext, *(t for _, t, s in pitems for t in [t, *s])]).strip() if pitems else ptext
        if "paragraph" in granularity and n_par > 1:
            out.append(
                Passage(
                    f"{art_id}.{pn}",
                    full,
                    {**base, "unit": "paragraph", "paragraph": pn, "item": None,
                     "citation": format_citation(law, number, sub, paragraph=pn, show_paragraph=True)},
                )
            )  # fmt: skip
        if "item" in granularity:
            for inum, itext, subs in pitems:
                body = "\n".join([ptext, itext, *subs]).strip() if ptext else "\n".join([itext, *subs])
                out.append(
                    Passage(
                        f"{art_id}.{pn}.{inum}",
                        body,
                        {**base, "unit": "item", "paragraph": pn, "item": inum,
                         "citation": format_citation(law, number, sub, paragraph=pn, item=inum,
                                                     show_paragraph=n_par > 1)},
                    )
                )  # fmt: skip
    return out


def _get(obj: Any, *names: str, default: Any = None) -> Any:
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
        if hasattr(obj, n):
            return getattr(obj, n)
    return default


def passages_from_store(
    store: Any, as_of: date | None = None, granularity: tuple[str, ...] = UNITS
) -> Iterator[Passage]:
    """Every passage of the statute store (all versions unless ``as_of`` is given).

    Reads the store's articles with their 款/项 (``Store.instruments/versions/articles_of``) so the ids and
    citations stay stable whatever unit granularity the store's own ``iter_provisions`` chooses.
    """
    for ins in store.instruments():
        for v in store.versions(ins.id):
            if as_of is not None and not v.in_force_on(as_of):
                continue
            missing = set(v.missing_articles or ())
            for a in store.articles_of(v.id):
                if a.number in missing and a.sub == 0:
                    continue
                yield from article_passages(
                    law=ins.title,
                    level=ins.level,
                    version_id=v.id,
                    effective_from=v.effective_from,
                    effective_to=v.effective_to,
                    number=a.number,
                    sub=a.sub,
                    label=a.label,
                    chapter=a.chapter,
                    text=a.text,
                    liability=a.liability,
                    paragraphs=a.paragraphs,
                    items=[(p, n, t, s) for p, n, t, s in a.items],
                    granularity=granularity,
                )


def corpus_fingerprint(passages: Iterable[Passage]) -> str:
    """sha256 over ids, texts and dates: changes whenever anything the index depends on changes."""
    h = hashlib.sha256()
    for p in passages:
        m = p.meta
        h.update(
            f"{p.id}\x1f{p.text}\x1f{m.get('law')}\x1f{m.get('chapter')}\x1f{m.get('effective_from')}"
            f"\x1f{m.get('effective_to')}\x1f{m.get('is_liability')}\x1e".encode()
        )
    return h.hexdigest()
